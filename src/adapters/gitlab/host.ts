// GitLab as a ReviewHost: one sticky merge request note. GitLab has no check runs here: the job's exit code
// is the gate, and the JUnit and code quality artifacts feed the merge request widgets. As a PromotionHost: the one
// open merge request of a promotion branch, found, created or updated.
import { Gitlab } from "@gitbeaker/rest";
import type { ChangeRequest, PromotionHost, ReviewHost, StatusResult } from "../../ports.ts";
import { apiCaller, sendShrinking, type ApiCall } from "../http/api-call.ts";
import type { RetryOptions } from "../http/retry.ts";

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

export class GitLabHost implements ReviewHost, PromotionHost {
  readonly name = "gitlab";
  readonly commentLimit = GITLAB_NOTE_LIMIT;
  private readonly api: InstanceType<typeof Gitlab>;
  private readonly call: ApiCall;

  constructor(private readonly options: GitLabHostOptions) {
    this.api = new Gitlab({ host: options.serverUrl, token: options.token });
    this.call = apiCaller("GitLab", options.retry, options.log);
  }

  async upsertComment(marker: string, render: (budget: number) => string, createIfMissing: boolean): Promise<{ action: "created" | "updated" | "skipped"; url?: string }> {
    const { projectId, mergeRequestIid } = this.options;
    if (mergeRequestIid === undefined) return { action: "skipped" };
    const notes = await this.call(() => this.api.MergeRequestNotes.all(projectId, mergeRequestIid, { perPage: 100 }));
    const existing = notes.find((note) => typeof note.body === "string" && note.body.includes(marker));
    if (!existing && !createIfMissing) return { action: "skipped" };
    await sendShrinking({
      budget: this.commentLimit - 1024,
      render,
      send: (body) =>
        existing
          ? this.call(() => this.api.MergeRequestNotes.edit(projectId, mergeRequestIid, existing.id, { body }))
          : this.call(() => this.api.MergeRequestNotes.create(projectId, mergeRequestIid, body)),
      // a note that is too large is refused as 400 or 413 depending on the GitLab version
      tooLong: [400, 413, 422],
      what: "the merge request note",
      log: this.options.log,
    });
    return { action: existing ? "updated" : "created" };
  }

  async findOpenRequest(head: string): Promise<ChangeRequest | undefined> {
    const { projectId } = this.options;
    const open = await this.call(() => this.api.MergeRequests.all({ projectId, sourceBranch: head, state: "opened", perPage: 100 }));
    const found = open.find((request) => (request as { source_branch?: string }).source_branch === head);
    return found ? toChangeRequest(found) : undefined;
  }

  async createRequest(request: { head: string; base: string; title: string; body: string }): Promise<ChangeRequest> {
    const created = await this.call(() =>
      this.api.MergeRequests.create(this.options.projectId, request.head, request.base, request.title, { description: request.body, removeSourceBranch: true }),
    );
    return toChangeRequest(created);
  }

  async updateRequest(number: number, update: { title: string; body: string }): Promise<ChangeRequest> {
    return toChangeRequest(await this.call(() => this.api.MergeRequests.edit(this.options.projectId, number, { title: update.title, description: update.body })));
  }

  async publishStatus(): Promise<StatusResult> {
    return { kind: "none", annotationsPublished: 0 };
  }
}

/** The SDK types answers both raw and camelized; the client is built without camelize, so they are raw. */
function toChangeRequest(request: object): ChangeRequest {
  const raw = request as { iid: number; web_url: string; title: string; description?: string | null };
  return { number: raw.iid, url: raw.web_url, title: raw.title, body: raw.description ?? "" };
}
