import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { readActionSettings } from "../../src/entrypoints/action.ts";
import { readGitHubContext } from "../../src/entrypoints/github-context.ts";

const root = path.resolve(import.meta.dirname, "../..");
const action = parse(readFileSync(path.join(root, "action.yml"), "utf8")) as {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, unknown>;
  runs: { using: string; main: string };
};

describe("action.yml and the settings it feeds", () => {
  it("runs the committed bundle on node24", () => {
    expect(action.runs).toEqual({ using: "node24", main: "dist/action.js" });
  });

  it("every input is read, and nothing else is", () => {
    const asked = new Set<string>();
    readActionSettings((name) => {
      asked.add(name);
      return "";
    }, "/workspace");
    expect([...asked].sort()).toEqual(Object.keys(action.inputs).sort());
  });

  it("every output is set by the action", () => {
    const source = readFileSync(path.join(root, "src/entrypoints/action.ts"), "utf8");
    const set = new Set([...source.matchAll(/core\.setOutput\("([\w-]+)"/g)].map((match) => match[1]));
    expect([...set].sort()).toEqual(Object.keys(action.outputs).sort());
  });

  it("the defaults in action.yml give the documented settings", () => {
    const settings = readActionSettings((name) => (name === "token" ? "t" : (action.inputs[name]?.default ?? "")), "/workspace");
    expect(settings).toEqual({
      command: "verify",
      workingDirectory: "/workspace",
      configPath: undefined,
      baseRef: undefined,
      headRef: undefined,
      token: "t",
      commentMode: "always",
      commentId: "",
      checkName: "gitops-verify",
      publishStatus: true,
      failOn: "error",
      outputDir: "/workspace/gitops-verify-report",
    });
  });

  it.each([
    { name: "command", value: "destroy", message: 'input command: "destroy" is not one of verify, promote, apply, drift' },
    { name: "mode", value: "merge", message: 'input mode: "merge" is not one of commit, pull-request' },
    { name: "comment", value: "sometimes", message: 'input comment: "sometimes" is not one of always, on-change, never' },
    { name: "status", value: "yes", message: 'input status: "yes" is not true or false' },
    { name: "fail-on", value: "critical", message: 'input fail-on: "critical" is not one of error, warning, notice, never' },
  ])("rejects $name: $value", ({ name, value, message }) => {
    expect(() => readActionSettings((input) => (input === name ? value : ""), "/w")).toThrow(message);
  });

  it("command: promote reads what to promote and how", () => {
    const inputs: Record<string, string> = { command: "promote", target: "production", images: "ghcr.io/a/api:1.2.3\nghcr.io/a/web:2.0.0, ", mode: "pull-request", reason: "soaked" };
    const settings = readActionSettings((name) => inputs[name] ?? (action.inputs[name]?.default ?? ""), "/w");
    expect(settings.promote).toEqual({ target: "production", images: ["ghcr.io/a/api:1.2.3", "ghcr.io/a/web:2.0.0"], apps: [], mode: "pull-request", dryRun: false, pinDigest: false, push: true, maxRetries: 3, reason: "soaked" });
    expect(() => readActionSettings((name) => (name === "command" ? "promote" : ""), "/w")).toThrow("input target: the environment to promote into is required");
  });
});

describe("command: apply and drift", () => {
  const read = (inputs: Record<string, string | undefined>) => readActionSettings((name) => inputs[name] ?? (action.inputs[name]?.default ?? ""), "/w");
  it.each<{ name: string; inputs: Record<string, string>; cluster: Record<string, unknown> }>([
    {
      name: "apply with the defaults: prune, roll back, no forcing",
      inputs: { command: "apply", environment: "apps/overlays/production" },
      cluster: { env: "apps/overlays/production", "dry-run": false, "force-conflicts": false, "no-prune": false, "no-rollback": false, heal: false, "no-issue": false },
    },
    {
      name: "apply with every switch turned",
      inputs: { command: "apply", environment: "prod", "dry-run": "true", "force-conflicts": "true", prune: "false", rollback: "false", timeout: "60", kubeconfig: "/k", "kube-context": "ctx" },
      cluster: { env: "prod", "dry-run": true, "force-conflicts": true, "no-prune": true, "no-rollback": true, timeout: "60", heal: false, "no-issue": false, kubeconfig: "/k", context: "ctx" },
    },
    {
      name: "drift over several environments, healing, without the issue",
      inputs: { command: "drift", environment: "a\nb", heal: "true", "drift-issue": "false" },
      cluster: { env: ["a", "b"], "dry-run": false, "force-conflicts": false, "no-prune": false, "no-rollback": false, heal: true, "no-issue": true },
    },
  ])("$name", ({ inputs, cluster }) => {
    expect(read(inputs).cluster).toEqual(cluster);
  });

  it("apply needs exactly one environment", () => {
    expect(() => read({ command: "apply" })).toThrow("input environment: one environment to apply is required");
    expect(() => read({ command: "apply", environment: "a, b" })).toThrow("input environment: one environment to apply is required");
  });
});

describe("the GitHub event", () => {
  const env = { GITHUB_REPOSITORY: "acme/config", GITHUB_SHA: "merge", GITHUB_API_URL: "http://api", GITHUB_SERVER_URL: "https://gh", GITHUB_RUN_ID: "5" };
  it.each([
    {
      name: "pull_request: the working tree is the change, the status goes on the head",
      eventName: "pull_request",
      event: { pull_request: { number: 3, base: { sha: "b" }, head: { sha: "h" } } },
      expected: { pullNumber: 3, baseSha: "b", statusSha: "h", headSha: undefined, untrustedHead: false },
    },
    {
      name: "pull_request_target: the head commit is compared, and it is untrusted",
      eventName: "pull_request_target",
      event: { pull_request: { number: 3, base: { sha: "b" }, head: { sha: "h" } } },
      expected: { pullNumber: 3, baseSha: "b", statusSha: "h", headSha: "h", untrustedHead: true },
    },
    {
      name: "merge_group: the queue's commit against its base",
      eventName: "merge_group",
      event: { merge_group: { base_sha: "b", head_sha: "m" } },
      expected: { pullNumber: undefined, baseSha: "b", statusSha: "m", headSha: undefined, untrustedHead: false },
    },
    {
      name: "push: no pull request, the status on the pushed commit",
      eventName: "push",
      event: {},
      expected: { pullNumber: undefined, baseSha: undefined, statusSha: "merge", headSha: undefined, untrustedHead: false },
    },
  ])("$name", ({ eventName, event, expected }) => {
    const context = readGitHubContext({ ...env, GITHUB_EVENT_NAME: eventName }, event);
    const { owner, repo, apiUrl, runUrl, pullNumber, baseSha, statusSha, headSha, untrustedHead } = context;
    expect({ owner, repo, apiUrl, runUrl, pullNumber, baseSha, statusSha, headSha, untrustedHead }).toEqual({
      owner: "acme",
      repo: "config",
      apiUrl: "http://api",
      runUrl: "https://gh/acme/config/actions/runs/5",
      ...expected,
    });
  });

  it("needs GITHUB_REPOSITORY", () => {
    expect(() => readGitHubContext({}, {})).toThrow(/GITHUB_REPOSITORY is not set/);
  });
});
