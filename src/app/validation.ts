// Schema validation as verify runs it: one validator per run (schemas compiled once), CRDs from the paths the config
// names, findings located in the repository, and what the change newly breaks told from what was broken before.
import path from "node:path";
import { DEFAULT_CONFIG, type Config } from "../config/config.ts";
import type { DiscoveredEnvironment } from "../discover/discover.ts";
import { objectKey, type Finding, type Manifest } from "../model.ts";
import type { Files, Http, Logger } from "../ports.ts";
import { parseManifests } from "../render/manifests.ts";
import { BUILTIN_KUBERNETES_VERSION } from "../schema/builtin.ts";
import { SourceLocator } from "../schema/locate.ts";
import { builtinPolicySet } from "../policy/builtin-pack.ts";
import { isDataFile, isRegoFile, loadConftestPolicy, type PolicyFile } from "../policy/conftest/index.ts";
import { loadWasmBundle } from "../policy/rego/wasm.ts";
import { emptyPolicySet, evaluatePolicies, isPolicyObject, withPolicies, type PolicyOptions, type PolicySet, type Severity } from "../policy/evaluate.ts";
import { SchemaLocations } from "../schema/locations.ts";
import { EMBEDDED_CRDS, SchemaValidator, type ValidationSettings } from "../schema/validate.ts";
import { isInside, joinRepoPath, toRepoPath } from "../util/paths.ts";
import { parseYaml } from "../util/yaml.ts";

export interface ValidationPorts {
  files: Files;
  http: Http;
  logger: Logger;
  env: Record<string, string | undefined>;
}

export function validationSettings(config: Config): ValidationSettings {
  return {
    kubernetesVersion: config.schemas.kubernetesVersion ?? BUILTIN_KUBERNETES_VERSION,
    strict: config.schemas.strict,
    locations: config.schemas.locations,
    ignoreMissingSchemas: config.schemas.ignoreMissingSchemas,
    skipKinds: config.schemas.skipKinds,
  };
}

/** ~/.cache/gitops-verify/schemas (XDG_CACHE_HOME honoured), or the configured directory. */
export function schemaCacheDir(config: Config, root: string, env: Record<string, string | undefined>): string | undefined {
  if (config.schemas.cacheDir) return path.resolve(root, config.schemas.cacheDir);
  const base = env.XDG_CACHE_HOME || (env.HOME ? path.join(env.HOME, ".cache") : undefined);
  return base ? path.join(base, "gitops-verify", "schemas") : undefined;
}

export function createValidator(config: Config, root: string, ports: ValidationPorts): SchemaValidator {
  const settings = validationSettings(config);
  const external = settings.locations.filter((location) => location !== "default" && location !== EMBEDDED_CRDS);
  const cacheDir = schemaCacheDir(config, root, ports.env);
  const locations =
    external.length > 0
      ? new SchemaLocations({ locations: external, kubernetesVersion: settings.kubernetesVersion, strict: settings.strict, ...(cacheDir ? { cacheDir } : {}) }, ports, root)
      : undefined;
  return new SchemaValidator(settings, locations);
}

/** The objects of the YAML files at the configured CRD paths (files or directories, inside the repository). */
export async function loadCrdPaths(config: Config, root: string, files: Files): Promise<{ manifests: Manifest[]; findings: Finding[] }> {
  const manifests: Manifest[] = [];
  const findings: Finding[] = [];
  for (const entry of config.schemas.crdPaths) {
    const absolute = joinRepoPath(root, entry);
    const real = await files.realpath(absolute);
    if (!real || !isInside(root, real)) {
      findings.push({ ruleId: "config-invalid", severity: "error", message: `schemas.crdPaths: ${entry} does not exist inside the repository` });
      continue;
    }
    for (const file of await yamlFilesUnder(files, real)) {
      const display = toRepoPath(root, file);
      try {
        const parsed = parseManifests(await files.readText(file), display);
        for (const manifest of parsed) manifest.source = { file: display, line: manifest.rendered.line };
        manifests.push(...parsed);
      } catch (error) {
        findings.push({ ruleId: "yaml-invalid", severity: "error", message: `${display}: ${(error as Error).message}` });
      }
    }
  }
  return { manifests, findings };
}

async function yamlFilesUnder(files: Files, target: string): Promise<string[]> {
  const info = await files.stat(target);
  if (info?.type === "file") return [target];
  if (info?.type !== "directory") return [];
  const found: string[] = [];
  for (const entry of (await files.list(target)).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const child = path.join(target, entry.name);
    if (entry.type === "directory" && !entry.name.startsWith(".")) found.push(...(await yamlFilesUnder(files, child)));
    else if (entry.type === "file" && /\.ya?ml$/i.test(entry.name)) found.push(child);
  }
  return found;
}

export interface ValidationSide {
  root: string;
  discovered: DiscoveredEnvironment;
  manifests: Manifest[];
}

/** What EnvironmentValidation runs besides the schemas: the policies of the configuration. */
export interface PolicySettings {
  /** the built-in pack and the configured paths' policies, for every environment */
  shared: PolicySet;
  fromRepository: boolean;
  severities: Record<string, Severity | "off">;
  waivers: Array<{ ids: string[]; paths: string[]; reason: string }>;
  failOnExisting: boolean;
}

/**
 * Validates one environment (schemas, then policies) at head and, when head has findings, at base: a finding the
 * base already had is not the change's doing, so it becomes a notice ("already at the base revision") and never
 * fails the gate (unless policies.failOnExisting); a violation of the base that head no longer has is reported as
 * fixed by the change.
 */
export class EnvironmentValidation {
  private readonly locators = new Map<string, SourceLocator>();

  constructor(
    private readonly validator: SchemaValidator | undefined,
    private readonly files: Files,
    private readonly policies?: PolicySettings,
  ) {}

  async check(name: string, head: ValidationSide, base: ValidationSide | undefined): Promise<Finding[]> {
    // an object the base renders too is updated, not created: policies see an UPDATE with the base's object as
    // oldObject; the base is evaluated the same way (an update that changes nothing), so a policy that only
    // matches CREATE is not counted as fixed at head
    const baseObjects = new Map((base?.manifests ?? []).map((manifest) => [objectKey(manifest.id), manifest.object]));
    const headKeys = new Set(head.manifests.map((manifest) => objectKey(manifest.id)));
    const headFindings = await this.findings(name, head, (manifest) => baseObjects.get(objectKey(manifest.id)));
    if (!base) return headFindings;
    const baseFindings = await this.findings(name, base, (manifest) => (headKeys.has(objectKey(manifest.id)) ? manifest.object : undefined));
    const before = new Set(baseFindings.map(identity));
    const after = new Set(headFindings.map(identity));
    const strict = this.policies?.failOnExisting === true;
    const classified: Finding[] = [];
    let existingViolations = 0;
    for (const finding of headFindings) {
      const existing = (finding.severity !== "notice" || isPolicyFinding(finding)) && before.has(identity(finding));
      if (!existing || (strict && isPolicyFinding(finding))) classified.push(finding);
      // policy violations the base already had are counted, not listed: the report is about the change
      else if (isPolicyFinding(finding)) existingViolations++;
      else classified.push({ ...finding, severity: "notice", message: `already at the base revision: ${finding.message}` });
    }
    if (existingViolations > 0) {
      classified.push({
        ruleId: "policy-existing",
        severity: "notice",
        message: `${existingViolations} policy violation${existingViolations === 1 ? "" : "s"} already at the base revision (not listed; policies.failOnExisting lists them and fails on them)`,
        environment: name,
      });
    }
    const fixed = baseFindings
      .filter((finding) => finding.severity !== "notice" && finding.object && !after.has(identity(finding)))
      .map((finding) => ({ ...finding, severity: "notice" as const, message: `fixed by this change: ${finding.message}` }));
    return [...classified, ...fixed];
  }

  private async findings(name: string, side: ValidationSide, previous: PolicyOptions["previous"]): Promise<Finding[]> {
    const locator = this.locatorFor(side.root);
    const locate = await locator.prepare(side.manifests, [...side.discovered.inputs]);
    const spec = side.discovered.spec;
    const placeholders = spec.type === "edited-kustomization" && spec.substitution !== undefined;
    const findings = this.validator ? await this.validator.validate(side.manifests, { locate, placeholders, environment: name }) : [];
    if (this.policies) {
      const rendered = this.policies.fromRepository
        ? side.manifests.filter((manifest) => isPolicyObject(manifest.object)).map((manifest) => ({ object: manifest.object, origin: manifest.source ?? { file: side.discovered.environment.path }, manifest }))
        : [];
      const set = withPolicies(this.policies.shared, rendered);
      findings.push(...evaluatePolicies(side.manifests, set, { environment: name, locate, severities: this.policies.severities, waivers: this.policies.waivers, previous }));
    }
    return findings;
  }

  private locatorFor(root: string): SourceLocator {
    let locator = this.locators.get(root);
    if (!locator) this.locators.set(root, (locator = new SourceLocator(root, this.files)));
    return locator;
  }
}

/** Findings of policies (the built-in pack, Kyverno, ValidatingAdmissionPolicies), as opposed to schema findings. */
function isPolicyFinding(finding: Finding): boolean {
  return /^(GV-|kyverno:|vap:|gatekeeper:|conftest:|opa-wasm:)/.test(finding.ruleId);
}

/** The built-in pack (when enabled) and the policies of the configured paths. */
export async function loadPolicySettings(config: Config, root: string, files: Files): Promise<{ settings: PolicySettings; findings: Finding[] }> {
  let shared = config.policies.builtin ? builtinPolicySet() : emptyPolicySet();
  const findings: Finding[] = [];
  for (const entry of config.policies.paths) {
    const absolute = joinRepoPath(root, entry);
    const real = await files.realpath(absolute);
    if (!real || !isInside(root, real)) {
      findings.push({ ruleId: "config-invalid", severity: "error", message: `policies.paths: ${entry} does not exist inside the repository` });
      continue;
    }
    for (const file of await yamlFilesUnder(files, real)) {
      const display = toRepoPath(root, file);
      try {
        const documents = parseManifests(await files.readText(file), display).map((manifest) => ({ object: manifest.object, origin: { file: display, line: manifest.rendered.line } }));
        shared = withPolicies(shared, documents);
      } catch (error) {
        findings.push({ ruleId: "yaml-invalid", severity: "error", message: `${display}: ${(error as Error).message}` });
      }
    }
  }
  shared = await withRegoPolicies(shared, config, root, files, findings);
  return {
    settings: { shared, fromRepository: config.policies.fromRepository, severities: config.policies.severities, waivers: config.policies.waivers, failOnExisting: config.policies.failOnExisting },
    findings,
  };
}

/**
 * The conftest policies of `policies.conftest.paths` (every .rego file and the data files beside them, compiled
 * once for the run) and the compiled bundles of `policies.opaBundles`. The default directory may be absent.
 */
export async function withRegoPolicies(set: PolicySet, config: Config, root: string, files: Files, findings: Finding[]): Promise<PolicySet> {
  const conftest = config.policies.conftest;
  const policyFiles: PolicyFile[] = [];
  for (const entry of conftest.paths) {
    const real = await files.realpath(joinRepoPath(root, entry));
    if (!real || !isInside(root, real)) {
      const isDefault = conftest.paths.length === DEFAULT_CONFIG.policies.conftest.paths.length && entry === DEFAULT_CONFIG.policies.conftest.paths[0];
      if (!isDefault) findings.push({ ruleId: "config-invalid", severity: "error", message: `policies.conftest.paths: ${entry} does not exist inside the repository` });
      continue;
    }
    const info = await files.stat(real);
    const display = toRepoPath(root, real);
    const policyRoot = info?.type === "directory" ? display : path.posix.dirname(display);
    policyFiles.push(...(await regoPolicyFiles(files, real, policyRoot, (file) => toRepoPath(root, file))));
  }
  let out = set;
  if (policyFiles.some((file) => isRegoFile(file.file))) {
    const loaded = loadConftestPolicy(policyFiles, { regoVersion: conftest.regoVersion });
    findings.push(...loaded.findings);
    if (loaded.policy) out = { ...out, conftest: { policy: loaded.policy, namespaces: conftest.allNamespaces ? "all" : conftest.namespaces } };
  }
  for (const entry of config.policies.opaBundles) {
    const real = await files.realpath(joinRepoPath(root, entry));
    if (!real || !isInside(root, real) || (await files.stat(real))?.type !== "file") {
      findings.push({ ruleId: "config-invalid", severity: "error", message: `policies.opaBundles: ${entry} is not a file inside the repository` });
      continue;
    }
    const loaded = await loadWasmBundle(toRepoPath(root, real), await files.readBytes(real));
    findings.push(...loaded.findings);
    if (loaded.bundle) out = { ...out, bundles: [...out.bundles, loaded.bundle] };
  }
  return out;
}

/**
 * The .rego files under a path, and the data files beside them: JSON and YAML that are not Kubernetes objects (a
 * Kyverno or Gatekeeper policy kept in the same directory is a policy, not data).
 */
export async function regoPolicyFiles(files: Files, target: string, policyRoot: string, display: (file: string) => string): Promise<PolicyFile[]> {
  const found: PolicyFile[] = [];
  for (const file of await filesUnder(files, target, (name) => isRegoFile(name) || isDataFile(name))) {
    const text = await files.readText(file);
    if (isDataFile(file) && holdsKubernetesObjects(text, display(file))) continue;
    found.push({ root: policyRoot, file: display(file), text });
  }
  return found;
}

function holdsKubernetesObjects(text: string, file: string): boolean {
  try {
    return parseYaml(text, file).documents.some((document) => {
      const value = document.value as Record<string, unknown> | null;
      return value !== null && typeof value === "object" && typeof value.apiVersion === "string" && typeof value.kind === "string";
    });
  } catch {
    return false; // not YAML: the data loader says what is wrong with it
  }
}

async function filesUnder(files: Files, target: string, wanted: (name: string) => boolean): Promise<string[]> {
  const info = await files.stat(target);
  if (info?.type === "file") return wanted(target) ? [target] : [];
  if (info?.type !== "directory") return [];
  const found: string[] = [];
  for (const entry of (await files.list(target)).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const child = path.join(target, entry.name);
    if (entry.type === "directory" && !entry.name.startsWith(".")) found.push(...(await filesUnder(files, child, wanted)));
    else if (entry.type === "file" && wanted(entry.name)) found.push(child);
  }
  return found;
}

/** kustomize's generator suffix (a hash of the content) on a ConfigMap or Secret name. */
const GENERATOR_SUFFIX = /-[bcdfghjklmnpqrstvwxz2456789]{10}$/;

/**
 * Same finding at both revisions: same rule, object, path and message (lines move, so they are not compared). A
 * generated ConfigMap or Secret keeps its identity across a content change, as the diff matches them.
 */
function identity(finding: Finding): string {
  let key = finding.object ? objectKey(finding.object) : "";
  let message = finding.message;
  const object = finding.object;
  if (object && object.group === "" && (object.kind === "ConfigMap" || object.kind === "Secret") && GENERATOR_SUFFIX.test(object.name)) {
    const stable = object.name.replace(GENERATOR_SUFFIX, "");
    key = objectKey({ ...object, name: stable });
    message = message.split(object.name).join(stable);
  }
  return [finding.ruleId, key, finding.path ?? "", message].join("\n");
}
