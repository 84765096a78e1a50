// ConstraintTemplates written in the style of gatekeeper-library (our own, Rego v0, test/fixtures/rego/gatekeeper:
// the library's kinds and parameters, so its constraints apply) evaluated by our Rego evaluator against allowed
// and disallowed objects, as `gator test` runs a template's suite.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Manifest } from "../../src/model.ts";
import { evaluateGatekeeper } from "../../src/policy/gatekeeper/evaluate.ts";
import { findGatekeeperPolicies } from "../../src/policy/gatekeeper/documents.ts";
import { TemplateCache } from "../../src/policy/gatekeeper/template.ts";
import { parseManifests } from "../../src/render/manifests.ts";

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/rego/gatekeeper");

function fromYaml(text: string, file: string): Manifest[] {
  return parseManifests(text, file).map((manifest) => ({ ...manifest, source: { file, line: manifest.rendered.line } }));
}

const template = (name: string) => fromYaml(readFileSync(path.join(FIXTURES, `${name}.yaml`), "utf8"), `policies/${name}.yaml`);
// one cache for the file: each template compiles once for all its cases
const cache = new TemplateCache();

function evaluate(templateName: string, constraint: string, objects: string) {
  const policies = findGatekeeperPolicies([...template(templateName), ...fromYaml(constraint, "policies/constraint.yaml")]);
  const outcome = evaluateGatekeeper(policies, fromYaml(objects, "apps/objects.yaml"), { cache });
  const problems = outcome.findings.filter((finding) => finding.ruleId.startsWith("policy-"));
  expect(problems).toEqual([]);
  return outcome;
}

const pod = (spec: string, name = "pod") => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: shop
spec:
${spec}`;

interface Case {
  name: string;
  template: string;
  constraint: string;
  object: string;
  /** the violation messages (whole, or a RegExp) */
  violations: Array<string | RegExp>;
}

const REQUIRED_LABELS = `apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sRequiredLabels
metadata:
  name: all-must-have-owner
spec:
  match:
    kinds:
      - apiGroups: [""]
        kinds: ["Namespace"]
  parameters:
    message: "All namespaces must have an \`owner\` label that points to your company username"
    labels:
      - key: owner
        allowedRegex: "^[a-zA-Z]+.agilebank.demo$"
`;
const REQUIRED_LABELS_DEFAULT_MESSAGE = `apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sRequiredLabels
metadata:
  name: must-have-team-and-owner
spec:
  match:
    kinds: [{apiGroups: [""], kinds: ["Namespace"]}]
  parameters:
    labels:
      - key: owner
      - key: team
        allowedRegex: "^(shop|ads)$"
`;
const ALLOWED_REPOS = `apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sAllowedRepos
metadata:
  name: repo-is-openpolicyagent
spec:
  match:
    kinds:
      - apiGroups: [""]
        kinds: ["Pod"]
    namespaces: ["shop"]
  parameters:
    repos: ["openpolicyagent/"]
`;
const CONTAINER_LIMITS = `apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sContainerLimits
metadata:
  name: container-must-have-limits
spec:
  match:
    kinds: [{apiGroups: [""], kinds: ["Pod"]}]
  parameters:
    cpu: "200m"
    memory: "1Gi"
    exemptImages: ["ghcr.io/acme/exempt-*"]
`;
const PRIVILEGED = `apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sPSPPrivilegedContainer
metadata:
  name: psp-privileged-container
spec:
  match:
    kinds: [{apiGroups: [""], kinds: ["Pod"]}]
    excludedNamespaces: ["kube-system"]
`;
const HOST_FILESYSTEM = `apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sPSPHostFilesystem
metadata:
  name: psp-host-filesystem
spec:
  match:
    kinds: [{apiGroups: [""], kinds: ["Pod"]}]
  parameters:
    allowedHostPaths:
    - readOnly: true
      pathPrefix: "/foo"
`;
const namespace = (labels: string) => `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: ${labels}
`;
const limitsPod = (limits: string, image = "openpolicyagent/opa:0.9.2") =>
  pod(`  containers:
  - name: opa
    image: ${image}
    resources:
      limits: ${limits}
`);
const hostPathPod = (hostPath: string, readOnly: boolean) =>
  pod(
    `  containers:
  - name: nginx
    image: nginx
    volumeMounts:
    - mountPath: /cache
      name: cache-volume
      readOnly: ${readOnly}
  volumes:
  - name: cache-volume
    hostPath:
      path: ${hostPath}
`,
    "nginx-host-filesystem",
  );

const CASES: Case[] = [
  { name: "requiredlabels: allowed", template: "k8srequiredlabels", constraint: REQUIRED_LABELS, object: namespace("{owner: user.agilebank.demo}"), violations: [] },
  {
    name: "requiredlabels: label missing (the constraint's message)",
    template: "k8srequiredlabels",
    constraint: REQUIRED_LABELS,
    object: namespace("{}"),
    violations: ["All namespaces must have an `owner` label that points to your company username"],
  },
  {
    name: "requiredlabels: value not matching the regex",
    template: "k8srequiredlabels",
    constraint: REQUIRED_LABELS,
    object: namespace("{owner: user}"),
    violations: ["All namespaces must have an `owner` label that points to your company username"],
  },
  { name: "requiredlabels: default message names the missing labels (a set)", template: "k8srequiredlabels", constraint: REQUIRED_LABELS_DEFAULT_MESSAGE, object: namespace("{}"), violations: ['missing required labels: {"owner", "team"}'] },
  {
    name: "requiredlabels: default regex message",
    template: "k8srequiredlabels",
    constraint: REQUIRED_LABELS_DEFAULT_MESSAGE,
    object: namespace("{owner: me, team: infra}"),
    violations: ["label team=infra does not match the pattern ^(shop|ads)$"],
  },
  { name: "requiredlabels: a Pod is not matched", template: "k8srequiredlabels", constraint: REQUIRED_LABELS, object: pod("  containers: []\n"), violations: [] },
  { name: "allowedrepos: allowed", template: "k8sallowedrepos", constraint: ALLOWED_REPOS, object: pod("  containers:\n  - name: opa\n    image: openpolicyagent/opa:0.9.2\n"), violations: [] },
  {
    name: "allowedrepos: container and initContainer from elsewhere",
    template: "k8sallowedrepos",
    constraint: ALLOWED_REPOS,
    object: pod("  initContainers:\n  - name: init\n    image: busybox\n  containers:\n  - name: nginx\n    image: nginx\n"),
    violations: ['container nginx uses image nginx, which is under none of the allowed repos ["openpolicyagent/"]', 'initContainer init uses image busybox, which is under none of the allowed repos ["openpolicyagent/"]'],
  },
  {
    name: "allowedrepos: another namespace is not matched",
    template: "k8sallowedrepos",
    constraint: ALLOWED_REPOS,
    object: pod("  containers:\n  - name: nginx\n    image: nginx\n").replace("namespace: shop", "namespace: ads"),
    violations: [],
  },
  { name: "containerlimits: within the limits", template: "k8scontainerlimits", constraint: CONTAINER_LIMITS, object: limitsPod('{cpu: "100m", memory: "1Gi"}'), violations: [] },
  { name: "containerlimits: cpu above the maximum", template: "k8scontainerlimits", constraint: CONTAINER_LIMITS, object: limitsPod('{cpu: "300m", memory: "512Mi"}'), violations: ["container opa: cpu limit 300m exceeds the maximum 200m"] },
  { name: "containerlimits: memory above the maximum", template: "k8scontainerlimits", constraint: CONTAINER_LIMITS, object: limitsPod('{cpu: "0.1", memory: "2Gi"}'), violations: ["container opa: memory limit 2Gi exceeds the maximum 1Gi"] },
  { name: "containerlimits: no memory limit", template: "k8scontainerlimits", constraint: CONTAINER_LIMITS, object: limitsPod('{cpu: "100m"}'), violations: ["container opa sets no memory limit"] },
  { name: "containerlimits: unparseable cpu", template: "k8scontainerlimits", constraint: CONTAINER_LIMITS, object: limitsPod('{cpu: "lots", memory: "1Gi"}'), violations: ["container opa: cpu limit lots is not a quantity"] },
  {
    name: "containerlimits: no resources at all",
    template: "k8scontainerlimits",
    constraint: CONTAINER_LIMITS,
    object: pod("  containers:\n  - name: opa\n    image: openpolicyagent/opa:0.9.2\n"),
    violations: ["container opa sets no resource limits"],
  },
  { name: "containerlimits: an exempt image (the lib)", template: "k8scontainerlimits", constraint: CONTAINER_LIMITS, object: limitsPod('{cpu: "4"}', "ghcr.io/acme/exempt-tool:1"), violations: [] },
  {
    name: "privileged: not privileged",
    template: "k8spspprivilegedcontainer",
    constraint: PRIVILEGED,
    object: pod("  containers:\n  - name: nginx\n    image: nginx\n    securityContext: {privileged: false}\n"),
    violations: [],
  },
  {
    name: "privileged: a privileged init container",
    template: "k8spspprivilegedcontainer",
    constraint: PRIVILEGED,
    object: pod("  initContainers:\n  - name: setup\n    image: busybox\n    securityContext: {privileged: true}\n  containers:\n  - name: nginx\n    image: nginx\n"),
    violations: ['container setup runs privileged (securityContext {"privileged": true})'],
  },
  {
    name: "privileged: kube-system is excluded",
    template: "k8spspprivilegedcontainer",
    constraint: PRIVILEGED,
    object: pod("  containers:\n  - name: nginx\n    image: nginx\n    securityContext: {privileged: true}\n").replace("namespace: shop", "namespace: kube-system"),
    violations: [],
  },
  { name: "hostfilesystem: an allowed prefix, mounted read-only", template: "k8spsphostfilesystem", constraint: HOST_FILESYSTEM, object: hostPathPod("/foo/bar", true), violations: [] },
  { name: "hostfilesystem: an allowed prefix, mounted writable", template: "k8spsphostfilesystem", constraint: HOST_FILESYSTEM, object: hostPathPod("/foo/bar", false), violations: [/^pod nginx-host-filesystem: hostPath volume cache-volume \(\/foo\/bar\) is not permitted; allowed host paths: \[\{"pathPrefix": "\/foo", "readOnly": true\}\]$/] },
  { name: "hostfilesystem: /fool is not under /foo", template: "k8spsphostfilesystem", constraint: HOST_FILESYSTEM, object: hostPathPod("/fool", true), violations: [/hostPath volume cache-volume \(\/fool\) is not permitted/] },
];

describe("templates in the style of gatekeeper-library", () => {
  it.each(CASES)("$name", ({ template: name, constraint, object, violations }) => {
    const outcome = evaluate(name, constraint, object);
    const failures = outcome.results.filter((result) => result.result === "fail").map((result) => result.message);
    expect(failures.sort()).toEqual(violations.map((violation) => (typeof violation === "string" ? violation : expect.stringMatching(violation))).sort());
    expect(outcome.results.filter((result) => result.result === "error")).toEqual([]);
    // a matched object that passes has one pass result
    if (violations.length === 0) expect(outcome.results.every((result) => result.result === "pass")).toBe(true);
    expect(outcome.findings.filter((finding) => finding.severity === "error")).toHaveLength(violations.length);
  });
});
