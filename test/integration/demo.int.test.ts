// The README's first line: `npm run demo` runs the committed bundle on the example repository.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");

describe("the demo and the bundle", () => {
  it("the demo prints a correct report of the sample change", () => {
    const result = spawnSync(process.execPath, ["examples/demo.mjs", "--format", "json"], { cwd: root, encoding: "utf8" });
    expect(result.stderr).toContain("production: api image 2.3.1 → 2.3.2");
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout);
    const status = Object.fromEntries(report.environments.map((e: { environment: { name: string }; status: string }) => [e.environment.name, e.status]));
    // the Flux Kustomizations the change reaches are rendered; the others are not
    expect(status).toEqual({
      "apps/overlays/development": "changed",
      "production/Kustomization/flux-system/apps": "changed",
      "production/Kustomization/flux-system/flux-system": "unaffected",
      "production/Kustomization/flux-system/infrastructure": "unaffected",
      "staging/Kustomization/flux-system/apps": "changed",
      "staging/Kustomization/flux-system/flux-system": "unaffected",
      "staging/Kustomization/flux-system/infrastructure": "unaffected",
    });
    const production = report.environments.find((e: { environment: { name: string } }) => e.environment.name === "production/Kustomization/flux-system/apps");
    expect(production.environment).toMatchObject({ cluster: "production", path: "apps/overlays/production", definedAt: { file: "clusters/production/apps.yaml" } });
    const api = production.diffs.find((d: { id: { kind: string; name: string } }) => d.id.kind === "Deployment" && d.id.name === "api");
    expect(api.patch).toContain("+        image: ghcr.io/example/shop-api:2.3.2");
    const staging = report.environments.find((e: { environment: { name: string } }) => e.environment.name === "staging/Kustomization/flux-system/apps");
    const frontend = staging.diffs.find((d: { id: { kind: string; name: string } }) => d.id.kind === "Deployment" && d.id.name === "frontend");
    expect(frontend.patch).toContain("+  replicas: 3");
    const secret = staging.diffs.find((d: { id: { kind: string } }) => d.id.kind === "Secret");
    expect(secret.secretKeys).toEqual([expect.objectContaining({ key: "API_TOKEN", change: "changed" })]);
    // the built-in pack warns about the new NodePort, at the line of the change; what the base had is only counted
    expect(staging.findings.filter((f: { severity: string }) => f.severity !== "notice")).toMatchObject([
      { ruleId: "GV-NET-002", severity: "warning", object: { kind: "Service", name: "frontend" }, location: { file: "apps/base/frontend/service.yaml", line: 6 } },
    ]);
    expect(result.stdout + result.stderr).not.toContain("demo-token-0001-rotated");
    expect(result.stdout + result.stderr).not.toContain(Buffer.from("demo-token-0001-rotated").toString("base64"));
  });

  it.each([
    { args: ["--version"], code: 0, out: /^\d+\.\d+\.\d+\n$/ },
    { args: ["--help"], code: 0, out: /Exit codes:/ },
    { args: ["verify", "--help"], code: 0, out: /--base REF/ },
    { args: [], code: 2, out: /Usage: gitops-verify <command>/ },
  ])("dist/cli.js $args", ({ args, code, out }) => {
    const result = spawnSync(process.execPath, ["dist/cli.js", ...args], { cwd: root, encoding: "utf8" });
    expect(result.status).toBe(code);
    expect(result.stdout).toMatch(out);
  });
});
