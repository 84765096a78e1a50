// The real helm binary, when one is on PATH (GitHub's runners have one): a small local chart rendered through
// HelmRenderer. Without helm every test here is skipped, visibly.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { NodeExec } from "../../src/adapters/node/exec.ts";
import { NodeFiles } from "../../src/adapters/node/files.ts";
import { findHelm, HelmRenderer, type HelmTemplateRequest } from "../../src/render/helm.ts";
import { RenderFailure } from "../../src/render/kustomize.ts";

const helm = await findHelm(new NodeExec());
const skipped = helm ? "" : " (skipped: no helm binary on PATH)";
if (!helm) console.log("test/integration/helm.int.test.ts: skipped: no helm binary on PATH");

const base = mkdtempSync(path.join(os.tmpdir(), "gv-helm-int-"));
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** A repository with one chart (charts/demo) and an environment's values file (env/prod.yaml). */
function repository(): { root: string; chart: string; prodValues: string } {
  const root = mkdtempSync(path.join(base, "repo-"));
  const chart = path.join(root, "charts", "demo");
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  };
  write(path.join(chart, "Chart.yaml"), "apiVersion: v2\nname: demo\nversion: 0.1.0\n");
  write(path.join(chart, "values.yaml"), "greeting: hello\ncolor: red\nsize: small\nflag: false\n");
  write(
    path.join(chart, "templates", "configmap.yaml"),
    [
      "apiVersion: v1",
      "kind: ConfigMap",
      "metadata:",
      "  name: {{ .Release.Name }}-settings",
      "  namespace: {{ .Release.Namespace }}",
      "data:",
      "  greeting: {{ .Values.greeting | quote }}",
      "  color: {{ .Values.color | quote }}",
      "  size: {{ .Values.size | quote }}",
      "  flagKind: {{ kindOf .Values.flag | quote }}",
      "  {{- if .Values.required }}",
      "  required: {{ required \"required.name is required\" .Values.required.name | quote }}",
      "  {{- end }}",
      "",
    ].join("\n"),
  );
  write(
    path.join(chart, "crds", "widgets.yaml"),
    "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\nspec:\n  group: example.com\n  names: {kind: Widget, plural: widgets}\n  scope: Namespaced\n  versions: []\n",
  );
  const prodValues = path.join(root, "env", "prod.yaml");
  write(prodValues, "greeting: hallo\ncolor: green\n");
  return { root, chart, prodValues };
}

function renderer(): HelmRenderer {
  return new HelmRenderer(new NodeExec(), new NodeFiles(), { helmPath: helm!.path, workDir: mkdtempSync(path.join(base, "work-")), timeoutMs: 60_000 });
}

function objects(text: string): Array<Record<string, unknown>> {
  return parseAllDocuments(text)
    .map((document) => document.toJS() as Record<string, unknown> | null)
    .filter((object): object is Record<string, unknown> => object !== null);
}

const request = (repo: ReturnType<typeof repository>, extra: Partial<HelmTemplateRequest> = {}): HelmTemplateRequest => ({
  releaseName: "demo",
  namespace: "team-a",
  chart: { type: "directory", dir: repo.chart, root: repo.root },
  valueFiles: [repo.prodValues],
  values: { color: "blue", size: "medium" },
  set: [
    { name: "size", value: "large" },
    { name: "flag", value: "true", forceString: true },
  ],
  includeCRDs: false,
  ...extra,
});

describe(`helm template with the real binary${helm ? ` (${helm.version})` : ""}`, () => {
  it.skipIf(!helm)(`renders .Values and .Release.Namespace: values files, then values, then set${skipped}`, async () => {
    const output = await renderer().render(request(repository()));
    const [configMap, ...rest] = objects(output);
    expect(rest).toEqual([]);
    expect(configMap).toMatchObject({
      kind: "ConfigMap",
      metadata: { name: "demo-settings", namespace: "team-a" },
      data: { greeting: "hallo", color: "blue", size: "large", flagKind: "string" },
    });
  });

  it.skipIf(!helm)(`includes the chart's CRDs only when asked${skipped}`, async () => {
    const repo = repository();
    const helmRenderer = renderer();
    const kinds = async (includeCRDs: boolean) => objects(await helmRenderer.render(request(repo, { includeCRDs }))).map((object) => object.kind);
    expect(await kinds(true)).toEqual(["CustomResourceDefinition", "ConfigMap"]);
    expect(await kinds(false)).toEqual(["ConfigMap"]);
  });

  it.skipIf(!helm)(`a template error is a RenderFailure naming the chart, with helm's message${skipped}`, async () => {
    const error = await renderer()
      .render(request(repository(), { values: { required: { other: 1 } } }))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RenderFailure);
    expect((error as RenderFailure).message).toMatch(/^chart demo 0\.1\.0 \(charts\/demo\): .*required\.name is required/);
  });

  it.skipIf(!helm)(`renders the same twice (no state left behind)${skipped}`, async () => {
    const repo = repository();
    const helmRenderer = renderer();
    expect(await helmRenderer.render(request(repo))).toBe(await helmRenderer.render(request(repo)));
  });
});
