// Which CI platform the command line runs on, from its environment, and what it needs to publish there.
import { GitLabHost } from "../adapters/gitlab/host.ts";
import type { ReviewHost } from "../ports.ts";

export type Platform =
  | { kind: "local" }
  | { kind: "github" }
  | {
      kind: "gitlab";
      /** The merge request's diff base: what the change is compared with. */
      baseSha?: string;
      /** The commit under test. */
      sha?: string;
      /** Link to this job, for the note's "full report" link. */
      jobUrl?: string;
      host?: ReviewHost;
      /** Why no note can be posted, when none can. */
      noHostReason?: string;
    };

export const GITLAB_TOKEN_VARIABLE = "GITOPS_VERIFY_GITLAB_TOKEN";

export function detectPlatform(env: Record<string, string | undefined>, log: (message: string) => void): Platform {
  if (env.GITLAB_CI === "true") {
    const token = env[GITLAB_TOKEN_VARIABLE];
    const iid = env.CI_MERGE_REQUEST_IID ? Number(env.CI_MERGE_REQUEST_IID) : undefined;
    const platform: Platform = {
      kind: "gitlab",
      baseSha: env.CI_MERGE_REQUEST_DIFF_BASE_SHA || undefined,
      sha: env.CI_COMMIT_SHA,
      jobUrl: env.CI_JOB_URL,
    };
    if (!iid) platform.noHostReason = "not a merge request pipeline";
    else if (!token) platform.noHostReason = `${GITLAB_TOKEN_VARIABLE} is not set (a project or group access token with api scope; CI_JOB_TOKEN cannot post notes)`;
    else if (!env.CI_SERVER_URL || !env.CI_PROJECT_ID) platform.noHostReason = "CI_SERVER_URL or CI_PROJECT_ID is not set";
    else platform.host = new GitLabHost({ serverUrl: env.CI_SERVER_URL, token, projectId: env.CI_PROJECT_ID, mergeRequestIid: iid, log });
    return platform;
  }
  if (env.GITHUB_ACTIONS === "true") return { kind: "github" };
  return { kind: "local" };
}
