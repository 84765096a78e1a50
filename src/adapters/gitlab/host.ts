// GitLab as a ReviewHost: one sticky merge request note. GitLab has no check runs here: the job's exit code
// is the gate, and the JUnit and code quality artifacts feed the merge request widgets.
import { Gitlab } from "@gitbeaker/rest";
import type { ReviewHost, StatusResult } from "../../ports.ts";
import { apiErrorFor, DEFAULT_RETRY, httpFailure, withRetry, type RetryOptions } from "../http/retry.ts";

const apiError = apiErrorFor("GitLab");

/** GitLab accepts notes of about a million characters; keep a margin. */
export const GITLAB_NOTE_LIMIT = 1_000_000;

export interface GitLabHostOptions {
  /** CI_SERVER_URL, e.g. https://gitlab.com */
  serverUrl: string;
  /** A project or group access token with `api` scope: CI_JOB_TOKEN cannot write notes. */
  token: string;
  projectId: string | number;
  mergeRequestIid?: number;
  retry?: RetryOptions;
  log?: (message: string) => void;
}

export class GitLabHost implements ReviewHost {
  readonly name = "gitlab";
  readonly commentLimit = GITLAB_NOTE_LIMIT;
  private readonly api: InstanceType<typeof Gitlab>;
  private readonly retry: RetryOptions;

  constructor(private readonly options: GitLabHostOptions) {
    this.api = new Gitlab({ host: options.serverUrl, token: options.token });
    this.retry = {
      ...(options.retry ?? DEFAULT_RETRY),
      onRetry: (attempt, status, delay) => options.log?.(`GitLab answered ${status}; retrying in ${Math.round(delay / 1000)} s (attempt ${attempt})`),
    };
  }

  /** Retried on 5xx and rate limits; a final failure becomes a ToolError naming the status. */
  private async call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await withRetry(operation, this.retry);
    } catch (error) {
      throw apiError(error);
    }
  }

  async upsertComment(marker: string, render: (budget: number) => string, createIfMissing: boolean): Promise<{ action: "created" | "updated" | "skipped"; url?: string }> {
    const { projectId, mergeRequestIid } = this.options;
    if (mergeRequestIid === undefined) return { action: "skipped" };
    const notes = await this.call(() => this.api.MergeRequestNotes.all(projectId, mergeRequestIid, { perPage: 100 }));
    const existing = notes.find((note) => typeof note.body === "string" && note.body.includes(marker));
    if (!existing && !createIfMissing) return { action: "skipped" };
    let budget = this.commentLimit - 1024;
    for (let attempt = 0; ; attempt++) {
      const body = render(budget);
      try {
        if (existing) await this.call(() => this.api.MergeRequestNotes.edit(projectId, mergeRequestIid, existing.id, { body }));
        else await this.call(() => this.api.MergeRequestNotes.create(projectId, mergeRequestIid, body));
        return { action: existing ? "updated" : "created" };
      } catch (error) {
        const status = httpFailure(error)?.status;
        // a note that is too large is refused as 400 or 413 depending on the GitLab version
        if ((status !== 400 && status !== 413 && status !== 422) || attempt >= 6 || budget < 1000) throw error;
        // shrink below what was refused, however large the budget was
        budget = Math.floor(Math.min(budget, body.length) / 2);
        this.options.log?.(`GitLab refused the note (${status}); retrying with ${budget} characters`);
      }
    }
  }

  async publishStatus(): Promise<StatusResult> {
    return { kind: "none", annotationsPublished: 0 };
  }
}
