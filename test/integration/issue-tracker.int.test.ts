// The drift check's tracking issue on GitHub and GitLab (IssueTracker), over real HTTP. No real GitHub or GitLab
// can be reached from here: FakeGitHub and FakeGitLab are HTTP servers on 127.0.0.1 speaking the REST wire formats
// (GitHub's issues and issue comments, GitLab v4's issues and issue notes), and the trackers talk to them through
// the same SDKs (@octokit/rest, @gitbeaker/rest) and the same retry layer as in production.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GitHubIssueTracker } from "../../src/adapters/github/issues.ts";
import { clip } from "../../src/adapters/http/text-limits.ts";
import { GitLabIssueTracker } from "../../src/adapters/gitlab/issues.ts";
import { DEFAULT_RETRY, type RetryOptions } from "../../src/adapters/http/retry.ts";
import { ToolError, UserError } from "../../src/errors.ts";
import { issueTrackerFromEnvironment, MissingTokenError } from "../../src/entrypoints/issue-tracker.ts";
import { FakeGitHub } from "../helpers/fake-github.ts";
import { FakeGitLab } from "../helpers/fake-gitlab.ts";

const MARKER = "<!-- gitops-verify:drift production -->";
const body = (text: string) => `${MARKER}\n\n${text}`;
/** Retries at once: the tests check that a retry happens, not how long it waits. */
const retry: RetryOptions = { ...DEFAULT_RETRY, baseDelayMs: 1, maxDelayMs: 5, sleep: async () => {} };

let logs: string[] = [];
const log = (message: string) => void logs.push(message);
beforeEach(() => {
  logs = [];
});

describe("GitHubIssueTracker (against the loopback GitHub server)", () => {
  let github: FakeGitHub;
  let apiUrl: string;
  beforeEach(async () => {
    github = new FakeGitHub();
    apiUrl = await github.start();
  });
  afterEach(() => github.stop());

  const tracker = (token = "test-token", maxPages?: number) =>
    new GitHubIssueTracker({ token, baseUrl: apiUrl, target: { owner: "acme", repo: "config" }, retry, log, ...(maxPages ? { maxPages } : {}) });
  const issueRequests = () => github.requests.filter((request) => /^\/repos\/acme\/config\/issues/.test(request.path));

  it("opens one issue, finds it again by marker (ignoring a pull request that carries it), updates it and closes it with a comment", async () => {
    const issues = issueTrackerFromEnvironment({ GITHUB_ACTIONS: "true", GITHUB_REPOSITORY: "acme/config", GITHUB_API_URL: apiUrl }, { token: "action-token", retry, log })!;
    expect(issues).toBeInstanceOf(GitHubIssueTracker);
    expect([issues.name, issues.bodyLimit]).toEqual(["github", 65_536]);
    github.addIssue({ title: "Unrelated bug", body: "the marker is not here" });

    expect(await issues.findOpenIssue(MARKER)).toBeUndefined();
    const created = await issues.createIssue({ title: "Drift in production", body: body("2 objects differ"), labels: ["gitops-drift", "gitops-drift", "automated"] });
    expect(created).toMatchObject({ title: "Drift in production", body: body("2 objects differ"), url: `https://github.example/acme/config/issues/${created.number}` });
    const stored = github.issues.get(created.number)!;
    expect(stored.labels.map((label) => label.name)).toEqual(["gitops-drift", "automated"]);
    // GitHub creates the labels the repository did not have
    expect([...github.labels]).toEqual(["gitops-drift", "automated"]);

    // newer than the issue: a pull request quoting the marker (GitHub lists pull requests as issues) and an unrelated issue
    github.addIssue({ title: "Tune drift ignores", body: `fixes the report ${MARKER}`, pull_request: { url: "https://api.github.example/repos/acme/config/pulls/1", html_url: "https://github.example/acme/config/pull/1" } });
    // and an open pull request, as the pulls endpoint holds it, whose description quotes the marker
    github.pulls.set(9000, { number: 9000, title: "Promote shop-api", body: MARKER, state: "open", html_url: "https://github.example/acme/config/pull/9000", head: { ref: "promote", label: "acme:promote" }, base: { ref: "main" } });
    github.addIssue({ title: "Another bug", body: "nothing to see" });
    const found = await issues.findOpenIssue(MARKER);
    expect(found).toEqual(created);

    const updated = await issues.updateIssue(created.number, { title: "Drift in production (3 objects)", body: body("3 objects differ") });
    expect(updated).toMatchObject({ number: created.number, title: "Drift in production (3 objects)", body: body("3 objects differ") });
    expect(github.issues.get(created.number)).toMatchObject({ title: "Drift in production (3 objects)", body: body("3 objects differ"), state: "open" });

    await issues.closeIssue(created.number, "No drift any more: closing.");
    expect(github.issues.get(created.number)).toMatchObject({ state: "closed", state_reason: "completed" });
    expect(github.comments.get(created.number)?.map((comment) => comment.body)).toEqual(["No drift any more: closing."]);
    // the comment first, then the state
    const writes = issueRequests().filter((request) => request.method !== "GET").map((request) => `${request.method} ${request.path}`);
    expect(writes.slice(-2)).toEqual([`POST /repos/acme/config/issues/${created.number}/comments`, `PATCH /repos/acme/config/issues/${created.number}`]);
    expect(issueRequests().at(-1)!.body).toEqual({ state: "closed", state_reason: "completed" });

    // a closed issue is not found: the next drift opens a new one
    expect(await issues.findOpenIssue(MARKER)).toBeUndefined();
    const reopened = await issues.createIssue({ title: "Drift in production", body: body("1 object differs"), labels: ["gitops-drift"] });
    expect(reopened.number).not.toBe(created.number);
    expect([...github.issues.values()].filter((issue) => !issue.pull_request && issue.state === "open" && issue.body?.includes(MARKER))).toHaveLength(1);
    expect(github.requests.every((request) => request.authorization === "token action-token")).toBe(true);
    // listed newest first, 100 a page, open only
    const list = issueRequests().find((request) => request.method === "GET")!;
    expect(Object.fromEntries(new URL(list.path, apiUrl).searchParams)).toEqual({ state: "open", sort: "created", direction: "desc", per_page: "100", page: "1" });
  });

  it("closes without a comment when none is given", async () => {
    const issue = github.addIssue({ title: "Drift", body: body("x") });
    await tracker().closeIssue(issue.number);
    expect(issue.state).toBe("closed");
    expect(github.comments.get(issue.number)).toBeUndefined();
  });

  it("pages through the open issues: the marker's issue on page 2", async () => {
    const wanted = github.addIssue({ title: "Drift in production", body: body("old drift") });
    for (let index = 0; index < 150; index++) github.addIssue({ title: `Issue ${index}`, body: `issue ${index}` });
    const found = await tracker().findOpenIssue(MARKER);
    expect(found).toMatchObject({ number: wanted.number, title: "Drift in production" });
    expect(issueRequests().map((request) => new URL(request.path, apiUrl).searchParams.get("page"))).toEqual(["1", "2"]);

    // past the page cap it is not found, and the log says how far it looked
    logs = [];
    expect(await tracker("test-token", 1).findOpenIssue(MARKER)).toBeUndefined();
    expect(logs.join("\n")).toMatch(/no open issue carries the marker among the newest 100 open issues and pull requests of acme\/config/);
  });

  it("retries a 502 through the retry layer, then succeeds; a create that failed with 502 is not duplicated", async () => {
    const issue = github.addIssue({ title: "Drift", body: body("x") });
    github.failNext("GET", /\/repos\/acme\/config\/issues$/, 502);
    expect(await tracker().findOpenIssue(MARKER)).toMatchObject({ number: issue.number });
    expect(logs).toContain("GitHub answered 502; retrying in 0 s (attempt 1)");

    github.failNext("POST", /\/repos\/acme\/config\/issues$/, 502, 2);
    const created = await tracker().createIssue({ title: "Drift elsewhere", body: "<!-- other -->", labels: [] });
    expect(github.issues.get(created.number)?.title).toBe("Drift elsewhere");
    expect(issueRequests().filter((request) => request.method === "POST" && request.path === "/repos/acme/config/issues")).toHaveLength(3);
    expect([...github.issues.values()].filter((candidate) => candidate.title === "Drift elsewhere")).toHaveLength(1);
  });

  it("a 403 names the missing permission (issues: write)", async () => {
    github.readOnlyIssueTokens.add("token read-only");
    const issue = github.addIssue({ title: "Drift", body: body("x") });
    const readOnly = tracker("read-only");
    // reading still works
    expect(await readOnly.findOpenIssue(MARKER)).toMatchObject({ number: issue.number });

    const refused = await readOnly.createIssue({ title: "Drift", body: body("y"), labels: ["gitops-drift"] }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ToolError);
    expect((refused as Error).message).toMatch(/^GitHub refused \(403\) to open an issue in acme\/config: the token lacks the `issues: write` permission/);
    expect((refused as Error).message).toContain("Resource not accessible by integration");
    expect((refused as { status?: number }).status).toBe(403);
    // a 403 could have been about creating the labels: tried once more without them, then given up
    expect(issueRequests().filter((request) => request.method === "POST").map((request) => request.body.labels)).toEqual([["gitops-drift"], undefined]);

    await expect(readOnly.updateIssue(issue.number, { title: "t", body: body("z") })).rejects.toThrow(/refused \(403\) to update issue #\d+ .*`issues: write`/);
    await expect(readOnly.closeIssue(issue.number)).rejects.toThrow(/refused \(403\) to close issue #\d+ .*`issues: write`/);
    expect(issue.state).toBe("open");
  });

  it("a label GitHub refuses (422) does not keep the issue from being opened", async () => {
    github.failNext("POST", /\/repos\/acme\/config\/issues$/, 422, 1, undefined, {
      message: "Validation Failed",
      errors: [{ resource: "Label", code: "invalid", field: "name", message: "name is too long (maximum is 50 characters)" }],
      documentation_url: "https://docs.github.com/rest/issues/issues#create-an-issue",
    });
    const created = await tracker().createIssue({ title: "Drift", body: body("x"), labels: ["x".repeat(60)] });
    expect(github.issues.get(created.number)).toMatchObject({ state: "open", labels: [] });
    expect(logs.join("\n")).toMatch(/GitHub refused the labels x+ \(422\); the issue was opened without them/);

    // any other 422 is an error, not retried without labels
    github.failNext("POST", /\/repos\/acme\/config\/issues$/, 422, 1, undefined, { message: "Validation Failed", errors: [{ resource: "Issue", code: "custom", field: "title", message: "title is invalid" }] });
    await expect(tracker().createIssue({ title: "Drift", body: body("x"), labels: ["gitops-drift"] })).rejects.toThrow(/GitHub answered 422 when asked to open an issue in acme\/config/);
  });

  it("keeps the title and body within GitHub's limits, and the marker at either end", async () => {
    const created = await tracker().createIssue({ title: "T".repeat(300), body: body("y".repeat(70_000)), labels: [] });
    const stored = github.issues.get(created.number)!;
    expect(stored.title).toHaveLength(256);
    expect(stored.body).toHaveLength(65_536);
    expect(stored.body!.startsWith(MARKER)).toBe(true);

    // a marker at the end (as a footer) survives the cut, and a body GitHub still finds too long is sent shorter
    github.issueBodyLimit = 62_000;
    const footed = await tracker().createIssue({ title: "Drift", body: `${"z".repeat(65_536 - MARKER.length - 1)}\n${MARKER}`, labels: ["gitops-drift"] });
    const kept = github.issues.get(footed.number)!;
    expect(kept.body!.length).toBeLessThanOrEqual(62_000);
    expect(kept.body!.endsWith(`\n${MARKER}`)).toBe(true);
    expect(kept.body).toContain("\n\n…\n\n");
    expect(kept.labels.map((label) => label.name)).toEqual(["gitops-drift"]);
    expect(logs.join("\n")).toMatch(/GitHub found a body of 65536 characters too long; sending it 4096 characters shorter/);
    expect(await tracker().findOpenIssue(MARKER)).toMatchObject({ number: footed.number });
  });
});

describe("GitLabIssueTracker (against the loopback GitLab server)", () => {
  let gitlab: FakeGitLab;
  let serverUrl: string;
  beforeEach(async () => {
    gitlab = new FakeGitLab();
    serverUrl = await gitlab.start();
  });
  afterEach(() => gitlab.stop());

  const tracker = (token = "glpat-test", maxPages?: number) => new GitLabIssueTracker({ serverUrl, token, projectId: "42", retry, log, ...(maxPages ? { maxPages } : {}) });
  const issues = () => gitlab.issues.get("42") ?? [];
  const issueRequests = () => gitlab.requests.filter((request) => request.path.startsWith("/api/v4/projects/42/issues"));

  it("opens one issue, finds it again by marker, updates it and closes it with a note", async () => {
    // the API's URL only, as CI_API_V4_URL gives it
    const tracked = issueTrackerFromEnvironment({ GITLAB_CI: "true", CI_API_V4_URL: `${serverUrl}/api/v4`, CI_PROJECT_ID: "42", GITOPS_VERIFY_GITLAB_TOKEN: "glpat-test" }, { retry, log })!;
    expect(tracked).toBeInstanceOf(GitLabIssueTracker);
    expect([tracked.name, tracked.bodyLimit]).toEqual(["gitlab", 1_000_000]);
    gitlab.addIssue("42", { title: "Unrelated bug", description: "no marker" });
    gitlab.addIssue("42", { title: "Old drift", description: body("closed long ago"), state: "closed" });
    gitlab.addIssue("7", { title: "Drift of another project", description: body("elsewhere") });

    expect(await tracked.findOpenIssue(MARKER)).toBeUndefined();
    const created = await tracked.createIssue({ title: "Drift in production", body: body("2 objects differ"), labels: ["gitops-drift", "automated"] });
    expect(created).toMatchObject({ number: 3, title: "Drift in production", body: body("2 objects differ"), url: "https://gitlab.example/42/-/issues/3" });
    const post = issueRequests().find((request) => request.method === "POST")!;
    expect(JSON.parse(post.body)).toEqual({ title: "Drift in production", description: body("2 objects differ"), labels: "gitops-drift,automated" });
    expect(issues().find((issue) => issue.iid === 3)!.labels).toEqual(["gitops-drift", "automated"]);
    expect([...gitlab.labels.get("42")!]).toEqual(["gitops-drift", "automated"]);

    gitlab.addIssue("42", { title: "Newer bug", description: "nothing to see" });
    expect(await tracked.findOpenIssue(MARKER)).toEqual(created);

    const updated = await tracked.updateIssue(created.number, { title: "Drift in production (3 objects)", body: body("3 objects differ") });
    expect(updated).toMatchObject({ number: 3, title: "Drift in production (3 objects)", body: body("3 objects differ") });

    await tracked.closeIssue(created.number, "No drift any more: closing.");
    expect(issues().find((issue) => issue.iid === 3)).toMatchObject({ state: "closed", title: "Drift in production (3 objects)" });
    expect(gitlab.issueNotes.get("42#3")?.map((note) => note.body)).toEqual(["No drift any more: closing."]);
    const writes = issueRequests().filter((request) => request.method !== "GET");
    expect(writes.slice(-2).map((request) => `${request.method} ${request.path}`)).toEqual(["POST /api/v4/projects/42/issues/3/notes", "PUT /api/v4/projects/42/issues/3"]);
    expect(JSON.parse(writes.at(-1)!.body)).toEqual({ state_event: "close" });

    // a closed issue is not found: the next drift opens a new one
    expect(await tracked.findOpenIssue(MARKER)).toBeUndefined();
    const next = await tracked.createIssue({ title: "Drift in production", body: body("1 object differs"), labels: [] });
    expect(next.number).toBe(5);
    expect(issues().filter((issue) => issue.state === "opened" && issue.description?.includes(MARKER))).toHaveLength(1);
    expect(gitlab.requests.every((request) => request.token === "glpat-test")).toBe(true);
    const list = issueRequests().find((request) => request.method === "GET")!;
    expect(Object.fromEntries(new URL(list.path, serverUrl).searchParams)).toEqual({ state: "opened", order_by: "created_at", sort: "desc", per_page: "100", page: "1" });
  });

  it("pages through the open issues: the marker's issue on page 2", async () => {
    const wanted = gitlab.addIssue("42", { title: "Drift in production", description: body("old drift") });
    for (let index = 0; index < 130; index++) gitlab.addIssue("42", { title: `Issue ${index}`, description: `issue ${index}` });
    expect(await tracker().findOpenIssue(MARKER)).toMatchObject({ number: wanted.iid });
    expect(issueRequests().map((request) => new URL(request.path, serverUrl).searchParams.get("page"))).toEqual(["1", "2"]);

    logs = [];
    expect(await tracker("glpat-test", 1).findOpenIssue(MARKER)).toBeUndefined();
    expect(logs.join("\n")).toMatch(/no open issue carries the marker among the newest 100 open issues of project 42/);
  });

  it("retries a 503 through the retry layer (a 502 the GitLab client retries itself), then succeeds", async () => {
    const issue = gitlab.addIssue("42", { title: "Drift", description: body("x") });
    gitlab.failNext("GET", /\/projects\/42\/issues$/, 503);
    expect(await tracker().findOpenIssue(MARKER)).toMatchObject({ number: issue.iid });
    expect(logs).toContain("GitLab answered 503; retrying in 0 s (attempt 1)");

    gitlab.failNext("PUT", /\/projects\/42\/issues\/\d+$/, 502);
    gitlab.failNext("POST", /\/projects\/42\/issues\/\d+\/notes$/, 503);
    await tracker().closeIssue(issue.iid, "gone");
    expect(issue.state).toBe("closed");
    expect(gitlab.issueNotes.get(`42#${issue.iid}`)).toHaveLength(1);
  });

  it("a 403 names the missing scope (api)", async () => {
    gitlab.readOnlyTokens.add("glpat-read");
    const issue = gitlab.addIssue("42", { title: "Drift", description: body("x") });
    const readOnly = tracker("glpat-read");
    expect(await readOnly.findOpenIssue(MARKER)).toMatchObject({ number: issue.iid });

    const refused = await readOnly.createIssue({ title: "Drift", body: body("y"), labels: ["gitops-drift"] }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ToolError);
    expect((refused as Error).message).toMatch(/^GitLab refused \(403\) to open an issue in project 42: the token needs the `api` scope/);
    expect((refused as Error).message).toContain("insufficient_scope");
    expect((refused as { status?: number }).status).toBe(403);
    await expect(readOnly.closeIssue(issue.iid, "gone")).rejects.toThrow(/refused \(403\) to comment on issue #\d+ .*`api` scope/);
    expect(issue.state).toBe("opened");
  });

  it("keeps the title and description within GitLab's limits, and the marker at either end", async () => {
    const created = await tracker().createIssue({ title: "T".repeat(300), body: body("y".repeat(1_100_000)), labels: ["a,b"] });
    const stored = issues().find((issue) => issue.iid === created.number)!;
    expect(stored.title).toHaveLength(255);
    expect(stored.description).toHaveLength(1_000_000);
    expect(stored.description!.startsWith(MARKER)).toBe(true);
    expect(stored.labels).toEqual(["a b"]);

    gitlab.descriptionLimit = 990_000;
    const footed = await tracker().createIssue({ title: "Drift", body: `${"z".repeat(1_000_000)}\n${MARKER}`, labels: [] });
    const kept = issues().find((issue) => issue.iid === footed.number)!;
    expect(kept.description!.length).toBeLessThanOrEqual(990_000);
    expect(kept.description!.endsWith(`\n${MARKER}`)).toBe(true);
    expect(logs.join("\n")).toMatch(/GitLab found a text of 1000000 characters too long; sending it 16384 characters shorter/);
    stored.state = "closed";
    expect(await tracker().findOpenIssue(MARKER)).toMatchObject({ number: footed.number });
  });
});

describe("issueTrackerFromEnvironment", () => {
  it("is undefined off GitHub and GitLab", () => {
    expect(issueTrackerFromEnvironment({ PATH: "/usr/bin", CI: "true" })).toBeUndefined();
  });

  it("on GitHub: GITHUB_REPOSITORY with an explicit token, GITHUB_TOKEN or GH_TOKEN", () => {
    expect(issueTrackerFromEnvironment({ GITHUB_REPOSITORY: "acme/config", GH_TOKEN: "t" })?.name).toBe("github");
    expect(issueTrackerFromEnvironment({ GITHUB_ACTIONS: "true", GITHUB_REPOSITORY: "acme/config", GITHUB_TOKEN: "t" })?.name).toBe("github");
    const missing = (() => {
      try {
        return issueTrackerFromEnvironment({ GITHUB_ACTIONS: "true", GITHUB_REPOSITORY: "acme/config" }, { token: "  " });
      } catch (error) {
        return error;
      }
    })();
    expect(missing).toBeInstanceOf(MissingTokenError);
    expect(missing).toBeInstanceOf(UserError);
    expect(missing).toMatchObject({ platform: "github", variables: ["GITHUB_TOKEN", "GH_TOKEN"] });
    expect((missing as Error).message).toMatch(/needs a GitHub token: pass the action's `token` input or set GITHUB_TOKEN, with `permissions: \{ issues: write \}`/);
    expect(() => issueTrackerFromEnvironment({ GITHUB_ACTIONS: "true", GITHUB_TOKEN: "t" })).toThrow(/GITHUB_REPOSITORY is "", not "owner\/repo"/);
  });

  it("on GitLab: GITOPS_VERIFY_GITLAB_TOKEN (or GITLAB_TOKEN), never CI_JOB_TOKEN", () => {
    const gitlab = { GITLAB_CI: "true", CI_SERVER_URL: "https://gitlab.example", CI_PROJECT_ID: "42", CI_JOB_TOKEN: "job-token" };
    expect(issueTrackerFromEnvironment({ ...gitlab, GITOPS_VERIFY_GITLAB_TOKEN: "glpat" })?.name).toBe("gitlab");
    expect(issueTrackerFromEnvironment({ ...gitlab, GITLAB_TOKEN: "glpat" })?.name).toBe("gitlab");
    // outside GitLab CI, the server and project say it is GitLab
    expect(issueTrackerFromEnvironment({ CI_SERVER_URL: "https://gitlab.example", CI_PROJECT_ID: "42", GITLAB_TOKEN: "glpat" })?.name).toBe("gitlab");
    expect(() => issueTrackerFromEnvironment(gitlab)).toThrow(MissingTokenError);
    expect(() => issueTrackerFromEnvironment(gitlab)).toThrow(/set GITOPS_VERIFY_GITLAB_TOKEN to a project or group access token with the api scope .*CI_JOB_TOKEN cannot write issues/);
    expect(() => issueTrackerFromEnvironment({ GITLAB_CI: "true", GITLAB_TOKEN: "glpat" })).toThrow(/without CI_SERVER_URL \(or CI_API_V4_URL\) and CI_PROJECT_ID/);
  });
});

describe("clip", () => {
  it("cuts the middle out, keeps both ends, and never splits a surrogate pair", () => {
    expect(clip("short", 10)).toBe("short");
    for (let shift = 0; shift < 4; shift++) {
      const text = `${"x".repeat(shift)}${"😀".repeat(3000)}`;
      const clipped = clip(text, 4001);
      expect(clipped.length).toBeLessThanOrEqual(4001);
      expect(clipped.length).toBeGreaterThan(3990);
      expect(clipped).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
      expect(clipped.endsWith("😀")).toBe(true);
    }
  });
});
