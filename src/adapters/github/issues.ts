// GitHub as an IssueTracker: the one open tracking issue of the drift check, found by the marker in its body,
// opened, updated while drift remains, and closed with a comment once it is gone.
import type { Octokit } from "@octokit/rest";
import { InternalError, ToolError } from "../../errors.ts";
import type { IssueTracker, TrackedIssue } from "../../ports.ts";
import { apiCaller, type ApiCall } from "../http/api-call.ts";
import { httpFailure, type RetryOptions } from "../http/retry.ts";
import { clip, truncate } from "../http/text-limits.ts";
import { githubClient, type GitHubTarget } from "./host.ts";

/** GitHub refuses a longer issue body (or comment) with 422: "body is too long (maximum is 65536 characters)". */
export const GITHUB_ISSUE_BODY_LIMIT = 65_536;
/** GitHub refuses a longer title with 422: "title is too long (maximum is 256 characters)". */
const TITLE_LIMIT = 256;
const PER_PAGE = 100;
/** How many pages of open issues (newest first) are searched for the marker by default: 1,000 issues. */
export const GITHUB_ISSUE_PAGES = 10;
/** A body GitHub still finds too long (it counts some characters differently) is sent again this much shorter. */
const TOO_LONG_MARGIN = 4096;

export interface GitHubIssueTrackerOptions {
  token: string;
  /** GITHUB_API_URL: https://api.github.com, or a GitHub Enterprise Server's. */
  baseUrl: string;
  target: Pick<GitHubTarget, "owner" | "repo">;
  retry?: RetryOptions;
  log?: (message: string) => void;
  /** Pages of 100 open issues searched for the marker, newest first (default GITHUB_ISSUE_PAGES). */
  maxPages?: number;
}

/** The fields of an issue as GitHub's issues endpoints return it that the tracker reads. */
interface GitHubIssue {
  number: number;
  html_url: string;
  title: string;
  body?: string | null;
  /** Present when the "issue" is a pull request: GitHub lists both on the issues endpoints. */
  pull_request?: unknown;
}

export class GitHubIssueTracker implements IssueTracker {
  readonly name = "github";
  readonly bodyLimit = GITHUB_ISSUE_BODY_LIMIT;
  private readonly octokit: Octokit;
  private readonly call: ApiCall;

  constructor(private readonly options: GitHubIssueTrackerOptions) {
    this.octokit = githubClient(options.token, options.baseUrl);
    this.call = apiCaller("GitHub", options.retry, options.log);
  }

  async findOpenIssue(marker: string): Promise<TrackedIssue | undefined> {
    if (marker === "") throw new InternalError("a tracking issue's marker cannot be empty: it would match every issue");
    const { owner, repo } = this.options.target;
    const pages = Math.max(1, this.options.maxPages ?? GITHUB_ISSUE_PAGES);
    // the list has no filter on the body and the caller gives no label to filter on: page through the open issues,
    // newest first (the tracking issue is usually recent), up to a cap so a busy repository cannot make this unbounded
    for (let page = 1; page <= pages; page++) {
      const { data } = await this.request("list the open issues", () =>
        this.call(() => this.octokit.rest.issues.listForRepo({ owner, repo, state: "open", sort: "created", direction: "desc", per_page: PER_PAGE, page })),
      );
      const found = (data as GitHubIssue[]).find((issue) => issue.pull_request === undefined && (issue.body ?? "").includes(marker));
      if (found) return toTrackedIssue(found);
      if (data.length < PER_PAGE) return undefined;
    }
    this.options.log?.(`no open issue carries the marker among the newest ${pages * PER_PAGE} open issues and pull requests of ${owner}/${repo}; an older one, if any, is not reused`);
    return undefined;
  }

  async createIssue(issue: { title: string; body: string; labels: string[] }): Promise<TrackedIssue> {
    const { owner, repo } = this.options.target;
    const title = truncate(issue.title, TITLE_LIMIT);
    const labels = [...new Set(issue.labels.map((label) => label.trim()).filter((label) => label !== ""))];
    const create = (withLabels: string[]) =>
      this.withinLimit(issue.body, (body) => this.call(() => this.octokit.rest.issues.create({ owner, repo, title, body, ...(withLabels.length > 0 ? { labels: withLabels } : {}) })));
    try {
      // GitHub creates a label the repository does not have yet (grey, no description) when a token that may push sets it
      return toTrackedIssue((await create(labels)).data);
    } catch (error) {
      const failure = httpFailure(error);
      // a refused label must not keep drift from being reported: a label GitHub finds invalid (422 naming the
      // labels), or a token that may open issues but not create labels (403), opens the issue without them
      const labelsRefused = labels.length > 0 && failure !== undefined && ((failure.status === 422 && /label/i.test(failure.message)) || failure.status === 403);
      if (!labelsRefused) throw this.explain("open an issue", error);
      let created;
      try {
        created = await create([]);
      } catch (again) {
        throw this.explain("open an issue", again);
      }
      this.options.log?.(`GitHub refused the labels ${labels.join(", ")} (${failure.status}); the issue was opened without them`);
      return toTrackedIssue(created.data);
    }
  }

  async updateIssue(number: number, update: { title: string; body: string }): Promise<TrackedIssue> {
    const { owner, repo } = this.options.target;
    const title = truncate(update.title, TITLE_LIMIT);
    const { data } = await this.request(`update issue #${number}`, () =>
      this.withinLimit(update.body, (body) => this.call(() => this.octokit.rest.issues.update({ owner, repo, issue_number: number, title, body }))),
    );
    return toTrackedIssue(data);
  }

  async closeIssue(number: number, comment?: string): Promise<void> {
    const { owner, repo } = this.options.target;
    // the comment first: closing is the last step, so a failed comment leaves the issue open and it is tried again
    if (comment !== undefined && comment !== "") {
      await this.request(`comment on issue #${number}`, () =>
        this.withinLimit(comment, (body) => this.call(() => this.octokit.rest.issues.createComment({ owner, repo, issue_number: number, body }))),
      );
    }
    await this.request(`close issue #${number}`, () => this.call(() => this.octokit.rest.issues.update({ owner, repo, issue_number: number, state: "closed", state_reason: "completed" })));
  }

  /** One API call, retried on 5xx and rate limits (`operation` goes through `call`); a final refusal says what the token lacks. */
  private async request<T>(action: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw this.explain(action, error);
    }
  }

  /** Sends a body within the limit, clipped if need be; when GitHub still finds it too long (422), once more shorter. */
  private async withinLimit<T>(text: string, send: (body: string) => Promise<T>): Promise<T> {
    try {
      return await send(clip(text, this.bodyLimit));
    } catch (error) {
      const failure = httpFailure(error);
      if (failure?.status !== 422 || !/body is too long/i.test(failure.message) || text.length <= this.bodyLimit - TOO_LONG_MARGIN) throw error;
      this.options.log?.(`GitHub found a body of ${Math.min(text.length, this.bodyLimit)} characters too long; sending it ${TOO_LONG_MARGIN} characters shorter`);
      return await send(clip(text, this.bodyLimit - TOO_LONG_MARGIN));
    }
  }

  /** What a refusal means for the person setting up the workflow; the HTTP status stays readable (`status`). */
  private explain(action: string, error: unknown): Error {
    const failure = httpFailure(error);
    if (!failure) return error instanceof Error ? error : new Error(String(error));
    const { owner, repo } = this.options.target;
    const where = `${owner}/${repo}`;
    const detail = failure.message.replace(/^the GitHub API answered \d+: /, "").slice(0, 300);
    const said = detail ? ` (GitHub said: ${detail})` : "";
    let message: string;
    switch (failure.status) {
      case 401:
        message = `GitHub refused the token (401) when asked to ${action} in ${where}: it is missing, expired or revoked${said}`;
        break;
      case 403:
        message =
          `GitHub refused (403) to ${action} in ${where}: the token lacks the \`issues: write\` permission ` +
          `(in the workflow: \`permissions: { issues: write }\`; a fine-grained token needs Issues: Read and write)${said}`;
        break;
      case 404:
        message = `GitHub answered 404 when asked to ${action} in ${where}: the repository or issue does not exist, or the token cannot see it${said}`;
        break;
      case 410:
        message = `GitHub answered 410 when asked to ${action} in ${where}: issues are disabled for this repository (enable them under Settings → Features)${said}`;
        break;
      default:
        message = `GitHub answered ${failure.status} when asked to ${action} in ${where}${said}`;
    }
    const explained = new ToolError(message, "github");
    Object.assign(explained, { status: failure.status, response: { status: failure.status, headers: failure.headers } });
    return explained;
  }
}

function toTrackedIssue(issue: GitHubIssue): TrackedIssue {
  return { number: issue.number, url: issue.html_url, title: issue.title, body: issue.body ?? "" };
}
