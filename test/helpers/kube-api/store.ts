// The stand-in's storage and write paths: create (POST), replace (PUT), merge patch, server-side apply, delete and
// status writes, each with the server-managed metadata (uid, resourceVersion, generation, creationTimestamp,
// managedFields), defaulting and validation the real server applies.
import { randomBytes, randomUUID } from "node:crypto";
import { applyDefaults } from "./defaults.ts";
import { removeAt, valuePaths } from "./field-paths.ts";
import { applyOwnership, mergeApplied, pathSet, readManagedFields, updateOwnership, writeManagedFields, type ManagerEntry } from "./managed-fields.ts";
import { clone, deepEqual, isMap, stringAt, timestamp, type KubeObject } from "./objects.ts";
import { CRD_TYPE, NAMESPACE_TYPE, crdTypes, groupVersionOf, type ResourceRegistry, type ResourceType } from "./resources.ts";
import { alreadyExists, badRequest, conflict, namespaceNotFound, notFound } from "./status.ts";
import { validate } from "./validate.ts";

/** Metadata only the server writes; a request's values are ignored. */
const SERVER_METADATA = ["uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields", "selfLink"];
const METADATA_ORDER = ["name", "generateName", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp", "labels", "annotations", "ownerReferences", "finalizers", "managedFields"];

export interface WriteOptions {
  fieldManager?: string;
  dryRun?: boolean;
}

export interface DeleteOptions {
  uid?: string;
  resourceVersion?: string;
  dryRun?: boolean;
}

export interface StoreOptions {
  /** Delay before a CRD is Established and its kinds served; 0 = as it is written. */
  crdEstablishDelayMs: number;
}

function metadataOf(object: KubeObject): Record<string, unknown> {
  if (!isMap(object.metadata)) object.metadata = {};
  return object.metadata as Record<string, unknown>;
}

/** apiVersion, kind, metadata (in the server's order), the rest, status last: how the real server writes JSON. */
function ordered(object: KubeObject): KubeObject {
  const { apiVersion, kind, metadata, status, ...rest } = object;
  const meta = isMap(metadata) ? metadata : {};
  const sortedMeta: Record<string, unknown> = {};
  for (const key of METADATA_ORDER) if (meta[key] !== undefined) sortedMeta[key] = meta[key];
  for (const [key, value] of Object.entries(meta)) if (!(key in sortedMeta)) sortedMeta[key] = value;
  const result: KubeObject = { apiVersion, kind, metadata: sortedMeta, ...rest };
  if (status !== undefined) result.status = status;
  return result;
}

/** The object without what changes on every write anyway: resourceVersion and managedFields times. */
function withoutVolatile(object: KubeObject): KubeObject {
  const copy = clone(object);
  const metadata = metadataOf(copy);
  delete metadata.resourceVersion;
  if (Array.isArray(metadata.managedFields)) for (const entry of metadata.managedFields) if (isMap(entry)) delete entry.time;
  return copy;
}

/** Everything but metadata and status: what metadata.generation counts changes of. */
function specPart(object: KubeObject): KubeObject {
  const { metadata: _metadata, status: _status, apiVersion: _apiVersion, kind: _kind, ...rest } = object;
  return rest;
}

/** JSON merge patch (RFC 7386): maps merged, null deletes, everything else (lists too) replaced. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isMap(patch)) return clone(patch);
  const result: Record<string, unknown> = isMap(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

function isCrd(type: ResourceType): boolean {
  return type.group === CRD_TYPE.group && type.kind === CRD_TYPE.kind;
}

export class ObjectStore {
  private readonly objects = new Map<string, KubeObject>();
  private revision = 100;
  private serviceIPs = 0;
  /** CRDs written but not yet Established, with when they were written. */
  private readonly pendingCrds = new Map<string, number>();

  constructor(
    readonly registry: ResourceRegistry,
    private readonly options: StoreOptions,
  ) {}

  get resourceVersion(): string {
    return String(this.revision);
  }

  private key(type: ResourceType, namespace: string, name: string): string {
    return `${type.group}/${type.plural}/${type.namespaced ? namespace : ""}/${name}`;
  }

  private stored(type: ResourceType, namespace: string, name: string): KubeObject | undefined {
    return this.objects.get(this.key(type, namespace, name));
  }

  /** The object as served at `type`'s version (no conversion: the same fields under every version). */
  private served(type: ResourceType, object: KubeObject): KubeObject {
    const copy = clone(object);
    copy.apiVersion = groupVersionOf(type);
    return ordered(copy);
  }

  get(type: ResourceType, namespace: string, name: string): KubeObject | undefined {
    const object = this.stored(type, namespace, name);
    return object && this.served(type, object);
  }

  /** Objects of a kind, in one namespace or all (undefined), by namespace then name. */
  list(type: ResourceType, namespace: string | undefined): KubeObject[] {
    const prefix = `${type.group}/${type.plural}/`;
    const found = [...this.objects.entries()]
      .filter(([key, object]) => key.startsWith(prefix) && (namespace === undefined || !type.namespaced || metadataOf(object).namespace === namespace))
      .map(([key, object]) => ({ key, object }));
    found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return found.map(({ object }) => this.served(type, object));
  }

  namespaceExists(namespace: string): boolean {
    return this.stored(NAMESPACE_TYPE, "", namespace) !== undefined;
  }

  private requireNamespace(type: ResourceType, namespace: string): void {
    if (type.namespaced && !this.namespaceExists(namespace)) throw namespaceNotFound(namespace);
  }

  /** The request body as an object of `type` at the URL's namespace and name, without what only the server sets. */
  private prepare(type: ResourceType, namespace: string, urlName: string | undefined, body: unknown): { object: KubeObject; resourceVersion?: string } {
    if (!isMap(body)) throw badRequest("the request body is not a Kubernetes object");
    const object = clone(body);
    const apiVersion = groupVersionOf(type);
    if (object.apiVersion !== undefined && object.apiVersion !== apiVersion) {
      throw badRequest(`the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${apiVersion})`);
    }
    if (object.kind !== undefined && object.kind !== type.kind) throw badRequest(`the kind in the data (${String(object.kind)}) does not match the expected kind (${type.kind})`);
    object.apiVersion = apiVersion;
    object.kind = type.kind;
    const metadata = metadataOf(object);
    const name = stringAt(metadata, "name") ?? "";
    if (urlName !== undefined && name !== "" && name !== urlName) throw badRequest(`the name of the object (${name}) does not match the name on the URL (${urlName})`);
    const generateName = stringAt(metadata, "generateName");
    metadata.name = urlName ?? (name || (generateName ? generateName + randomBytes(3).toString("hex").slice(0, 5) : ""));
    if (type.namespaced) {
      if (metadata.namespace !== undefined && metadata.namespace !== namespace) throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
      metadata.namespace = namespace;
    } else {
      delete metadata.namespace;
    }
    const resourceVersion = stringAt(metadata, "resourceVersion");
    for (const field of SERVER_METADATA) delete metadata[field];
    delete object.status;
    return { object, resourceVersion: resourceVersion || undefined };
  }

  /**
   * The object to store: server metadata carried over or set, status kept, defaults, validation, and managedFields
   * from `ownership`, which sees the defaulted object (an Update's manager owns what it changed after defaulting, as
   * on the real server; an Apply's set was fixed before, from the applied configuration alone).
   */
  private build(type: ResourceType, old: KubeObject | undefined, next: KubeObject, ownership: (completed: KubeObject) => ManagerEntry[]): KubeObject {
    const metadata = metadataOf(next);
    const oldMetadata = old ? metadataOf(old) : undefined;
    metadata.uid = oldMetadata?.uid ?? randomUUID();
    metadata.creationTimestamp = oldMetadata?.creationTimestamp ?? timestamp();
    for (const field of ["deletionTimestamp", "deletionGracePeriodSeconds"]) if (oldMetadata?.[field] !== undefined) metadata[field] = oldMetadata[field];
    if (old?.status !== undefined) next.status = clone(old.status);
    applyDefaults(type.group, next, { allocateClusterIP: () => this.allocateClusterIP() });
    validate(type, old, next);
    const oldGeneration = typeof oldMetadata?.generation === "number" ? oldMetadata.generation : 0;
    metadata.generation = old && deepEqual(specPart(old), specPart(next)) ? oldGeneration : oldGeneration + 1;
    if (oldMetadata?.resourceVersion !== undefined) metadata.resourceVersion = oldMetadata.resourceVersion;
    if (isCrd(type)) this.crdStatus(next, old);
    writeManagedFields(next, ownership(next));
    return ordered(next);
  }

  private allocateClusterIP(): string {
    const n = this.serviceIPs++;
    return `10.96.${Math.floor(n / 250)}.${(n % 250) + 2}`;
  }

  /** Stores `next` (unless a dry run) with a new resourceVersion; an unchanged object is not written again. */
  private commit(type: ResourceType, old: KubeObject | undefined, next: KubeObject, dryRun: boolean): KubeObject {
    if (old && deepEqual(withoutVolatile(old), withoutVolatile(next))) return this.served(type, old);
    const metadata = metadataOf(next);
    if (dryRun) return this.served(type, next);
    metadata.resourceVersion = String(++this.revision);
    const namespace = stringAt(metadata, "namespace") ?? "";
    const name = String(metadata.name);
    const finalizers = Array.isArray(metadata.finalizers) ? metadata.finalizers : [];
    if (metadata.deletionTimestamp !== undefined && finalizers.length === 0) {
      this.erase(type, namespace, name);
      return this.served(type, next);
    }
    this.objects.set(this.key(type, namespace, name), next);
    if (isCrd(type)) this.crdWritten(next);
    return this.served(type, next);
  }

  create(type: ResourceType, namespace: string, body: unknown, options: WriteOptions = {}): KubeObject {
    const { object } = this.prepare(type, namespace, undefined, body);
    this.requireNamespace(type, namespace);
    const owner = { manager: options.fieldManager ?? "unknown", apiVersion: groupVersionOf(type), time: timestamp() };
    const next = this.build(type, undefined, object, (completed) => updateOwnership(undefined, completed, owner));
    const name = String(metadataOf(next).name);
    if (this.stored(type, namespace, name)) throw alreadyExists(type, name);
    return this.commit(type, undefined, next, options.dryRun ?? false);
  }

  replace(type: ResourceType, namespace: string, name: string, body: unknown, options: WriteOptions = {}): KubeObject {
    const { object, resourceVersion } = this.prepare(type, namespace, name, body);
    const old = this.stored(type, namespace, name);
    if (!old) throw notFound(type, name);
    return this.update(type, old, object, resourceVersion, options);
  }

  /** A JSON merge patch (strategic merge patches are treated the same: lists are replaced, not merged). */
  patch(type: ResourceType, namespace: string, name: string, patchBody: unknown, options: WriteOptions = {}): KubeObject {
    const old = this.stored(type, namespace, name);
    if (!old) throw notFound(type, name);
    if (!isMap(patchBody)) throw badRequest("the patch is not a JSON object");
    const { object } = this.prepare(type, namespace, name, mergePatch(clone(old), patchBody));
    // a resourceVersion in the patch itself is a precondition, as on the real server
    const wanted = isMap(patchBody.metadata) ? stringAt(patchBody.metadata, "resourceVersion") : undefined;
    return this.update(type, old, object, wanted, options);
  }

  private update(type: ResourceType, old: KubeObject, object: KubeObject, resourceVersion: string | undefined, options: WriteOptions): KubeObject {
    const name = String(metadataOf(old).name);
    if (resourceVersion !== undefined && resourceVersion !== metadataOf(old).resourceVersion) {
      throw conflict(type, name, "the object has been modified; please apply your changes to the latest version and try again");
    }
    const owner = { manager: options.fieldManager ?? "unknown", apiVersion: groupVersionOf(type), time: timestamp() };
    return this.commit(type, old, this.build(type, old, object, (completed) => updateOwnership(old, completed, owner)), options.dryRun ?? false);
  }

  /** Server-side apply: merges the applied configuration by field ownership (see managed-fields.ts). */
  apply(type: ResourceType, namespace: string, name: string, body: unknown, options: WriteOptions & { force?: boolean }): KubeObject {
    if (!options.fieldManager) throw badRequest("PATCH: fieldManager is required for apply requests");
    const { object: applied } = this.prepare(type, namespace, name, body);
    const old = this.stored(type, namespace, name);
    if (!old) this.requireNamespace(type, namespace);
    const { entries, removals } = applyOwnership(old, applied, {
      manager: options.fieldManager,
      apiVersion: groupVersionOf(type),
      force: options.force ?? false,
      time: timestamp(),
      // conflicts are judged on the defaulted result, as the real server judges them
      defaults: (object) => applyDefaults(type.group, object, { allocateClusterIP: () => "" }),
    });
    const base = old ? clone(old) : { apiVersion: applied.apiVersion, kind: applied.kind, metadata: {} };
    for (const path of removals) removeAt(base, path);
    const merged = mergeApplied(base, applied) as KubeObject;
    return this.commit(type, old, this.build(type, old, merged, () => entries), options.dryRun ?? false);
  }

  /**
   * Deletes an object: gone at once, or marked (deletionTimestamp) while it has finalizers. Returns the object as it
   * was, and whether it is gone.
   */
  delete(type: ResourceType, namespace: string, name: string, options: DeleteOptions = {}): { object: KubeObject; gone: boolean } {
    const old = this.stored(type, namespace, name);
    if (!old) throw notFound(type, name);
    const metadata = metadataOf(old);
    if (options.uid !== undefined && options.uid !== metadata.uid) {
      throw conflict(type, name, `Precondition failed: UID in precondition: ${options.uid}, UID in object meta: ${String(metadata.uid)}`);
    }
    if (options.resourceVersion !== undefined && options.resourceVersion !== metadata.resourceVersion) {
      throw conflict(type, name, `Precondition failed: ResourceVersion in precondition: ${options.resourceVersion}, ResourceVersion in object meta: ${String(metadata.resourceVersion)}`);
    }
    if (options.dryRun) return { object: this.served(type, old), gone: true };
    const finalizers = Array.isArray(metadata.finalizers) ? metadata.finalizers : [];
    if (finalizers.length > 0) {
      const marked = clone(old);
      metadataOf(marked).deletionTimestamp ??= timestamp();
      metadataOf(marked).deletionGracePeriodSeconds ??= 0;
      return { object: this.commit(type, old, marked, false), gone: false };
    }
    this.erase(type, namespace, name);
    return { object: this.served(type, old), gone: true };
  }

  /** Removes an object for good, with what depends on it: a Namespace's objects, a CRD's kinds and objects. */
  private erase(type: ResourceType, namespace: string, name: string): void {
    this.objects.delete(this.key(type, namespace, name));
    this.revision++;
    if (type === NAMESPACE_TYPE) {
      for (const [key, object] of this.objects) if (metadataOf(object).namespace === name) this.objects.delete(key);
    }
    if (isCrd(type)) {
      const group = name.slice(name.indexOf(".") + 1);
      const plural = name.slice(0, name.indexOf("."));
      for (const key of this.objects.keys()) if (key.startsWith(`${group}/${plural}/`)) this.objects.delete(key);
      this.registry.setCrd(name, []);
      this.pendingCrds.delete(name);
    }
  }

  /** Writes `status` as a controller does (the status subresource): no defaulting, no generation change. */
  writeStatus(type: ResourceType, namespace: string, name: string, status: Record<string, unknown>, manager = "kube-controller-manager"): KubeObject | undefined {
    const old = this.stored(type, namespace, name);
    if (!old) return undefined;
    const next = clone(old);
    next.status = clone(status);
    const entries = readManagedFields(old);
    let entry = entries.find((candidate) => candidate.manager === manager && candidate.subresource === "status");
    if (!entry) {
      entry = { manager, operation: "Update", apiVersion: groupVersionOf(type), time: "", subresource: "status", paths: new Map() };
      entries.push(entry);
    }
    entry.time = timestamp();
    entry.paths = pathSet(valuePaths(status, ["f:status"]));
    writeManagedFields(next, entries);
    return this.commit(type, old, ordered(next), false);
  }

  /** Every stored object of every kind (for tests and the controller), as stored. */
  *entries(): Iterable<{ type: ResourceType; object: KubeObject }> {
    for (const { type, object } of this.readOnlyEntries()) yield { type, object: clone(object) };
  }

  /**
   * The same without copies, for the controller loop, which only reads them (and writes through writeStatus): it runs
   * every few milliseconds over every object, and copying them all each time cost more than the requests it serves.
   */
  *readOnlyEntries(): Iterable<{ type: ResourceType; object: Readonly<KubeObject> }> {
    for (const object of [...this.objects.values()]) {
      const type = this.typeOfStored(object);
      if (type) yield { type, object };
    }
  }

  private typeOfStored(object: KubeObject): ResourceType | undefined {
    return this.registry.byKind(String(object.apiVersion), String(object.kind));
  }

  // CRDs: Established (and their kinds served) at once, or after the configured delay through establishPending.

  /** A new CRD is Established as it is written when there is no delay; an established one keeps its status. */
  private crdStatus(next: KubeObject, old: KubeObject | undefined): void {
    if (old !== undefined && this.isEstablished(old)) return;
    if (this.options.crdEstablishDelayMs === 0) next.status = this.establishedStatus(next);
  }

  private isEstablished(crd: KubeObject): boolean {
    const status = isMap(crd.status) ? crd.status : {};
    const conditions = Array.isArray(status.conditions) ? status.conditions.filter(isMap) : [];
    return conditions.some((condition) => condition.type === "Established" && condition.status === "True");
  }

  private establishedStatus(crd: KubeObject): Record<string, unknown> {
    const spec = isMap(crd.spec) ? crd.spec : {};
    const versions = Array.isArray(spec.versions) ? spec.versions.filter(isMap) : [];
    const now = timestamp();
    const condition = (type: string, reason: string, message: string) => ({ type, status: "True", lastTransitionTime: now, reason, message });
    return {
      acceptedNames: clone(spec.names ?? {}),
      conditions: [condition("NamesAccepted", "NoConflicts", "no conflicts found"), condition("Established", "InitialNamesAccepted", "the initial names have been accepted")],
      storedVersions: versions.filter((version) => version.storage === true).map((version) => version.name),
    };
  }

  private crdWritten(crd: KubeObject): void {
    const name = String(metadataOf(crd).name);
    if (this.isEstablished(crd)) {
      this.registry.setCrd(name, crdTypes(crd));
      this.pendingCrds.delete(name);
    } else if (!this.pendingCrds.has(name)) {
      this.pendingCrds.set(name, Date.now());
    }
  }

  /** Establishes the CRDs whose delay has passed (the controller's tick calls this). */
  establishPendingCrds(now = Date.now()): void {
    for (const [name, since] of [...this.pendingCrds]) {
      if (now - since < this.options.crdEstablishDelayMs) continue;
      const crd = this.stored(CRD_TYPE, "", name);
      if (crd) this.writeStatus(CRD_TYPE, "", name, this.establishedStatus(crd), "kube-apiserver");
    }
  }
}
