// Defaulting as the real API server does it on every write, for the fields a GitOps diff trips over. Defaulted
// fields are owned by nobody: they never conflict and are not what a manifest said.
import { isMap, mapAt, type KubeObject } from "./objects.ts";

export interface DefaultingContext {
  /** The next free ClusterIP, for Services that do not ask for one. */
  allocateClusterIP(): string;
}

function setDefault(map: Record<string, unknown>, key: string, value: unknown): void {
  if (map[key] === undefined) map[key] = value;
}

function maps(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isMap) : [];
}

/** No tag (and no digest), or :latest, pulls Always; anything else IfNotPresent. */
function pullPolicy(image: unknown): string {
  if (typeof image !== "string" || image.includes("@")) return "IfNotPresent";
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  const colon = lastSegment.indexOf(":");
  return colon < 0 || lastSegment.slice(colon + 1) === "latest" ? "Always" : "IfNotPresent";
}

function defaultContainer(container: Record<string, unknown>): void {
  setDefault(container, "imagePullPolicy", pullPolicy(container.image));
  setDefault(container, "terminationMessagePath", "/dev/termination-log");
  setDefault(container, "terminationMessagePolicy", "File");
  setDefault(container, "resources", {});
  for (const port of maps(container.ports)) setDefault(port, "protocol", "TCP");
}

function defaultPodSpec(spec: Record<string, unknown>, options: { restartPolicy: boolean }): void {
  if (options.restartPolicy) setDefault(spec, "restartPolicy", "Always");
  setDefault(spec, "dnsPolicy", "ClusterFirst");
  setDefault(spec, "schedulerName", "default-scheduler");
  setDefault(spec, "terminationGracePeriodSeconds", 30);
  setDefault(spec, "securityContext", {});
  for (const container of [...maps(spec.containers), ...maps(spec.initContainers)]) defaultContainer(container);
}

function defaultTemplate(spec: Record<string, unknown>, options = { restartPolicy: true }): void {
  if (isMap(spec.template)) defaultPodSpec(mapAt(spec.template, "spec"), options);
}

function defaultRollingUpdate(spec: Record<string, unknown>, key: "strategy" | "updateStrategy", rollingUpdate: Record<string, unknown>): void {
  const strategy = mapAt(spec, key);
  setDefault(strategy, "type", "RollingUpdate");
  if (strategy.type !== "RollingUpdate") return;
  const rolling = mapAt(strategy, "rollingUpdate");
  for (const [field, value] of Object.entries(rollingUpdate)) setDefault(rolling, field, value);
}

const BY_KIND: Record<string, (object: KubeObject, context: DefaultingContext) => void> = {
  "apps/Deployment": (object) => {
    const spec = mapAt(object, "spec");
    setDefault(spec, "replicas", 1);
    setDefault(spec, "revisionHistoryLimit", 10);
    setDefault(spec, "progressDeadlineSeconds", 600);
    defaultRollingUpdate(spec, "strategy", { maxUnavailable: "25%", maxSurge: "25%" });
    defaultTemplate(spec);
  },
  "apps/StatefulSet": (object) => {
    const spec = mapAt(object, "spec");
    setDefault(spec, "replicas", 1);
    setDefault(spec, "revisionHistoryLimit", 10);
    setDefault(spec, "podManagementPolicy", "OrderedReady");
    defaultRollingUpdate(spec, "updateStrategy", { partition: 0 });
    setDefault(spec, "persistentVolumeClaimRetentionPolicy", { whenDeleted: "Retain", whenScaled: "Retain" });
    defaultTemplate(spec);
  },
  "apps/DaemonSet": (object) => {
    const spec = mapAt(object, "spec");
    setDefault(spec, "revisionHistoryLimit", 10);
    defaultRollingUpdate(spec, "updateStrategy", { maxUnavailable: 1, maxSurge: 0 });
    defaultTemplate(spec);
  },
  "apps/ReplicaSet": (object) => {
    const spec = mapAt(object, "spec");
    setDefault(spec, "replicas", 1);
    defaultTemplate(spec);
  },
  "batch/Job": (object) => {
    const spec = mapAt(object, "spec");
    if (spec.completions === undefined && spec.parallelism === undefined) {
      spec.completions = 1;
      spec.parallelism = 1;
    }
    setDefault(spec, "backoffLimit", 6);
    setDefault(spec, "completionMode", "NonIndexed");
    setDefault(spec, "suspend", false);
    // a Job's pods must say Never or OnFailure themselves: no restartPolicy default
    defaultTemplate(spec, { restartPolicy: false });
  },
  "batch/CronJob": (object) => {
    const spec = mapAt(object, "spec");
    setDefault(spec, "concurrencyPolicy", "Allow");
    setDefault(spec, "suspend", false);
    setDefault(spec, "successfulJobsHistoryLimit", 3);
    setDefault(spec, "failedJobsHistoryLimit", 1);
    const jobTemplate = isMap(spec.jobTemplate) ? spec.jobTemplate : undefined;
    if (jobTemplate && isMap(jobTemplate.spec)) defaultTemplate(jobTemplate.spec, { restartPolicy: false });
  },
  "/Pod": (object) => defaultPodSpec(mapAt(object, "spec"), { restartPolicy: true }),
  "/Service": (object, context) => {
    const spec = mapAt(object, "spec");
    setDefault(spec, "type", "ClusterIP");
    setDefault(spec, "sessionAffinity", "None");
    if (spec.type !== "ExternalName") {
      setDefault(spec, "clusterIP", context.allocateClusterIP());
      setDefault(spec, "clusterIPs", [spec.clusterIP]);
      setDefault(spec, "ipFamilies", ["IPv4"]);
      setDefault(spec, "ipFamilyPolicy", "SingleStack");
      setDefault(spec, "internalTrafficPolicy", "Cluster");
    }
    for (const port of maps(spec.ports)) {
      setDefault(port, "protocol", "TCP");
      setDefault(port, "targetPort", port.port);
    }
  },
  "/Namespace": (object) => {
    const metadata = mapAt(object, "metadata");
    mapAt(metadata, "labels")["kubernetes.io/metadata.name"] = metadata.name;
    setDefault(mapAt(object, "spec"), "finalizers", ["kubernetes"]);
    mapAt(object, "status").phase = "Active";
  },
  "/Secret": (object) => {
    setDefault(object, "type", "Opaque");
    // as the Secret strategy does on every write: stringData is merged into data (base64) and never stored
    if (isMap(object.stringData)) {
      const data = mapAt(object, "data");
      for (const [key, value] of Object.entries(object.stringData)) data[key] = Buffer.from(String(value), "utf8").toString("base64");
      delete object.stringData;
    }
  },
  "/PersistentVolumeClaim": (object) => setDefault(mapAt(object, "spec"), "volumeMode", "Filesystem"),
};

/** Fills the defaults of `object` (of the kind at `group`) in place. */
export function applyDefaults(group: string, object: KubeObject, context: DefaultingContext): void {
  BY_KIND[`${group}/${String(object.kind)}`]?.(object, context);
}
