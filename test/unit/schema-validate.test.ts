// Schema validation: known errors seeded into valid objects, each found with its rule, path and line, through
// `gitops-verify validate` as a user runs it (real files in a temporary directory, the CLI's own entry function).
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { Ajv } from "ajv";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/entrypoints/cli.ts";
import type { ValidateReport } from "../../src/model.ts";
import { parseManifests } from "../../src/render/manifests.ts";
import { BUILTIN_KUBERNETES_VERSION } from "../../src/schema/builtin.ts";
import { DEFAULT_VALIDATION, SchemaValidator } from "../../src/schema/validate.ts";
import reportSchema from "../../schemas/validate.v1.json" with { type: "json" };

const VALID = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels:
    app: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: ghcr.io/example/web:1.2.3
          imagePullPolicy: IfNotPresent
          ports:
            - containerPort: 8080
              protocol: TCP
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
            limits:
              memory: 256Mi
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  type: ClusterIP
  selector:
    app: web
  ports:
    - name: http
      port: 80
      targetPort: 8080
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
spec:
  ingressClassName: nginx
  rules:
    - host: shop.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: web
                port:
                  number: 80
---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: big
  namespace: shop
spec:
  size: 3
  colour: red
`;

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: { kind: Widget, plural: widgets, singular: widget, listKind: WidgetList }
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [size]
              properties:
                size: { type: integer, minimum: 1 }
                colour: { type: string, enum: [red, green, blue] }
`;

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "gv-validate-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

async function validate(dir: string, args: string[]): Promise<{ code: number; report: ValidateReport; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(["validate", ...args, "--format", "json", "--quiet"], {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: { HOME: dir },
    cwd: dir,
  });
  return { code, report: stdout ? (JSON.parse(stdout) as ValidateReport) : (undefined as never), stderr };
}

/** The line (1-based) of the first line of `text` containing `needle`. */
function lineOf(text: string, needle: string, after = 0): number {
  const lines = text.split("\n");
  const index = lines.findIndex((line, i) => i >= after && line.includes(needle));
  if (index < 0) throw new Error(`"${needle}" not in the seeded text`);
  return index + 1;
}

describe("validate: the valid objects", () => {
  it("has no findings in strict mode, with the CRD's schema for the custom resource", async () => {
    const dir = workspace({ "app.yaml": VALID, "crds/widget.yaml": CRD });
    const { code, report } = await validate(dir, ["app.yaml", "crds"]);
    expect(report.findings).toEqual([]);
    expect(code).toBe(0);
    expect(report.summary).toMatchObject({ files: 2, resources: 5, valid: 5, invalid: 0, skipped: 0 });
    expect(report.resources.find((resource) => resource.kind === "Widget")?.schema).toBe("CustomResourceDefinition Widget");
    expect(report.resources.find((resource) => resource.kind === "Deployment")?.schema).toBe("embedded");
  });

  it("prints JSON that matches schemas/validate.v1.json", async () => {
    const dir = workspace({ "app.yaml": VALID.replace("replicas: 3", 'replicas: "3"') });
    const { report } = await validate(dir, ["app.yaml"]);
    const check = new Ajv({ allErrors: true, strict: true }).compile(reportSchema);
    expect(check(report), JSON.stringify(check.errors)).toBe(true);
  });
});

interface SeededCase {
  name: string;
  seed: (text: string) => string;
  ruleId: string;
  path?: string;
  /** the text whose line the finding must point at (searched in the seeded file) */
  at: string;
  after?: string;
  message?: RegExp;
  severity?: "error" | "warning";
}

const SEEDED: SeededCase[] = [
  {
    name: "misspelt field",
    seed: (t) => t.replace("imagePullPolicy: IfNotPresent", "imagePullPolicyy: IfNotPresent"),
    ruleId: "schema-unknown-field",
    path: "spec.template.spec.containers[0].imagePullPolicyy",
    at: "imagePullPolicyy",
    message: /did you mean "imagePullPolicy"/,
  },
  {
    name: "wrong type",
    seed: (t) => t.replace("replicas: 3", 'replicas: "3"'),
    ruleId: "schema-type",
    path: "spec.replicas",
    at: "replicas:",
    message: /must be integer, not "3"/,
  },
  {
    name: "missing required field",
    seed: (t) => t.replace("  selector:\n    matchLabels:\n      app: web\n  template:", "  template:"),
    ruleId: "schema-required",
    path: "spec.selector",
    at: "spec:",
    message: /required field "selector"/,
  },
  {
    name: "bad enum",
    seed: (t) => t.replace("imagePullPolicy: IfNotPresent", "imagePullPolicy: Sometimes"),
    ruleId: "schema-enum",
    path: "spec.template.spec.containers[0].imagePullPolicy",
    at: "imagePullPolicy: Sometimes",
    message: /one of "Always", "IfNotPresent", "Never"/,
  },
  {
    name: "bad enum in a Service",
    seed: (t) => t.replace("type: ClusterIP", "type: ClusterIp"),
    ruleId: "schema-enum",
    path: "spec.type",
    at: "type: ClusterIp",
  },
  {
    name: "bad quantity",
    seed: (t) => t.replace("cpu: 100m", "cpu: 100mx"),
    ruleId: "quantity-invalid",
    path: "spec.template.spec.containers[0].resources.requests.cpu",
    at: "cpu: 100mx",
  },
  {
    name: "request above limit",
    seed: (t) => t.replace("memory: 128Mi", "memory: 512Mi"),
    ruleId: "limit-below-request",
    path: "spec.template.spec.containers[0].resources.requests.memory",
    at: "memory: 512Mi",
  },
  {
    name: "unknown kind",
    seed: (t) => t.replace("kind: Deployment", "kind: Deploymnet"),
    ruleId: "kind-unknown",
    path: "kind",
    at: "kind: Deploymnet",
    message: /apps\/v1 has no kind Deploymnet/,
  },
  {
    name: "CRD violation: type",
    seed: (t) => t.replace("size: 3", "size: big"),
    ruleId: "schema-type",
    path: "spec.size",
    at: "size: big",
  },
  {
    name: "CRD violation: enum",
    seed: (t) => t.replace("colour: red", "colour: purple"),
    ruleId: "schema-enum",
    path: "spec.colour",
    at: "colour: purple",
  },
  {
    name: "CRD violation: unknown field pruned by the API server",
    seed: (t) => t.replace("colour: red", "colour: red\n  shape: round"),
    ruleId: "schema-unknown-field",
    path: "spec.shape",
    at: "shape: round",
  },
  {
    name: "removed apiVersion",
    seed: (t) => t.replace("apiVersion: networking.k8s.io/v1\nkind: Ingress", "apiVersion: extensions/v1beta1\nkind: Ingress"),
    ruleId: "api-removed",
    path: "apiVersion",
    at: "apiVersion: extensions/v1beta1",
    message: /removed in Kubernetes 1\.22.*use networking\.k8s\.io\/v1 Ingress/,
  },
  {
    name: "invalid label value",
    seed: (t) => t.replace("  labels:\n    app: web\nspec:\n  replicas", "  labels:\n    app: -web\nspec:\n  replicas"),
    ruleId: "label-value-invalid",
    path: "metadata.labels.app",
    at: "app: -web",
  },
  {
    name: "invalid name",
    seed: (t) => t.replace("  name: web\n  namespace: shop\n  labels:", "  name: Web_App\n  namespace: shop\n  labels:"),
    ruleId: "name-invalid",
    path: "metadata.name",
    at: "name: Web_App",
  },
  {
    name: "duplicate object",
    seed: (t) => `${t}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  ports:\n    - port: 81\n`,
    ruleId: "object-duplicate",
    at: "name: web",
    after: "port: 81",
  },
  {
    name: "duplicate YAML key",
    seed: (t) => t.replace("  replicas: 3\n", "  replicas: 3\n  replicas: 4\n"),
    ruleId: "yaml-invalid",
    at: "replicas: 4",
    message: /duplicate|unique/i,
  },
];

describe("validate: seeded errors are found with their path and line", () => {
  it.each(SEEDED)("$name", async (seeded) => {
    const text = seeded.seed(VALID);
    expect(text).not.toBe(VALID);
    const dir = workspace({ "app.yaml": text, "crd.yaml": CRD });
    const { code, report } = await validate(dir, ["app.yaml", "--crd", "crd.yaml"]);
    const found = report.findings.filter((finding) => finding.ruleId === seeded.ruleId);
    expect(found, JSON.stringify(report.findings, null, 1)).toHaveLength(1);
    const finding = found[0]!;
    if (seeded.path) expect(finding.path).toBe(seeded.path);
    if (seeded.message) expect(finding.message).toMatch(seeded.message);
    const after = seeded.after ? lineOf(text, seeded.after) - 12 : 0;
    expect(finding.location).toMatchObject({ file: "app.yaml", line: lineOf(text, seeded.at, Math.max(0, after)) });
    expect(finding.severity).toBe(seeded.severity ?? "error");
    // nothing else is reported: one seeded error, one finding
    expect(report.findings.filter((other) => other !== finding && other.severity !== "notice")).toEqual([]);
    expect(code).toBe(1);
  });
});

describe("validate: bad input is a finding and the run completes", () => {
  it("a CRD whose schema the API server would refuse", async () => {
    const broken = CRD.replace("size: { type: integer, minimum: 1 }", "size: { type: integr }");
    const dir = workspace({ "app.yaml": VALID, "crd.yaml": broken });
    const { code, report } = await validate(dir, ["app.yaml", "crd.yaml"]);
    const crd = report.findings.find((finding) => finding.ruleId === "crd-invalid");
    expect(crd?.message).toMatch(/widgets\.example\.com/);
    expect(crd?.location?.file).toBe("crd.yaml");
    // its custom resources have no schema now: counted, not guessed at
    expect(report.resources.find((resource) => resource.kind === "Widget")?.status).toBe("skipped");
    expect(report.summary.resources).toBe(5);
    expect(code).toBe(1);
  });

  it("an object without apiVersion or kind", async () => {
    const text = `${VALID}---\nmetadata:\n  name: orphan\nspec: {}\n---\napiVersion: v1\nmetadata:\n  name: nokind\n`;
    const dir = workspace({ "app.yaml": text, "crd.yaml": CRD });
    const { code, report } = await validate(dir, ["app.yaml", "crd.yaml"]);
    const problems = report.findings.filter((finding) => finding.ruleId === "object-invalid");
    expect(problems.map((finding) => [finding.message, finding.location?.line])).toEqual([
      ["not a Kubernetes object: apiVersion and kind missing", lineOf(text, "name: orphan") - 1],
      ["not a Kubernetes object: kind missing", lineOf(text, "name: nokind") - 2],
    ]);
    expect(report.summary.resources).toBe(5);
    expect(code).toBe(1);
  });

  it("an unreachable schema location: a warning, the embedded schemas still used", async () => {
    const dir = workspace({ "app.yaml": VALID, "crd.yaml": CRD });
    const { code, report } = await validate(dir, ["app.yaml", "crd.yaml", "--schema-location", "http://127.0.0.1:1/{{ .ResourceKind }}.json", "--schema-location", "default"]);
    const location = report.findings.filter((finding) => finding.ruleId === "schema-location");
    expect(location).toHaveLength(1);
    expect(location[0]!.message).toMatch(/127\.0\.0\.1:1/);
    expect(report.summary.valid).toBe(5);
    expect(code).toBe(0);
  });

  it("a corrupt cache file: a warning, fetched again from the location (a local HTTP server stands in for a schema registry)", async () => {
    const widgetSchema = { type: "object", required: ["spec"], properties: { apiVersion: { type: "string" }, kind: { type: "string" }, metadata: { type: "object" }, spec: { type: "object" } } };
    let requests = 0;
    const server = createServer((request, response) => {
      requests++;
      if (request.url === "/widget.json") response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(widgetSchema));
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/{{ .ResourceKind }}.json`;
      const dir = workspace({ "app.yaml": VALID });
      const cacheDir = path.join(dir, "cache", "gitops-verify", "schemas");
      mkdirSync(cacheDir, { recursive: true });
      const cached = path.join(cacheDir, `${createHash("sha256").update(url.replace("{{ .ResourceKind }}", "widget")).digest("hex")}.json`);
      writeFileSync(cached, "{ not json");
      let stdout = "";
      const code = await runCli(["validate", "app.yaml", "--schema-location", "default", "--schema-location", url, "--format", "json", "--quiet"], {
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: () => true },
        env: { XDG_CACHE_HOME: path.join(dir, "cache") },
        cwd: dir,
      });
      const report = JSON.parse(stdout) as ValidateReport;
      expect(report.findings).toMatchObject([{ ruleId: "schema-location", severity: "warning", message: expect.stringMatching(/corrupt/) }]);
      expect(report.resources.find((resource) => resource.kind === "Widget")).toMatchObject({ status: "valid", schema: url.replace("{{ .ResourceKind }}", "widget") });
      expect(JSON.parse(readFileSync(cached, "utf8"))).toEqual(widgetSchema);
      expect(requests).toBe(1);
      expect(code).toBe(0);
    } finally {
      server.close();
    }
  });

  it("a file that is not YAML, and a path that does not exist", async () => {
    const dir = workspace({ "bad.yaml": "a: [1, 2\n", "app.yaml": VALID, "crd.yaml": CRD });
    const { report } = await validate(dir, ["bad.yaml", "app.yaml", "crd.yaml"]);
    expect(report.findings.map((finding) => [finding.ruleId, finding.location?.file])).toEqual([["yaml-invalid", "bad.yaml"]]);
    const missing = await validate(dir, ["nothing-here.yaml"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nothing-here\.yaml: no such file or directory/);
  });
});

describe("validate: options", () => {
  it("--fail-missing makes a kind without a schema an error; by default it is a notice with a count", async () => {
    const dir = workspace({ "app.yaml": VALID });
    const lenient = await validate(dir, ["app.yaml"]);
    expect(lenient.code).toBe(0);
    expect(lenient.report.findings).toMatchObject([{ ruleId: "schema-missing", severity: "notice", message: expect.stringMatching(/^1 object not validated.*example\.com\/v1 Widget/) }]);
    const strict = await validate(dir, ["app.yaml", "--fail-missing"]);
    expect(strict.code).toBe(1);
    expect(strict.report.findings).toMatchObject([{ ruleId: "schema-missing", severity: "error" }]);
  });

  it("--lax accepts unknown fields; --skip leaves a kind out", async () => {
    const dir = workspace({ "app.yaml": VALID.replace("imagePullPolicy: IfNotPresent", "imagePullPolicyy: IfNotPresent"), "crd.yaml": CRD });
    expect((await validate(dir, ["app.yaml", "crd.yaml", "--lax"])).report.findings).toEqual([]);
    expect((await validate(dir, ["app.yaml", "crd.yaml", "--skip", "Service,apps/v1/Deployment"])).report.summary).toMatchObject({ skipped: 2, invalid: 0 });
  });

  it("--kubernetes-version: an API deprecated then removed", async () => {
    const hpa = "apiVersion: autoscaling/v2beta2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: web\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  maxReplicas: 3\n";
    const dir = workspace({ "hpa.yaml": hpa });
    const old = await validate(dir, ["hpa.yaml", "--kubernetes-version", "1.23"]);
    expect(old.report.findings).toMatchObject([{ ruleId: "api-deprecated", severity: "warning" }]);
    const current = await validate(dir, ["hpa.yaml", "--kubernetes-version", "1.26"]);
    expect(current.report.findings).toMatchObject([{ ruleId: "api-removed", severity: "error", message: expect.stringMatching(/removed in Kubernetes 1\.26.*autoscaling\/v2 HorizontalPodAutoscaler/) }]);
  });

  it("prints kubeconform-like text", async () => {
    const dir = workspace({ "app.yaml": VALID.replace("replicas: 3", 'replicas: "3"'), "crd.yaml": CRD });
    let stdout = "";
    const code = await runCli(["validate", "app.yaml", "crd.yaml", "--quiet"], {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: () => true },
      env: {},
      cwd: dir,
    });
    expect(code).toBe(1);
    expect(stdout).toBe(
      `app.yaml:9: error: Deployment shop/web: spec.replicas: must be integer, not "3" [schema-type]\n` +
        `Summary: 5 resources found in 2 files - Valid: 4, Invalid: 1, Skipped: 0 (1 error, 0 warnings, 0 notices; Kubernetes ${BUILTIN_KUBERNETES_VERSION}, strict)\n`,
    );
  });
});

describe("embedded-crds: well-known CRDs, opt-in", () => {
  const kustomization = `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  intervall: 10m
  path: ./apps
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
`;
  it("finds a misspelt field in a Flux Kustomization, as a warning naming the schema's package", async () => {
    const dir = workspace({ "apps.yaml": kustomization });
    const { code, report } = await validate(dir, ["apps.yaml", "--schema-location", "default", "--schema-location", "embedded-crds"]);
    expect(report.findings).toMatchObject([
      { ruleId: "schema-required", severity: "warning", path: "spec.interval", location: { file: "apps.yaml", line: 6 }, message: expect.stringMatching(/^spec: required field "interval" is missing/) },
      {
        ruleId: "schema-unknown-field",
        severity: "warning",
        path: "spec.intervall",
        location: { file: "apps.yaml", line: 7 },
        message: expect.stringMatching(/^spec\.intervall: unknown field "intervall": did you mean "interval"\? \(by the embedded CRD \(@kubernetes-models\/flux-cd [0-9.]+\) schema/),
      },
    ]);
    expect(report.resources[0]!.schema).toMatch(/^embedded CRD \(@kubernetes-models\/flux-cd/);
    expect(code).toBe(0);
  });

  it("is off by default: the Kustomization has no schema", async () => {
    const dir = workspace({ "apps.yaml": kustomization });
    const { report } = await validate(dir, ["apps.yaml"]);
    expect(report.findings).toMatchObject([{ ruleId: "schema-missing", severity: "notice" }]);
  });

  it("a CRD in the inputs wins over the embedded schema", async () => {
    const crd = CRD.replaceAll("example.com", "kustomize.toolkit.fluxcd.io").replace("kind: Widget, plural: widgets, singular: widget, listKind: WidgetList", "kind: Kustomization, plural: kustomizations, singular: kustomization, listKind: KustomizationList").replace("name: widgets.kustomize", "name: kustomizations.kustomize");
    const dir = workspace({ "apps.yaml": kustomization, "crd.yaml": crd });
    const { report } = await validate(dir, ["apps.yaml", "crd.yaml", "--schema-location", "default", "--schema-location", "embedded-crds"]);
    expect(report.resources.find((resource) => resource.kind === "Kustomization")!.schema).toBe("CustomResourceDefinition Kustomization");
  });
});

describe("Flux placeholders", () => {
  const text = VALID.replace("replicas: 3", "replicas: ${REPLICAS}").replace("imagePullPolicy: IfNotPresent", "imagePullPolicy: <secret:POLICY>");
  it("are not type or enum errors when Flux substitutes the environment", async () => {
    const validator = new SchemaValidator(DEFAULT_VALIDATION);
    const manifests = parseManifests(text, "x.yaml").filter((manifest) => manifest.id.kind === "Deployment");
    expect(await validator.validate(manifests, { placeholders: true })).toEqual([]);
    expect((await validator.validate(manifests)).map((finding) => finding.ruleId)).toEqual(["schema-type", "schema-enum"]);
  });
});
