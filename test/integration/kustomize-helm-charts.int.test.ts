// kustomize helmCharts: rendered with --enable-helm when helm is on PATH; without it, reported as not rendered
// (not a failure of the change), with the value files still counted as inputs. Real files, real kubectl kustomize.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NodeExec } from "../../src/adapters/node/exec.ts";
import { NodeFiles } from "../../src/adapters/node/files.ts";
import { Revision } from "../../src/app/revision.ts";
import { DEFAULT_CONFIG } from "../../src/config/config.ts";
import { findKustomize, kustomizeArgs, KustomizeRenderer } from "../../src/render/kustomize.ts";
import { TempRepo } from "../helpers/repo.ts";

const files = new NodeFiles();
const exec = new NodeExec();
let repo: TempRepo;
let workDir: string;

beforeAll(async () => {
  repo = TempRepo.fromFiles({
    "monitoring/kustomization.yaml": [
      "helmCharts:",
      "- name: kube-state-metrics",
      "  repo: https://prometheus-community.github.io/helm-charts",
      "  version: 5.15.2",
      "  releaseName: ksm",
      "  valuesFile: values.yaml",
      "  additionalValuesFiles: [extra/values-prod.yaml]",
      "",
    ].join("\n"),
    "monitoring/values.yaml": "replicas: 2\n",
    "monitoring/extra/values-prod.yaml": "replicas: 3\n",
    "plain/kustomization.yaml": "resources: [cm.yaml]\n",
    "plain/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\n",
  });
  workDir = await files.makeTempDir("gv-helm-charts-");
});
afterAll(async () => {
  repo.dispose();
  await files.removeTree(workDir);
});

describe("kustomize helmCharts", () => {
  it("never enables helm unless asked, and then only with an explicit helm command", () => {
    const binary = { kind: "kubectl" as const, path: "/usr/bin/kubectl" };
    expect(kustomizeArgs(binary, "/d")).toEqual(["kustomize", "/d"]);
    expect(kustomizeArgs(binary, "/d", { helmCommand: "/usr/bin/helm" })).toEqual(["kustomize", "--enable-helm", "--helm-command=/usr/bin/helm", "/d"]);
    expect(kustomizeArgs({ kind: "kustomize", path: "/k" }, "/d", { loadRestrictionsNone: true })).toEqual(["build", "--load-restrictor=LoadRestrictionsNone", "/d"]);
  });

  it("without helm: not rendered, with the reason; its value files are inputs", async () => {
    const kustomize = new KustomizeRenderer(exec, files, { binary: await findKustomize(exec, "kubectl"), timeoutMs: 60_000, workDir });
    const revision = await Revision.open(repo.dir, files, DEFAULT_CONFIG, { kustomize, workDir, helmMissing: "no helm binary on PATH" }, { remoteUrls: [] });
    const charts = revision.environments.find((environment) => environment.environment.name === "monitoring")!;
    expect(charts.spec).toEqual({ type: "kustomize", path: "monitoring", helm: true });
    expect([...charts.inputs].sort()).toEqual(["monitoring/extra/values-prod.yaml", "monitoring/kustomization.yaml", "monitoring/values.yaml"]);
    expect(charts.problems).toEqual([]);
    const outcome = await revision.render(charts);
    expect(outcome).toMatchObject({ ok: false, skipped: "no helm binary on PATH" });
    // the other environment renders as usual
    const plain = await revision.render(revision.environments.find((environment) => environment.environment.name === "plain")!);
    expect(plain.ok).toBe(true);
    expect(repo.status()).toBe("");
  });
});
