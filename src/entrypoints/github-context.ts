// What a GitHub Actions run is about, read once from the runner's environment and event payload.
import { UserError } from "../errors.ts";

export interface GitHubContext {
  eventName: string;
  owner: string;
  repo: string;
  apiUrl: string;
  /** Link to this workflow run, for "details" links. */
  runUrl?: string;
  pullNumber?: number;
  /** What the change is compared with. */
  baseSha?: string;
  /** The commit the status belongs to: the pull request's head, not the merge commit GitHub checks out. */
  statusSha?: string;
  /** A commit to compare instead of the working tree (pull_request_target, where the workspace holds the base). */
  headSha?: string;
  /** pull_request_target: the pull request's files are data only, and its configuration is not trusted. */
  untrustedHead: boolean;
}

type Event = {
  pull_request?: { number?: number; base?: { sha?: string }; head?: { sha?: string } };
  merge_group?: { base_sha?: string; head_sha?: string };
};

export function readGitHubContext(env: Record<string, string | undefined>, event: Event): GitHubContext {
  const repository = env.GITHUB_REPOSITORY ?? "";
  const [owner, repo] = repository.split("/");
  if (!owner || !repo) throw new UserError("GITHUB_REPOSITORY is not set: run this action inside a GitHub Actions workflow");
  const eventName = env.GITHUB_EVENT_NAME ?? "";
  const serverUrl = env.GITHUB_SERVER_URL ?? "https://github.com";
  const context: GitHubContext = {
    eventName,
    owner,
    repo,
    apiUrl: env.GITHUB_API_URL ?? "https://api.github.com",
    runUrl: env.GITHUB_RUN_ID ? `${serverUrl}/${owner}/${repo}/actions/runs/${env.GITHUB_RUN_ID}` : undefined,
    statusSha: env.GITHUB_SHA,
    untrustedHead: eventName === "pull_request_target",
  };
  const pull = event.pull_request;
  if (pull) {
    context.pullNumber = pull.number;
    context.baseSha = pull.base?.sha;
    context.statusSha = pull.head?.sha ?? context.statusSha;
    // pull_request checks out the merge commit: the working tree is the change. pull_request_target
    // checks out the base branch: the pull request's head commit must be compared explicitly.
    if (eventName === "pull_request_target") context.headSha = pull.head?.sha;
  } else if (event.merge_group) {
    context.baseSha = event.merge_group.base_sha;
    context.statusSha = event.merge_group.head_sha ?? context.statusSha;
  }
  return context;
}
