// Where the drift check keeps its tracking issue, from the environment, chosen as promotion-host.ts chooses:
// GitLab CI (GITLAB_CI=true, or CI_SERVER_URL / CI_API_V4_URL with CI_PROJECT_ID and no GITHUB_REPOSITORY) with
// GITOPS_VERIFY_GITLAB_TOKEN (or GITLAB_TOKEN), else GitHub (GITHUB_ACTIONS=true or GITHUB_REPOSITORY) with
// GITHUB_TOKEN or GH_TOKEN. An explicit token (the Action's `token` input) comes first on either.
import { GitHubIssueTracker } from "../adapters/github/issues.ts";
import { GitLabIssueTracker } from "../adapters/gitlab/issues.ts";
import type { RetryOptions } from "../adapters/http/retry.ts";
import { UserError } from "../errors.ts";
import type { IssueTracker } from "../ports.ts";
import { GITLAB_TOKEN_VARIABLE } from "./platform.ts";

export interface IssueTrackerOptions {
  /** A token given explicitly (an Action input, a flag): used before the environment's. */
  token?: string;
  log?: (message: string) => void;
  retry?: RetryOptions;
}

/** The CI platform is there, but no token to write issues with: the message says which variable to set. */
export class MissingTokenError extends UserError {
  constructor(
    readonly platform: "github" | "gitlab",
    /** The variables read for the token, first first. */
    readonly variables: readonly string[],
    message: string,
  ) {
    super(message);
  }
}

/**
 * The IssueTracker of the CI platform the process runs on; undefined when it runs on neither GitHub nor GitLab.
 * Throws a MissingTokenError when the platform is there but no token is, and a UserError when the platform's own
 * variables are incomplete.
 */
export function issueTrackerFromEnvironment(env: NodeJS.ProcessEnv, options: IssueTrackerOptions = {}): IssueTracker | undefined {
  const explicit = options.token?.trim() || undefined;
  const gitlabServer = env.CI_SERVER_URL || apiToServerUrl(env.CI_API_V4_URL);
  const gitlab = env.GITLAB_CI === "true" || (!env.GITHUB_REPOSITORY && env.GITHUB_ACTIONS !== "true" && Boolean(gitlabServer) && Boolean(env.CI_PROJECT_ID));
  if (gitlab) {
    const token = explicit || env[GITLAB_TOKEN_VARIABLE] || env.GITLAB_TOKEN;
    const projectId = env.CI_PROJECT_ID || env.CI_PROJECT_PATH;
    if (!gitlabServer || !projectId) throw new UserError("GitLab CI without CI_SERVER_URL (or CI_API_V4_URL) and CI_PROJECT_ID: the project of the drift tracking issue is unknown");
    if (!token) {
      throw new MissingTokenError(
        "gitlab",
        [GITLAB_TOKEN_VARIABLE, "GITLAB_TOKEN"],
        `the drift tracking issue needs a GitLab token: set ${GITLAB_TOKEN_VARIABLE} to a project or group access token with the api scope and the Reporter role or higher (CI_JOB_TOKEN cannot write issues)`,
      );
    }
    return new GitLabIssueTracker({ serverUrl: gitlabServer, token, projectId, retry: options.retry, log: options.log });
  }
  if (env.GITHUB_ACTIONS === "true" || env.GITHUB_REPOSITORY) {
    const [owner, repo, ...rest] = (env.GITHUB_REPOSITORY ?? "").split("/");
    if (!owner || !repo || rest.length > 0) throw new UserError(`GITHUB_REPOSITORY is "${env.GITHUB_REPOSITORY ?? ""}", not "owner/repo": the repository of the drift tracking issue is unknown`);
    const token = explicit || env.GITHUB_TOKEN || env.GH_TOKEN;
    if (!token) {
      throw new MissingTokenError(
        "github",
        ["GITHUB_TOKEN", "GH_TOKEN"],
        "the drift tracking issue needs a GitHub token: pass the action's `token` input or set GITHUB_TOKEN, with `permissions: { issues: write }` in the workflow",
      );
    }
    return new GitHubIssueTracker({ token, baseUrl: env.GITHUB_API_URL || "https://api.github.com", target: { owner, repo }, retry: options.retry, log: options.log });
  }
  return undefined;
}

/** https://gitlab.example/api/v4 → https://gitlab.example (the client adds /api/v4 itself). */
function apiToServerUrl(apiUrl: string | undefined): string | undefined {
  if (!apiUrl) return undefined;
  const trimmed = apiUrl.replace(/\/+$/, "");
  return trimmed.endsWith("/api/v4") ? trimmed.slice(0, -"/api/v4".length) : undefined;
}
