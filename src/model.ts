// Plain data that crosses module boundaries. No behaviour here beyond tiny pure helpers.
// Every path in these values is relative to the repository root, with forward slashes.

/** A place in a repository file. Lines and columns are 1-based. */
export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
}

/** A Kubernetes object as parsed from YAML. */
export type KubeObject = Record<string, unknown>;

/** What identifies an object inside one environment (the version is informational, not part of identity). */
export interface ObjectId {
  group: string;
  version: string;
  kind: string;
  namespace: string; // "" for cluster-scoped or unset
  name: string;
}

/** One rendered object and, where it can be known, where in the repository it came from. */
export interface Manifest {
  object: KubeObject;
  id: ObjectId;
  /** Position of the document in the rendered stream (0-based document index, 1-based line). */
  rendered: { index: number; line: number };
  /** The repository file (and line) the object was defined in, when known. */
  source?: SourceLocation;
}

/**
 * What defines an environment: a Kustomize directory or a plain directory found in the repository, or an
 * object of the in-cluster puller (Flux Kustomization or HelmRelease, Argo CD Application).
 */
export type EnvironmentKind = "kustomize" | "directory" | "flux-kustomization" | "flux-helmrelease" | "argocd-application";

/** Something that renders to a set of Kubernetes objects. */
export interface Environment {
  /**
   * Stable, unique name a reviewer recognises: for a Kustomize overlay its path; for a puller's object
   * "cluster/Kind/namespace/name" (without the cluster when none is known).
   */
  name: string;
  kind: EnvironmentKind;
  /** The directory that is rendered (for a Helm release: the chart's directory or reference). */
  path: string;
  /** The cluster the environment is applied to, when the puller's layout says so. */
  cluster?: string;
  group?: string;
  /** Where the puller's object (Flux Kustomization, Argo CD Application…) is written. */
  definedAt?: SourceLocation;
}

export type Severity = "error" | "warning" | "notice";

export interface Finding {
  /** Stable identifier of the check, e.g. "render-failed", "config-invalid". */
  ruleId: string;
  severity: Severity;
  message: string;
  environment?: string;
  object?: ObjectId;
  /** Path inside the object, e.g. spec.template.spec.containers[0].image */
  path?: string;
  location?: SourceLocation;
}

export type ChangeKind = "added" | "removed" | "changed";

/** How one key of a Secret changed. Values are never carried: only lengths and keyed fingerprints. */
export interface SecretKeyChange {
  key: string;
  change: "added" | "removed" | "changed";
  before?: { length: number; fingerprint: string };
  after?: { length: number; fingerprint: string };
}

/** One object's change between base and head. All text here is already masked: safe to publish. */
export interface ObjectDiff {
  change: ChangeKind;
  /** Identity at head (at base for removed objects). */
  id: ObjectId;
  /** Set when the object was matched across a generator hash change: the name it had at base. */
  previousName?: string;
  /** Unified diff of the normalized (and masked) YAML; for added/removed objects the whole object. */
  patch: string;
  linesAdded: number;
  linesRemoved: number;
  /** Present for Secrets: which keys changed. */
  secretKeys?: SecretKeyChange[];
  source?: SourceLocation;
}

export type EnvironmentStatus =
  | "changed" // rendered at both sides, objects differ
  | "unchanged" // rendered at both sides, no difference
  | "unaffected" // none of its inputs changed: not rendered
  | "added" // exists only at head
  | "removed" // exists only at base
  | "failed" // could not be rendered at one side at least
  | "skipped"; // cannot be rendered here (a source outside the repository, no helm binary): findings say why

export interface EnvironmentResult {
  environment: Environment;
  status: EnvironmentStatus;
  diffs: ObjectDiff[];
  findings: Finding[];
  counts: { added: number; changed: number; removed: number; unchanged: number };
}

export type GateResult = "pass" | "fail" | "error";

export interface RevisionInfo {
  ref: string;
  /** Commit SHA, or "WORKTREE" when the working tree was used. */
  sha: string;
}

export interface RunReport {
  schemaVersion: 1;
  tool: { name: "gitops-verify"; version: string };
  base: RevisionInfo;
  head: RevisionInfo;
  environments: EnvironmentResult[];
  /** Findings that belong to no single environment (configuration, git). */
  findings: Finding[];
  /** Repository files changed between base and head. */
  changedFiles: string[];
  /** Changed files that no environment reads. */
  unreadChangedFiles: string[];
  summary: RunSummary;
  gate: { result: GateResult; reasons: string[] };
  durationMs: number;
}

export interface RunSummary {
  environments: number;
  changed: number;
  unchanged: number;
  unaffected: number;
  failed: number;
  skipped: number;
  added: number;
  removed: number;
  objects: { added: number; changed: number; removed: number };
  findings: { error: number; warning: number; notice: number };
}

/** One object checked by `gitops-verify validate`. */
export interface ValidatedResource {
  file: string;
  line: number;
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  /** valid | invalid (an error finding) | skipped (no schema, or a skipped kind) */
  status: "valid" | "invalid" | "skipped";
  /** "embedded", a CustomResourceDefinition, or the URL or file of a schema location */
  schema?: string;
}

/** One policy's verdict on one object (validate), as `kyverno apply` reports it. */
export interface PolicyVerdict {
  policy: string;
  /** the rule (Kyverno), the binding (ValidatingAdmissionPolicy), or "" */
  rule: string;
  kind: string;
  namespace?: string;
  name: string;
  file: string;
  line: number;
  result: "pass" | "fail" | "skip" | "warn" | "error";
  message: string;
}

/** What `gitops-verify validate --format json` prints (schemas/validate.v1.json). */
export interface ValidateReport {
  schemaVersion: 1;
  tool: { name: "gitops-verify"; version: string };
  kubernetesVersion: string;
  strict: boolean;
  resources: ValidatedResource[];
  /** every policy result, when policies were evaluated (policies among the inputs, --policy, --builtin) */
  policyResults?: PolicyVerdict[];
  findings: Finding[];
  summary: {
    files: number;
    resources: number;
    valid: number;
    invalid: number;
    skipped: number;
    findings: { error: number; warning: number; notice: number };
  };
  durationMs: number;
}

/** How a live object differs from what Git says (drift). */
export type DriftChange =
  | "missing" // Git has it, the cluster does not
  | "extra" // the cluster has it, owned by the environment (inventory, Flux or Argo CD labels), Git no longer does
  | "changed"; // both have it; a field Git specifies has another value live

/** One drifted object. Like ObjectDiff, all text here is already masked: safe to publish. */
export interface DriftedObject {
  change: DriftChange;
  id: ObjectId;
  /** Unified diff from live (before) to what Git specifies (after), normalized and masked; whole object when missing or extra. */
  patch: string;
  linesAdded: number;
  linesRemoved: number;
  /** Present for Secrets: which keys differ (lengths and keyed fingerprints, never values). */
  secretKeys?: SecretKeyChange[];
  /** Field managers other than gitops-verify's that own a drifted field (who edited it: kubectl-edit, a controller…). */
  managers?: string[];
  /** Where Git defines the object, when known. */
  source?: SourceLocation;
}

export type EnvironmentDriftStatus =
  | "in-sync"
  | "drifted"
  | "error" // could not be checked: rendering failed, the cluster refused or could not be reached
  | "skipped"; // not checked here (for example a source outside the repository): message says why

export interface EnvironmentDrift {
  environment: Environment;
  status: EnvironmentDriftStatus;
  objects: DriftedObject[];
  /** Desired objects found live and equal to what Git specifies. */
  inSync: number;
  /** Why the environment could not be checked or was skipped. */
  message?: string;
}

/** What `gitops-verify drift` reports (schemas/drift.v1.json). Exit code: 0 "none", 1 "drift", 2 "error". */
export interface DriftReport {
  schemaVersion: 1;
  tool: { name: "gitops-verify"; version: string };
  revision: RevisionInfo;
  cluster: { server: string; context: string };
  environments: EnvironmentDrift[];
  result: "none" | "drift" | "error";
  summary: {
    environments: number;
    drifted: number;
    inSync: number;
    errors: number;
    skipped: number;
    objects: { missing: number; extra: number; changed: number };
  };
  durationMs: number;
}

/** Core group for the empty API group, as kubectl prints it. */
export function groupOf(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.lastIndexOf("/");
  return slash < 0
    ? { group: "", version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** "apps/Deployment/default/web" style key; version is not part of identity. */
export function objectKey(id: ObjectId): string {
  return `${id.group}/${id.kind}/${id.namespace}/${id.name}`;
}

/** Human label: Deployment/web (namespace default) -> "Deployment default/web". */
export function objectLabel(id: ObjectId): string {
  return id.namespace ? `${id.kind} ${id.namespace}/${id.name}` : `${id.kind} ${id.name}`;
}
