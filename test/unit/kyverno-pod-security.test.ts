// Tests of Kyverno's validate.podSecurity (src/policy/kyverno/pod-security.ts): the Pod Security Standards checks
// of k8s.io/pod-security-admission (messages as PSA words them) and Kyverno's pkg/pss wrapper (levels, versions,
// exclusions), plus the Kyverno CLI conformance suite test-exceptions/exceptions-3.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { evaluatePodSecurity, type PodSecurityRule } from "../../src/policy/kyverno/pod-security.ts";
import { SHARED } from "../helpers/repo.ts";

type Obj = Record<string, unknown>;

const NGINX = { name: "nginx", image: "nginx" };
/** A container securityContext that satisfies the restricted level on its own. */
const RESTRICTED_SC = { allowPrivilegeEscalation: false, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" }, capabilities: { drop: ["ALL"] } };

function pod(spec: Obj, metadata: Obj = {}): Obj {
  return { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "default", ...metadata }, spec: { containers: [NGINX], ...spec } };
}

function withContainer(container: Obj, spec: Obj = {}, metadata: Obj = {}): Obj {
  return pod({ ...spec, containers: [{ ...NGINX, ...container }] }, metadata);
}

function restrictedContainer(sc: Obj = {}, extra: Obj = {}): Obj {
  return { ...NGINX, ...extra, securityContext: { ...RESTRICTED_SC, ...sc } };
}

function deployment(template: Obj): Obj {
  return { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d", namespace: "default" }, spec: { replicas: 1, template } };
}

function cronJob(template: Obj): Obj {
  return { apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "c" }, spec: { schedule: "* * * * *", jobTemplate: { spec: { template } } } };
}

const BASELINE: PodSecurityRule = { level: "baseline", version: "latest" };
const RESTRICTED: PodSecurityRule = { level: "restricted", version: "latest" };

interface Case {
  name: string;
  object: Obj;
  rule: PodSecurityRule;
  status: "pass" | "fail";
  /** Exact violations, in order, when given. */
  violations?: Array<[control: string, message: string]>;
  /** Controls that must be among the violations, when given. */
  controls?: string[];
}

const CASES: Case[] = [
  // === Baseline
  { name: "a plain Pod passes baseline", object: pod({}), rule: BASELINE, status: "pass", violations: [] },
  {
    name: "Privileged Containers: privileged=true",
    object: withContainer({ securityContext: { privileged: true } }),
    rule: BASELINE,
    status: "fail",
    violations: [["Privileged Containers", 'privileged (container "nginx" must not set securityContext.privileged=true)']],
  },
  {
    name: "Privileged Containers: init containers first, plural",
    object: pod({ initContainers: [{ name: "init", image: "busybox", securityContext: { privileged: true } }], containers: [{ ...NGINX, securityContext: { privileged: true } }] }),
    rule: BASELINE,
    status: "fail",
    violations: [["Privileged Containers", 'privileged (containers "init", "nginx" must not set securityContext.privileged=true)']],
  },
  { name: "Privileged Containers: privileged=false passes", object: withContainer({ securityContext: { privileged: false } }), rule: BASELINE, status: "pass" },
  {
    name: "Host Namespaces: hostNetwork and hostPID",
    object: pod({ hostNetwork: true, hostPID: true, hostIPC: false }),
    rule: BASELINE,
    status: "fail",
    violations: [["Host Namespaces", "host namespaces (hostNetwork=true, hostPID=true)"]],
  },
  {
    name: "Host Namespaces: hostIPC",
    object: pod({ hostIPC: true }),
    rule: BASELINE,
    status: "fail",
    violations: [["Host Namespaces", "host namespaces (hostIPC=true)"]],
  },
  {
    name: "HostProcess: pod-level and container-level",
    object: withContainer({ securityContext: { windowsOptions: { hostProcess: true } } }, { securityContext: { windowsOptions: { hostProcess: true } } }),
    rule: BASELINE,
    status: "fail",
    violations: [["HostProcess", 'hostProcess (pod and container "nginx" must not set securityContext.windowsOptions.hostProcess=true)']],
  },
  {
    name: "Capabilities (baseline): NET_ADMIN and SYS_TIME",
    object: withContainer({ securityContext: { capabilities: { add: ["SYS_TIME", "NET_ADMIN", "CHOWN"] } } }),
    rule: BASELINE,
    status: "fail",
    violations: [["Capabilities", 'non-default capabilities (container "nginx" must not include "NET_ADMIN", "SYS_TIME" in securityContext.capabilities.add)']],
  },
  { name: "Capabilities (baseline): the default set passes", object: withContainer({ securityContext: { capabilities: { add: ["CHOWN", "KILL", "NET_BIND_SERVICE"] } } }), rule: BASELINE, status: "pass" },
  {
    name: "HostPath Volumes",
    object: pod({ volumes: [{ name: "data", emptyDir: {} }, { name: "host", hostPath: { path: "/var/lib" } }] }),
    rule: BASELINE,
    status: "fail",
    violations: [["HostPath Volumes", 'hostPath volumes (volume "host")']],
  },
  {
    name: "Host Ports: one port",
    object: withContainer({ ports: [{ containerPort: 80 }, { containerPort: 8080, hostPort: 8080 }] }),
    rule: BASELINE,
    status: "fail",
    violations: [["Host Ports", 'hostPort (container "nginx" uses hostPort 8080)']],
  },
  {
    name: "Host Ports: two containers, ports sorted as strings",
    object: pod({ containers: [{ ...NGINX, ports: [{ containerPort: 80, hostPort: 80 }] }, { name: "side", image: "side", ports: [{ containerPort: 9000, hostPort: 10000 }] }] }),
    rule: BASELINE,
    status: "fail",
    violations: [["Host Ports", 'hostPort (containers "nginx", "side" use hostPorts 10000, 80)']],
  },
  { name: "Host Ports: hostPort 0 passes", object: withContainer({ ports: [{ containerPort: 80, hostPort: 0 }] }), rule: BASELINE, status: "pass" },
  {
    name: "AppArmor: unconfined annotation",
    object: pod({}, { annotations: { "container.apparmor.security.beta.kubernetes.io/nginx": "unconfined" } }),
    rule: BASELINE,
    status: "fail",
    violations: [["AppArmor", 'forbidden AppArmor profile (annotation must not set AppArmor profile type to "container.apparmor.security.beta.kubernetes.io/nginx="unconfined"")']],
  },
  {
    name: "AppArmor: Unconfined appArmorProfile on a container",
    object: withContainer({ securityContext: { appArmorProfile: { type: "Unconfined" } } }),
    rule: BASELINE,
    status: "fail",
    violations: [["AppArmor", 'forbidden AppArmor profile (container "nginx" must not set AppArmor profile type to "Unconfined")']],
  },
  {
    name: "AppArmor: runtime/default and localhost/* annotations pass",
    object: pod(
      { containers: [NGINX, { name: "b", image: "b" }] },
      { annotations: { "container.apparmor.security.beta.kubernetes.io/nginx": "runtime/default", "container.apparmor.security.beta.kubernetes.io/b": "localhost/mine" } },
    ),
    rule: BASELINE,
    status: "pass",
  },
  {
    name: "SELinux: a forbidden pod type",
    object: pod({ securityContext: { seLinuxOptions: { type: "spc_t" } } }),
    rule: BASELINE,
    status: "fail",
    violations: [["SELinux", 'seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: type "spc_t")']],
  },
  {
    name: "SELinux: a container sets user and role",
    object: withContainer({ securityContext: { seLinuxOptions: { type: "container_t", user: "system_u", role: "object_r" } } }),
    rule: BASELINE,
    status: "fail",
    violations: [["SELinux", 'seLinuxOptions (container "nginx" set forbidden securityContext.seLinuxOptions: user may not be set; role may not be set)']],
  },
  { name: "SELinux: container_engine_t is allowed at latest (v1.31+)", object: pod({ securityContext: { seLinuxOptions: { type: "container_engine_t" } } }), rule: BASELINE, status: "pass" },
  {
    name: "SELinux: container_engine_t is forbidden at v1.30",
    object: pod({ securityContext: { seLinuxOptions: { type: "container_engine_t" } } }),
    rule: { level: "baseline", version: "v1.30" },
    status: "fail",
    controls: ["SELinux"],
  },
  {
    name: "/proc Mount Type: Unmasked",
    object: withContainer({ securityContext: { procMount: "Unmasked" } }),
    rule: BASELINE,
    status: "fail",
    violations: [["/proc Mount Type", 'procMount (container "nginx" must not set securityContext.procMount to "Unmasked")']],
  },
  { name: "/proc Mount Type: Default passes", object: withContainer({ securityContext: { procMount: "Default" } }), rule: BASELINE, status: "pass" },
  {
    name: "Seccomp (baseline): Unconfined on the pod",
    object: pod({ securityContext: { seccompProfile: { type: "Unconfined" } } }),
    rule: BASELINE,
    status: "fail",
    violations: [["Seccomp", 'seccompProfile (pod must not set securityContext.seccompProfile.type to "Unconfined")']],
  },
  { name: "Seccomp (baseline): no profile passes", object: pod({}), rule: BASELINE, status: "pass" },
  {
    name: "Seccomp (baseline): the alpha annotation is checked at v1.18",
    object: pod({}, { annotations: { "seccomp.security.alpha.kubernetes.io/pod": "unconfined" } }),
    rule: { level: "baseline", version: "v1.18" },
    status: "fail",
    violations: [["Seccomp", 'seccompProfile (forbidden annotation seccomp.security.alpha.kubernetes.io/pod="unconfined")']],
  },
  { name: "Seccomp (baseline): the alpha annotation is not checked at latest", object: pod({}, { annotations: { "seccomp.security.alpha.kubernetes.io/pod": "unconfined" } }), rule: BASELINE, status: "pass" },
  {
    name: "Sysctls: an unsafe sysctl",
    object: pod({ securityContext: { sysctls: [{ name: "kernel.shm_rmid_forced", value: "1" }, { name: "kernel.msgmax", value: "1" }] } }),
    rule: BASELINE,
    status: "fail",
    violations: [["Sysctls", "forbidden sysctls (kernel.msgmax)"]],
  },
  { name: "Sysctls: net.ipv4.tcp_rmem is safe at latest (v1.32+)", object: pod({ securityContext: { sysctls: [{ name: "net.ipv4.tcp_rmem", value: "4096 87380 16777216" }] } }), rule: BASELINE, status: "pass" },
  {
    name: "Sysctls: under v1.29 Kyverno also runs the v1.0 check, so tcp_keepalive_time fails (once in the report)",
    object: pod({ securityContext: { sysctls: [{ name: "net.ipv4.tcp_keepalive_time", value: "100" }] } }),
    rule: { level: "baseline", version: "v1.29" },
    status: "fail",
    violations: [["Sysctls", "forbidden sysctls (net.ipv4.tcp_keepalive_time)"]],
  },
  {
    name: "Host Probes / Lifecycle Hooks: hosts in a probe and a preStop hook (v1.34+)",
    object: pod({
      containers: [
        { ...NGINX, livenessProbe: { httpGet: { host: "10.0.0.1", port: 80 } } },
        { name: "a", image: "a", lifecycle: { preStop: { tcpSocket: { host: "example.com", port: 1 } } }, readinessProbe: { httpGet: { host: "", port: 80 } } },
      ],
    }),
    rule: BASELINE,
    status: "fail",
    violations: [["Host Probes / Lifecycle Hooks", 'probe or lifecycle host (containers "a", "nginx" use probe or lifecycle hosts "10.0.0.1", "example.com")']],
  },
  { name: "Host Probes / Lifecycle Hooks: not checked at v1.33", object: withContainer({ livenessProbe: { httpGet: { host: "10.0.0.1", port: 80 } } }), rule: { level: "baseline", version: "v1.33" }, status: "pass" },
  {
    name: "exclude Host Probes / Lifecycle Hooks for a host value",
    object: withContainer({ livenessProbe: { httpGet: { host: "10.0.0.1", port: 80 } } }),
    rule: { ...BASELINE, exclude: [{ controlName: "Host Probes / Lifecycle Hooks", images: ["nginx"], restrictedField: "spec.containers[*].livenessProbe.httpGet.host", values: ["10.0.0.*"] }] },
    status: "pass",
  },
  { name: "baseline ignores the restricted controls", object: withContainer({ securityContext: { runAsUser: 0, allowPrivilegeEscalation: true } }), rule: BASELINE, status: "pass" },
  { name: "privileged level allows everything", object: pod({ hostNetwork: true, containers: [{ ...NGINX, securityContext: { privileged: true } }] }), rule: { level: "privileged" }, status: "pass", violations: [] },
  { name: "no version means latest", object: pod({ securityContext: { seLinuxOptions: { type: "container_engine_t" } } }), rule: { level: "baseline" }, status: "pass" },

  // === Restricted
  { name: "a restricted-compliant Pod passes restricted", object: pod({ containers: [restrictedContainer()] }), rule: RESTRICTED, status: "pass", violations: [] },
  {
    name: "a plain Pod fails restricted on four controls",
    object: pod({}),
    rule: RESTRICTED,
    status: "fail",
    violations: [
      ["Privilege Escalation", 'allowPrivilegeEscalation != false (container "nginx" must set securityContext.allowPrivilegeEscalation=false)'],
      ["Capabilities", 'unrestricted capabilities (container "nginx" must set securityContext.capabilities.drop=["ALL"])'],
      ["Running as Non-root", 'runAsNonRoot != true (pod or container "nginx" must set securityContext.runAsNonRoot=true)'],
      ["Seccomp", 'seccompProfile (pod or container "nginx" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")'],
    ],
  },
  {
    name: "pod-level runAsNonRoot and seccompProfile cover the containers",
    object: pod({ securityContext: { runAsNonRoot: true, seccompProfile: { type: "Localhost", localhostProfile: "p.json" } }, containers: [{ ...NGINX, securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }] }),
    rule: RESTRICTED,
    status: "pass",
  },
  {
    name: "Running as Non-root: a container's false overrides the pod's true",
    object: pod({ securityContext: { runAsNonRoot: true }, containers: [restrictedContainer({ runAsNonRoot: false })] }),
    rule: RESTRICTED,
    status: "fail",
    violations: [["Running as Non-root", 'runAsNonRoot != true (container "nginx" must not set securityContext.runAsNonRoot=false)']],
  },
  {
    name: "Running as Non-root user: runAsUser=0 on the pod and a container",
    object: pod({ securityContext: { runAsUser: 0 }, containers: [restrictedContainer({ runAsUser: 0 })] }),
    rule: RESTRICTED,
    status: "fail",
    violations: [["Running as Non-root user", 'runAsUser=0 (pod and container "nginx" must not set runAsUser=0)']],
  },
  { name: "Running as Non-root user: not checked before v1.23", object: pod({ containers: [restrictedContainer({ runAsUser: 0 })] }), rule: { level: "restricted", version: "v1.22" }, status: "pass" },
  {
    name: "Volume Types: nfs",
    object: pod({ containers: [restrictedContainer()], volumes: [{ name: "cm", configMap: { name: "x" } }, { name: "data", nfs: { server: "s", path: "/" } }] }),
    rule: RESTRICTED,
    status: "fail",
    violations: [["Volume Types", 'restricted volume types (volume "data" uses restricted volume type "nfs")']],
  },
  {
    name: "a hostPath volume at restricted fails HostPath Volumes and Volume Types (no PSA override in Kyverno)",
    object: pod({ containers: [restrictedContainer()], volumes: [{ name: "host", hostPath: { path: "/" } }] }),
    rule: RESTRICTED,
    status: "fail",
    violations: [
      ["HostPath Volumes", 'hostPath volumes (volume "host")'],
      ["Volume Types", 'restricted volume types (volume "host" uses restricted volume type "hostPath")'],
    ],
  },
  {
    name: "Capabilities (restricted): SYS_ADMIN fails both capability checks",
    object: pod({ containers: [restrictedContainer({ capabilities: { drop: ["ALL"], add: ["SYS_ADMIN"] } })] }),
    rule: RESTRICTED,
    status: "fail",
    violations: [
      ["Capabilities", 'non-default capabilities (container "nginx" must not include "SYS_ADMIN" in securityContext.capabilities.add)'],
      ["Capabilities", 'unrestricted capabilities (container "nginx" must not include "SYS_ADMIN" in securityContext.capabilities.add)'],
    ],
  },
  {
    name: "Capabilities (restricted): CHOWN is baseline-allowed but not restricted-allowed",
    object: pod({ containers: [restrictedContainer({ capabilities: { drop: ["NET_RAW"], add: ["CHOWN"] } })] }),
    rule: RESTRICTED,
    status: "fail",
    violations: [["Capabilities", 'unrestricted capabilities (container "nginx" must set securityContext.capabilities.drop=["ALL"]; container "nginx" must not include "CHOWN" in securityContext.capabilities.add)']],
  },
  { name: "Capabilities (restricted): NET_BIND_SERVICE passes", object: pod({ containers: [restrictedContainer({ capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] } })] }), rule: RESTRICTED, status: "pass" },
  {
    name: "Privilege Escalation: explicitly true",
    object: pod({ containers: [restrictedContainer({ allowPrivilegeEscalation: true })] }),
    rule: RESTRICTED,
    status: "fail",
    violations: [["Privilege Escalation", 'allowPrivilegeEscalation != false (container "nginx" must set securityContext.allowPrivilegeEscalation=false)']],
  },
  {
    name: "Seccomp (restricted): Unconfined on a container",
    object: pod({ securityContext: { seccompProfile: { type: "RuntimeDefault" } }, containers: [restrictedContainer({ seccompProfile: { type: "Unconfined" } })] }),
    rule: RESTRICTED,
    status: "fail",
    controls: ["Seccomp"],
    violations: [
      ["Seccomp", 'seccompProfile (container "nginx" must not set securityContext.seccompProfile.type to "Unconfined")'],
    ],
  },
  {
    name: "a Windows pod is exempt from privilege escalation, capabilities and seccomp at latest",
    object: pod({ os: { name: "windows" }, securityContext: { runAsNonRoot: true } }),
    rule: RESTRICTED,
    status: "pass",
  },
  {
    name: "a Windows pod is not exempt at v1.24",
    object: pod({ os: { name: "windows" }, securityContext: { runAsNonRoot: true } }),
    rule: { level: "restricted", version: "v1.24" },
    status: "fail",
    controls: ["Privilege Escalation", "Capabilities", "Seccomp"],
  },
  {
    name: "ephemeral containers are checked",
    object: pod({ containers: [restrictedContainer()], ephemeralContainers: [{ name: "debug", image: "busybox", securityContext: { ...RESTRICTED_SC, privileged: true } }] }),
    rule: RESTRICTED,
    status: "fail",
    violations: [["Privileged Containers", 'privileged (container "debug" must not set securityContext.privileged=true)']],
  },

  // === Exclusions
  {
    name: "exclude by controlName only: Host Namespaces",
    object: pod({ hostNetwork: true, hostPID: true }),
    rule: { ...BASELINE, exclude: [{ controlName: "Host Namespaces" }] },
    status: "pass",
    violations: [],
  },
  {
    name: "exclude by controlName only does not exempt another control",
    object: pod({ hostNetwork: true, volumes: [{ name: "host", hostPath: { path: "/" } }] }),
    rule: { ...BASELINE, exclude: [{ controlName: "Host Namespaces" }] },
    status: "fail",
    violations: [["HostPath Volumes", 'hostPath volumes (volume "host")']],
  },
  {
    name: "exclude with restrictedField: only hostNetwork is exempt, hostPID still fails",
    object: pod({ hostNetwork: true, hostPID: true }),
    rule: { ...BASELINE, exclude: [{ controlName: "Host Namespaces", restrictedField: "spec.hostNetwork", values: ["true"] }] },
    status: "fail",
    violations: [["Host Namespaces", "host namespaces (hostNetwork=true, hostPID=true)"]],
  },
  {
    name: "exclude with restrictedField and values: the hostPath path matches",
    object: pod({ volumes: [{ name: "host", hostPath: { path: "/var/lib1" } }] }),
    rule: { ...BASELINE, exclude: [{ controlName: "HostPath Volumes", restrictedField: "spec.volumes[*].hostPath", values: ["/var/lib*"] }] },
    status: "pass",
  },
  {
    name: "exclude with restrictedField and values: another hostPath path does not match",
    object: pod({ volumes: [{ name: "host", hostPath: { path: "/etc" } }] }),
    rule: { ...BASELINE, exclude: [{ controlName: "HostPath Volumes", restrictedField: "spec.volumes[*].hostPath", values: ["/var/lib1"] }] },
    status: "fail",
    controls: ["HostPath Volumes"],
  },
  {
    name: "exclude with a restrictedField of another path exempts nothing",
    object: pod({ volumes: [{ name: "host", hostPath: { path: "/var/lib1" } }] }),
    rule: { ...BASELINE, exclude: [{ controlName: "HostPath Volumes", restrictedField: "spec.volumes[*].nfs", values: ["/var/lib1"] }] },
    status: "fail",
  },
  {
    name: "exclude Sysctls by name with a wildcard value",
    object: pod({ securityContext: { sysctls: [{ name: "kernel.msgmax", value: "1" }] } }),
    rule: { ...BASELINE, exclude: [{ controlName: "Sysctls", restrictedField: "spec.securityContext.sysctls[*].name", values: ["kernel.msg*"] }] },
    status: "pass",
  },
  {
    name: "exclude with images (wildcard): the matching container is exempt",
    object: withContainer({ image: "nginx:1.27", securityContext: { privileged: true } }),
    rule: { ...BASELINE, exclude: [{ controlName: "Privileged Containers", images: ["nginx*"] }] },
    status: "pass",
  },
  {
    name: "exclude with images: a container with another image still fails, PSA's message unchanged",
    object: pod({ containers: [{ ...NGINX, image: "nginx:1.27", securityContext: { privileged: true } }, { name: "bb", image: "busybox", securityContext: { privileged: true } }] }),
    rule: { ...BASELINE, exclude: [{ controlName: "Privileged Containers", images: ["nginx*"] }] },
    status: "fail",
    violations: [["Privileged Containers", 'privileged (containers "nginx", "bb" must not set securityContext.privileged=true)']],
  },
  {
    name: "exclude with images, restrictedField and values: NET_ADMIN exempt",
    object: withContainer({ securityContext: { capabilities: { add: ["NET_ADMIN"] } } }),
    rule: { ...BASELINE, exclude: [{ controlName: "Capabilities", images: ["nginx"], restrictedField: "spec.containers[*].securityContext.capabilities.add", values: ["NET_ADMIN"] }] },
    status: "pass",
  },
  {
    name: "exclude with images, restrictedField and values: SYS_ADMIN is not among the values",
    object: withContainer({ securityContext: { capabilities: { add: ["NET_ADMIN", "SYS_ADMIN"] } } }),
    rule: { ...BASELINE, exclude: [{ controlName: "Capabilities", images: ["nginx"], restrictedField: "spec.containers[*].securityContext.capabilities.add", values: ["NET_ADMIN"] }] },
    status: "fail",
    controls: ["Capabilities"],
  },
  {
    name: "exclude with images that match no container exempts nothing",
    object: withContainer({ securityContext: { privileged: true } }),
    rule: { ...BASELINE, exclude: [{ controlName: "Privileged Containers", images: ["ghcr.io/*"] }] },
    status: "fail",
  },
  {
    name: "restricted: exclude Running as Non-root for an image; other controls remain",
    object: pod({ containers: [{ ...NGINX, securityContext: { allowPrivilegeEscalation: false, seccompProfile: { type: "RuntimeDefault" }, capabilities: { drop: ["ALL"] } } }] }),
    rule: { ...RESTRICTED, exclude: [{ controlName: "Running as Non-root", images: ["nginx"] }] },
    status: "pass",
  },
  {
    name: "restricted: excluding Volume Types leaves HostPath Volumes (Kyverno runs both)",
    object: pod({ containers: [restrictedContainer()], volumes: [{ name: "host", hostPath: { path: "/" } }] }),
    rule: { ...RESTRICTED, exclude: [{ controlName: "Volume Types" }] },
    status: "fail",
    violations: [["HostPath Volumes", 'hostPath volumes (volume "host")']],
  },
  {
    name: "restricted: excluding Volume Types and HostPath Volumes passes",
    object: pod({ containers: [restrictedContainer()], volumes: [{ name: "host", hostPath: { path: "/" } }] }),
    rule: { ...RESTRICTED, exclude: [{ controlName: "Volume Types" }, { controlName: "HostPath Volumes" }] },
    status: "pass",
  },
  {
    name: "restricted: Seccomp excluded for an image covers baseline and restricted seccomp",
    object: pod({ containers: [restrictedContainer({ seccompProfile: { type: "Unconfined" } })] }),
    rule: { ...RESTRICTED, exclude: [{ controlName: "Seccomp", images: ["nginx"], restrictedField: "spec.containers[*].securityContext.seccompProfile.type", values: ["Unconfined"] }] },
    status: "pass",
  },

  // === Pod controllers
  {
    name: "a Deployment's template is checked",
    object: deployment({ metadata: { labels: { app: "x" } }, spec: { containers: [{ ...NGINX, securityContext: { privileged: true } }] } }),
    rule: BASELINE,
    status: "fail",
    violations: [["Privileged Containers", 'privileged (container "nginx" must not set securityContext.privileged=true)']],
  },
  {
    name: "a Deployment's template annotations are the Pod's (AppArmor)",
    object: deployment({ metadata: { annotations: { "container.apparmor.security.beta.kubernetes.io/nginx": "unconfined" } }, spec: { containers: [NGINX] } }),
    rule: BASELINE,
    status: "fail",
    controls: ["AppArmor"],
  },
  {
    name: "a Deployment with an image exclusion",
    object: deployment({ spec: { containers: [{ ...NGINX, securityContext: { privileged: true } }] } }),
    rule: { ...BASELINE, exclude: [{ controlName: "Privileged Containers", images: ["ngin?"] }] },
    status: "pass",
  },
  { name: "a compliant Deployment passes restricted", object: deployment({ spec: { containers: [restrictedContainer()] } }), rule: RESTRICTED, status: "pass" },
  {
    name: "a CronJob's job template is checked",
    object: cronJob({ spec: { hostPID: true, containers: [NGINX], restartPolicy: "OnFailure" } }),
    rule: BASELINE,
    status: "fail",
    violations: [["Host Namespaces", "host namespaces (hostPID=true)"]],
  },
  { name: "a CronJob with an exclusion passes", object: cronJob({ spec: { hostPID: true, containers: [NGINX] } }), rule: { ...BASELINE, exclude: [{ controlName: "Host Namespaces" }] }, status: "pass" },
];

describe("evaluatePodSecurity", () => {
  it.each(CASES)("$name", ({ object, rule, status, violations, controls }) => {
    const result = evaluatePodSecurity(object, rule);
    if (violations) expect(result.violations.map((v) => [v.control, v.message])).toEqual(violations);
    if (controls) expect(result.violations.map((v) => v.control)).toEqual(expect.arrayContaining(controls));
    expect(result.status).toBe(status);
    expect(result.violations.length === 0).toBe(status === "pass");
  });

  it("rejects a version that is neither latest nor v1.<minor>", () => {
    expect(() => evaluatePodSecurity(pod({}), { level: "baseline", version: "1.29" })).toThrow(/invalid version/);
  });
});

// Kyverno CLI conformance: test-exceptions/exceptions-3 (a PolicyException's podSecurity exempts a hostPath path).
const EXCEPTIONS_3 = path.join(SHARED, "conformance", "kyverno-cli", "test-exceptions", "exceptions-3");

function readYaml(file: string): Obj[] {
  return parseAllDocuments(readFileSync(path.join(EXCEPTIONS_3, file), "utf8"))
    .map((doc) => doc.toJS() as Obj | null)
    .filter((doc): doc is Obj => doc !== null);
}

/** The suite, read when a test runs (a skipped describe is still collected, and ../shared may be absent). */
let loaded: ReturnType<typeof load> | undefined;
const suite = () => (loaded ??= load());
function load() {
  const policy = readYaml("policy.yaml")[0]!;
  const rule = ((policy.spec as Obj).rules as Obj[])[0]!;
  const podSecurity = (rule.validate as Obj).podSecurity as PodSecurityRule;
  const exceptionSpec = readYaml("exception.yaml")[0]!.spec as Obj;
  const exceptionNamespaces = (((exceptionSpec.match as Obj).any as Obj[])[0]!.resources as Obj).namespaces as string[];
  const exceptionExclusions = exceptionSpec.podSecurity as NonNullable<PodSecurityRule["exclude"]>;
  const resources = readYaml("resources.yaml");
  const test = readYaml("kyverno-test.yaml")[0]!;
  const expected = (test.results as Obj[]).flatMap((r) => (r.resources as string[]).map((name) => ({ name, result: r.result as string, rule: r.rule as string })));
  return { rule, podSecurity, exceptionNamespaces, exceptionExclusions, resources, expected };
}

/** The suite's three resources (the first test checks the suite still names exactly these). */
const RESOURCES = ["bad-pod", "excluded-pod", "good-pod"];

describe.skipIf(!existsSync(EXCEPTIONS_3))("Kyverno CLI conformance: test-exceptions/exceptions-3 (skipped when ../shared/conformance is absent)", () => {
  it("reads the policy, the exception and three expected results", () => {
    const { podSecurity, exceptionExclusions, expected } = suite();
    expect(podSecurity).toEqual({ level: "baseline", version: "latest" });
    expect(exceptionExclusions).toEqual([{ controlName: "HostPath Volumes", restrictedField: "spec.volumes[*].hostPath", values: ["/var/lib1"] }]);
    expect(expected.map((e) => e.name).sort()).toEqual(RESOURCES);
  });

  it.each(RESOURCES)("%s gives the expected result", (name) => {
    const { rule, podSecurity, exceptionNamespaces, exceptionExclusions, resources, expected } = suite();
    const { result, rule: ruleName } = expected.find((entry) => entry.name === name)!;
    expect(ruleName).toBe(rule.name);
    const resource = resources.find((r) => (r.metadata as Obj).name === name)!;
    const namespace = (resource.metadata as Obj).namespace as string;
    const excepted = exceptionNamespaces.includes(namespace);
    const withoutException = evaluatePodSecurity(resource, podSecurity);
    const withException = evaluatePodSecurity(resource, { ...podSecurity, exclude: [...(podSecurity.exclude ?? []), ...exceptionExclusions] });
    if (result === "skip") {
      // The CLI reports "skip" when the rule fails on its own and passes once the exception's exclusions apply.
      expect(excepted).toBe(true);
      expect(withoutException.status).toBe("fail");
      expect(withException.status).toBe("pass");
    } else {
      expect(excepted).toBe(false);
      expect(withoutException.status).toBe(result);
    }
  });
});
