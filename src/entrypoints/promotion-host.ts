// Where `promote --mode pull-request` opens its request, from the environment: GitLab CI (or CI_SERVER_URL and
// CI_PROJECT_ID) with GITOPS_VERIFY_GITLAB_TOKEN, else GitHub (GITHUB_REPOSITORY with GITHUB_TOKEN or GH_TOKEN).
import { GitHubHost } from "../adapters/github/host.ts";
import { GitLabHost } from "../adapters/gitlab/host.ts";
import type { PromotionHost } from "../ports.ts";
import { GITLAB_TOKEN_VARIABLE } from "./platform.ts";

export function promotionHostFromEnv(env: Record<string, string | undefined>, log: (message: string) => void): PromotionHost | undefined {
  const gitlab = env.GITLAB_CI === "true" || (!env.GITHUB_REPOSITORY && env.CI_SERVER_URL && env.CI_PROJECT_ID);
  if (gitlab) {
    const token = env[GITLAB_TOKEN_VARIABLE];
    if (!token || !env.CI_SERVER_URL || !env.CI_PROJECT_ID) return undefined;
    return new GitLabHost({ serverUrl: env.CI_SERVER_URL, token, projectId: env.CI_PROJECT_ID, log });
  }
  const token = env.GITHUB_TOKEN || env.GH_TOKEN;
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? "").split("/");
  if (!token || !owner || !repo) return undefined;
  return new GitHubHost({ token, baseUrl: env.GITHUB_API_URL || "https://api.github.com", target: { owner, repo }, log });
}
