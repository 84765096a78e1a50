// Checks JSON Schemas cannot express: apimachinery's name and value rules, quantities, duplicates.
import { describe, expect, it } from "vitest";
import { groupOf, type KubeObject, type Manifest } from "../../src/model.ts";
import {
  checkObjects,
  isConfigMapKey,
  isDns1035Label,
  isDns1123Label,
  isDns1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  isValidPathSegmentName,
  parseQuantity,
} from "../../src/schema/checks.ts";

// apimachinery's messages, written out once: the validators must word them exactly so.
const NAME_PART =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035 =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const LABEL_VALUE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const CONFIG_KEY =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";
const FORMAT_WRONG = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const SUFFIX = "unable to parse quantity's suffix";
const NUMERIC = "unable to parse numeric part of quantity";

const a = (n: number) => "a".repeat(n);

describe("isQualifiedName (label and annotation keys)", () => {
  it.each<{ name: string; value: string; reasons: string[] }>([
    { name: "a plain name", value: "app", reasons: [] },
    { name: "a prefixed name", value: "app.kubernetes.io/name", reasons: [] },
    { name: "upper case, '_', '-' and '.' inside the name part", value: "My_App-v1.2", reasons: [] },
    { name: "63 characters", value: a(63), reasons: [] },
    { name: "a 253-character prefix", value: `${a(253)}/x`, reasons: [] },
    { name: "64 characters", value: a(64), reasons: ["name part must be no more than 63 characters"] },
    { name: "empty", value: "", reasons: ["name part must be non-empty", NAME_PART] },
    { name: "a leading dash", value: "-app", reasons: [NAME_PART] },
    { name: "a trailing dot", value: "app.", reasons: [NAME_PART] },
    { name: "a space", value: "my app", reasons: [NAME_PART] },
    { name: "an empty prefix", value: "/app", reasons: ["prefix part must be non-empty"] },
    { name: "an empty name after the prefix", value: "example.com/", reasons: ["name part must be non-empty", NAME_PART] },
    { name: "an upper-case prefix", value: "Example.com/app", reasons: [`prefix part ${SUBDOMAIN}`] },
    { name: "a 254-character prefix", value: `${a(254)}/x`, reasons: ["prefix part must be no more than 253 characters"] },
    {
      name: "two slashes",
      value: "a/b/c",
      reasons: [
        "a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
      ],
    },
  ])("$name", ({ value, reasons }) => {
    expect(isQualifiedName(value)).toEqual(reasons);
  });
});

describe("isValidLabelValue", () => {
  it.each<{ name: string; value: string; reasons: string[] }>([
    { name: "empty", value: "", reasons: [] },
    { name: "upper case and '_'", value: "My_Value", reasons: [] },
    { name: "digits only", value: "12345", reasons: [] },
    { name: "63 characters", value: a(63), reasons: [] },
    { name: "64 characters", value: a(64), reasons: ["must be no more than 63 characters"] },
    { name: "64 characters ending in a dash", value: `${a(63)}-`, reasons: ["must be no more than 63 characters", LABEL_VALUE] },
    { name: "a leading dash", value: "-web", reasons: [LABEL_VALUE] },
    { name: "a trailing underscore", value: "web_", reasons: [LABEL_VALUE] },
    { name: "a slash", value: "a/b", reasons: [LABEL_VALUE] },
    { name: "non-ASCII, counted in bytes as Go does", value: "é".repeat(32), reasons: ["must be no more than 63 characters", LABEL_VALUE] },
  ])("$name", ({ value, reasons }) => {
    expect(isValidLabelValue(value)).toEqual(reasons);
  });
});

describe("isDns1123Subdomain", () => {
  it.each<{ name: string; value: string; reasons: string[] }>([
    { name: "a domain", value: "example.com", reasons: [] },
    { name: "digits first", value: "123-abc.b", reasons: [] },
    { name: "253 characters", value: `${a(63)}.${a(63)}.${a(63)}.${a(61)}`, reasons: [] },
    { name: "254 characters", value: `${a(63)}.${a(63)}.${a(63)}.${a(62)}`, reasons: ["must be no more than 253 characters"] },
    { name: "empty", value: "", reasons: [SUBDOMAIN] },
    { name: "upper case", value: "Example.com", reasons: [SUBDOMAIN] },
    { name: "a leading dash", value: "-example.com", reasons: [SUBDOMAIN] },
    { name: "a trailing dash", value: "example-", reasons: [SUBDOMAIN] },
    { name: "a dash before a dot", value: "example-.com", reasons: [SUBDOMAIN] },
    { name: "two dots", value: "example..com", reasons: [SUBDOMAIN] },
    { name: "an underscore", value: "my_name", reasons: [SUBDOMAIN] },
  ])("$name", ({ value, reasons }) => {
    expect(isDns1123Subdomain(value)).toEqual(reasons);
  });
});

describe("isDns1123Label and isDns1035Label", () => {
  it.each<{ name: string; value: string; label: string[]; dns1035: string[] }>([
    { name: "a name", value: "my-name", label: [], dns1035: [] },
    { name: "digits first", value: "123-abc", label: [], dns1035: [DNS1035] },
    { name: "63 characters", value: a(63), label: [], dns1035: [] },
    { name: "64 characters", value: a(64), label: ["must be no more than 63 characters"], dns1035: ["must be no more than 63 characters"] },
    { name: "empty", value: "", label: [LABEL], dns1035: [DNS1035] },
    { name: "upper case", value: "My-Name", label: [LABEL], dns1035: [DNS1035] },
    { name: "a leading dash", value: "-name", label: [LABEL], dns1035: [DNS1035] },
    { name: "a trailing dash", value: "name-", label: [LABEL], dns1035: [DNS1035] },
    { name: "a dot, said plainly", value: "team.a", label: ["must not contain dots"], dns1035: [DNS1035] },
  ])("$name", ({ value, label, dns1035 }) => {
    expect(isDns1123Label(value)).toEqual(label);
    expect(isDns1035Label(value)).toEqual(dns1035);
  });
});

describe("isConfigMapKey and isValidPathSegmentName", () => {
  it.each<{ name: string; value: string; reasons: string[] }>([
    { name: "a file name", value: "app.properties", reasons: [] },
    { name: "upper case and '_'", value: "KEY_NAME", reasons: [] },
    { name: "253 characters", value: a(253), reasons: [] },
    { name: "254 characters", value: a(254), reasons: ["must be no more than 253 characters"] },
    { name: "a slash", value: "conf/app", reasons: [CONFIG_KEY] },
    { name: "empty", value: "", reasons: [CONFIG_KEY] },
    { name: "'.'", value: ".", reasons: ["must not be '.'"] },
    { name: "'..'", value: "..", reasons: ["must not be '..'"] },
    { name: "starting with '..'", value: "..data", reasons: ["must not start with '..'"] },
  ])("config key: $name", ({ value, reasons }) => {
    expect(isConfigMapKey(value)).toEqual(reasons);
  });

  it.each<{ name: string; value: string; reasons: string[] }>([
    { name: "colons and upper case", value: "system:controller:Token", reasons: [] },
    { name: "'.'", value: ".", reasons: ["may not be '.'"] },
    { name: "a slash and a percent sign", value: "a/b%c", reasons: ["may not contain '/'", "may not contain '%'"] },
  ])("path segment: $name", ({ value, reasons }) => {
    expect(isValidPathSegmentName(value)).toEqual(reasons);
  });
});

describe("parseQuantity", () => {
  it.each<{ name: string; value: string | number; reason?: string }>([
    { name: "milli", value: "100m" },
    { name: "a binary suffix with a fraction", value: "1.5Gi" },
    { name: "a decimal exponent", value: "1e3" },
    { name: "a signed exponent", value: "5E-3" },
    { name: "a fraction", value: "0.1" },
    { name: "a leading plus", value: "+1" },
    { name: "Ki", value: "1Ki" },
    { name: "E alone is exa", value: "1E" },
    { name: "nano, outside the documented grammar but accepted", value: "100n" },
    { name: "a trailing dot", value: "1." },
    { name: "a leading dot", value: ".5" },
    { name: "zero", value: "0" },
    { name: "negative, which the syntax allows", value: "-1" },
    { name: "surrounding spaces, trimmed when the JSON is read", value: " 1Gi " },
    { name: "the number 1", value: 1 },
    { name: "the number 0.5", value: 0.5 },
    { name: "the number 1e21, written 1e+21", value: 1e21 },
    { name: "KiB", value: "1KiB", reason: FORMAT_WRONG },
    { name: "two dots", value: "1.5.5", reason: FORMAT_WRONG },
    { name: "empty", value: "", reason: FORMAT_WRONG },
    { name: "a space before the suffix", value: "1 Gi", reason: FORMAT_WRONG },
    { name: "a unit word", value: "1cpu", reason: FORMAT_WRONG },
    { name: "upper-case K", value: "1K", reason: SUFFIX },
    { name: "lower-case ki", value: "1ki", reason: SUFFIX },
    { name: "mi", value: "1mi", reason: SUFFIX },
    { name: "an exponent without digits", value: "1e", reason: SUFFIX },
    { name: "an exponent beyond int64", value: "1e99999999999999999999", reason: SUFFIX },
    { name: "no digits below nano", value: "e-10", reason: NUMERIC },
    { name: "no digits on the slow binary path", value: "Ei", reason: NUMERIC },
    { name: "a number that is not finite", value: Number.POSITIVE_INFINITY, reason: NUMERIC },
  ])("$name", ({ value, reason }) => {
    expect(parseQuantity(value)).toEqual(reason === undefined ? { ok: true } : { ok: false, reason });
  });
});

/** A Manifest as the renderer makes it: identity from apiVersion, kind and metadata. */
function manifest(object: KubeObject, index = 0, line = 1): Manifest {
  const metadata = (object.metadata ?? {}) as { name?: string; namespace?: string };
  return {
    object,
    id: { ...groupOf(object.apiVersion as string), kind: object.kind as string, namespace: metadata.namespace ?? "", name: metadata.name ?? "" },
    rendered: { index, line },
  };
}

const object = (apiVersion: string, kind: string, name: string, extra: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, ...metadata },
  ...extra,
});

const container = (resources: Record<string, unknown>, name = "app") => ({ name, image: "app:1", resources });
const deployment = (name: string, podSpec: Record<string, unknown>, templateLabels: Record<string, unknown> = { app: name }) =>
  object("apps/v1", "Deployment", name, { spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: templateLabels }, spec: podSpec } } }, { namespace: "apps" });

/** "ruleId severity Kind/name path" for each finding. */
const summary = (manifests: Manifest[]) => checkObjects(manifests).map((f) => `${f.ruleId} ${f.severity} ${f.object.kind}/${f.object.name} ${f.path}`);

describe("checkObjects", () => {
  it.each<{ name: string; objects: KubeObject[]; findings: string[] }>([
    {
      name: "a valid Deployment, Service and ConfigMap",
      objects: [
        deployment("web", {
          containers: [container({ requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: 1, memory: "0.5Gi" } })],
        }),
        object("v1", "Service", "web", {}, { namespace: "apps", labels: { "app.kubernetes.io/name": "web" }, annotations: { "Example.COM/Owner": "team" } }),
        object("v1", "ConfigMap", "web.config", { data: { "app.properties": "x", KEY_NAME: "y" } }, { namespace: "apps" }),
      ],
      findings: [],
    },
    {
      name: "label keys and values",
      objects: [object("v1", "ConfigMap", "c", {}, { labels: { "app.kubernetes.io/name": "c", "bad key": "x", tier: "-web-", "example.com/": "v" } })],
      findings: [
        'label-key-invalid error ConfigMap/c metadata.labels["bad key"]',
        "label-value-invalid error ConfigMap/c metadata.labels.tier",
        'label-key-invalid error ConfigMap/c metadata.labels["example.com/"]',
      ],
    },
    {
      name: "labels of pod templates, the CronJob's job template included",
      objects: [
        deployment("web", { containers: [] }, { app: "web_" }),
        object("batch/v1", "CronJob", "nightly", {
          spec: { schedule: "@daily", jobTemplate: { metadata: { labels: { "job/a/b": "x" } }, spec: { template: { metadata: { labels: { run: "-x" } }, spec: {} } } } },
        }),
      ],
      findings: [
        "label-value-invalid error Deployment/web spec.template.metadata.labels.app",
        'label-key-invalid error CronJob/nightly spec.jobTemplate.metadata.labels["job/a/b"]',
        "label-value-invalid error CronJob/nightly spec.jobTemplate.spec.template.metadata.labels.run",
      ],
    },
    {
      name: "annotation keys are checked lower-cased",
      objects: [object("v1", "ConfigMap", "c", {}, { annotations: { "Example.COM/Owner": "x", "bad key": "y", "/x": "z" } })],
      findings: ['annotation-key-invalid error ConfigMap/c metadata.annotations["bad key"]', 'annotation-key-invalid error ConfigMap/c metadata.annotations["/x"]'],
    },
    {
      name: "annotations of exactly 256 KiB",
      objects: [object("v1", "ConfigMap", "c", {}, { annotations: { note: "x".repeat(256 * 1024 - 4) } })],
      findings: [],
    },
    {
      name: "annotations one byte over 256 KiB, values counted in UTF-8 bytes",
      objects: [object("v1", "ConfigMap", "c", {}, { annotations: { note: "x".repeat(256 * 1024 - 6), other: "é" } })],
      findings: ["annotations-too-large error ConfigMap/c metadata.annotations"],
    },
    {
      name: "names by kind",
      objects: [
        object("v1", "Namespace", "team.a"),
        object("v1", "ConfigMap", "team.a"),
        object("v1", "Service", "Web"),
        object("v1", "Service", "1web"),
        object("apps/v1", "StatefulSet", "db.main"),
        object("apps/v1", "Deployment", "Web"),
        object("apps/v1", "Deployment", "web.v2"),
        object("rbac.authorization.k8s.io/v1", "ClusterRole", "system:controller:Token"),
        object("rbac.authorization.k8s.io/v1", "Role", "a/b"),
        object("batch/v1", "CronJob", a(52)),
        object("batch/v1", "CronJob", a(53)),
        object("example.com/v1", "Widget", "My-Widget"),
        object("v1", "PersistentVolumeClaim", "Data"),
      ],
      findings: [
        "name-invalid error Namespace/team.a metadata.name",
        "name-invalid error Service/Web metadata.name",
        "name-invalid warning Service/1web metadata.name",
        "name-invalid error StatefulSet/db.main metadata.name",
        "name-invalid error Deployment/Web metadata.name",
        "name-not-dns-label warning Deployment/web.v2 metadata.name",
        "name-invalid error Role/a/b metadata.name",
        `name-invalid error CronJob/${a(53)} metadata.name`,
        "name-invalid error Widget/My-Widget metadata.name",
      ],
    },
    {
      name: "namespace names",
      objects: [object("v1", "ConfigMap", "c", {}, { namespace: "Team" }), object("v1", "ConfigMap", "d", {}, { namespace: "team-a" })],
      findings: ["namespace-invalid error ConfigMap/c metadata.namespace"],
    },
    {
      name: "ConfigMap and Secret keys",
      objects: [
        object("v1", "ConfigMap", "c", { data: { "good.key": "", "conf/app": "" }, binaryData: { "..data": "" } }),
        object("v1", "Secret", "s", { data: { ok: "" }, stringData: { "a b": "" } }),
      ],
      findings: [
        'config-key-invalid error ConfigMap/c data["conf/app"]',
        'config-key-invalid error ConfigMap/c binaryData["..data"]',
        'config-key-invalid error Secret/s stringData["a b"]',
      ],
    },
    {
      name: "quantities of containers, init containers and ephemeral containers",
      objects: [
        deployment("web", {
          initContainers: [container({ limits: { cpu: "1.5.5" } })],
          containers: [container({ requests: { cpu: "100m", memory: "1KiB" } }), container({ limits: { "nvidia.com/gpu": "1K" } }, "gpu")],
          ephemeralContainers: [container({ limits: { memory: "-1Gi" } })],
        }),
      ],
      findings: [
        "quantity-invalid error Deployment/web spec.template.spec.initContainers[0].resources.limits.cpu",
        "quantity-invalid error Deployment/web spec.template.spec.containers[0].resources.requests.memory",
        'quantity-invalid error Deployment/web spec.template.spec.containers[1].resources.limits["nvidia.com/gpu"]',
        "quantity-invalid error Deployment/web spec.template.spec.ephemeralContainers[0].resources.limits.memory",
      ],
    },
    {
      name: "a limit below its request, compared exactly across suffixes",
      objects: [
        object("v1", "Pod", "p", {
          spec: {
            containers: [
              container({ requests: { cpu: "2", memory: "1Gi", "ephemeral-storage": 0.5 }, limits: { cpu: "500m", memory: "1024Mi", "ephemeral-storage": "500m" } }),
              container({ requests: { cpu: "1e3", memory: "1.5Gi" }, limits: { cpu: 999, memory: "1536Mi" } }, "b"),
            ],
          },
        }),
      ],
      findings: ["limit-below-request error Pod/p spec.containers[0].resources.requests.cpu", "limit-below-request error Pod/p spec.containers[1].resources.requests.cpu"],
    },
    {
      name: "pod templates of every workload kind",
      objects: [
        object("apps/v1", "StatefulSet", "db", {
          spec: {
            template: { spec: { containers: [container({ limits: { cpu: "x" } })] } },
            volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { resources: { requests: { storage: "5GB" } } } }],
          },
        }),
        object("apps/v1", "DaemonSet", "agent", { spec: { template: { spec: { containers: [container({ limits: { cpu: "x" } })] } } } }),
        object("apps/v1", "ReplicaSet", "rs", { spec: { template: { spec: { containers: [container({ limits: { cpu: "x" } })] } } } }),
        object("batch/v1", "Job", "once", { spec: { template: { spec: { containers: [container({ limits: { cpu: "x" } })] } } } }),
        object("batch/v1", "CronJob", "nightly", { spec: { jobTemplate: { spec: { template: { spec: { containers: [container({ limits: { cpu: "x" } })] } } } } } }),
        object("example.com/v1", "Deployment", "not-apps", { spec: { template: { spec: { containers: [container({ limits: { cpu: "x" } })] } } } }),
      ],
      findings: [
        "quantity-invalid error StatefulSet/db spec.template.spec.containers[0].resources.limits.cpu",
        "quantity-invalid error StatefulSet/db spec.volumeClaimTemplates[0].spec.resources.requests.storage",
        "quantity-invalid error DaemonSet/agent spec.template.spec.containers[0].resources.limits.cpu",
        "quantity-invalid error ReplicaSet/rs spec.template.spec.containers[0].resources.limits.cpu",
        "quantity-invalid error Job/once spec.template.spec.containers[0].resources.limits.cpu",
        "quantity-invalid error CronJob/nightly spec.jobTemplate.spec.template.spec.containers[0].resources.limits.cpu",
      ],
    },
    {
      name: "ResourceQuota, LimitRange and PersistentVolumeClaim quantities",
      objects: [
        object("v1", "ResourceQuota", "q", { spec: { hard: { "requests.cpu": "1K", pods: 10 } } }),
        object("v1", "LimitRange", "l", { spec: { limits: [{ type: "Container", max: { memory: "1KB" }, default: { cpu: "100m" } }] } }),
        object("v1", "PersistentVolumeClaim", "data", { spec: { resources: { requests: { storage: "10 Gi" } } } }),
      ],
      findings: [
        'quantity-invalid error ResourceQuota/q spec.hard["requests.cpu"]',
        "quantity-invalid error LimitRange/l spec.limits[0].max.memory",
        "quantity-invalid error PersistentVolumeClaim/data spec.resources.requests.storage",
      ],
    },
    {
      name: "Flux substitution placeholders are resolved at apply time, not reported",
      objects: [
        object(
          "apps/v1",
          "Deployment",
          "${APP}-web",
          {
            spec: {
              template: {
                metadata: { labels: { app: "${APP_NAME}" } },
                spec: {
                  containers: [container({ requests: { cpu: "${CPU:=2}", memory: "${MEM:=1Gi}" }, limits: { cpu: "1", memory: "${MEMORY_LIMIT}" } })],
                },
              },
            },
          },
          { namespace: "${NAMESPACE}", labels: { "${LABEL_KEY}": "x", tier: "${TIER:-web}" }, annotations: { "${ANNOTATION}": "" } },
        ),
        object("v1", "ConfigMap", "c", { data: { "${KEY}": "" } }),
      ],
      findings: [],
    },
    {
      name: "label values of other types are the schema's to report",
      objects: [object("v1", "ConfigMap", "c", {}, { labels: { version: 1, enabled: true } })],
      findings: [],
    },
    {
      name: "objects without metadata or spec",
      objects: [{ apiVersion: "v1", kind: "ConfigMap" }, { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" }, spec: "broken" }],
      findings: [],
    },
  ])("$name", ({ objects, findings }) => {
    expect(summary(objects.map((item, i) => manifest(item, i)))).toEqual(findings);
  });

  it.each<{ name: string; objects: KubeObject[]; duplicates: string[] }>([
    {
      name: "the same ConfigMap twice",
      objects: [object("v1", "ConfigMap", "c", {}, { namespace: "apps" }), object("v1", "Secret", "c", {}, { namespace: "apps" }), object("v1", "ConfigMap", "c", {}, { namespace: "apps" })],
      duplicates: ["ConfigMap/c 1 (line 1) and 3 (line 21)"],
    },
    {
      name: "a version change is the same object",
      objects: [object("apps/v1", "Deployment", "web", {}, { namespace: "apps" }), object("apps/v1beta2", "Deployment", "web", {}, { namespace: "apps" })],
      duplicates: ["Deployment/web 1 (line 1) and 2 (line 11)"],
    },
    {
      name: "three times is reported twice, each against the first",
      objects: [object("v1", "Namespace", "apps"), object("v1", "Namespace", "apps"), object("v1", "Namespace", "apps")],
      duplicates: ["Namespace/apps 1 (line 1) and 2 (line 11)", "Namespace/apps 1 (line 1) and 3 (line 21)"],
    },
    {
      name: "another namespace, kind or group is another object",
      objects: [
        object("v1", "ConfigMap", "c", {}, { namespace: "a" }),
        object("v1", "ConfigMap", "c", {}, { namespace: "b" }),
        object("v1", "Secret", "c", {}, { namespace: "a" }),
        object("networking.k8s.io/v1", "Ingress", "c", {}, { namespace: "a" }),
        object("extensions/v1beta1", "Ingress", "c", {}, { namespace: "a" }),
      ],
      duplicates: [],
    },
  ])("duplicates: $name", ({ objects, duplicates }) => {
    const found = checkObjects(objects.map((item, i) => manifest(item, i, 1 + i * 10))).filter((f) => f.ruleId === "object-duplicate");
    expect(found.map((f) => `${f.object.kind}/${f.object.name} ${/documents (.*) of the output$/.exec(f.message)?.[1]}`)).toEqual(duplicates);
    expect(found.every((f) => f.severity === "error" && f.path === "metadata.name")).toBe(true);
  });

  it.each<{ name: string; object: KubeObject; message: string }>([
    {
      name: "an invalid label key",
      object: object("v1", "ConfigMap", "c", {}, { labels: { "Example.com/app": "x" } }),
      message: `label key "Example.com/app" is invalid: prefix part ${SUBDOMAIN}`,
    },
    {
      name: "a limit below its request",
      object: object("v1", "Pod", "p", { spec: { containers: [container({ requests: { memory: "2Gi" }, limits: { memory: "1Gi" } })] } }),
      message: "memory request 2Gi must be less than or equal to memory limit of 1Gi",
    },
    {
      name: "a negative quantity",
      object: object("v1", "Pod", "p", { spec: { containers: [container({ requests: { cpu: "-100m" } })] } }),
      message: 'quantity "-100m" is invalid: must be greater than or equal to 0',
    },
    {
      name: "an invalid quantity",
      object: object("v1", "Pod", "p", { spec: { containers: [container({ limits: { memory: "1KiB" } })] } }),
      message: `quantity "1KiB" is invalid: ${FORMAT_WRONG}`,
    },
    {
      name: "a CronJob name over 52 characters",
      object: object("batch/v1", "CronJob", a(53)),
      message: `CronJob name "${a(53)}" is invalid: must be no more than 52 characters (the controller appends an 11-character suffix to Job names)`,
    },
    {
      name: "oversized annotations",
      object: object("v1", "ConfigMap", "c", {}, { annotations: { note: "x".repeat(300_000) } }),
      message: "annotations are too long: keys and values take 300004 bytes, the limit is 262144 (256 KiB)",
    },
  ])("message: $name", ({ object: item, message }) => {
    const [finding] = checkObjects([manifest(item)]);
    expect(finding?.message).toBe(message);
    expect(finding?.object).toEqual(manifest(item).id);
  });

  it("names both positions of a duplicate", () => {
    const manifests = [manifest(object("v1", "ConfigMap", "c", {}, { namespace: "apps" }), 0, 1), manifest(object("v1", "ConfigMap", "c", {}, { namespace: "apps" }), 4, 57)];
    expect(checkObjects(manifests).map((f) => f.message)).toEqual(["ConfigMap apps/c is rendered more than once: documents 1 (line 1) and 5 (line 57) of the output"]);
  });
});
