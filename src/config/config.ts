import { Ajv, type ErrorObject } from "ajv";
import schema from "../../schemas/config.v1.json" with { type: "json" };
import { UserError } from "../errors.ts";
import { keyNodeAt, lineOfNode, nodeAt, parseYaml } from "../util/yaml.ts";

export const CONFIG_FILE_NAME = ".gitops-verify.yaml";

export type RendererChoice = "auto" | "kustomize" | "kubectl";

export type LeafPolicy = "auto" | "always" | "never";

export interface ArgoCluster {
  name: string;
  server: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** The configuration with every default filled in. */
export interface Config {
  renderer: RendererChoice;
  environments: { include: string[]; exclude: string[]; paths: string[]; kustomizeLeaves: LeafPolicy };
  sources: { urls: string[]; branches: string[]; refs: string[] };
  flux: { enabled: boolean; clusters: Record<string, string>; strictSubstitution: boolean };
  argocd: { enabled: boolean; clusters: ArgoCluster[] };
  helm: { enabled: boolean; chartCacheDir?: string; kubeVersion?: string };
  schemas: {
    enabled: boolean;
    kubernetesVersion?: string;
    strict: boolean;
    locations: string[];
    ignoreMissingSchemas: boolean;
    skipKinds: string[];
    crdPaths: string[];
    cacheDir?: string;
  };
  policies: {
    enabled: boolean;
    builtin: boolean;
    severities: Record<string, "error" | "warning" | "notice" | "off">;
    fromRepository: boolean;
    paths: string[];
    waivers: Array<{ ids: string[]; paths: string[]; reason: string }>;
    failOnExisting: boolean;
    conftest: { paths: string[]; namespaces: string[]; allNamespaces: boolean; regoVersion: "v0" | "v1" | "auto" };
    opaBundles: string[];
  };
  render: { timeoutSeconds: number; concurrency: number; allowRemoteResources: boolean };
  diff: { contextLines: number };
  report: { markdownBudget: number; fullReportUrl?: string };
  promote: { chain: string[]; valuePaths: string[]; tagPolicies: PromoteTagPolicy[] };
  apply: ApplyConfig;
  drift: DriftConfig;
}

/** apply: server-side apply from CI. */
export interface ApplyConfig {
  fieldManager: string;
  force: boolean;
  concurrency: number;
  inventoryNamespace: string;
  defaultNamespace?: string;
  failOn: "error" | "warning" | "notice" | "never";
  prune: { enabled: boolean; namespaces: boolean; crds: boolean; maxShare: number };
  wait: { enabled: boolean; timeoutSeconds: number; intervalSeconds: number };
  rollback: boolean;
  lease: { durationSeconds: number; waitSeconds: number };
}

/** drift: desired vs live. */
export interface DriftConfig {
  environments: string[];
  cluster?: string;
  ignore: Array<{ group?: string; kind?: string; namespace?: string; name?: string; jsonPointers: string[] }>;
  issue: { enabled: boolean; title: string; labels: string[] };
}

/** promote.tagPolicies: the tags one image may be promoted to (one of semver, pattern, tag). */
export interface PromoteTagPolicy {
  image: string;
  environments?: string[];
  semver?: string;
  pattern?: string;
  extract?: string;
  order?: "numerical" | "alphabetical";
  tag?: string;
}

export const DEFAULT_CONFIG: Config = {
  renderer: "auto",
  environments: { include: [], exclude: [], paths: [], kustomizeLeaves: "auto" },
  sources: { urls: [], branches: ["main", "master"], refs: [] },
  flux: { enabled: true, clusters: {}, strictSubstitution: false },
  argocd: { enabled: true, clusters: [] },
  helm: { enabled: true },
  schemas: { enabled: true, strict: true, locations: ["default"], ignoreMissingSchemas: true, skipKinds: [], crdPaths: [] },
  policies: {
    enabled: true,
    builtin: true,
    severities: {},
    fromRepository: true,
    paths: [],
    waivers: [],
    failOnExisting: false,
    conftest: { paths: ["policy"], namespaces: ["main"], allNamespaces: false, regoVersion: "auto" },
    opaBundles: [],
  },
  render: { timeoutSeconds: 120, concurrency: 0, allowRemoteResources: false },
  diff: { contextLines: 3 },
  report: { markdownBudget: 65000 },
  promote: { chain: [], valuePaths: [], tagPolicies: [] },
  apply: {
    fieldManager: "gitops-verify",
    force: false,
    concurrency: 8,
    inventoryNamespace: "default",
    failOn: "error",
    prune: { enabled: true, namespaces: false, crds: false, maxShare: 0.5 },
    wait: { enabled: true, timeoutSeconds: 300, intervalSeconds: 2 },
    rollback: true,
    lease: { durationSeconds: 900, waitSeconds: 0 },
  },
  drift: { environments: [], ignore: [], issue: { enabled: true, title: "Drift between Git and the cluster", labels: ["gitops-drift"] } },
};

const ajv = new Ajv({ allErrors: true, strict: true });
const validate = ajv.compile(schema);

type RawConfig = {
  version?: number;
  renderer?: RendererChoice;
  environments?: Partial<Config["environments"]>;
  sources?: Partial<Config["sources"]>;
  flux?: Partial<Config["flux"]>;
  argocd?: Partial<Config["argocd"]>;
  helm?: Partial<Config["helm"]>;
  schemas?: Partial<Config["schemas"]>;
  policies?: Partial<Config["policies"]>;
  render?: Partial<Config["render"]>;
  diff?: Partial<Config["diff"]>;
  report?: Partial<Config["report"]>;
  promote?: Partial<Config["promote"]>;
  apply?: Partial<Omit<ApplyConfig, "prune" | "wait" | "lease">> & { prune?: Partial<ApplyConfig["prune"]>; wait?: Partial<ApplyConfig["wait"]>; lease?: Partial<ApplyConfig["lease"]> };
  drift?: Partial<Omit<DriftConfig, "issue">> & { issue?: Partial<DriftConfig["issue"]> };
};

/**
 * Parses and validates configuration text. Errors name the file, the line and the key:
 * a misspelt key is an error, never silently ignored.
 */
export function parseConfig(text: string, file: string): Config {
  const parsed = parseYaml(text, file);
  if (parsed.documents.length > 1) {
    throw new UserError("the configuration must be a single YAML document", { file, line: parsed.documents[1]!.line });
  }
  const document = parsed.documents[0];
  const raw = document?.value ?? {};
  if (!validate(raw)) {
    const error = pickError(validate.errors ?? []);
    const steps = pointerSteps(error.instancePath);
    let node = nodeAt(document!.doc, steps);
    let message = `${displayPath(steps)}: ${error.message ?? "is invalid"}`;
    if (error.keyword === "additionalProperty" || error.keyword === "additionalProperties") {
      const key = String(error.params.additionalProperty);
      const allowed = Object.keys(propertiesAt(steps)).join(", ");
      node = keyNodeAt(document!.doc, [...steps, key]);
      message = `unknown key "${displayPath([...steps, key])}"${allowed ? ` (expected one of: ${allowed})` : ""}`;
    } else if (error.keyword === "enum") {
      message = `${displayPath(steps)}: must be one of ${(error.params.allowedValues as unknown[]).join(", ")}`;
    }
    throw new UserError(message, { file, line: lineOfNode(parsed, node, document?.line ?? 1) });
  }
  return withDefaults(raw as RawConfig);
}

function withDefaults(raw: RawConfig): Config {
  return {
    renderer: raw.renderer ?? DEFAULT_CONFIG.renderer,
    environments: { ...DEFAULT_CONFIG.environments, ...raw.environments },
    sources: { ...DEFAULT_CONFIG.sources, ...raw.sources },
    flux: { ...DEFAULT_CONFIG.flux, ...raw.flux },
    argocd: { ...DEFAULT_CONFIG.argocd, ...raw.argocd },
    helm: { ...DEFAULT_CONFIG.helm, ...raw.helm },
    schemas: { ...DEFAULT_CONFIG.schemas, ...raw.schemas },
    policies: { ...DEFAULT_CONFIG.policies, ...raw.policies, conftest: { ...DEFAULT_CONFIG.policies.conftest, ...raw.policies?.conftest } },
    render: { ...DEFAULT_CONFIG.render, ...raw.render },
    diff: { ...DEFAULT_CONFIG.diff, ...raw.diff },
    report: { ...DEFAULT_CONFIG.report, ...raw.report },
    promote: { ...DEFAULT_CONFIG.promote, ...raw.promote },
    apply: {
      ...DEFAULT_CONFIG.apply,
      ...raw.apply,
      prune: { ...DEFAULT_CONFIG.apply.prune, ...raw.apply?.prune },
      wait: { ...DEFAULT_CONFIG.apply.wait, ...raw.apply?.wait },
      lease: { ...DEFAULT_CONFIG.apply.lease, ...raw.apply?.lease },
    },
    drift: { ...DEFAULT_CONFIG.drift, ...raw.drift, issue: { ...DEFAULT_CONFIG.drift.issue, ...raw.drift?.issue } },
  };
}

/** Unknown keys first: they are the most common mistake and the clearest message. */
function pickError(errors: ErrorObject[]): ErrorObject {
  return errors.find((error) => error.keyword === "additionalProperties") ?? errors[0]!;
}

function pointerSteps(pointer: string): Array<string | number> {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split("/")
    .map((step) => step.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((step) => (/^\d+$/.test(step) ? Number(step) : step));
}

function displayPath(steps: Array<string | number>): string {
  if (steps.length === 0) return "(top level)";
  return steps.map((step, i) => (typeof step === "number" ? `[${step}]` : i === 0 ? step : `.${step}`)).join("");
}

function propertiesAt(steps: Array<string | number>): Record<string, unknown> {
  let node: { properties?: Record<string, unknown>; items?: unknown } = schema;
  for (const step of steps) {
    const next: unknown = typeof step === "number" ? node.items : node.properties?.[step];
    if (!next || typeof next !== "object") return {};
    node = next as typeof node;
  }
  return node.properties ?? {};
}
