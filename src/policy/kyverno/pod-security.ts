// Kyverno's `validate.podSecurity`: the Pod Security Standards checks of k8s.io/pod-security-admission
// (policy/check_*.go, with the field errors of Kyverno's fork kyverno/pod-security-admission) and Kyverno's wrapper
// (pkg/pss/evaluate.go: which checks run for a level and version, and how `exclude` entries exempt field errors;
// pkg/pss/utils/mapping.go: control names to check IDs).
//
// Kyverno's behaviour kept on purpose:
// - "restricted" runs every check, the baseline ones included, and ignores PSA's OverrideCheckIDs: a hostPath volume
//   is reported by both "HostPath Volumes" and "Volume Types", and exempting one control does not exempt the other.
// - "latest" (or no version) runs the newest version of each check; "v1.N" runs *every* version of a check whose
//   minimum version is at most 1.N (evaluatePSS), so an older, stricter version still reports (the Sysctls of
//   v1.0 under "v1.29", for instance).
// - An exclusion evaluates the checks again on a reduced Pod (pod-level: the Pod with one empty container "fake";
//   with images: only the containers whose image matches), and each field error found there, when its path (indexes
//   as `*`) equals `restrictedField` (or no restrictedField is given) and all its bad values match `values` (or no
//   values are given), removes one field error of the same path (and, for container fields, the same container
//   name) from the Pod's results. A check left without field errors no longer fails. The message is PSA's, unchanged.
import { wildcardMatch } from "./wildcard.ts";

export interface PodSecurityRule {
  level: "privileged" | "baseline" | "restricted";
  version?: string;
  exclude?: Array<{ controlName: string; images?: string[]; restrictedField?: string; values?: string[] }>;
}

/** `control` as PSA names it, e.g. "Privileged Containers"; `message` as PSA words it: `reason (detail)`. */
export interface PodSecurityViolation {
  control: string;
  message: string;
}

type Obj = Record<string, unknown>;
type Exclude = NonNullable<PodSecurityRule["exclude"]>[number];

/** A field error of Kyverno's PSA fork: the path with indexes, and the bad values as extractBadValues reads them. */
interface FieldError {
  field: string;
  badValues: string[];
}

interface CheckFailure {
  reason: string;
  detail: string;
  errors: FieldError[];
}

interface CheckResult extends CheckFailure {
  id: string;
}

interface Pod {
  meta: Obj;
  spec: Obj;
}

type CheckFn = (pod: Pod) => CheckFailure | undefined;

interface Check {
  id: string;
  level: "baseline" | "restricted";
  versions: Array<{ minor: number; fn: CheckFn }>;
}

/** pkg/pss/utils/mapping.go PSS_control_name_to_ids. */
const CONTROL_TO_IDS: Record<string, string[]> = {
  Capabilities: ["capabilities_baseline", "capabilities_restricted"],
  Seccomp: ["seccompProfile_baseline", "seccompProfile_restricted"],
  "Privileged Containers": ["privileged"],
  "Host Ports": ["hostPorts"],
  "/proc Mount Type": ["procMount"],
  HostProcess: ["windowsHostProcess"],
  SELinux: ["seLinuxOptions"],
  "Host Namespaces": ["hostNamespaces"],
  "HostPath Volumes": ["hostPathVolumes"],
  Sysctls: ["sysctls"],
  AppArmor: ["appArmorProfile"],
  "Privilege Escalation": ["allowPrivilegeEscalation"],
  "Running as Non-root": ["runAsNonRoot"],
  "Running as Non-root user": ["runAsUser"],
  "Volume Types": ["restrictedVolumes"],
  // Added to the Pod Security Standards in Kubernetes v1.34.
  "Host Probes / Lifecycle Hooks": ["hostProbesAndHostLifecycle"],
};

const ID_TO_CONTROL: Record<string, string> = Object.fromEntries(
  Object.entries(CONTROL_TO_IDS).flatMap(([name, ids]) => ids.map((id) => [id, name])),
);

// ---------------------------------------------------------------------------------------------------------------
// Reading the untyped Pod

function rec(value: unknown): Obj | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Obj) : undefined;
}

function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null;
}

interface Container {
  name: string;
  image: string;
  path: string;
  sc: Obj | undefined;
  raw: Obj;
}

/** PSA's visitContainers: initContainers, containers, then ephemeralContainers, each with its field path. */
function containers(spec: Obj): Container[] {
  const out: Container[] = [];
  for (const kind of ["initContainers", "containers", "ephemeralContainers"]) {
    arr(spec[kind]).forEach((value, index) => {
      const raw = rec(value) ?? {};
      out.push({ name: str(raw.name), image: str(raw.image), path: `spec.${kind}[${index}]`, sc: rec(raw.securityContext), raw });
    });
  }
  return out;
}

function podSC(spec: Obj): Obj | undefined {
  return rec(spec.securityContext);
}

function isWindows(spec: Obj): boolean {
  return str(rec(spec.os)?.name) === "windows";
}

// ---------------------------------------------------------------------------------------------------------------
// PSA's message helpers (policy/helpers.go)

function pluralize(singular: string, plural: string, count: number): string {
  return count === 1 ? singular : plural;
}

function joinQuote(items: string[]): string {
  return items.length === 0 ? "" : `"${items.join('", "')}"`;
}

/** sets.NewString(...).List(): unique, sorted. */
function sortedSet(items: Iterable<string>): string[] {
  return [...new Set(items)].sort();
}

function fe(field: string, ...badValues: unknown[]): FieldError {
  const values: string[] = [];
  for (const v of badValues) {
    if (typeof v === "string") {
      if (v !== "") values.push(v);
    } else if (typeof v === "boolean" || typeof v === "number") values.push(String(v));
    else if (Array.isArray(v)) values.push(...v.map(String));
  }
  return { field, badValues: values };
}

function containersPhrase(names: string[]): string {
  return `${pluralize("container", "containers", names.length)} ${joinQuote(names)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// The checks (policy/check_*.go), in PSA's registration order

const allowPrivilegeEscalation = (relaxWindows: boolean): CheckFn => ({ spec }) => {
  if (relaxWindows && isWindows(spec)) return undefined;
  const bad: string[] = [];
  const errors: FieldError[] = [];
  for (const c of containers(spec)) {
    const value = c.sc?.allowPrivilegeEscalation;
    if (!isSet(value) || value === true) {
      bad.push(c.name);
      errors.push(fe(`${c.path}.securityContext.allowPrivilegeEscalation`, value === true ? true : undefined));
    }
  }
  if (bad.length === 0) return undefined;
  return {
    reason: "allowPrivilegeEscalation != false",
    detail: `${containersPhrase(bad)} must set securityContext.allowPrivilegeEscalation=false`,
    errors,
  };
};

const APPARMOR_ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/";

const appArmorProfile: CheckFn = ({ meta, spec }) => {
  const allowedType = (t: unknown): boolean => t === "RuntimeDefault" || t === "Localhost";
  const setters: string[] = [];
  const badValues: string[] = [];
  const errors: FieldError[] = [];
  const podProfile = rec(podSC(spec)?.appArmorProfile);
  if (podProfile && !allowedType(podProfile.type)) {
    setters.push("pod");
    badValues.push(str(podProfile.type));
    errors.push(fe("spec.securityContext.appArmorProfile.type", str(podProfile.type)));
  }
  const bad: string[] = [];
  for (const c of containers(spec)) {
    const profile = rec(c.sc?.appArmorProfile);
    if (profile && !allowedType(profile.type)) {
      bad.push(c.name);
      badValues.push(str(profile.type));
      errors.push(fe(`${c.path}.securityContext.appArmorProfile.type`, str(profile.type)));
    }
  }
  if (bad.length > 0) setters.push(containersPhrase(bad));
  const annotations: string[] = [];
  for (const [key, value] of Object.entries(rec(meta.annotations) ?? {})) {
    const v = str(value);
    if (key.startsWith(APPARMOR_ANNOTATION_PREFIX) && !(v === "" || v === "runtime/default" || v.startsWith("localhost/"))) {
      annotations.push(`${key}=${JSON.stringify(v)}`);
      errors.push(fe(`metadata.annotations[${key}]`, v));
    }
  }
  const valueList = sortedSet(badValues);
  if (annotations.length > 0) {
    annotations.sort();
    valueList.push(...annotations);
    setters.push(pluralize("annotation", "annotations", annotations.length));
  }
  if (setters.length === 0) return undefined;
  return {
    reason: pluralize("forbidden AppArmor profile", "forbidden AppArmor profiles", valueList.length),
    detail: `${setters.join(" and ")} must not set AppArmor profile type to ${joinQuote(valueList)}`,
    errors,
  };
};

const BASELINE_CAPABILITIES = new Set([
  "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID",
  "SETPCAP", "SETUID", "SYS_CHROOT",
]);

const capabilitiesBaseline: CheckFn = ({ spec }) => {
  const bad: string[] = [];
  const forbidden: string[] = [];
  const errors: FieldError[] = [];
  for (const c of containers(spec)) {
    const added = arr(rec(c.sc?.capabilities)?.add).map(String).filter((cap) => !BASELINE_CAPABILITIES.has(cap));
    if (added.length > 0) {
      bad.push(c.name);
      forbidden.push(...added);
      errors.push(fe(`${c.path}.securityContext.capabilities.add`, added));
    }
  }
  if (bad.length === 0) return undefined;
  return {
    reason: "non-default capabilities",
    detail: `${containersPhrase(bad)} must not include ${joinQuote(sortedSet(forbidden))} in securityContext.capabilities.add`,
    errors,
  };
};

const capabilitiesRestricted = (relaxWindows: boolean): CheckFn => ({ spec }) => {
  if (relaxWindows && isWindows(spec)) return undefined;
  const missingDropAll: string[] = [];
  const addingForbidden: string[] = [];
  const forbidden: string[] = [];
  const errors: FieldError[] = [];
  for (const c of containers(spec)) {
    const caps = rec(c.sc?.capabilities);
    if (!caps) {
      missingDropAll.push(c.name);
      errors.push(fe(`${c.path}.securityContext.capabilities.drop`));
      continue;
    }
    const drop = arr(caps.drop).map(String);
    if (!drop.includes("ALL")) {
      missingDropAll.push(c.name);
      errors.push(fe(`${c.path}.securityContext.capabilities.drop`, drop));
    }
    const added = arr(caps.add).map(String).filter((cap) => cap !== "NET_BIND_SERVICE");
    if (added.length > 0) {
      addingForbidden.push(c.name);
      forbidden.push(...added);
      errors.push(fe(`${c.path}.securityContext.capabilities.add`, added));
    }
  }
  const details: string[] = [];
  if (missingDropAll.length > 0) details.push(`${containersPhrase(missingDropAll)} must set securityContext.capabilities.drop=["ALL"]`);
  if (addingForbidden.length > 0) {
    details.push(`${containersPhrase(addingForbidden)} must not include ${joinQuote(sortedSet(forbidden))} in securityContext.capabilities.add`);
  }
  if (details.length === 0) return undefined;
  return { reason: "unrestricted capabilities", detail: details.join("; "), errors };
};

const hostNamespaces: CheckFn = ({ spec }) => {
  const details: string[] = [];
  const errors: FieldError[] = [];
  for (const key of ["hostNetwork", "hostPID", "hostIPC"]) {
    if (spec[key] === true) {
      details.push(`${key}=true`);
      errors.push(fe(`spec.${key}`, true));
    }
  }
  if (details.length === 0) return undefined;
  return { reason: "host namespaces", detail: details.join(", "), errors };
};

const hostPathVolumes: CheckFn = ({ spec }) => {
  const bad: string[] = [];
  const errors: FieldError[] = [];
  arr(spec.volumes).forEach((value, index) => {
    const volume = rec(value) ?? {};
    const hostPath = rec(volume.hostPath);
    if (hostPath) {
      bad.push(str(volume.name));
      errors.push(fe(`spec.volumes[${index}].hostPath`, str(hostPath.path)));
    }
  });
  if (bad.length === 0) return undefined;
  return { reason: "hostPath volumes", detail: `${pluralize("volume", "volumes", bad.length)} ${joinQuote(bad)}`, errors };
};

const hostPorts: CheckFn = ({ spec }) => {
  const bad: string[] = [];
  const ports: string[] = [];
  const errors: FieldError[] = [];
  for (const c of containers(spec)) {
    let found = false;
    arr(c.raw.ports).forEach((value, index) => {
      const port = rec(value)?.hostPort;
      if (typeof port === "number" && port !== 0) {
        found = true;
        ports.push(String(port));
        errors.push(fe(`${c.path}.ports[${index}].hostPort`, port));
      }
    });
    if (found) bad.push(c.name);
  }
  if (bad.length === 0) return undefined;
  const set = sortedSet(ports);
  return {
    reason: "hostPort",
    detail: `${containersPhrase(bad)} ${pluralize("uses", "use", bad.length)} ${pluralize("hostPort", "hostPorts", set.length)} ${set.join(", ")}`,
    errors,
  };
};

const hostProbesAndHostLifecycle: CheckFn = ({ spec }) => {
  const bad = new Set<string>();
  const hosts = new Set<string>();
  const errors: FieldError[] = [];
  for (const c of containers(spec)) {
    const lifecycle = rec(c.raw.lifecycle);
    const handlers: Array<[string, Obj | undefined]> = [
      ["livenessProbe", rec(c.raw.livenessProbe)],
      ["readinessProbe", rec(c.raw.readinessProbe)],
      ["startupProbe", rec(c.raw.startupProbe)],
      ["lifecycle.postStart", rec(lifecycle?.postStart)],
      ["lifecycle.preStop", rec(lifecycle?.preStop)],
    ];
    for (const [name, handler] of handlers) {
      for (const kind of ["httpGet", "tcpSocket"]) {
        const host = str(rec(handler?.[kind])?.host);
        if (host !== "") {
          bad.add(c.name);
          hosts.add(host);
          errors.push(fe(`${c.path}.${name}.${kind}.host`, host));
        }
      }
    }
  }
  if (bad.size === 0) return undefined;
  const names = sortedSet(bad);
  const hostList = sortedSet(hosts);
  return {
    reason: "probe or lifecycle host",
    detail: `${containersPhrase(names)} ${pluralize("uses", "use", names.length)} ${pluralize("probe or lifecycle host", "probe or lifecycle hosts", hostList.length)} ${joinQuote(hostList)}`,
    errors,
  };
};

const privileged: CheckFn = ({ spec }) => {
  const bad: string[] = [];
  const errors: FieldError[] = [];
  for (const c of containers(spec)) {
    if (c.sc?.privileged === true) {
      bad.push(c.name);
      errors.push(fe(`${c.path}.securityContext.privileged`, true));
    }
  }
  if (bad.length === 0) return undefined;
  return { reason: "privileged", detail: `${containersPhrase(bad)} must not set securityContext.privileged=true`, errors };
};

const procMount: CheckFn = ({ spec }) => {
  const bad: string[] = [];
  const types: string[] = [];
  const errors: FieldError[] = [];
  for (const c of containers(spec)) {
    const value = c.sc?.procMount;
    if (isSet(value) && value !== "Default") {
      bad.push(c.name);
      types.push(str(value));
      errors.push(fe(`${c.path}.securityContext.procMount`, str(value)));
    }
  }
  if (bad.length === 0) return undefined;
  return {
    reason: "procMount",
    detail: `${containersPhrase(bad)} must not set securityContext.procMount to ${joinQuote(sortedSet(types))}`,
    errors,
  };
};

const ALLOWED_VOLUME_TYPES = new Set(["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image", "persistentVolumeClaim", "projected", "secret"]);
const RESTRICTED_VOLUME_TYPES = [
  "hostPath", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "nfs", "iscsi", "glusterfs", "rbd", "flexVolume", "cinder",
  "cephfs", "flocker", "fc", "azureFile", "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "portworxVolume",
  "scaleIO", "storageos",
];

const restrictedVolumes: CheckFn = ({ spec }) => {
  const bad: string[] = [];
  const types: string[] = [];
  const errors: FieldError[] = [];
  arr(spec.volumes).forEach((value, index) => {
    const volume = rec(value) ?? {};
    if ([...ALLOWED_VOLUME_TYPES].some((t) => isSet(volume[t]))) return;
    const type = RESTRICTED_VOLUME_TYPES.find((t) => isSet(volume[t])) ?? "unknown";
    bad.push(str(volume.name));
    types.push(type);
    errors.push(fe(`spec.volumes[${index}].${type}`));
  });
  if (bad.length === 0) return undefined;
  const set = sortedSet(types);
  return {
    reason: "restricted volume types",
    detail: `${pluralize("volume", "volumes", bad.length)} ${joinQuote(bad)} ${pluralize("uses", "use", bad.length)} ${pluralize("restricted volume type", "restricted volume types", set.length)} ${joinQuote(set)}`,
    errors,
  };
};

const runAsNonRoot: CheckFn = ({ spec }) => {
  const setters: string[] = [];
  const errors: FieldError[] = [];
  let podRunAsNonRoot = false;
  const podValue = podSC(spec)?.runAsNonRoot;
  if (isSet(podValue)) {
    if (podValue !== true) {
      setters.push("pod");
      errors.push(fe("spec.securityContext.runAsNonRoot", false));
    } else podRunAsNonRoot = true;
  }
  const explicit: string[] = [];
  const explicitErrors: FieldError[] = [];
  const implicit: string[] = [];
  const implicitErrors: FieldError[] = [];
  for (const c of containers(spec)) {
    const value = c.sc?.runAsNonRoot;
    if (isSet(value)) {
      if (value !== true) {
        explicit.push(c.name);
        explicitErrors.push(fe(`${c.path}.securityContext.runAsNonRoot`, false));
      }
    } else if (!podRunAsNonRoot) {
      implicit.push(c.name);
      implicitErrors.push(fe(`${c.path}.securityContext.runAsNonRoot`));
    }
  }
  if (explicit.length > 0) {
    setters.push(containersPhrase(explicit));
    errors.push(...explicitErrors);
  }
  const details: string[] = [];
  if (setters.length > 0) details.push(`${setters.join(" and ")} must not set securityContext.runAsNonRoot=false`);
  if (implicit.length > 0) {
    details.push(`pod or ${containersPhrase(implicit)} must set securityContext.runAsNonRoot=true`);
    errors.push(...implicitErrors);
  }
  if (details.length === 0) return undefined;
  return { reason: "runAsNonRoot != true", detail: details.join("\n"), errors };
};

const runAsUser: CheckFn = ({ spec }) => {
  const setters: string[] = [];
  const errors: FieldError[] = [];
  if (podSC(spec)?.runAsUser === 0) {
    setters.push("pod");
    errors.push(fe("spec.securityContext.runAsUser", 0));
  }
  const bad: string[] = [];
  for (const c of containers(spec)) {
    if (c.sc?.runAsUser === 0) {
      bad.push(c.name);
      errors.push(fe(`${c.path}.securityContext.runAsUser`, 0));
    }
  }
  if (bad.length > 0) setters.push(containersPhrase(bad));
  if (setters.length === 0) return undefined;
  return { reason: "runAsUser=0", detail: `${setters.join(" and ")} must not set runAsUser=0`, errors };
};

const seLinuxOptions = (allowedTypes: Set<string>): CheckFn => ({ spec }) => {
  const setters: string[] = [];
  const badTypes: string[] = [];
  const errors: FieldError[] = [];
  let setUser = false;
  let setRole = false;
  const valid = (opts: Obj, path: string): boolean => {
    let ok = true;
    const type = str(opts.type);
    if (!allowedTypes.has(type)) {
      ok = false;
      badTypes.push(type);
      errors.push(fe(`${path}.seLinuxOptions.type`, type));
    }
    if (str(opts.user).length > 0) {
      ok = false;
      setUser = true;
      errors.push(fe(`${path}.seLinuxOptions.user`, str(opts.user)));
    }
    if (str(opts.role).length > 0) {
      ok = false;
      setRole = true;
      errors.push(fe(`${path}.seLinuxOptions.role`, str(opts.role)));
    }
    return ok;
  };
  const podOpts = rec(podSC(spec)?.seLinuxOptions);
  if (podOpts && !valid(podOpts, "spec.securityContext")) setters.push("pod");
  const bad: string[] = [];
  for (const c of containers(spec)) {
    const opts = rec(c.sc?.seLinuxOptions);
    if (opts && !valid(opts, `${c.path}.securityContext`)) bad.push(c.name);
  }
  if (bad.length > 0) setters.push(containersPhrase(bad));
  if (setters.length === 0) return undefined;
  const data: string[] = [];
  const types = sortedSet(badTypes);
  if (types.length > 0) data.push(`${pluralize("type", "types", types.length)} ${joinQuote(types)}`);
  if (setUser) data.push("user may not be set");
  if (setRole) data.push("role may not be set");
  return {
    reason: "seLinuxOptions",
    detail: `${setters.join(" and ")} set forbidden securityContext.seLinuxOptions: ${data.join("; ")}`,
    errors,
  };
};

const SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod";
const SECCOMP_CONTAINER_ANNOTATION_PREFIX = "container.seccomp.security.alpha.kubernetes.io/";
const validSeccomp = (type: unknown): boolean => type === "RuntimeDefault" || type === "Localhost";

const seccompBaseline1_0: CheckFn = ({ meta, spec }) => {
  const annotations = rec(meta.annotations) ?? {};
  const validValue = (v: string): boolean => v === "runtime/default" || v === "docker/default" || v.startsWith("localhost/");
  const forbidden: string[] = [];
  const errors: FieldError[] = [];
  const check = (key: string): void => {
    if (!(key in annotations)) return;
    const v = str(annotations[key]);
    if (!validValue(v)) {
      forbidden.push(`${key}=${JSON.stringify(v)}`);
      errors.push(fe(`metadata.annotations[${key}]`, v));
    }
  };
  check(SECCOMP_POD_ANNOTATION);
  for (const c of containers(spec)) check(SECCOMP_CONTAINER_ANNOTATION_PREFIX + c.name);
  const set = sortedSet(forbidden);
  if (set.length === 0) return undefined;
  return { reason: "seccompProfile", detail: `forbidden ${pluralize("annotation", "annotations", set.length)} ${set.join(", ")}`, errors };
};

/** seccompProfileBaseline_1_19 and seccompProfileRestricted_1_19 / _1_25. */
const seccompProfile = (restricted: boolean, relaxWindows: boolean): CheckFn => ({ spec }) => {
  if (relaxWindows && isWindows(spec)) return undefined;
  const setters: string[] = [];
  const badValues: string[] = [];
  const errors: FieldError[] = [];
  let podSet = false;
  const podProfile = rec(podSC(spec)?.seccompProfile);
  if (podProfile) {
    if (!validSeccomp(podProfile.type)) {
      setters.push("pod");
      badValues.push(str(podProfile.type));
      errors.push(fe("spec.securityContext.seccompProfile.type", str(podProfile.type)));
    } else podSet = true;
  }
  const explicit: string[] = [];
  const implicit: string[] = [];
  const implicitErrors: FieldError[] = [];
  for (const c of containers(spec)) {
    const profile = rec(c.sc?.seccompProfile);
    if (profile) {
      if (!validSeccomp(profile.type)) {
        explicit.push(c.name);
        badValues.push(str(profile.type));
        errors.push(fe(`${c.path}.securityContext.seccompProfile.type`, str(profile.type)));
      }
    } else if (restricted && !podSet) {
      implicit.push(c.name);
      implicitErrors.push(fe(`${c.path}.securityContext.seccompProfile.type`));
    }
  }
  if (explicit.length > 0) setters.push(containersPhrase(explicit));
  if (setters.length > 0) {
    return {
      reason: "seccompProfile",
      detail: `${setters.join(" and ")} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(badValues))}`,
      errors,
    };
  }
  if (implicit.length > 0) {
    return {
      reason: "seccompProfile",
      detail: `pod or ${containersPhrase(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
      errors: implicitErrors,
    };
  }
  return undefined;
};

const SYSCTLS_1_0 = ["kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start"];
const SYSCTLS_1_27 = [...SYSCTLS_1_0, "net.ipv4.ip_local_reserved_ports"];
const SYSCTLS_1_29 = [...SYSCTLS_1_27, "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes"];
const SYSCTLS_1_32 = [...SYSCTLS_1_29, "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"];

const sysctls = (allowed: string[]): CheckFn => ({ spec }) => {
  const safe = new Set(allowed);
  const forbidden: string[] = [];
  const errors: FieldError[] = [];
  arr(podSC(spec)?.sysctls).forEach((value, index) => {
    const name = str(rec(value)?.name);
    if (!safe.has(name)) {
      forbidden.push(name);
      errors.push(fe(`spec.securityContext.sysctls[${index}].name`, name));
    }
  });
  if (forbidden.length === 0) return undefined;
  return { reason: "forbidden sysctls", detail: forbidden.join(", "), errors };
};

const windowsHostProcess: CheckFn = ({ spec }) => {
  const setters: string[] = [];
  const errors: FieldError[] = [];
  const bad: string[] = [];
  for (const c of containers(spec)) {
    if (rec(c.sc?.windowsOptions)?.hostProcess === true) {
      bad.push(c.name);
      errors.push(fe(`${c.path}.securityContext.windowsOptions.hostProcess`, true));
    }
  }
  if (rec(podSC(spec)?.windowsOptions)?.hostProcess === true) {
    setters.push("pod");
    errors.unshift(fe("spec.securityContext.windowsOptions.hostProcess", true));
  }
  if (bad.length > 0) setters.push(containersPhrase(bad));
  if (setters.length === 0) return undefined;
  return { reason: "hostProcess", detail: `${setters.join(" and ")} must not set securityContext.windowsOptions.hostProcess=true`, errors };
};

const SELINUX_TYPES_1_0 = new Set(["", "container_t", "container_init_t", "container_kvm_t"]);
const SELINUX_TYPES_1_31 = new Set([...SELINUX_TYPES_1_0, "container_engine_t"]);

/** policy.DefaultChecks(), in the order PSA registers them. */
const CHECKS: Check[] = [
  { id: "allowPrivilegeEscalation", level: "restricted", versions: [{ minor: 8, fn: allowPrivilegeEscalation(false) }, { minor: 25, fn: allowPrivilegeEscalation(true) }] },
  { id: "appArmorProfile", level: "baseline", versions: [{ minor: 0, fn: appArmorProfile }] },
  { id: "capabilities_baseline", level: "baseline", versions: [{ minor: 0, fn: capabilitiesBaseline }] },
  { id: "capabilities_restricted", level: "restricted", versions: [{ minor: 22, fn: capabilitiesRestricted(false) }, { minor: 25, fn: capabilitiesRestricted(true) }] },
  { id: "hostNamespaces", level: "baseline", versions: [{ minor: 0, fn: hostNamespaces }] },
  { id: "hostPathVolumes", level: "baseline", versions: [{ minor: 0, fn: hostPathVolumes }] },
  { id: "hostPorts", level: "baseline", versions: [{ minor: 0, fn: hostPorts }] },
  { id: "hostProbesAndHostLifecycle", level: "baseline", versions: [{ minor: 34, fn: hostProbesAndHostLifecycle }] },
  { id: "privileged", level: "baseline", versions: [{ minor: 0, fn: privileged }] },
  { id: "procMount", level: "baseline", versions: [{ minor: 0, fn: procMount }] },
  { id: "restrictedVolumes", level: "restricted", versions: [{ minor: 0, fn: restrictedVolumes }] },
  { id: "runAsNonRoot", level: "restricted", versions: [{ minor: 0, fn: runAsNonRoot }] },
  { id: "runAsUser", level: "restricted", versions: [{ minor: 23, fn: runAsUser }] },
  { id: "seLinuxOptions", level: "baseline", versions: [{ minor: 0, fn: seLinuxOptions(SELINUX_TYPES_1_0) }, { minor: 31, fn: seLinuxOptions(SELINUX_TYPES_1_31) }] },
  { id: "seccompProfile_baseline", level: "baseline", versions: [{ minor: 0, fn: seccompBaseline1_0 }, { minor: 19, fn: seccompProfile(false, false) }] },
  { id: "seccompProfile_restricted", level: "restricted", versions: [{ minor: 19, fn: seccompProfile(true, false) }, { minor: 25, fn: seccompProfile(true, true) }] },
  {
    id: "sysctls",
    level: "baseline",
    versions: [{ minor: 0, fn: sysctls(SYSCTLS_1_0) }, { minor: 27, fn: sysctls(SYSCTLS_1_27) }, { minor: 29, fn: sysctls(SYSCTLS_1_29) }, { minor: 32, fn: sysctls(SYSCTLS_1_32) }],
  },
  { id: "windowsHostProcess", level: "baseline", versions: [{ minor: 0, fn: windowsHostProcess }] },
];

// ---------------------------------------------------------------------------------------------------------------
// Kyverno's wrapper (pkg/pss/evaluate.go)

/** ParseVersion: "" and "latest" are the newest checks (undefined); "v1.N" is minor N. Anything else throws. */
export function parsePodSecurityVersion(version: string | undefined): number | undefined {
  if (version === undefined || version === "" || version === "latest") return undefined;
  const match = /^v1\.(0|[1-9][0-9]*)$/.exec(version);
  if (!match) throw new Error(`podSecurity: invalid version ${JSON.stringify(version)}: must be "latest" or "v1.<minor>"`);
  return Number(match[1]);
}

/** evaluatePSS: the failing results of the checks the level and version select. */
function evaluatePSS(level: "baseline" | "restricted", minor: number | undefined, pod: Pod): CheckResult[] {
  const results: CheckResult[] = [];
  for (const check of CHECKS) {
    if (level === "baseline" && check.level !== "baseline") continue;
    const versions =
      minor === undefined
        ? [check.versions.reduce((latest, v) => (v.minor >= latest.minor ? v : latest))]
        : check.versions.filter((v) => v.minor <= minor);
    for (const version of versions) {
      const failure = version.fn(pod);
      if (failure) results.push({ id: check.id, ...failure });
    }
  }
  return results;
}

const INDEX = /\d+/g;
const WORD = /[a-zA-Z]+/g;

/** parseField: the path with indexes as "*", the indexes, and the container kind when the path is a container's. */
function parseField(field: string): { field: string; indexes: number[]; containerKind: string | undefined } {
  const indexes = (field.match(INDEX) ?? []).map(Number);
  const words = field.match(WORD) ?? [];
  const kind = words[1];
  const containerKind = kind === "containers" || kind === "initContainers" || kind === "ephemeralContainers" ? kind : undefined;
  return { field: field.replace(INDEX, "*"), indexes, containerKind };
}

function containerName(pod: Pod, kind: string, index: number): string {
  return str(rec(arr(pod.spec[kind])[index])?.name);
}

function matchesAny(patterns: string[], value: string): boolean {
  return patterns.some((pattern) => wildcardMatch(pattern, value));
}

/** GetPodWithMatchingContainers: the pod-level Pod (no images) or the Pod of the matching containers only. */
function excludedPod(exclude: Exclude, pod: Pod): { pod: Pod; containerLevel: boolean } {
  const images = exclude.images ?? [];
  if (images.length === 0) {
    const spec: Obj = { ...pod.spec, containers: [{ name: "fake" }] };
    delete spec.initContainers;
    delete spec.ephemeralContainers;
    return { pod: { meta: pod.meta, spec }, containerLevel: false };
  }
  const meta: Obj = {};
  if (pod.meta.name !== undefined) meta.name = pod.meta.name;
  if (pod.meta.namespace !== undefined) meta.namespace = pod.meta.namespace;
  const spec: Obj = {};
  for (const kind of ["containers", "initContainers", "ephemeralContainers"]) {
    const matching = arr(pod.spec[kind]).filter((c) => matchesAny(images, str(rec(c)?.image)));
    if (matching.length > 0) spec[kind] = matching;
  }
  return { pod: { meta, spec }, containerLevel: true };
}

/** exemptExclusions. */
function exempt(defaults: CheckResult[], excluded: CheckResult[], exclude: Exclude, pod: Pod, matching: Pod, containerLevel: boolean): CheckResult[] {
  // defaultCheckResultsMap: one result per check ID, the last one found
  const byId = new Map<string, CheckResult>();
  for (const result of defaults) byId.set(result.id, { ...result, errors: [...result.errors] });
  const ids = CONTROL_TO_IDS[exclude.controlName] ?? [];
  const values = exclude.values ?? [];
  const restrictedField = exclude.restrictedField ?? "";
  for (const excludeResult of excluded) {
    if (!ids.includes(excludeResult.id)) continue;
    for (const excludeError of excludeResult.errors) {
      const parsed = containerLevel ? parseField(excludeError.field) : { field: excludeError.field.replace(INDEX, "*"), indexes: [], containerKind: undefined };
      const excludeContainer = parsed.containerKind ? containerName(matching, parsed.containerKind, parsed.indexes[0] ?? 0) : "";
      if (!(parsed.field === restrictedField || restrictedField.length === 0)) continue;
      if (values.length > 0 && !excludeError.badValues.every((bad) => matchesAny(values, bad))) continue;
      const target = byId.get(excludeResult.id);
      if (!target) continue;
      for (let index = 0; index < target.errors.length; index++) {
        const defaultError = target.errors[index]!;
        const def = containerLevel ? parseField(defaultError.field) : { field: defaultError.field.replace(INDEX, "*"), indexes: [], containerKind: undefined };
        const same = def.containerKind
          ? parsed.field === def.field && excludeContainer === containerName(pod, def.containerKind, def.indexes[0] ?? 0)
          : parsed.field === def.field;
        if (same) {
          // remove(): the last error takes the removed one's place
          target.errors[index] = target.errors[target.errors.length - 1]!;
          target.errors.pop();
          break;
        }
      }
      if (target.errors.length === 0) byId.delete(excludeResult.id);
    }
  }
  return [...byId.values()];
}

/** The Pod metadata and spec of a Pod, a Pod controller's template or a CronJob's job template. */
function podOf(object: Obj): Pod {
  const spec = rec(object.spec) ?? {};
  if (object.kind === "CronJob") {
    const template = rec(rec(rec(rec(spec.jobTemplate)?.spec)?.template)) ?? {};
    return { meta: rec(template.metadata) ?? {}, spec: rec(template.spec) ?? {} };
  }
  if (object.kind !== "Pod" && rec(spec.template)) {
    const template = rec(spec.template) ?? {};
    return { meta: rec(template.metadata) ?? {}, spec: rec(template.spec) ?? {} };
  }
  return { meta: rec(object.metadata) ?? {}, spec };
}

/** The Pod spec of a Pod, a Pod controller's template or a CronJob's job template; violations after exclusions. */
export function evaluatePodSecurity(object: Record<string, unknown>, rule: PodSecurityRule): { status: "pass" | "fail"; violations: PodSecurityViolation[] } {
  const minor = parsePodSecurityVersion(rule.version);
  if (rule.level === "privileged") return { status: "pass", violations: [] };
  const pod = podOf(object);
  let results = evaluatePSS(rule.level, minor, pod);
  for (const exclude of rule.exclude ?? []) {
    const { pod: reduced, containerLevel } = excludedPod(exclude, pod);
    results = exempt(results, evaluatePSS(rule.level, minor, reduced), exclude, pod, reduced, containerLevel);
  }
  const violations: PodSecurityViolation[] = [];
  const seen = new Set<string>();
  for (const result of results) {
    const violation = { control: ID_TO_CONTROL[result.id] ?? result.id, message: result.detail ? `${result.reason} (${result.detail})` : result.reason };
    const key = `${violation.control}\u0000${violation.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    violations.push(violation);
  }
  return { status: violations.length === 0 ? "pass" : "fail", violations };
}
