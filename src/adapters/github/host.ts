// GitHub as a ReviewHost: one sticky pull-request comment, a check run (or a commit status), annotations; and as a
// PromotionHost: the one open pull request of a promotion branch, found, created or updated.
import { Octokit } from "@octokit/rest";
import type { Annotation, ChangeRequest, PromotionHost, ReviewHost, StatusReport, StatusResult } from "../../ports.ts";
import { apiCaller, sendShrinking, type ApiCall } from "../http/api-call.ts";
import { httpFailure, type RetryOptions } from "../http/retry.ts";

/** GitHub refuses a longer comment with 422. */
export const GITHUB_COMMENT_LIMIT = 65_536;
/** A check run's output text and summary are limited to this many characters each. */
const CHECK_TEXT_LIMIT = 65_535;
const ANNOTATIONS_PER_REQUEST = 50;
/** Past this, annotations are counted in the summary instead of sent. */
export const MAX_ANNOTATIONS = 500;
const COMMIT_STATUS_DESCRIPTION_LIMIT = 140;

export interface GitHubTarget {
  owner: string;
  repo: string;
  /** The pull request, when there is one (merge queues have none). */
  pullNumber?: number;
}

export interface GitHubHostOptions {
  token: string;
  /** GITHUB_API_URL: https://api.github.com, or a GitHub Enterprise Server's. */
  baseUrl: string;
  target: GitHubTarget;
  retry?: RetryOptions;
  log?: (message: string) => void;
}

/** Octokit as every GitHub adapter uses it: our user agent, its own logging silenced (failures are ours to report). */
export function githubClient(token: string, baseUrl: string): Octokit {
  return new Octokit({ auth: token, baseUrl, userAgent: "gitops-verify", log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} } });
}

export class GitHubHost implements ReviewHost, PromotionHost {
  readonly name = "github";
  readonly commentLimit = GITHUB_COMMENT_LIMIT;
  private readonly octokit: Octokit;
  private readonly call: ApiCall;

  constructor(private readonly options: GitHubHostOptions) {
    this.octokit = githubClient(options.token, options.baseUrl);
    this.call = apiCaller("GitHub", options.retry, options.log);
  }

  async upsertComment(marker: string, render: (budget: number) => string, createIfMissing: boolean): Promise<{ action: "created" | "updated" | "skipped"; url?: string }> {
    const { owner, repo, pullNumber } = this.options.target;
    if (pullNumber === undefined) return { action: "skipped" };
    const existing = await this.findComment(marker);
    if (!existing && !createIfMissing) return { action: "skipped" };
    // GitHub counts characters differently from JavaScript in places: leave a margin, and shrink on a 422
    const url = await sendShrinking({
      budget: this.commentLimit - 512,
      render,
      send: async (body) =>
        existing
          ? (await this.call(() => this.octokit.rest.issues.updateComment({ owner, repo, comment_id: existing, body }))).data.html_url
          : (await this.call(() => this.octokit.rest.issues.createComment({ owner, repo, issue_number: pullNumber, body }))).data.html_url,
      tooLong: [422],
      what: "the pull request comment",
      log: this.options.log,
    });
    return { action: existing ? "updated" : "created", url };
  }

  /** The id of the comment carrying the marker, searching every page. */
  private async findComment(marker: string): Promise<number | undefined> {
    const { owner, repo, pullNumber } = this.options.target;
    for (let page = 1; ; page++) {
      const response = await this.call(() => this.octokit.rest.issues.listComments({ owner, repo, issue_number: pullNumber!, per_page: 100, page }));
      const found = response.data.find((comment) => comment.body?.includes(marker));
      if (found) return found.id;
      if (response.data.length < 100) return undefined;
    }
  }

  async findOpenRequest(head: string): Promise<ChangeRequest | undefined> {
    const { owner, repo } = this.options.target;
    // GitHub filters by "owner:branch"; a fork's branch of the same name is not ours
    const response = await this.call(() => this.octokit.rest.pulls.list({ owner, repo, state: "open", head: `${owner}:${head}`, per_page: 100 }));
    const found = response.data.find((pull) => pull.head.ref === head);
    return found ? { number: found.number, url: found.html_url, title: found.title, body: found.body ?? "" } : undefined;
  }

  async createRequest(request: { head: string; base: string; title: string; body: string }): Promise<ChangeRequest> {
    const { owner, repo } = this.options.target;
    const { data } = await this.call(() => this.octokit.rest.pulls.create({ owner, repo, head: request.head, base: request.base, title: request.title, body: truncate(request.body, GITHUB_COMMENT_LIMIT - 512) }));
    return { number: data.number, url: data.html_url, title: data.title, body: data.body ?? "" };
  }

  async updateRequest(number: number, update: { title: string; body: string }): Promise<ChangeRequest> {
    const { owner, repo } = this.options.target;
    const { data } = await this.call(() => this.octokit.rest.pulls.update({ owner, repo, pull_number: number, title: update.title, body: truncate(update.body, GITHUB_COMMENT_LIMIT - 512) }));
    return { number: data.number, url: data.html_url, title: data.title, body: data.body ?? "" };
  }

  async publishStatus(status: StatusReport): Promise<StatusResult> {
    try {
      return await this.publishCheckRun(status);
    } catch (error) {
      // a token without checks: write (pull requests from forks, some apps) can still set a commit status
      if (httpFailure(error)?.status !== 403 && httpFailure(error)?.status !== 404) throw error;
      this.options.log?.("the token cannot create check runs; setting a commit status instead");
      await this.publishCommitStatus(status);
      return { kind: "commit-status", annotationsPublished: 0 };
    }
  }

  private async publishCheckRun(status: StatusReport): Promise<StatusResult> {
    const { owner, repo } = this.options.target;
    const annotations = status.annotations.slice(0, MAX_ANNOTATIONS).map(toCheckAnnotation);
    const omitted = status.annotations.length - annotations.length;
    const summary = truncate(`${status.summary}${omitted > 0 ? `\n\n${omitted} more annotations are in the report files.` : ""}`, CHECK_TEXT_LIMIT);
    const output = (batch: ReturnType<typeof toCheckAnnotation>[]) => ({ title: truncate(status.title, 255), summary, annotations: batch });
    const conclusion = status.result === "pass" ? "success" : status.result === "fail" ? "failure" : "failure";
    const created = await this.call(() =>
      this.octokit.rest.checks.create({
        owner,
        repo,
        name: status.name,
        head_sha: status.sha,
        status: "completed",
        conclusion,
        ...(status.detailsUrl ? { details_url: status.detailsUrl } : {}),
        output: output(annotations.slice(0, ANNOTATIONS_PER_REQUEST)),
      }),
    );
    // GitHub takes 50 annotations per request: the rest are appended by updating the same check run
    for (let start = ANNOTATIONS_PER_REQUEST; start < annotations.length; start += ANNOTATIONS_PER_REQUEST) {
      const batch = annotations.slice(start, start + ANNOTATIONS_PER_REQUEST);
      await this.call(() => this.octokit.rest.checks.update({ owner, repo, check_run_id: created.data.id, output: output(batch) }));
    }
    return { kind: "check-run", annotationsPublished: annotations.length };
  }

  private async publishCommitStatus(status: StatusReport): Promise<void> {
    const { owner, repo } = this.options.target;
    const state = status.result === "pass" ? "success" : status.result === "fail" ? "failure" : "error";
    await this.call(() =>
      this.octokit.rest.repos.createCommitStatus({
        owner,
        repo,
        sha: status.sha,
        state,
        context: status.name,
        description: truncate(status.title, COMMIT_STATUS_DESCRIPTION_LIMIT),
        ...(status.detailsUrl ? { target_url: status.detailsUrl } : {}),
      }),
    );
  }
}

function toCheckAnnotation(annotation: Annotation) {
  return {
    path: annotation.file,
    start_line: annotation.line,
    end_line: annotation.line,
    annotation_level: annotation.level,
    title: truncate(annotation.title, 255),
    message: truncate(annotation.message, 64 * 1024 - 1),
  };
}

function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}
