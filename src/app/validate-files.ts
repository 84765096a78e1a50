// The validate use case: plain manifests (files, directories, standard input) checked without git or rendering,
// as kubeconform users run it, with the same validator verify uses. Its JSON output is documented and stable
// (schemas/validate.v1.json): the policy engines add their findings to the same shape.
import path from "node:path";
import { DEFAULT_CONFIG, type Config } from "../config/config.ts";
import { UserError } from "../errors.ts";
import { groupOf, type Finding, type KubeObject, type Manifest, type PolicyVerdict, type ValidatedResource, type ValidateReport } from "../model.ts";
import { builtinPolicySet } from "../policy/builtin-pack.ts";
import { emptyPolicySet, evaluatePoliciesDetailed, isPolicyObject, withPolicies } from "../policy/evaluate.ts";
import { BUILTIN_KUBERNETES_VERSION } from "../schema/builtin.ts";
import { SourceLocator } from "../schema/locate.ts";
import { parseYaml } from "../util/yaml.ts";
import { loadConfig, type Ports } from "./context.ts";
import { createValidator, loadCrdPaths, regoPolicyFiles } from "./validation.ts";
import { loadConftestPolicy, type PolicyFile } from "../policy/conftest/index.ts";
import { TOOL_VERSION } from "./verify.ts";

export interface ValidateFilesSettings {
  /** Files and directories (directories: every .yaml, .yml and .json file below, hidden ones left out); "-" is standard input. */
  paths: string[];
  cwd: string;
  stdin?: () => Promise<string>;
  configPath?: string;
  /** Overrides of the configuration's `schemas` section. */
  schemas?: Partial<Config["schemas"]>;
  /** Further policy files or directories (Kyverno, PolicyExceptions, ValidatingAdmissionPolicies and bindings). */
  policyPaths?: string[];
  /** Evaluate the built-in pack too. */
  builtin?: boolean;
  /** conftest namespaces for .rego policies among policyPaths (default main), or "all". */
  namespaces?: string[] | "all";
}

export async function validateFiles(settings: ValidateFilesSettings, ports: Ports): Promise<ValidateReport> {
  const started = performance.now();
  const { files } = ports;
  const root = settings.cwd;
  const config = settings.configPath ? (await loadConfig(files, root, { explicitPath: settings.configPath })).config : DEFAULT_CONFIG;
  const merged: Config = { ...config, schemas: { ...config.schemas, ...settings.schemas } };
  const validator = createValidator(merged, root, ports);
  const locator = new SourceLocator(root, files);
  const findings: Finding[] = [];

  const crds = await loadCrdPaths(merged, root, files);
  findings.push(...crds.findings, ...validator.addSharedCrds(crds.manifests));

  const inputs = await expandPaths(settings, ports);
  const manifests: Manifest[] = [];
  for (const input of inputs) {
    let text: string;
    try {
      text = input.file === "-" ? await settings.stdin!() : await files.readText(input.absolute);
    } catch (error) {
      findings.push({ ruleId: "file-unreadable", severity: "error", message: `${input.display}: ${(error as Error).message}`, location: { file: input.display } });
      continue;
    }
    manifests.push(...readManifests(text, input.display, locator, findings));
  }
  ports.logger.info(`validating ${manifests.length} resource${manifests.length === 1 ? "" : "s"} from ${inputs.length} file${inputs.length === 1 ? "" : "s"}`);
  const locate = await locator.prepare(manifests);
  const result = await validator.validateDetailed(manifests, { locate });
  findings.push(...result.findings, ...validator.locationFindings());

  // policies among the inputs and named with --policy apply to the inputs, as `kyverno apply`, `gator test` and
  // `conftest test` apply theirs
  let policySet = settings.builtin ? builtinPolicySet() : emptyPolicySet();
  const regoFiles: PolicyFile[] = [];
  const display = (file: string) => {
    const relative = path.relative(settings.cwd, file);
    return (relative.startsWith("..") || path.isAbsolute(relative) ? file : relative).split(path.sep).join("/");
  };
  for (const given of settings.policyPaths ?? []) {
    const absolute = path.resolve(settings.cwd, given);
    const info = await files.stat(absolute);
    if (!info) throw new UserError(`--policy ${given}: no such file or directory`);
    const rego = await regoPolicyFiles(files, absolute, display(info.type === "directory" ? absolute : path.dirname(absolute)), display);
    regoFiles.push(...rego);
    const data = new Set(rego.map((file) => file.file));
    if (given.endsWith(".rego")) continue;
    for (const input of await expandPaths({ ...settings, paths: [given] }, ports)) {
      if (data.has(input.display)) continue; // a conftest data file, not a policy
      const documents = readManifests(await files.readText(input.absolute), input.display, locator, findings);
      policySet = withPolicies(policySet, documents.map((manifest) => ({ object: manifest.object, origin: manifest.source!, manifest })));
    }
  }
  if (regoFiles.some((file) => file.file.endsWith(".rego"))) {
    const loaded = loadConftestPolicy(regoFiles, { regoVersion: "auto" });
    findings.push(...loaded.findings);
    if (loaded.policy) policySet = { ...policySet, conftest: { policy: loaded.policy, namespaces: settings.namespaces ?? ["main"] } };
  }
  policySet = withPolicies(policySet, manifests.filter((manifest) => isPolicyObject(manifest.object)).map((manifest) => ({ object: manifest.object, origin: manifest.source!, manifest })));
  const evaluatesPolicies =
    [policySet.kyverno, policySet.validatingPolicies, policySet.exceptions, policySet.vaps, policySet.bindings, policySet.gatekeeper.templates, policySet.gatekeeper.constraints, policySet.bundles].some((documents) => documents.length > 0) ||
    policySet.conftest !== undefined;
  let policyResults: PolicyVerdict[] | undefined;
  if (evaluatesPolicies) {
    const evaluated = evaluatePoliciesDetailed(manifests, policySet, { locate });
    findings.push(...evaluated.findings);
    policyResults = evaluated.results.map(({ manifest, policy, rule, result: verdict, message }) => ({
      policy,
      rule,
      kind: manifest.id.kind,
      ...(manifest.id.namespace ? { namespace: manifest.id.namespace } : {}),
      name: manifest.id.name,
      file: manifest.source!.file,
      line: manifest.source!.line ?? manifest.rendered.line,
      result: verdict,
      message,
    }));
  }

  const invalid = new Set(findings.filter((finding) => finding.severity === "error" && finding.object).map((finding) => finding.object!));
  const resources = manifests.map((manifest): ValidatedResource => {
    const schema = result.schemaOf.get(manifest);
    const status = invalid.has(manifest.id) ? "invalid" : schema === "missing" || schema === "skipped" ? "skipped" : "valid";
    return {
      file: manifest.source!.file,
      line: manifest.source!.line ?? manifest.rendered.line,
      apiVersion: String(manifest.object.apiVersion),
      kind: manifest.id.kind,
      ...(manifest.id.namespace ? { namespace: manifest.id.namespace } : {}),
      name: manifest.id.name,
      status,
      ...(schema && !["missing", "skipped", "unknown kind", "removed API"].includes(schema) ? { schema } : {}),
    };
  });
  const count = (severity: Finding["severity"]) => findings.filter((finding) => finding.severity === severity).length;
  return {
    schemaVersion: 1,
    tool: { name: "gitops-verify", version: TOOL_VERSION },
    kubernetesVersion: merged.schemas.kubernetesVersion ?? BUILTIN_KUBERNETES_VERSION,
    strict: merged.schemas.strict,
    resources,
    ...(policyResults ? { policyResults } : {}),
    findings,
    summary: {
      files: inputs.length,
      resources: resources.length,
      valid: resources.filter((resource) => resource.status === "valid").length,
      invalid: resources.filter((resource) => resource.status === "invalid").length,
      skipped: resources.filter((resource) => resource.status === "skipped").length,
      findings: { error: count("error"), warning: count("warning"), notice: count("notice") },
    },
    durationMs: Math.round(performance.now() - started),
  };
}

interface Input {
  file: string;
  absolute: string;
  display: string;
}

async function expandPaths(settings: ValidateFilesSettings, ports: Ports): Promise<Input[]> {
  const inputs: Input[] = [];
  const display = (absolute: string) => {
    const relative = path.relative(settings.cwd, absolute);
    return (relative.startsWith("..") || path.isAbsolute(relative) ? absolute : relative).split(path.sep).join("/");
  };
  const walk = async (absolute: string): Promise<void> => {
    for (const entry of (await ports.files.list(absolute)).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.name.startsWith(".")) continue;
      const child = path.join(absolute, entry.name);
      if (entry.type === "directory") await walk(child);
      else if (entry.type === "file" && /\.(ya?ml|json)$/i.test(entry.name)) inputs.push({ file: child, absolute: child, display: display(child) });
    }
  };
  for (const given of settings.paths.length > 0 ? settings.paths : ["-"]) {
    if (given === "-") {
      if (!settings.stdin) throw new UserError("no standard input to read");
      inputs.push({ file: "-", absolute: "-", display: "<stdin>" });
      continue;
    }
    const absolute = path.resolve(settings.cwd, given);
    const info = await ports.files.stat(absolute);
    if (!info) throw new UserError(`${given}: no such file or directory`);
    if (info.type === "directory") await walk(absolute);
    else inputs.push({ file: absolute, absolute, display: display(absolute) });
  }
  return inputs;
}

/** Every object of a file (items of a List too), each knowing its file and line; what is not an object is a finding. */
function readManifests(text: string, file: string, locator: SourceLocator, findings: Finding[]): Manifest[] {
  let parsed;
  try {
    parsed = parseYaml(text, file);
  } catch (error) {
    const location = error instanceof UserError ? error.location : undefined;
    findings.push({ ruleId: "yaml-invalid", severity: "error", message: (error as Error).message, location: location ?? { file } });
    return [];
  }
  locator.seed(file, parsed);
  const manifests: Manifest[] = [];
  parsed.documents.forEach((document, index) => {
    const value = document.value;
    if (value === null || value === undefined) return;
    const problem = (message: string) => findings.push({ ruleId: "object-invalid", severity: "error", message, location: { file, line: document.line } });
    if (typeof value !== "object" || Array.isArray(value)) return problem("a Kubernetes object must be a YAML map");
    const object = value as KubeObject;
    if (typeof object.kind === "string" && object.kind.endsWith("List") && Array.isArray(object.items)) {
      // kubectl's List: its items are validated one by one, located at the List's document
      for (const item of object.items) {
        const manifest = toManifest(item as KubeObject, file, document.line, index, problem);
        if (manifest) manifests.push(manifest);
      }
      return;
    }
    const manifest = toManifest(object, file, document.line, index, problem);
    if (manifest) manifests.push(manifest);
  });
  return manifests;
}

function toManifest(object: KubeObject, file: string, line: number, index: number, problem: (message: string) => void): Manifest | undefined {
  const apiVersion = object?.apiVersion;
  const kind = object?.kind;
  if (typeof apiVersion !== "string" || !apiVersion || typeof kind !== "string" || !kind) {
    const missing = [typeof apiVersion !== "string" || !apiVersion ? "apiVersion" : "", typeof kind !== "string" || !kind ? "kind" : ""].filter(Boolean).join(" and ");
    problem(`not a Kubernetes object: ${missing} missing`);
    return undefined;
  }
  const metadata = (object.metadata ?? {}) as Record<string, unknown>;
  const name = typeof metadata.name === "string" ? metadata.name : typeof metadata.generateName === "string" ? metadata.generateName : "";
  const namespace = typeof metadata.namespace === "string" ? metadata.namespace : "";
  return { object, id: { ...groupOf(apiVersion), kind, namespace, name }, rendered: { index, line }, source: { file, line } };
}
