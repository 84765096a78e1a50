// GitLab as an IssueTracker: the one open tracking issue of the drift check, found by the marker in its
// description, opened, updated while drift remains, and closed with a note once it is gone.
import { Gitlab } from "@gitbeaker/rest";
import { InternalError, ToolError } from "../../errors.ts";
import type { IssueTracker, TrackedIssue } from "../../ports.ts";
import { apiCaller, type ApiCall } from "../http/api-call.ts";
import { httpFailure, type RetryOptions } from "../http/retry.ts";
import { clip, truncate } from "../http/text-limits.ts";

/** GitLab limits an issue's description to 1 MB (1,048,576); keep a margin, as for merge request notes. */
export const GITLAB_ISSUE_BODY_LIMIT = 1_000_000;
/** GitLab refuses a longer issue title. */
const TITLE_LIMIT = 255;
const PER_PAGE = 100;
/** How many pages of open issues (newest first) are searched for the marker by default: 1,000 issues. */
export const GITLAB_ISSUE_PAGES = 10;
/** A description GitLab still finds too long is sent again this much shorter. */
const TOO_LONG_MARGIN = 16_384;

export interface GitLabIssueTrackerOptions {
  /** CI_SERVER_URL, e.g. https://gitlab.com (the client adds /api/v4). */
  serverUrl: string;
  /** A project or group access token with `api` scope: CI_JOB_TOKEN cannot write issues. */
  token: string;
  /** CI_PROJECT_ID, or the project's path ("group/project"). */
  projectId: string | number;
  retry?: RetryOptions;
  log?: (message: string) => void;
  /** Pages of 100 open issues searched for the marker, newest first (default GITLAB_ISSUE_PAGES). */
  maxPages?: number;
}

/** The fields of an issue as GitLab returns it that the tracker reads (the client is built without camelize). */
interface GitLabIssue {
  iid: number;
  web_url: string;
  title: string;
  description?: string | null;
}

export class GitLabIssueTracker implements IssueTracker {
  readonly name = "gitlab";
  readonly bodyLimit = GITLAB_ISSUE_BODY_LIMIT;
  private readonly api: InstanceType<typeof Gitlab>;
  private readonly call: ApiCall;

  constructor(private readonly options: GitLabIssueTrackerOptions) {
    this.api = new Gitlab({ host: options.serverUrl, token: options.token });
    this.call = apiCaller("GitLab", options.retry, options.log);
  }

  async findOpenIssue(marker: string): Promise<TrackedIssue | undefined> {
    if (marker === "") throw new InternalError("a tracking issue's marker cannot be empty: it would match every issue");
    const { projectId } = this.options;
    const pages = Math.max(1, this.options.maxPages ?? GITLAB_ISSUE_PAGES);
    // GitLab's `search` is not a substring match (words, trigrams, or Elasticsearch where advanced search is on,
    // and markup such as an HTML comment is not indexed as written): page through the open issues instead, newest
    // first, each page asked for (and retried) on its own, up to a cap
    for (let page = 1; page <= pages; page++) {
      const issues = (await this.request("list the open issues", () =>
        this.call(() => this.api.Issues.all({ projectId, state: "opened", orderBy: "created_at", sort: "desc", perPage: PER_PAGE, page })),
      )) as unknown as GitLabIssue[];
      const found = issues.find((issue) => typeof issue.description === "string" && issue.description.includes(marker));
      if (found) return toTrackedIssue(found);
      if (issues.length < PER_PAGE) return undefined;
    }
    this.options.log?.(`no open issue carries the marker among the newest ${pages * PER_PAGE} open issues of project ${String(projectId)}; an older one, if any, is not reused`);
    return undefined;
  }

  async createIssue(issue: { title: string; body: string; labels: string[] }): Promise<TrackedIssue> {
    const { projectId } = this.options;
    const title = truncate(issue.title, TITLE_LIMIT);
    // GitLab takes labels as one comma-separated string: a comma cannot be part of a name
    const labels = [...new Set(issue.labels.map((label) => label.replaceAll(",", " ").trim()).filter((label) => label !== ""))];
    const create = (withLabels: string[]) =>
      this.withinLimit(issue.body, (description) =>
        this.call(() => this.api.Issues.create(projectId, title, { description, ...(withLabels.length > 0 ? { labels: withLabels.join(",") } : {}) })),
      );
    try {
      // GitLab creates a label the project does not have yet
      return toTrackedIssue(await create(labels));
    } catch (error) {
      const failure = httpFailure(error);
      // a label GitLab refuses must not keep drift from being reported: open the issue without labels
      const labelsRefused = labels.length > 0 && failure !== undefined && (failure.status === 400 || failure.status === 422) && /label/i.test(failure.message);
      if (!labelsRefused) throw this.explain("open an issue", error);
      let created;
      try {
        created = await create([]);
      } catch (again) {
        throw this.explain("open an issue", again);
      }
      this.options.log?.(`GitLab refused the labels ${labels.join(", ")} (${failure.status}); the issue was opened without them`);
      return toTrackedIssue(created);
    }
  }

  async updateIssue(number: number, update: { title: string; body: string }): Promise<TrackedIssue> {
    const title = truncate(update.title, TITLE_LIMIT);
    const edited = await this.request(`update issue #${number}`, () =>
      this.withinLimit(update.body, (description) => this.call(() => this.api.Issues.edit(this.options.projectId, number, { title, description }))),
    );
    return toTrackedIssue(edited);
  }

  async closeIssue(number: number, comment?: string): Promise<void> {
    const { projectId } = this.options;
    // the note first: closing is the last step, so a failed note leaves the issue open and it is tried again
    if (comment !== undefined && comment !== "") {
      await this.request(`comment on issue #${number}`, () => this.withinLimit(comment, (body) => this.call(() => this.api.IssueNotes.create(projectId, number, body))));
    }
    await this.request(`close issue #${number}`, () => this.call(() => this.api.Issues.edit(projectId, number, { stateEvent: "close" })));
  }

  /** One API call, retried on 5xx and rate limits (`operation` goes through `call`); a final refusal says what the token lacks. */
  private async request<T>(action: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw this.explain(action, error);
    }
  }

  /**
   * Sends a description or note within the limit, clipped if need be; when GitLab still finds it too long (400 or
   * 413 depending on the version, as for merge request notes), once more shorter.
   */
  private async withinLimit<T>(text: string, send: (body: string) => Promise<T>): Promise<T> {
    try {
      return await send(clip(text, this.bodyLimit));
    } catch (error) {
      const failure = httpFailure(error);
      const tooLong = (failure?.status === 400 && /too long/i.test(failure.message)) || failure?.status === 413;
      if (!tooLong || text.length <= this.bodyLimit - TOO_LONG_MARGIN) throw error;
      this.options.log?.(`GitLab found a text of ${Math.min(text.length, this.bodyLimit)} characters too long; sending it ${TOO_LONG_MARGIN} characters shorter`);
      return await send(clip(text, this.bodyLimit - TOO_LONG_MARGIN));
    }
  }

  /** What a refusal means for the person setting up the pipeline; the HTTP status stays readable (`status`). */
  private explain(action: string, error: unknown): Error {
    const failure = httpFailure(error);
    if (!failure) return error instanceof Error ? error : new Error(String(error));
    const where = `project ${String(this.options.projectId)}`;
    const detail = failure.message.replace(/^the GitLab API answered \d+: /, "").slice(0, 300);
    const said = detail ? ` (GitLab said: ${detail})` : "";
    let message: string;
    switch (failure.status) {
      case 401:
        message = `GitLab refused the token (401) when asked to ${action} in ${where}: it is missing, expired or revoked${said}`;
        break;
      case 403:
        message =
          `GitLab refused (403) to ${action} in ${where}: the token needs the \`api\` scope ` +
          `(a project or group access token with the Reporter role or higher; CI_JOB_TOKEN cannot write issues)${said}`;
        break;
      case 404:
        message = `GitLab answered 404 when asked to ${action} in ${where}: the project or issue does not exist, issues are disabled, or the token cannot see it${said}`;
        break;
      default:
        message = `GitLab answered ${failure.status} when asked to ${action} in ${where}${said}`;
    }
    const explained = new ToolError(message, "gitlab");
    Object.assign(explained, { status: failure.status, response: { status: failure.status, headers: failure.headers } });
    return explained;
  }
}

function toTrackedIssue(issue: object): TrackedIssue {
  const raw = issue as GitLabIssue;
  return { number: raw.iid, url: raw.web_url, title: raw.title, body: raw.description ?? "" };
}
