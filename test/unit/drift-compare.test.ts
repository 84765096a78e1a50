// Drift of one environment: a table of named cases, each with the desired, live and (when the server could
// say) dry-run objects, and what compareDrift must report.
import { Buffer } from "node:buffer";
import { describe, expect, it } from "vitest";
import { compareDrift, type DriftInput } from "../../src/drift/compare.ts";
import type { DriftIgnoreRule } from "../../src/drift/ignore.ts";
import { groupOf, objectKey, type DriftedObject, type KubeObject, type Manifest } from "../../src/model.ts";

const FINGERPRINT_KEY = "drift-test-key";
const FIELD_MANAGER = "gitops-verify";

type Fields = Record<string, unknown>;

function manifest(object: KubeObject, file = "apps/shop/objects.yaml"): Manifest {
  const metadata = object.metadata as Fields;
  const { group, version } = groupOf(object.apiVersion as string);
  return {
    object,
    id: { group, version, kind: object.kind as string, namespace: (metadata.namespace as string | undefined) ?? "", name: metadata.name as string },
    rendered: { index: 0, line: 1 },
    source: { file, line: 1 },
  };
}

/** The Deployment as Git writes it. */
function desiredDeployment(overrides: { replicas?: number; image?: string; cpu?: unknown; annotations?: Fields } = {}): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "api", namespace: "shop", labels: { app: "api" }, ...(overrides.annotations ? { annotations: overrides.annotations } : {}) },
    spec: {
      replicas: overrides.replicas ?? 3,
      selector: { matchLabels: { app: "api" } },
      template: {
        metadata: { labels: { app: "api" } },
        spec: { containers: [{ name: "app", image: overrides.image ?? "registry.example/api:1.0", resources: { limits: { cpu: overrides.cpu ?? "500m", memory: "256Mi" } } }] },
      },
    },
  };
}

/** What the server makes of it: defaults, status, server metadata, managed fields; `edit` changes it further. */
function serverDeployment(options: {
  replicas?: number;
  image?: string;
  cpu?: unknown;
  annotations?: Fields;
  managedFields?: Fields[];
  sidecar?: boolean;
} = {}): KubeObject {
  const base = desiredDeployment({ replicas: options.replicas, image: options.image, cpu: options.cpu ?? "500m" });
  const spec = base.spec as Fields;
  const podSpec = (spec.template as Fields).spec as Fields;
  const app = { ...(podSpec.containers as Fields[])[0], imagePullPolicy: "IfNotPresent", terminationMessagePath: "/dev/termination-log", ports: [{ containerPort: 8080, protocol: "TCP" }] };
  const sidecar = { name: "istio-proxy", image: "istio/proxyv2:1.20", imagePullPolicy: "IfNotPresent" };
  return {
    ...base,
    metadata: {
      ...(base.metadata as Fields),
      uid: "5c1d0e5e-0000-4000-8000-000000000001",
      resourceVersion: "48213",
      generation: 7,
      creationTimestamp: "2024-05-01T10:00:00Z",
      annotations: { "deployment.kubernetes.io/revision": "4", ...(options.annotations ?? {}) },
      managedFields: options.managedFields ?? [gitopsVerifyFields()],
    },
    spec: {
      ...spec,
      progressDeadlineSeconds: 600,
      revisionHistoryLimit: 10,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
      template: {
        ...(spec.template as Fields),
        spec: { ...podSpec, containers: options.sidecar ? [sidecar, app] : [app], dnsPolicy: "ClusterFirst", restartPolicy: "Always", schedulerName: "default-scheduler" },
      },
    },
    status: { replicas: options.replicas ?? 3, readyReplicas: options.replicas ?? 3, observedGeneration: 7 },
  };
}

function gitopsVerifyFields(): Fields {
  return {
    manager: FIELD_MANAGER,
    operation: "Apply",
    apiVersion: "apps/v1",
    fieldsV1: {
      "f:metadata": { "f:labels": { "f:app": {} } },
      "f:spec": {
        "f:replicas": {},
        "f:selector": {},
        "f:template": { "f:metadata": { "f:labels": { "f:app": {} } }, "f:spec": { "f:containers": { 'k:{"name":"app"}': { ".": {}, "f:image": {}, "f:name": {}, "f:resources": {} } } } },
      },
    },
  };
}

function kubectlEdit(fieldsV1: Fields): Fields {
  return { manager: "kubectl-edit", operation: "Update", apiVersion: "apps/v1", time: "2024-05-02T08:00:00Z", fieldsV1 };
}

function secret(values: { data?: Fields; stringData?: Fields }, extra: Fields = {}): KubeObject {
  return { apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: "shop", ...extra }, type: "Opaque", ...values };
}

const b64 = (text: string) => Buffer.from(text).toString("base64");

interface Case {
  name: string;
  desired: KubeObject[];
  live: KubeObject[];
  predicted?: KubeObject[];
  extras?: KubeObject[];
  ignore?: DriftIgnoreRule[];
  expected: { changes: Array<[DriftedObject["change"], string]>; inSync: number; managers?: string[]; patchHas?: string[]; patchLacks?: string[] };
}

function run(testCase: Pick<Case, "desired" | "live" | "predicted" | "extras" | "ignore">) {
  const desired = testCase.desired.map((object) => manifest(object));
  const byKey = (objects: KubeObject[]) => new Map(objects.map((object) => [objectKey(manifest(object).id), object]));
  const input: DriftInput = {
    desired,
    live: byKey(testCase.live),
    predicted: byKey(testCase.predicted ?? []),
    extras: testCase.extras ?? [],
    ignore: testCase.ignore ?? [],
    fingerprintKey: FINGERPRINT_KEY,
    fieldManager: FIELD_MANAGER,
  };
  return compareDrift(input);
}

const cases: Case[] = [
  {
    name: "hand edit of replicas by kubectl-edit is changed and names the manager",
    desired: [desiredDeployment()],
    live: [serverDeployment({ replicas: 5, managedFields: [gitopsVerifyFields(), kubectlEdit({ "f:spec": { "f:replicas": {} } })] })],
    predicted: [serverDeployment({ replicas: 3 })],
    expected: { changes: [["changed", "Deployment shop/api"]], inSync: 0, managers: ["kubectl-edit"], patchHas: ["-  replicas: 5", "+  replicas: 3"], patchLacks: ["uid", "resourceVersion", "status", "managedFields", "deployment.kubernetes.io/revision"] },
  },
  {
    name: "a defaulted field (strategy, in the dry run and live) is in sync",
    desired: [desiredDeployment()],
    live: [serverDeployment()],
    predicted: [serverDeployment()],
    expected: { changes: [], inSync: 1 },
  },
  {
    name: "an annotation another tool added, which Git does not set, is in sync",
    desired: [desiredDeployment()],
    live: [serverDeployment({ annotations: { "reloader.stakater.com/last-reloaded": "2024-05-02" } })],
    predicted: [serverDeployment({ annotations: { "reloader.stakater.com/last-reloaded": "2024-05-02" } })],
    expected: { changes: [], inSync: 1 },
  },
  {
    name: "an annotation another tool added is in sync without a dry run too",
    desired: [desiredDeployment()],
    live: [serverDeployment({ annotations: { "reloader.stakater.com/last-reloaded": "2024-05-02" } })],
    expected: { changes: [], inSync: 1 },
  },
  {
    name: "missing: Git has it, the cluster does not",
    desired: [desiredDeployment()],
    live: [],
    expected: { changes: [["missing", "Deployment shop/api"]], inSync: 0, patchHas: ["--- /dev/null", "+++ git/apps/Deployment/shop/api", "+  replicas: 3"] },
  },
  {
    name: "extra: the environment owns it, Git no longer has it",
    desired: [desiredDeployment()],
    live: [serverDeployment()],
    predicted: [serverDeployment()],
    extras: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "old-settings", namespace: "shop", uid: "x", resourceVersion: "1" }, data: { mode: "legacy" } }],
    expected: { changes: [["extra", "ConfigMap shop/old-settings"]], inSync: 1, patchHas: ["--- live/ConfigMap/shop/old-settings", "+++ /dev/null", "-  mode: legacy"], patchLacks: ["uid"] },
  },
  {
    name: "an ignore rule removes a drift",
    desired: [desiredDeployment()],
    live: [serverDeployment({ replicas: 5, managedFields: [gitopsVerifyFields(), { manager: "kube-controller-manager", operation: "Update", fieldsV1: { "f:spec": { "f:replicas": {} } } }] })],
    predicted: [serverDeployment({ replicas: 3 })],
    ignore: [{ group: "apps", kind: "Deployment", name: "a*", jsonPointers: ["/spec/replicas"] }],
    expected: { changes: [], inSync: 1 },
  },
  {
    name: "subset mode (no dry run): a field Git sets with another value live is changed, and the patch shows only Git's fields",
    desired: [desiredDeployment({ image: "registry.example/api:1.1" })],
    live: [serverDeployment({ image: "registry.example/api:1.0", managedFields: [gitopsVerifyFields(), kubectlEdit({ "f:spec": { "f:template": { "f:spec": { "f:containers": { 'k:{"name":"app"}': { "f:image": {} } } } } } })] })],
    expected: {
      changes: [["changed", "Deployment shop/api"]],
      inSync: 0,
      managers: ["kubectl-edit"],
      patchHas: ["-      - image: registry.example/api:1.0", "+      - image: registry.example/api:1.1"],
      patchLacks: ["strategy", "imagePullPolicy", "dnsPolicy", "revisionHistoryLimit", "status"],
    },
  },
  {
    name: "subset mode: server defaults and a quantity written another way (1 and 1000m) are in sync",
    desired: [desiredDeployment({ cpu: 1 })],
    live: [serverDeployment({ cpu: "1000m" })],
    expected: { changes: [], inSync: 1 },
  },
  {
    name: "subset mode: containers are matched by name, an injected sidecar is not drift",
    desired: [desiredDeployment()],
    live: [serverDeployment({ sidecar: true })],
    expected: { changes: [], inSync: 1 },
  },
  {
    name: "subset mode: a container changed behind an injected sidecar is found by name",
    desired: [desiredDeployment({ image: "registry.example/api:2.0" })],
    live: [serverDeployment({ sidecar: true, managedFields: [gitopsVerifyFields(), { manager: "argocd-controller", operation: "Update", fieldsV1: { "f:spec": { "f:template": { "f:spec": { "f:containers": { 'k:{"name":"app"}': { "f:image": {} } } } } } } }] })],
    expected: { changes: [["changed", "Deployment shop/api"]], inSync: 0, managers: ["argocd-controller"], patchHas: ["+      - image: registry.example/api:2.0"], patchLacks: ["istio"] },
  },
  {
    name: "subset mode: a list of plain values with one more item live is drift",
    desired: [{ apiVersion: "v1", kind: "Pod", metadata: { name: "job", namespace: "shop" }, spec: { containers: [{ name: "app", image: "app:1", args: ["--a"] }] } }],
    live: [{ apiVersion: "v1", kind: "Pod", metadata: { name: "job", namespace: "shop" }, spec: { containers: [{ name: "app", image: "app:1", args: ["--a", "--b"] }] } }],
    expected: { changes: [["changed", "Pod shop/job"]], inSync: 0, patchHas: ["-    - --b"] },
  },
  {
    name: "subset mode: a limit changed live (500m to 1) is drift",
    desired: [desiredDeployment({ cpu: "500m" })],
    live: [serverDeployment({ cpu: "1" })],
    expected: { changes: [["changed", "Deployment shop/api"]], inSync: 0, patchHas: ['-            cpu: "1"', "+            cpu: 500m"] },
  },
  {
    name: "subset mode: a Secret written with stringData in Git and data live is in sync",
    desired: [secret({ stringData: { password: "s3cr3t-value" } })],
    live: [secret({ data: { password: b64("s3cr3t-value"), extra: b64("added-by-operator") } }, { uid: "1" })],
    expected: { changes: [], inSync: 1 },
  },
  {
    name: "Namespaces first, then by kind, namespace and name",
    desired: [
      desiredDeployment(),
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "b", namespace: "shop" }, data: { a: "1" } },
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } },
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", namespace: "shop" }, data: { a: "1" } },
    ],
    live: [],
    expected: { changes: [["missing", "Namespace shop"], ["missing", "ConfigMap shop/a"], ["missing", "ConfigMap shop/b"], ["missing", "Deployment shop/api"]], inSync: 0 },
  },
];

describe("compareDrift", () => {
  it.each(cases)("$name", (testCase) => {
    const result = run(testCase);
    const label = (object: DriftedObject) => (object.id.namespace ? `${object.id.kind} ${object.id.namespace}/${object.id.name}` : `${object.id.kind} ${object.id.name}`);
    expect(result.objects.map((object) => [object.change, label(object)])).toEqual(testCase.expected.changes);
    expect(result.inSync).toBe(testCase.expected.inSync);
    if (testCase.expected.managers) expect(result.objects[0]?.managers).toEqual(testCase.expected.managers);
    const patches = result.objects.map((object) => object.patch).join("\n");
    for (const text of testCase.expected.patchHas ?? []) expect(patches).toContain(text);
    for (const text of testCase.expected.patchLacks ?? []) expect(patches).not.toContain(text);
    for (const object of result.objects) {
      expect(object.linesAdded + object.linesRemoved).toBeGreaterThan(0);
      if (object.change !== "extra") expect(object.source).toEqual({ file: "apps/shop/objects.yaml", line: 1 });
    }
  });

  it("leaves our own field manager out of the managers", () => {
    const live = serverDeployment({ replicas: 5, managedFields: [gitopsVerifyFields(), kubectlEdit({ "f:spec": { "f:replicas": {} } })] });
    const result = run({ desired: [desiredDeployment()], live: [live], predicted: [serverDeployment({ replicas: 3 })] });
    expect(result.objects[0]!.managers).toEqual(["kubectl-edit"]);
    const ownOnly = run({ desired: [desiredDeployment()], live: [serverDeployment({ replicas: 5 })], predicted: [serverDeployment({ replicas: 3 })] });
    expect(ownOnly.objects[0]).not.toHaveProperty("managers");
  });

  describe("a Secret whose value was changed live", () => {
    const gitValue = "correct-horse-battery-staple";
    const liveValue = "tr0ub4dor&3-hand-edited";
    const lastApplied = JSON.stringify({ apiVersion: "v1", kind: "Secret", data: { password: b64(liveValue) }, stringData: { token: liveValue } });
    const live = secret(
      { data: { password: b64(liveValue), username: b64("shop-db-user") } },
      { annotations: { "kubectl.kubernetes.io/last-applied-configuration": lastApplied }, managedFields: [{ manager: "kubectl-client-side-apply", operation: "Update", fieldsV1: { "f:data": { "f:password": {} } } }] },
    );
    const desired = secret({ stringData: { password: gitValue, username: "shop-db-user" } });
    const predicted = secret({ data: { password: b64(gitValue), username: b64("shop-db-user") } }, { uid: "1" });

    it.each([
      { mode: "with a dry run", predicted: [predicted] },
      { mode: "without a dry run", predicted: [] },
    ])("shows secretKeys and no value anywhere ($mode)", ({ predicted: dryRun }) => {
      const result = run({ desired: [desired], live: [live], predicted: dryRun });
      expect(result.objects).toHaveLength(1);
      const [object] = result.objects;
      expect(object!.change).toBe("changed");
      expect(object!.managers).toEqual(["kubectl-client-side-apply"]);
      expect(object!.secretKeys).toEqual([
        {
          key: "password",
          change: "changed",
          before: { length: liveValue.length, fingerprint: expect.stringMatching(/^[0-9a-f]{8}$/) },
          after: { length: gitValue.length, fingerprint: expect.stringMatching(/^[0-9a-f]{8}$/) },
        },
      ]);
      expect(object!.patch).toMatch(/<secret: \d+ bytes, fp [0-9a-f]{8}>/);
      const everything = JSON.stringify(result);
      for (const value of [gitValue, liveValue, "shop-db-user", b64(gitValue), b64(liveValue), b64("shop-db-user"), "tr0ub4dor", "correct-horse"]) {
        expect(everything).not.toContain(value);
      }
    });

    it("a missing Secret shows its keys as added, values masked", () => {
      const result = run({ desired: [desired], live: [] });
      expect(result.objects[0]!.secretKeys?.map((key) => [key.key, key.change])).toEqual([
        ["password", "added"],
        ["username", "added"],
      ]);
      expect(JSON.stringify(result)).not.toContain(gitValue);
      expect(JSON.stringify(result)).not.toContain(b64(gitValue));
    });

    it("an extra Secret shows its keys as removed, values masked", () => {
      const result = run({ desired: [], live: [], extras: [live] });
      expect(result.objects[0]!.change).toBe("extra");
      expect(result.objects[0]!.secretKeys?.map((key) => key.change)).toEqual(["removed", "removed"]);
      const everything = JSON.stringify(result);
      for (const value of [liveValue, b64(liveValue), "shop-db-user", b64("shop-db-user")]) expect(everything).not.toContain(value);
    });
  });

  it("does not modify its inputs", () => {
    const desired = [desiredDeployment()];
    const live = [serverDeployment({ replicas: 5 })];
    const predicted = [serverDeployment()];
    const copies = structuredClone({ desired, live, predicted });
    run({ desired, live, predicted, ignore: [{ jsonPointers: ["/spec/replicas"] }] });
    expect({ desired, live, predicted }).toEqual(copies);
  });

  it("an extra that Git still has (a caller's slip) is compared once, as a desired object", () => {
    const result = run({ desired: [desiredDeployment()], live: [serverDeployment()], predicted: [serverDeployment()], extras: [serverDeployment()] });
    expect(result).toEqual({ objects: [], inSync: 1 });
  });
});
