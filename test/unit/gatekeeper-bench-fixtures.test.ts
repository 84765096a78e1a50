// The 30 ConstraintTemplates of the Gatekeeper benchmark (bench/fixtures/gatekeeper): every one compiles, and each,
// with its own Constraint, passes an object it allows and fires on one it forbids.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compileTemplate, evaluateGatekeeper, findGatekeeperPolicies, type GatekeeperPolicySet } from "../../src/policy/gatekeeper/index.ts";
import { parseManifests } from "../../src/render/manifests.ts";

const FIXTURES = path.join(import.meta.dirname, "..", "..", "bench", "fixtures", "gatekeeper");
const files = readdirSync(FIXTURES).filter((file) => file.endsWith(".yaml")).sort();
const sets = new Map<string, GatekeeperPolicySet>(
  files.map((file) => [file.replace(/\.yaml$/, ""), findGatekeeperPolicies(parseManifests(readFileSync(path.join(FIXTURES, file), "utf8"), `bench/fixtures/gatekeeper/${file}`))]),
);

type Json = Record<string, unknown>;

const IMAGE = "ghcr.io/example/web:1.4.2";
const DIGEST = `ghcr.io/example/web@sha256:${"ab12".repeat(16)}`;
const container = (extra: Json = {}): Json => ({ name: "app", image: IMAGE, ...extra });
const pod = (spec: Json, metadata: Json = {}): Json => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "web", namespace: "shop", ...metadata }, spec });
const podOf = (containerExtra: Json = {}, specExtra: Json = {}): Json => pod({ containers: [container(containerExtra)], ...specExtra });
const deployment = (podSpec: Json, podMetadata: Json = {}, spec: Json = {}, labels: Json = { "app.kubernetes.io/name": "web", "app.kubernetes.io/part-of": "shop" }): Json => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "shop", labels },
  spec: { replicas: 3, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" }, ...podMetadata }, spec: podSpec }, ...spec },
});
const cronJob = (podSpec: Json): Json => ({
  apiVersion: "batch/v1",
  kind: "CronJob",
  metadata: { name: "nightly", namespace: "shop" },
  spec: { schedule: "0 3 * * *", jobTemplate: { spec: { template: { spec: { restartPolicy: "OnFailure", ...podSpec } } } } },
});
const service = (spec: Json, metadata: Json = {}): Json => ({ apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace: "shop", ...metadata }, spec: { selector: { app: "web" }, ports: [{ name: "http", port: 80 }], ...spec } });
const ingress = (spec: Json, metadata: Json = {}): Json => ({
  apiVersion: "networking.k8s.io/v1",
  kind: "Ingress",
  metadata: { name: "web", namespace: "shop", ...metadata },
  spec,
});
const rule = (host?: string): Json => ({ ...(host !== undefined ? { host } : {}), http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } }] } });
const httpsIngress = (host: string, name = "web", namespace = "shop"): Json =>
  ingress({ tls: [{ hosts: [host], secretName: `${name}-tls` }], rules: [rule(host)] }, { name, namespace, annotations: { "kubernetes.io/ingress.allow-http": "false" } });

interface Case {
  template: string;
  name: string;
  object: Json;
  /** Further objects of the environment (data.inventory). */
  others?: Json[];
  /** The violation's message; none: the object is allowed. */
  violation?: RegExp;
}

const cases: Case[] = [
  { template: "k8srequiredlabels", name: "labelled Deployment", object: deployment({ containers: [container()] }) },
  { template: "k8srequiredlabels", name: "Service without part-of", object: service({}, { labels: { "app.kubernetes.io/name": "web" } }), violation: /lacks the labels app\.kubernetes\.io\/part-of/ },
  { template: "k8srequiredlabels", name: "label value against its pattern", object: deployment({ containers: [container()] }, {}, {}, { "app.kubernetes.io/name": "Web_1", "app.kubernetes.io/part-of": "shop" }), violation: /app\.kubernetes\.io\/name=Web_1 .* does not match/ },

  { template: "k8sallowedrepos", name: "image from an allowed registry", object: podOf() },
  { template: "k8sallowedrepos", name: "Docker Hub image in a Deployment", object: deployment({ containers: [container({ image: "nginx:1.27" })] }), violation: /image nginx:1\.27 is not from an allowed repository/ },
  { template: "k8sallowedrepos", name: "init container of a CronJob", object: cronJob({ initContainers: [{ name: "migrate", image: "quay.io/x/migrate:1" }], containers: [container()] }), violation: /container migrate: image quay\.io/ },

  { template: "k8scontainerlimits", name: "limits within the maximum", object: podOf({ resources: { limits: { cpu: "500m", memory: "512Mi" } } }) },
  { template: "k8scontainerlimits", name: "numeric CPU limit", object: podOf({ resources: { limits: { cpu: 1, memory: "1Gi" } } }) },
  { template: "k8scontainerlimits", name: "no CPU limit", object: deployment({ containers: [container({ resources: { limits: { memory: "256Mi" } } })] }), violation: /container app has no cpu limit/ },
  { template: "k8scontainerlimits", name: "memory limit above the maximum", object: podOf({ resources: { limits: { cpu: "1", memory: "8Gi" } } }), violation: /memory limit 8Gi is above the maximum 4Gi/ },

  { template: "k8scontainerrequests", name: "requests within the maximum", object: podOf({ resources: { requests: { cpu: "100m", memory: "128Mi" } } }) },
  { template: "k8scontainerrequests", name: "no requests", object: podOf(), violation: /container app requests no cpu and memory/ },
  { template: "k8scontainerrequests", name: "CPU request above the maximum", object: podOf({ resources: { requests: { cpu: "2", memory: "128Mi" } } }), violation: /requests 2 cpu, more than 1/ },

  { template: "k8scontainerratios", name: "memory limit twice the request", object: podOf({ resources: { requests: { memory: "128Mi" }, limits: { memory: "256Mi" } } }) },
  { template: "k8scontainerratios", name: "memory limit 8 times the request", object: deployment({ containers: [container({ resources: { requests: { memory: "128Mi" }, limits: { memory: "1Gi" } } })] }), violation: /the memory limit is 8 times the request/ },
  { template: "k8scontainerratios", name: "CPU limit 8 times the request", object: podOf({ resources: { requests: { cpu: "250m" }, limits: { cpu: "2" } } }), violation: /the cpu limit is 8 times the request, more than 4/ },

  { template: "k8spspprivilegedcontainer", name: "unprivileged", object: podOf({ securityContext: { privileged: false } }) },
  { template: "k8spspprivilegedcontainer", name: "exempt image", object: podOf({ image: "registry.example.com/platform/node-agent:2.1", securityContext: { privileged: true } }) },
  { template: "k8spspprivilegedcontainer", name: "privileged", object: deployment({ containers: [container({ securityContext: { privileged: true } })] }), violation: /container app runs privileged/ },

  { template: "k8spsphostfilesystem", name: "read-only log mount", object: podOf({ volumeMounts: [{ name: "logs", mountPath: "/logs", readOnly: true }] }, { volumes: [{ name: "logs", hostPath: { path: "/var/log/pods" } }] }) },
  { template: "k8spsphostfilesystem", name: "writable where allowed", object: podOf({ volumeMounts: [{ name: "state", mountPath: "/state" }] }, { volumes: [{ name: "state", hostPath: { path: "/var/lib/node-agent/cache" } }] }) },
  { template: "k8spsphostfilesystem", name: "path outside the prefixes", object: podOf({}, { volumes: [{ name: "etc", hostPath: { path: "/etc" } }] }), violation: /hostPath volume etc mounts \/etc, outside the allowed paths/ },
  { template: "k8spsphostfilesystem", name: "a prefix is a whole path segment", object: podOf({}, { volumes: [{ name: "logs", hostPath: { path: "/var/logs" } }] }), violation: /outside the allowed paths/ },
  { template: "k8spsphostfilesystem", name: "read-only path mounted writable", object: deployment({ containers: [container({ volumeMounts: [{ name: "logs", mountPath: "/logs" }] })], volumes: [{ name: "logs", hostPath: { path: "/var/log" } }] }), violation: /container app mounts hostPath volume logs \(\/var\/log\) writable/ },

  { template: "k8spsphostnamespace", name: "own namespaces", object: podOf() },
  { template: "k8spsphostnamespace", name: "hostPID", object: deployment({ hostPID: true, containers: [container()] }), violation: /sets hostPID/ },
  { template: "k8spsphostnamespace", name: "hostIPC in a CronJob", object: cronJob({ hostIPC: true, containers: [container()] }), violation: /CronJob nightly sets hostIPC/ },

  { template: "k8spsphostnetworkingports", name: "host port in range", object: podOf({ ports: [{ containerPort: 8080, hostPort: 30050 }] }) },
  { template: "k8spsphostnetworkingports", name: "host network", object: podOf({}, { hostNetwork: true }), violation: /Pod web uses the host network/ },
  { template: "k8spsphostnetworkingports", name: "host port out of range", object: deployment({ containers: [container({ ports: [{ containerPort: 8080, hostPort: 8080 }] })] }), violation: /uses host port 8080, outside 30000-30100/ },

  { template: "k8spspallowprivilegeescalationcontainer", name: "escalation off", object: podOf({ securityContext: { allowPrivilegeEscalation: false } }) },
  { template: "k8spspallowprivilegeescalationcontainer", name: "unset", object: deployment({ containers: [container()] }), violation: /container app may escalate privileges/ },

  { template: "k8spspreadonlyrootfilesystem", name: "read-only root", object: podOf({ securityContext: { readOnlyRootFilesystem: true } }) },
  { template: "k8spspreadonlyrootfilesystem", name: "writable root", object: podOf({ securityContext: { readOnlyRootFilesystem: false } }), violation: /container app has a writable root filesystem/ },

  { template: "k8spspcapabilities", name: "drops ALL", object: podOf({ securityContext: { capabilities: { drop: ["ALL"] } } }) },
  { template: "k8spspcapabilities", name: "adds an allowed one, drops the required", object: podOf({ securityContext: { capabilities: { add: ["NET_BIND_SERVICE"], drop: ["NET_RAW", "SYS_ADMIN"] } } }) },
  { template: "k8spspcapabilities", name: "adds SYS_ADMIN", object: podOf({ securityContext: { capabilities: { add: ["SYS_ADMIN"], drop: ["ALL"] } } }), violation: /adds capabilities that are not allowed: SYS_ADMIN/ },
  { template: "k8spspcapabilities", name: "keeps SYS_ADMIN", object: deployment({ containers: [container({ securityContext: { capabilities: { drop: ["NET_RAW"] } } })] }), violation: /must drop the capabilities SYS_ADMIN/ },

  { template: "k8spspseccomp", name: "pod-level RuntimeDefault", object: deployment({ securityContext: { seccompProfile: { type: "RuntimeDefault" } }, containers: [container()] }) },
  { template: "k8spspseccomp", name: "container Unconfined over the pod's", object: podOf({ securityContext: { seccompProfile: { type: "Unconfined" } } }, { securityContext: { seccompProfile: { type: "RuntimeDefault" } } }), violation: /seccomp profile Unconfined/ },
  { template: "k8spspseccomp", name: "no profile", object: podOf(), violation: /seccomp profile none/ },

  { template: "k8spspprocmount", name: "Default", object: podOf({ securityContext: { procMount: "Default" } }) },
  { template: "k8spspprocmount", name: "Unmasked", object: podOf({ securityContext: { procMount: "Unmasked" } }), violation: /sets procMount Unmasked/ },

  { template: "k8spspvolumetypes", name: "configMap and emptyDir", object: podOf({}, { volumes: [{ name: "config", configMap: { name: "web" } }, { name: "tmp", emptyDir: {} }] }) },
  { template: "k8spspvolumetypes", name: "hostPath", object: deployment({ containers: [container()], volumes: [{ name: "root", hostPath: { path: "/" } }] }), violation: /volume root is of the type hostPath/ },

  { template: "k8spspflexvolumes", name: "approved driver", object: podOf({}, { volumes: [{ name: "data", flexVolume: { driver: "example/lvm" } }] }) },
  { template: "k8spspflexvolumes", name: "other driver", object: podOf({}, { volumes: [{ name: "data", flexVolume: { driver: "vendor/nfs" } }] }), violation: /flexVolume data uses the driver vendor\/nfs/ },

  { template: "k8spspallowedusers", name: "pod runAsNonRoot", object: deployment({ securityContext: { runAsNonRoot: true }, containers: [container()] }) },
  { template: "k8spspallowedusers", name: "container runAsUser 1000", object: podOf({ securityContext: { runAsUser: 1000 } }) },
  { template: "k8spspallowedusers", name: "nothing set", object: podOf(), violation: /container app may run as root/ },
  { template: "k8spspallowedusers", name: "container runAsNonRoot false over the pod's true", object: podOf({ securityContext: { runAsNonRoot: false } }, { securityContext: { runAsNonRoot: true } }), violation: /may run as root/ },

  { template: "k8spspselinux", name: "allowed options", object: podOf({ securityContext: { seLinuxOptions: { type: "container_t", level: "s0:c123,c456" } } }) },
  { template: "k8spspselinux", name: "container type spc_t", object: podOf({ securityContext: { seLinuxOptions: { type: "spc_t" } } }), violation: /container app: seLinuxOptions .* are not allowed/ },
  { template: "k8spspselinux", name: "pod user unconfined_u", object: deployment({ securityContext: { seLinuxOptions: { user: "unconfined_u" } }, containers: [container()] }), violation: /pod seLinuxOptions .* are not allowed/ },

  { template: "k8spspapparmor", name: "runtime/default by annotation", object: deployment({ containers: [container()] }, { annotations: { "container.apparmor.security.beta.kubernetes.io/app": "runtime/default" } }) },
  { template: "k8spspapparmor", name: "Localhost by the securityContext field", object: podOf({ securityContext: { appArmorProfile: { type: "Localhost", localhostProfile: "k8s-web" } } }) },
  { template: "k8spspapparmor", name: "no profile", object: podOf(), violation: /AppArmor profile unset/ },
  { template: "k8spspapparmor", name: "unconfined by annotation", object: pod({ containers: [container()] }, { annotations: { "container.apparmor.security.beta.kubernetes.io/app": "unconfined" } }), violation: /container app runs with the AppArmor profile unconfined/ },
  { template: "k8spspapparmor", name: "pod-level Unconfined", object: podOf({}, { securityContext: { appArmorProfile: { type: "Unconfined" } } }), violation: /AppArmor profile unconfined/ },

  { template: "k8sdisallowedtags", name: "version tag", object: podOf() },
  { template: "k8sdisallowedtags", name: "digest without a tag", object: podOf({ image: DIGEST }) },
  { template: "k8sdisallowedtags", name: "registry with a port", object: podOf({ image: "localhost:5000/web:1.0" }) },
  { template: "k8sdisallowedtags", name: "exempt image", object: podOf({ image: "registry.example.com/tools/debug:latest" }) },
  { template: "k8sdisallowedtags", name: "latest", object: deployment({ containers: [container({ image: "ghcr.io/example/web:latest" })] }), violation: /the image tag latest is not allowed/ },
  { template: "k8sdisallowedtags", name: "no tag", object: podOf({ image: "localhost:5000/web" }), violation: /the image localhost:5000\/web has no tag/ },

  { template: "k8simagedigests", name: "pinned", object: podOf({ image: DIGEST }) },
  { template: "k8simagedigests", name: "exempt prefix", object: podOf({ image: "registry.example.com/sandbox/tool:1" }) },
  { template: "k8simagedigests", name: "tag only", object: deployment({ containers: [container()] }), violation: /the image ghcr\.io\/example\/web:1\.4\.2 is not pinned by digest/ },

  { template: "k8sreplicalimits", name: "3 replicas", object: deployment({ containers: [container()] }) },
  { template: "k8sreplicalimits", name: "1 replica", object: deployment({ containers: [container()] }, {}, { replicas: 1 }), violation: /has 1 replicas, outside the allowed ranges 2-50/ },

  { template: "k8srequiredprobes", name: "both probes", object: podOf({ readinessProbe: { httpGet: { path: "/ready", port: 8080 } }, livenessProbe: { tcpSocket: { port: 8080 } } }) },
  { template: "k8srequiredprobes", name: "no liveness probe", object: deployment({ containers: [container({ readinessProbe: { httpGet: { path: "/ready", port: 8080 } } })] }), violation: /container app has no livenessProbe/ },
  { template: "k8srequiredprobes", name: "a probe without a handler", object: podOf({ readinessProbe: { periodSeconds: 5 }, livenessProbe: { exec: { command: ["true"] } } }), violation: /readinessProbe uses none of the handlers/ },

  { template: "k8sblocknodeport", name: "ClusterIP", object: service({ type: "ClusterIP" }) },
  { template: "k8sblocknodeport", name: "NodePort", object: service({ type: "NodePort" }), violation: /Service web is of type NodePort/ },
  { template: "k8sblocknodeport", name: "a nodePort on a LoadBalancer", object: service({ type: "LoadBalancer", ports: [{ name: "http", port: 80, nodePort: 30080 }] }), violation: /sets nodePort 30080 on the port http/ },

  { template: "k8sblockloadbalancer", name: "LoadBalancer in an exempt namespace", object: service({ type: "LoadBalancer" }, { namespace: "ingress-nginx" }) },
  { template: "k8sblockloadbalancer", name: "LoadBalancer", object: service({ type: "LoadBalancer" }), violation: /Service web in shop is of type LoadBalancer/ },

  { template: "k8sexternalips", name: "allowed external IP", object: service({ externalIPs: ["203.0.113.10"] }) },
  { template: "k8sexternalips", name: "other external IP", object: service({ externalIPs: ["203.0.113.10", "198.51.100.7"] }), violation: /external IPs that are not allowed: 198\.51\.100\.7/ },

  { template: "k8shttpsonly", name: "TLS and HTTP off", object: httpsIngress("web.example.com") },
  { template: "k8shttpsonly", name: "HTTP left on", object: ingress({ tls: [{ hosts: ["web.example.com"] }], rules: [rule("web.example.com")] }), violation: /must set the annotation kubernetes\.io\/ingress\.allow-http/ },
  { template: "k8shttpsonly", name: "no TLS", object: ingress({ rules: [rule("web.example.com")] }, { annotations: { "kubernetes.io/ingress.allow-http": "false" } }), violation: /Ingress web has no TLS section/ },

  { template: "k8sblockwildcardingress", name: "named host", object: httpsIngress("web.example.com") },
  { template: "k8sblockwildcardingress", name: "wildcard host", object: ingress({ rules: [rule("*.example.com")] }), violation: /has a rule for every host \(host "\*\.example\.com"\)/ },
  { template: "k8sblockwildcardingress", name: "rule without a host", object: ingress({ rules: [rule()] }), violation: /has a rule for every host \(host ""\)/ },
  { template: "k8sblockwildcardingress", name: "default backend only", object: ingress({ defaultBackend: { service: { name: "web", port: { number: 80 } } } }), violation: /has only a default backend/ },

  { template: "k8spspautomountserviceaccounttoken", name: "automount off", object: deployment({ automountServiceAccountToken: false, containers: [container()] }) },
  { template: "k8spspautomountserviceaccounttoken", name: "projected token", object: podOf({}, { volumes: [{ name: "token", projected: { sources: [{ serviceAccountToken: { path: "token", audience: "vault" } }] } }] }) },
  { template: "k8spspautomountserviceaccounttoken", name: "unset", object: podOf({}, { serviceAccountName: "web" }), violation: /mounts the token of the service account web/ },

  { template: "k8suniqueingresshost", name: "hosts of its own", object: httpsIngress("web.example.com"), others: [httpsIngress("api.example.com", "api")] },
  { template: "k8suniqueingresshost", name: "host served by another namespace's Ingress", object: httpsIngress("web.example.com"), others: [httpsIngress("web.example.com", "web-2", "other")], violation: /the host web\.example\.com is already served by the Ingress other\/web-2/ },
];

describe("the Gatekeeper benchmark's templates", () => {
  it("are 30, each with one Constraint of its kind, Rego v0 and v1, libs in several", () => {
    expect(sets.size).toBe(30);
    let v1 = 0;
    let withLibs = 0;
    for (const [name, set] of sets) {
      expect(set.templates, name).toHaveLength(1);
      expect(set.constraints, name).toHaveLength(1);
      const text = JSON.stringify(set.templates[0]!.object);
      if (text.includes('"version":"v1"')) v1++;
      if (text.includes('"libs"')) withLibs++;
    }
    expect(v1).toBeGreaterThanOrEqual(5);
    expect(v1).toBeLessThan(15);
    expect(withLibs).toBeGreaterThanOrEqual(2);
  });

  it.each([...sets.keys()])("%s compiles", (name) => {
    const template = compileTemplate(sets.get(name)!.templates[0]!);
    expect(template.problems.filter((problem) => problem.severity === "error")).toEqual([]);
    expect(template.program).toBeDefined();
    expect(template.packagePath).toEqual([name]);
  });

  it("every template has an allowed and a forbidden case", () => {
    for (const name of sets.keys()) {
      expect(cases.some((c) => c.template === name && !c.violation), `${name}: allowed`).toBe(true);
      expect(cases.some((c) => c.template === name && c.violation), `${name}: forbidden`).toBe(true);
    }
  });

  it.each(cases)("$template: $name", ({ template, object, others = [], violation }) => {
    const set = sets.get(template);
    expect(set, template).toBeDefined();
    const manifests = parseManifests([object, ...others].map((o) => JSON.stringify(o)).join("\n---\n"), "case.yaml");
    const outcome = evaluateGatekeeper(set!, manifests);
    expect(outcome.findings.filter((finding) => finding.ruleId === "policy-invalid")).toEqual([]);
    const results = outcome.results.filter((result) => result.manifest === manifests[0]);
    expect(results.filter((result) => result.result === "error")).toEqual([]);
    const violations = results.filter((result) => result.result === "fail" || result.result === "warn").map((result) => result.message);
    if (violation) {
      expect(violations.length, "violations").toBeGreaterThan(0);
      expect(violations.join("\n")).toMatch(violation);
    } else {
      expect(violations).toEqual([]);
      // the constraint matched the object: its template was evaluated and passed
      expect(results.map((result) => result.result)).toEqual(["pass"]);
    }
  });
});
