// `gitops-verify apply` and `drift` end to end, as a CI job runs them: the command line on a real git repository
// rendered by the real kustomize, against the Kubernetes API stand-in (test/helpers/kube-api-server.ts) over real
// HTTP through a kubeconfig file. No real API server can be installed on this machine, so the stand-in speaks the
// real wire format instead: discovery, server-side apply with managedFields, conflicts and dry runs, defaulting,
// deletes with preconditions, Leases, and a controller loop that writes rollout status. The tracking issue goes to
// FakeGitHub, a loopback server speaking GitHub's REST API.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Ajv } from "ajv";
import { afterEach, describe, expect, it } from "vitest";
import applySchema from "../../schemas/apply.v1.json" with { type: "json" };
import driftSchema from "../../schemas/drift.v1.json" with { type: "json" };
import reportSchema from "../../schemas/report.v1.json" with { type: "json" };
import { applySetId } from "../../src/cluster/applyset.ts";
import { inventoryName } from "../../src/cluster/inventory.ts";
import { runCli } from "../../src/entrypoints/cli.ts";
import { FakeGitHub } from "../helpers/fake-github.ts";
import { startKubeApiServer, unreachableUrl, writeKubeconfig, type KubeApiServer, type KubeObject } from "../helpers/kube-api-server.ts";
import { TempRepo } from "../helpers/repo.ts";

const ENV = "deploy/prod";
const SECRET_VALUE = "hunter2-very-secret";

const cleanup: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const CONFIG = `apply:
  wait:
    intervalSeconds: 0.05
    timeoutSeconds: 20
policies:
  builtin: false
`;

function deployment(options: { image?: string; replicas?: number; extraEnv?: boolean } = {}): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  replicas: ${options.replicas ?? 2}
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: api
          image: ${options.image ?? "ghcr.io/acme/api:1.0.0"}
${options.extraEnv ? "          env:\n            - {name: MODE, value: fast}\n" : ""}`;
}

const BASE: Record<string, string> = {
  ".gitops-verify.yaml": CONFIG,
  "deploy/base/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n",
  "deploy/base/configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: shop\ndata:\n  color: blue\n",
  "deploy/base/service.yaml":
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n  namespace: shop\n  annotations:\n    kustomize.toolkit.fluxcd.io/prune: disabled\nspec:\n  selector: {app: api}\n  ports:\n    - {name: http, port: 80}\n",
  "deploy/base/secret.yaml": `apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\n  namespace: shop\nstringData:\n  password: ${SECRET_VALUE}\n`,
  "deploy/base/deployment.yaml": deployment(),
  "deploy/base/kustomization.yaml": "resources:\n  - namespace.yaml\n  - configmap.yaml\n  - service.yaml\n  - secret.yaml\n  - deployment.yaml\n",
  "deploy/prod/kustomization.yaml": "resources:\n  - ../base\n",
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

interface World {
  repo: TempRepo;
  api: KubeApiServer;
  kubeconfig: string;
  run(args: string[], env?: Record<string, string>): Promise<Run>;
  change(files: Record<string, string | null>, message: string): void;
}

async function world(files: Record<string, string> = BASE, options: Parameters<typeof startKubeApiServer>[0] = {}): Promise<World> {
  const repo = TempRepo.fromFiles(files);
  cleanup.push(() => repo.dispose());
  const api = await startKubeApiServer({ token: "t0ken", controller: { intervalMs: 20 }, ...options });
  cleanup.push(() => api.close());
  const dir = mkdtempSync(path.join(os.tmpdir(), "gv-kube-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const kubeconfig = await api.writeKubeconfig(dir);
  return {
    repo,
    api,
    kubeconfig,
    run: (args, env = {}) => cli([...args, "--repo", repo.dir, "--kubeconfig", kubeconfig], env),
    change(changes, message) {
      for (const [file, content] of Object.entries(changes)) {
        if (content === null) repo.remove(file);
        else repo.write({ [file]: content });
      }
      repo.commitAll(message);
    },
  };
}

async function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    cwd: process.cwd(),
  });
  return { code, stdout, stderr };
}

const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addSchema(driftSchema, "drift.v1.json").addSchema(reportSchema, "report.v1.json");
const validateApply = ajv.compile(applySchema);

/** The apply's JSON, checked against schemas/apply.v1.json. */
function applyJson(run: Run): Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const report = JSON.parse(run.stdout);
  validateApply(report);
  expect(validateApply.errors ?? [], "schemas/apply.v1.json").toEqual([]);
  return report;
}

const ref = (kind: string, name: string, namespace = "shop", apiVersion = kind === "Deployment" ? "apps/v1" : "v1") => ({ apiVersion, kind, namespace, name });
const labels = (object: KubeObject | undefined) => ((object?.metadata as Record<string, unknown> | undefined)?.labels ?? {}) as Record<string, string>;
const spec = (object: KubeObject | undefined) => (object?.spec ?? {}) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe("gitops-verify apply", () => {
  it("first apply: creates everything in stages, labels the ApplySet members, records the rendering, releases the Lease", async () => {
    const w = await world();
    const run = await w.run(["apply", "--env", ENV]);
    expect(run.stderr + run.stdout).toContain("applied:");
    expect(run.code).toBe(0);
    const deployment = w.api.get(ref("Deployment", "api"));
    expect(spec(deployment).replicas).toBe(2);
    const parent = w.api.list("v1", "Secret", "default").find((secret) => (secret.metadata as { name: string }).name.startsWith("gitops-verify-deploy-prod-"));
    expect(parent).toBeDefined();
    const id = labels(parent)["applyset.kubernetes.io/id"];
    expect(id).toMatch(/^applyset-[A-Za-z0-9_-]{43}-v1$/);
    for (const member of [ref("Deployment", "api"), ref("ConfigMap", "settings"), ref("Service", "api"), ref("Secret", "creds"), ref("Namespace", "shop", "")]) {
      expect(labels(w.api.get(member))["applyset.kubernetes.io/part-of"], member.kind).toBe(id);
    }
    const annotations = (parent!.metadata as { annotations: Record<string, string> }).annotations;
    expect(annotations["applyset.kubernetes.io/contains-group-kinds"]).toBe("ConfigMap,Deployment.apps,Namespace,Secret,Service");
    expect(annotations["applyset.kubernetes.io/additional-namespaces"]).toBe("shop");
    expect(annotations["gitops-verify.io/last-applied-revision"]).toBe(w.repo.git("rev-parse", "HEAD").trim());
    // the Namespace went first: everything in it needs it
    const applies = w.api.requests.filter((request) => request.method === "PATCH" && !request.query.dryRun);
    const members = applies.filter((request) => !request.path.includes("/secrets/gitops-verify-"));
    expect(members[0]!.path).toBe("/api/v1/namespaces/shop");
    expect(members.at(-1)!.path).toBe("/apis/apps/v1/namespaces/shop/deployments/api");
    // one field manager for every apply
    expect(new Set(applies.map((request) => request.query.fieldManager))).toEqual(new Set(["gitops-verify"]));
    expect(w.api.list("coordination.k8s.io/v1", "Lease", "default")).toEqual([]);
    expect(run.stdout + run.stderr).not.toContain(SECRET_VALUE);
  });

  it("--format json: every outcome validates against schemas/apply.v1.json", async () => {
    const w = await world();
    const planned = applyJson(await w.run(["apply", "--env", ENV, "--dry-run", "--format", "json"]));
    expect(planned).toMatchObject({ result: "planned", dryRun: true, applied: 0 });
    expect(planned.changes.map((change: { change: string }) => change.change)).toEqual(["missing", "missing", "missing", "missing", "missing"]);
    expect(applyJson(await w.run(["apply", "--env", ENV, "--format", "json"]))).toMatchObject({ result: "applied", applied: 5, wait: { outcome: "ready" } });
    w.change({ "deploy/base/deployment.yaml": deployment({ image: "ghcr.io/acme/api:broken" }) }, "broken");
    const rolledBack = applyJson(await w.run(["apply", "--env", ENV, "--format", "json"]));
    expect(rolledBack).toMatchObject({ result: "rolled-back", wait: { outcome: "failed" }, rollback: { outcome: "rolled-back" } });
    expect(JSON.stringify(rolledBack)).not.toContain(SECRET_VALUE);
  });

  it("a CRD and its custom resources in one apply: the CRD first, established, then the resources; admission webhooks last", async () => {
    const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec: {type: object, properties: {size: {type: integer}}}
`;
    const webhook = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: shop-guard
webhooks:
  - name: guard.shop.example.com
    admissionReviewVersions: [v1]
    sideEffects: None
    clientConfig: {service: {name: api, namespace: shop, path: /validate}}
    rules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [configmaps]}]
`;
    const w = await world({
      ...BASE,
      "deploy/base/crd.yaml": crd,
      "deploy/base/widget.yaml": "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: big\n  namespace: shop\nspec:\n  size: 3\n",
      "deploy/base/webhook.yaml": webhook,
      "deploy/base/kustomization.yaml": BASE["deploy/base/kustomization.yaml"]! + "  - crd.yaml\n  - widget.yaml\n  - webhook.yaml\n",
    }, { crdEstablishDelayMs: 300 });
    const run = await w.run(["apply", "--env", ENV]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(w.api.get({ apiVersion: "example.com/v1", kind: "Widget", namespace: "shop", name: "big" })).toBeDefined();
    const order = w.api.requests.filter((request) => request.method === "PATCH" && !request.query.dryRun && !request.path.includes("/secrets/gitops-verify-")).map((request) => request.path);
    expect(order.indexOf("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com")).toBeLessThan(order.indexOf("/apis/example.com/v1/namespaces/shop/widgets/big"));
    expect(order.at(-1)).toBe("/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/shop-guard");
    // the dry run could not see the Widget's kind yet: it is created all the same, and shown as created
    expect(run.stdout).toContain("create Widget shop/big");
    expect(run.stderr).toMatch(/waiting for CustomResourceDefinition widgets\.example\.com/);
    // drift sees the Widget as in sync, and the CRD too (defaults and status are not drift)
    const drift = await w.run(["drift", "--format", "json"]);
    expect(JSON.parse(drift.stdout).result).toBe("none");
  });

  it("dry run: shows what would be created and changes nothing", async () => {
    const w = await world();
    const run = await w.run(["apply", "--env", ENV, "--dry-run"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("create Deployment shop/api");
    expect(run.stdout).toContain("planned: dry run");
    expect(w.api.get(ref("Deployment", "api"))).toBeUndefined();
    expect(w.api.requests.filter((request) => request.method === "PATCH" && request.query.dryRun !== "All")).toEqual([]);
  });

  it("update: applies a changed field and removes one Git no longer sets; an unchanged environment is unchanged", async () => {
    const w = await world({ ...BASE, "deploy/base/deployment.yaml": deployment({ extraEnv: true }) });
    expect((await w.run(["apply", "--env", ENV])).code).toBe(0);
    expect(spec(w.api.get(ref("Deployment", "api"))).template.spec.containers[0].env).toEqual([{ name: "MODE", value: "fast" }]);
    w.change({ "deploy/base/deployment.yaml": deployment({ replicas: 3 }) }, "three replicas, no MODE");
    const run = await w.run(["apply", "--env", ENV]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("update Deployment shop/api");
    const live = spec(w.api.get(ref("Deployment", "api")));
    expect(live.replicas).toBe(3);
    expect(live.template.spec.containers[0].env ?? []).toEqual([]);
    const again = await w.run(["apply", "--env", ENV]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("unchanged:");
  });

  it("prune: deletes what the last apply owned and Git dropped; keeps opted-out objects and what it never owned", async () => {
    const w = await world({ ...BASE, "deploy/base/extra.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n  namespace: shop\n", "deploy/base/kustomization.yaml": BASE["deploy/base/kustomization.yaml"]! + "  - extra.yaml\n" });
    expect((await w.run(["apply", "--env", ENV])).code).toBe(0);
    w.api.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "someone-elses", namespace: "shop" }, data: {} });
    w.change({ "deploy/base/extra.yaml": null, "deploy/base/service.yaml": null, "deploy/base/kustomization.yaml": "resources:\n  - namespace.yaml\n  - configmap.yaml\n  - secret.yaml\n  - deployment.yaml\n" }, "drop extra and the service");
    const run = await w.run(["apply", "--env", ENV]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("pruned ConfigMap shop/extra");
    expect(run.stdout).toMatch(/kept Service shop\/api: .*prune: disabled/);
    expect(w.api.get(ref("ConfigMap", "extra"))).toBeUndefined();
    expect(w.api.get(ref("Service", "api"))).toBeDefined();
    expect(w.api.get(ref("ConfigMap", "someone-elses"))).toBeDefined();
    // the delete carried the uid precondition
    const deletion = w.api.requests.find((request) => request.method === "DELETE" && request.path.endsWith("/configmaps/extra"));
    expect(JSON.stringify(deletion?.body)).toContain('"uid"');
  });

  it("prune guard: refuses to delete more than the allowed share of the inventory, before applying anything", async () => {
    const w = await world();
    expect((await w.run(["apply", "--env", ENV])).code).toBe(0);
    w.change({ "deploy/base/kustomization.yaml": "resources:\n  - namespace.yaml\n  - deployment.yaml\n", "deploy/base/deployment.yaml": deployment({ replicas: 4 }) }, "drop most");
    const run = await w.run(["apply", "--env", ENV, "--max-prune-share", "0.2"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/refused: refusing to prune 2 of 5 objects/);
    expect(w.api.get(ref("ConfigMap", "settings"))).toBeDefined();
    expect(w.api.get(ref("Secret", "creds"))).toBeDefined();
    expect(spec(w.api.get(ref("Deployment", "api"))).replicas).toBe(2);
  });

  it("failed rollout: rolls back to the last good rendering and removes what the failed apply added", async () => {
    const w = await world();
    expect((await w.run(["apply", "--env", ENV])).code).toBe(0);
    const good = w.repo.git("rev-parse", "HEAD").trim();
    w.change(
      {
        "deploy/base/deployment.yaml": deployment({ image: "ghcr.io/acme/api:broken" }),
        "deploy/base/new.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: new\n  namespace: shop\n",
        "deploy/base/kustomization.yaml": BASE["deploy/base/kustomization.yaml"]! + "  - new.yaml\n",
      },
      "broken image",
    );
    const run = await w.run(["apply", "--env", ENV]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`rolled-back: apply failed: rollout failed: Deployment shop/api`);
    expect(run.stdout).toContain(`rolled back to ${good.slice(0, 12)}`);
    expect(run.stdout).toMatch(/rollback: rolled-back: re-applied \d+ objects of [0-9a-f]{12} and removed 1 the failed apply added/);
    expect(spec(w.api.get(ref("Deployment", "api"))).template.spec.containers[0].image).toBe("ghcr.io/acme/api:1.0.0");
    expect(w.api.get(ref("ConfigMap", "new"))).toBeUndefined();
  });

  it("a rollback that fails too says ROLLBACK FAILED and why", async () => {
    const w = await world();
    expect((await w.run(["apply", "--env", ENV])).code).toBe(0);
    w.change({ "deploy/base/deployment.yaml": deployment({ image: "ghcr.io/acme/api:broken" }), "deploy/base/configmap.yaml": null, "deploy/base/kustomization.yaml": "resources:\n  - namespace.yaml\n  - service.yaml\n  - secret.yaml\n  - deployment.yaml\n" }, "broken, and settings dropped");
    // the failed apply prunes settings; re-creating it is the rollback's first write of it, and the server refuses
    w.api.failNext({ method: "PATCH", pathPattern: /\/configmaps\/settings$/, status: 422, reason: "Invalid", message: 'ConfigMap "settings" is invalid: injected by the test' });
    const run = await w.run(["apply", "--env", ENV]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/rollback-failed: apply failed: rollout failed: Deployment shop\/api: .*; ROLLBACK FAILED: ConfigMap shop\/settings: .*injected by the test/);
  });

  it("failed first rollout: nothing to roll back to, and says so", async () => {
    const w = await world({ ...BASE, "deploy/base/deployment.yaml": deployment({ image: "ghcr.io/acme/api:broken" }) });
    const run = await w.run(["apply", "--env", ENV]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("not rolled back: no earlier good apply is recorded");
  });

  it("conflict: a field someone edited by hand refuses the apply, naming the manager and field; --force-conflicts takes it", async () => {
    const w = await world();
    expect((await w.run(["apply", "--env", ENV])).code).toBe(0);
    w.api.edit(ref("Deployment", "api"), (object) => void ((object.spec as Record<string, unknown>).replicas = 5));
    const run = await w.run(["apply", "--env", ENV]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/conflict Deployment shop\/api: \.spec\.replicas conflict with "kubectl-edit"/);
    expect(spec(w.api.get(ref("Deployment", "api"))).replicas).toBe(5);
    const forced = await w.run(["apply", "--env", ENV, "--force-conflicts"]);
    expect(forced.code).toBe(0);
    expect(spec(w.api.get(ref("Deployment", "api"))).replicas).toBe(2);
  });

  it("the gate: a schema error refuses the apply before the cluster is touched for writing", async () => {
    const w = await world({ ...BASE, "deploy/base/configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: shop\ndata:\n  color: blue\ncolour: red\n" });
    const run = await w.run(["apply", "--env", ENV]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("refused:");
    expect(run.stdout + run.stderr).toContain("colour");
    expect(w.api.requests.filter((request) => request.method === "PATCH")).toEqual([]);
  });

  it("an environment that does not render: exits 2 naming the problem, touching nothing", async () => {
    const w = await world({ ...BASE, "deploy/base/kustomization.yaml": "resources:\n  - missing.yaml\n" });
    const run = await w.run(["apply", "--env", ENV]);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/error: deploy\/prod could not be rendered: .*missing\.yaml/);
    expect(w.api.requests.filter((request) => request.method !== "GET")).toEqual([]);
  });

  it("a Lease held by another apply: exits 2 naming the holder, touching nothing", async () => {
    const w = await world();
    const parentName = await leaseName(w);
    w.api.create({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: parentName, namespace: "default" }, spec: { holderIdentity: "https://ci.example/run/7", leaseDurationSeconds: 900, acquireTime: new Date().toISOString(), renewTime: new Date().toISOString() } });
    const run = await w.run(["apply", "--env", ENV]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("another apply holds the Lease");
    expect(run.stderr).toContain("https://ci.example/run/7");
    expect(w.api.get(ref("Deployment", "api"))).toBeUndefined();
  });

  it("an ApplySet kubectl made for the same parent is not taken over (apply exits 2; drift reports that environment as an error)", async () => {
    const w = await world();
    const name = inventoryName(ENV);
    const id = applySetId({ name, namespace: "default", kind: "Secret", group: "" });
    w.api.create({ apiVersion: "v1", kind: "Secret", metadata: { name, namespace: "default", labels: { "applyset.kubernetes.io/id": id }, annotations: { "applyset.kubernetes.io/tooling": "kubectl/v1.31.0", "applyset.kubernetes.io/contains-group-kinds": "" } } });
    const run = await w.run(["apply", "--env", ENV]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("kubectl");
    expect(w.api.get(ref("Deployment", "api"))).toBeUndefined();
    const drift = await w.run(["drift", "--format", "json"]);
    expect(drift.code).toBe(2);
    expect(JSON.parse(drift.stdout).environments[0]).toMatchObject({ status: "error", message: expect.stringContaining("kubectl") });
  });

  it("server unreachable: exits 2 with a message naming the server", async () => {
    const repo = TempRepo.fromFiles(BASE);
    cleanup.push(() => repo.dispose());
    const dir = mkdtempSync(path.join(os.tmpdir(), "gv-kube-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const url = await unreachableUrl();
    const kubeconfig = await writeKubeconfig(path.join(dir, "kubeconfig"), [{ name: "gone", server: url, token: "x" }]);
    for (const command of [["apply", "--env", ENV], ["drift"]]) {
      const run = await cli([...command, "--repo", repo.dir, "--kubeconfig", kubeconfig]);
      expect(run.code, command[0]).toBe(2);
      expect(run.stderr + run.stdout, command[0]).toContain(url.replace("http://", ""));
    }
  });
});

describe("gitops-verify drift", () => {
  it("no drift right after an apply, although the server defaulted many fields", async () => {
    const w = await world();
    expect((await w.run(["apply", "--env", ENV])).code).toBe(0);
    expect(spec(w.api.get(ref("Deployment", "api"))).strategy).toBeDefined(); // defaulted, not in Git
    const run = await w.run(["drift", "--format", "json"]);
    expect(run.stderr).not.toContain("error");
    const report = JSON.parse(run.stdout);
    expect(report.result).toBe("none");
    expect(report.summary.inSync).toBe(1);
    expect(run.code).toBe(0);
  });

  it("a hand edit is drift, names who made it, and --heal puts Git's value back", async () => {
    const w = await world();
    expect((await w.run(["apply", "--env", ENV])).code).toBe(0);
    w.api.edit(ref("Deployment", "api"), (object) => void ((object.spec as Record<string, unknown>).replicas = 7));
    const run = await w.run(["drift"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/changed Deployment shop\/api/);
    expect(run.stdout).toContain("kubectl-edit");
    expect(run.stdout).toMatch(/-\s*replicas: 7/);
    const healed = await w.run(["drift", "--heal"]);
    expect(healed.code, healed.stdout + healed.stderr).toBe(0);
    expect(spec(w.api.get(ref("Deployment", "api"))).replicas).toBe(2);
    expect((await w.run(["drift"])).code).toBe(0);
  });

  it("a Secret changed by hand is drift, and its value appears nowhere", async () => {
    const w = await world();
    expect((await w.run(["apply", "--env", ENV])).code).toBe(0);
    w.api.edit(ref("Secret", "creds"), (object) => void (object.data = { password: Buffer.from("changed-by-hand").toString("base64") }));
    for (const format of ["text", "json", "markdown"]) {
      const run = await w.run(["drift", "--format", format]);
      expect(run.code, `${format}: ${run.stdout}${run.stderr}`).toBe(1);
      const all = run.stdout + run.stderr;
      for (const secret of [SECRET_VALUE, "changed-by-hand", Buffer.from(SECRET_VALUE).toString("base64"), Buffer.from("changed-by-hand").toString("base64")]) {
        expect(all, `${format}: ${secret}`).not.toContain(secret);
      }
      expect(all, format).toContain("password");
    }
  });

  it("an object Git dropped but the cluster still has is extra; one Git has that the cluster lacks is missing", async () => {
    const w = await world();
    expect((await w.run(["apply", "--env", ENV])).code).toBe(0);
    w.change({ "deploy/base/configmap.yaml": null, "deploy/base/kustomization.yaml": "resources:\n  - namespace.yaml\n  - service.yaml\n  - secret.yaml\n  - deployment.yaml\n" }, "drop the configmap");
    w.api.delete(ref("Service", "api"));
    const run = await w.run(["drift", "--format", "json"]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    const objects = report.environments[0].objects.map((object: { change: string; id: { kind: string; name: string } }) => `${object.change} ${object.id.kind}/${object.id.name}`);
    expect(objects.sort()).toEqual(["extra ConfigMap/settings", "missing Service/api"]);
  });

  it("a Flux Kustomization's environment: what kustomize-controller labelled for it and Git dropped is extra", async () => {
    const sync = (name: string, path: string) => `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: ${name}
  namespace: flux-system
spec:
  interval: 10m
  path: ${path}
  prune: true
  sourceRef: {kind: GitRepository, name: flux-system}
`;
    const w = await world(
      {
        ".gitops-verify.yaml": `${CONFIG}sources:\n  urls: [https://github.com/acme/fleet]\ndrift:\n  environments: ["**/apps"]\n`,
        "clusters/prod/flux-system/gotk-sync.yaml": `apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: flux-system\n  namespace: flux-system\nspec:\n  interval: 1m\n  url: https://github.com/acme/fleet\n  ref: {branch: main}\n---\n${sync("flux-system", "./clusters/prod")}`,
        "clusters/prod/apps.yaml": sync("apps", "./apps"),
        "apps/kustomization.yaml": "resources:\n  - settings.yaml\n",
        "apps/settings.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: default\ndata:\n  color: blue\n",
      },
      { resources: [{ apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization" }, { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository" }] },
    );
    // as kustomize-controller applied them: its field manager and its labels
    const fluxLabels = { "kustomize.toolkit.fluxcd.io/name": "apps", "kustomize.toolkit.fluxcd.io/namespace": "flux-system" };
    for (const [name, data] of [["settings", { color: "blue" }], ["retired", { old: "yes" }]] as const) {
      w.api.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default", labels: fluxLabels }, data }, { fieldManager: "kustomize-controller" });
    }
    w.api.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "unrelated", namespace: "default" }, data: {} });
    const run = await w.run(["drift", "--format", "json"]);
    const report = JSON.parse(run.stdout);
    expect(report.environments.map((environment: { environment: { name: string } }) => environment.environment.name)).toEqual(["prod/Kustomization/flux-system/apps"]);
    const objects = report.environments[0].objects.map((object: { change: string; id: { kind: string; name: string } }) => `${object.change} ${object.id.kind}/${object.id.name}`);
    expect(objects).toEqual(["extra ConfigMap/retired"]);
    expect(run.code).toBe(1);
  });

  it("an Argo CD Application's environment: objects tracked for it (annotation or label) that Git dropped are extra", async () => {
    const w = await world(
      {
        ".gitops-verify.yaml": `${CONFIG}sources:\n  urls: [https://github.com/acme/fleet]\n`,
        "argocd/guestbook.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: guestbook\n  namespace: argocd\nspec:\n  project: default\n  source:\n    repoURL: https://github.com/acme/fleet\n    path: apps/guestbook\n    targetRevision: main\n  destination:\n    server: https://kubernetes.default.svc\n    namespace: default\n",
        "apps/guestbook/settings.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  color: blue\n",
      },
    );
    const tracked = (name: string, metadata: Record<string, unknown>) => w.api.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default", ...metadata }, data: {} }, { fieldManager: "argocd-controller" });
    w.api.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings", namespace: "default", annotations: { "argocd.argoproj.io/tracking-id": "guestbook:/ConfigMap:default/settings" } }, data: { color: "blue" } }, { fieldManager: "argocd-controller" });
    tracked("retired", { annotations: { "argocd.argoproj.io/tracking-id": "guestbook:/ConfigMap:default/retired" } });
    tracked("retired-labelled", { labels: { "app.kubernetes.io/instance": "guestbook" } });
    tracked("other-app", { annotations: { "argocd.argoproj.io/tracking-id": "guestbook-2:/ConfigMap:default/other-app" } });
    const run = await w.run(["drift", "--format", "json"]);
    const report = JSON.parse(run.stdout);
    expect(report.environments.map((environment: { environment: { kind: string } }) => environment.environment.kind)).toEqual(["argocd-application"]);
    const objects = report.environments[0].objects.map((object: { change: string; id: { name: string } }) => `${object.change} ${object.id.name}`);
    expect(objects.sort()).toEqual(["extra retired", "extra retired-labelled"]);
    expect(run.code).toBe(1);
  });

  it("environments of several clusters: refuses to guess which one the kubeconfig reaches; --cluster picks one", async () => {
    const cluster = (name: string) => ({
      [`clusters/${name}/apps.yaml`]: `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n  interval: 10m\n  path: ./apps/${name}\n  prune: true\n  sourceRef: {kind: GitRepository, name: flux-system}\n`,
      [`apps/${name}/kustomization.yaml`]: "resources:\n  - settings.yaml\n",
      [`apps/${name}/settings.yaml`]: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings-${name}\n  namespace: default\n`,
    });
    const w = await world({ ".gitops-verify.yaml": CONFIG, ...cluster("production"), ...cluster("staging") });
    const refused = await w.run(["drift"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("the environments to check belong to 2 clusters (production, staging)");
    const unknown = await w.run(["drift", "--cluster", "qa"]);
    expect(unknown.stderr).toContain("--cluster qa: no environment belongs to it (clusters: production, staging)");
    const production = await w.run(["drift", "--cluster", "production", "--format", "json"]);
    const report = JSON.parse(production.stdout);
    expect(report.environments.map((environment: { environment: { name: string } }) => environment.environment.name)).toEqual(["production/Kustomization/flux-system/apps"]);
    expect(report.environments[0].objects.map((object: { change: string; id: { name: string } }) => `${object.change} ${object.id.name}`)).toEqual(["missing settings-production"]);
    expect(production.code).toBe(1);
  });

  it("ignore rules: a field an autoscaler owns is not drift", async () => {
    const w = await world({ ...BASE, ".gitops-verify.yaml": `${CONFIG}drift:\n  ignore:\n    - kind: Deployment\n      jsonPointers: [/spec/replicas]\n` });
    expect((await w.run(["apply", "--env", ENV])).code).toBe(0);
    w.api.edit(ref("Deployment", "api"), (object) => void ((object.spec as Record<string, unknown>).replicas = 9), "horizontal-pod-autoscaler");
    expect((await w.run(["drift"])).code).toBe(0);
  });

  it("keeps one tracking issue: opened on drift, updated while it stays, closed when it is gone", async () => {
    const w = await world();
    const github = new FakeGitHub();
    const url = await github.start();
    cleanup.push(() => github.stop());
    const env = { GITHUB_ACTIONS: "true", GITHUB_REPOSITORY: "acme/config", GITHUB_TOKEN: "gh-token", GITHUB_API_URL: url, GITHUB_RUN_ID: "42", GITHUB_SERVER_URL: "https://github.example" };
    expect((await w.run(["apply", "--env", ENV])).code).toBe(0);
    w.api.edit(ref("Deployment", "api"), (object) => void ((object.spec as Record<string, unknown>).replicas = 7));
    expect((await w.run(["drift"], env)).code).toBe(1);
    expect((await w.run(["drift"], env)).code).toBe(1);
    const issues = [...github.issues.values()];
    expect(issues).toHaveLength(1);
    expect(issues[0]!.title).toBe("Drift between Git and the cluster (stand-in)");
    expect(issues[0]!.body).toContain("Deployment");
    expect(issues[0]!.body).toContain("https://github.example/acme/config/actions/runs/42");
    expect(issues[0]!.state).toBe("open");
    expect((await w.run(["apply", "--env", ENV, "--force-conflicts"])).code).toBe(0);
    expect((await w.run(["drift"], env)).code).toBe(0);
    expect([...github.issues.values()][0]!.state).toBe("closed");
  });
});

/** The inventory's (and Lease's) name, as a dry run's parent lookup requests it. */
async function leaseName(w: World): Promise<string> {
  await w.run(["apply", "--env", ENV, "--dry-run"]);
  const lookup = w.api.requests.find((request) => request.method === "GET" && /\/namespaces\/default\/secrets\/gitops-verify-/.test(request.path));
  return lookup!.path.split("/").at(-1)!;
}
