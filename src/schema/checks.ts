// Checks of rendered objects that JSON Schemas cannot express, with the API server's own rules and wording:
// - k8s.io/apimachinery/pkg/util/validation/validation.go and, where current apimachinery moved them,
//   pkg/api/validate/content (kube.go IsLabelKey = IsQualifiedName, IsLabelValue; dns.go IsDNS1123Label,
//   IsDNS1123Subdomain): IsDNS1035Label, IsConfigMapKey and the RegexError/MaxLenError messages, worded as the
//   current release words them ("a lowercase RFC 1123 label ...", "a valid label key ...");
// - k8s.io/apimachinery/pkg/api/validation/objectmeta.go: ValidateAnnotations (keys lower-cased, then qualified
//   names; keys and values together at most TotalAnnotationSizeLimitB = 256 KiB, counted in bytes);
// - k8s.io/apimachinery/pkg/api/validation/path: IsValidPathSegmentName (RBAC names);
// - k8s.io/apimachinery/pkg/api/resource/quantity.go and suffix.go: ParseQuantity, ported scanner by scanner;
// - pkg/apis/*/validation: which name rule each kind gets, and requests <= limits (ValidateResourceRequirements).
//
// Flux substitution placeholders ("${CPU_LIMIT}", "${VAR:=1}") are skipped wherever they appear, in a value or in a
// key: kustomize-controller replaces them when it applies the objects, with values this tool may not know (a
// cluster's ConfigMaps and Secrets), so the text seen here is not what the API server will validate.
import { objectKey, type Manifest, type ObjectId } from "../model.ts";
import { list, record } from "../util/values.ts";

export interface CheckFinding {
  ruleId: string;
  severity: "error" | "warning";
  message: string;
  object: ObjectId;
  /** dotted path inside the object, e.g. metadata.labels["app.kubernetes.io/name"] or spec.template.spec.containers[0].resources.limits.cpu */
  path: string;
}

// ---------------------------------------------------------------------------------------------------------------
// apimachinery's string validators: an empty list when valid, else its reasons, worded as apimachinery words them.

const QNAME_CHAR = "[A-Za-z0-9]";
const QNAME_EXT_CHAR = "[-A-Za-z0-9_.]";
const QUALIFIED_NAME_FMT = `(${QNAME_CHAR}${QNAME_EXT_CHAR}*)?${QNAME_CHAR}`;
const QUALIFIED_NAME_ERR = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const QUALIFIED_NAME_MAX = 63;
const QUALIFIED_NAME = new RegExp(`^${QUALIFIED_NAME_FMT}$`);

const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`;
const LABEL_VALUE_ERR =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_MAX = 63;
const LABEL_VALUE = new RegExp(`^${LABEL_VALUE_FMT}$`);

const DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_LABEL_ERR = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_LABEL_MAX = 63;
const DNS1123_LABEL = new RegExp(`^${DNS1123_LABEL_FMT}$`);

const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_ERR =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_MAX = 253;
const DNS1123_SUBDOMAIN = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);

const DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?";
const DNS1035_LABEL_ERR = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
const DNS1035_LABEL_MAX = 63;
const DNS1035_LABEL = new RegExp(`^${DNS1035_LABEL_FMT}$`);

const CONFIG_KEY_FMT = "[-._a-zA-Z0-9]+";
const CONFIG_KEY_ERR = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'";
const CONFIG_KEY = new RegExp(`^${CONFIG_KEY_FMT}$`);

const encoder = new TextEncoder();
/** Go's len(): bytes of UTF-8, which is what the limits count. */
const byteLength = (value: string) => encoder.encode(value).length;

const maxLenError = (length: number) => `must be no more than ${length} characters`;
const EMPTY_ERROR = "must be non-empty";

/** apimachinery RegexError: "msg (e.g. 'a',  or 'b', regex used for validation is 'fmt')" — double space and all. */
function regexError(message: string, format: string, ...examples: string[]): string {
  if (examples.length === 0) return `${message} (regex used for validation is '${format}')`;
  let text = `${message} (e.g. `;
  examples.forEach((example, i) => {
    if (i > 0) text += " or ";
    text += `'${example}', `;
  });
  return `${text}regex used for validation is '${format}')`;
}

/** A label key, annotation key (lower-cased first) or other "qualified name": [prefix/]name. */
export function isQualifiedName(value: string): string[] {
  const errors: string[] = [];
  const parts = value.split("/");
  let name: string;
  if (parts.length === 1) {
    name = parts[0]!;
  } else if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) errors.push(`prefix part ${EMPTY_ERROR}`);
    else errors.push(...isDns1123Subdomain(prefix).map((message) => `prefix part ${message}`));
  } else {
    return [
      `a valid label key ${regexError(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")}` +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errors.push(`name part ${EMPTY_ERROR}`);
  else if (byteLength(name) > QUALIFIED_NAME_MAX) errors.push(`name part ${maxLenError(QUALIFIED_NAME_MAX)}`);
  if (!QUALIFIED_NAME.test(name)) errors.push(`name part ${regexError(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")}`);
  return errors;
}

export function isValidLabelValue(value: string): string[] {
  const errors: string[] = [];
  if (byteLength(value) > LABEL_VALUE_MAX) errors.push(maxLenError(LABEL_VALUE_MAX));
  if (!LABEL_VALUE.test(value)) errors.push(regexError(LABEL_VALUE_ERR, LABEL_VALUE_FMT, "MyValue", "my_value", "12345"));
  return errors;
}

export function isDns1123Subdomain(value: string): string[] {
  const errors: string[] = [];
  if (byteLength(value) > DNS1123_SUBDOMAIN_MAX) errors.push(maxLenError(DNS1123_SUBDOMAIN_MAX));
  if (!DNS1123_SUBDOMAIN.test(value)) errors.push(regexError(DNS1123_SUBDOMAIN_ERR, DNS1123_SUBDOMAIN_FMT, "example.com"));
  return errors;
}

export function isDns1123Label(value: string): string[] {
  const errors: string[] = [];
  if (byteLength(value) > DNS1123_LABEL_MAX) errors.push(maxLenError(DNS1123_LABEL_MAX));
  // A valid subdomain that is not a label can only be wrong by its dots.
  if (!DNS1123_LABEL.test(value)) errors.push(DNS1123_SUBDOMAIN.test(value) ? "must not contain dots" : regexError(DNS1123_LABEL_ERR, DNS1123_LABEL_FMT, "my-name", "123-abc"));
  return errors;
}

/** Service names (core ValidateServiceName = NameIsDNS1035Label): a DNS-1123 label that starts with a letter. */
export function isDns1035Label(value: string): string[] {
  const errors: string[] = [];
  if (byteLength(value) > DNS1035_LABEL_MAX) errors.push(maxLenError(DNS1035_LABEL_MAX));
  if (!DNS1035_LABEL.test(value)) errors.push(regexError(DNS1035_LABEL_ERR, DNS1035_LABEL_FMT, "my-name", "abc-123"));
  return errors;
}

/** Keys of a ConfigMap's data/binaryData and a Secret's data/stringData. */
export function isConfigMapKey(value: string): string[] {
  const errors: string[] = [];
  if (byteLength(value) > DNS1123_SUBDOMAIN_MAX) errors.push(maxLenError(DNS1123_SUBDOMAIN_MAX));
  if (!CONFIG_KEY.test(value)) errors.push(regexError(CONFIG_KEY_ERR, CONFIG_KEY_FMT, "key.name", "KEY_NAME", "key-name"));
  if (value === ".") errors.push("must not be '.'");
  else if (value === "..") errors.push("must not be '..'");
  else if (value.startsWith("..")) errors.push("must not start with '..'");
  return errors;
}

/** RBAC names (ValidateRBACName = path.IsValidPathSegmentName): anything a URL path segment can carry. */
export function isValidPathSegmentName(value: string): string[] {
  for (const illegal of [".", ".."]) if (value === illegal) return [`may not be '${illegal}'`];
  return ["/", "%"].filter((illegal) => value.includes(illegal)).map((illegal) => `may not contain '${illegal}'`);
}

// ---------------------------------------------------------------------------------------------------------------
// Quantities: resource.ParseQuantity's scanner and suffix table, so exactly what the API server accepts is accepted
// (including its oddities: "1.", ".5", "+1", "1e3", "100n" are valid; "1KiB", "1K", "1.5.5", "1 Gi" are not).

const SPLIT_RE = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$";
const ERR_FORMAT_WRONG = `quantities must match the regular expression '${SPLIT_RE}'`;
const ERR_NUMERIC = "unable to parse numeric part of quantity";
const ERR_SUFFIX = "unable to parse quantity's suffix";
const MAX_INT64_FACTORS = 18;
const NANO = -9;
const SUFFIX_CHARS = "eEinumkKMGTP";
const isDigit = (char: string | undefined) => char !== undefined && char >= "0" && char <= "9";

interface Scanned {
  positive: boolean;
  /** The number as written, with its sign: what inf.Dec parses on the slow path. */
  value: string;
  /** Integer digits without leading zeros ("0" when none). */
  num: string;
  denom: string;
  suffix: string;
}

/** parseQuantityString: undefined is ErrFormatWrong. */
function scanQuantity(text: string): Scanned | undefined {
  let positive = true;
  let pos = 0;
  const end = text.length;
  if (pos < end) {
    if (text[0] === "-") {
      positive = false;
      pos++;
    } else if (text[0] === "+") {
      pos++;
    }
  }
  // leading zeros
  for (let i = pos; ; i++) {
    if (i >= end) return { positive, value: "0", num: "0", denom: "", suffix: "" };
    if (text[i] !== "0") break;
    pos++;
  }
  let num = "";
  for (let i = pos; ; i++) {
    if (i >= end) return { positive, value: text, num: text.slice(pos), denom: "", suffix: "" };
    if (!isDigit(text[i])) {
      num = text.slice(pos, i);
      pos = i;
      break;
    }
  }
  if (num.length === 0) num = "0";
  let denom = "";
  if (pos < end && text[pos] === ".") {
    pos++;
    for (let i = pos; ; i++) {
      if (i >= end) return { positive, value: text, num, denom: text.slice(pos), suffix: "" };
      if (!isDigit(text[i])) {
        denom = text.slice(pos, i);
        pos = i;
        break;
      }
    }
  }
  const value = text.slice(0, pos);
  const suffixStart = pos;
  for (let i = pos; ; i++) {
    if (i >= end) return { positive, value, num, denom, suffix: text.slice(suffixStart) };
    if (!SUFFIX_CHARS.includes(text[i]!)) {
      pos = i;
      break;
    }
  }
  if (pos < end && (text[pos] === "-" || text[pos] === "+")) pos++;
  for (let i = pos; ; i++) {
    if (i >= end) return { positive, value, num, denom, suffix: text.slice(suffixStart) };
    if (!isDigit(text[i])) return undefined; // a non-digit after the exponent's digits
  }
}

type Format = "DecimalSI" | "BinarySI" | "DecimalExponent";
interface Suffix {
  base: 10 | 2;
  exponent: number;
  format: Format;
}

const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** suffixHandler.interpret; "e"/"E" exponents go through strconv.ParseInt(s, 10, 64), then int32(). */
function interpretSuffix(suffix: string): Suffix | undefined {
  if (Object.hasOwn(DECIMAL_SUFFIXES, suffix)) return { base: 10, exponent: DECIMAL_SUFFIXES[suffix]!, format: "DecimalSI" };
  if (Object.hasOwn(BINARY_SUFFIXES, suffix)) return { base: 2, exponent: BINARY_SUFFIXES[suffix]!, format: "BinarySI" };
  if (suffix.length > 1 && (suffix[0] === "e" || suffix[0] === "E")) {
    const digits = suffix.slice(1);
    if (!/^[+-]?[0-9]+$/.test(digits)) return undefined;
    const parsed = BigInt(digits);
    if (parsed < INT64_MIN || parsed > INT64_MAX) return undefined;
    return { base: 10, exponent: Number(BigInt.asIntN(32, parsed)), format: "DecimalExponent" };
  }
  return undefined;
}

interface Parsed {
  scanned: Scanned;
  suffix: Suffix;
}

function parse(input: string | number): Parsed | { reason: string } {
  if (typeof input === "number" && !Number.isFinite(input)) return { reason: ERR_NUMERIC };
  // A number reaches the API server as its JSON text; a string is trimmed by Quantity.UnmarshalJSON.
  const text = typeof input === "number" ? String(input) : input.trim();
  if (text.length === 0) return { reason: ERR_FORMAT_WRONG };
  const scanned = scanQuantity(text);
  if (!scanned) return { reason: ERR_FORMAT_WRONG };
  const suffix = interpretSuffix(scanned.suffix);
  if (!suffix) return { reason: ERR_SUFFIX };
  // The fast path takes every value that fits an int64 at nano scale; the rest go through inf.Dec.SetString, which
  // wants at least one digit ("Ei" and "e-10" fail there, "Ti" and "e-9" do not).
  let precision: number;
  let scale = 0;
  if (suffix.format === "BinarySI") {
    precision = suffix.exponent >= 0 && scanned.denom.length === 0 ? 15 - scanned.num.length - Math.trunc((suffix.exponent * 3) / 10) - 1 : -1;
  } else {
    scale = suffix.exponent;
    precision = MAX_INT64_FACTORS - (scanned.num.length + scanned.denom.length);
  }
  scale -= scanned.denom.length;
  const fastPath = precision >= 0 && scale >= NANO;
  if (!fastPath && !/[0-9]/.test(scanned.value)) return { reason: ERR_NUMERIC };
  return { scanned, suffix };
}

/** Whether the API server parses the value as a resource.Quantity; a number is read as the JSON number it becomes. */
export function parseQuantity(value: string | number): { ok: true } | { ok: false; reason: string } {
  const parsed = parse(value);
  return "reason" in parsed ? { ok: false, reason: parsed.reason } : { ok: true };
}

/** The exact value as a fraction, for comparisons; undefined when the exponent makes it impractically large. */
function rational({ scanned, suffix }: Parsed): { n: bigint; d: bigint } | undefined {
  const digits = BigInt(scanned.num + scanned.denom);
  let n = scanned.positive ? digits : -digits;
  let d = 10n ** BigInt(scanned.denom.length);
  if (suffix.base === 2) n *= 2n ** BigInt(suffix.exponent);
  else if (Math.abs(suffix.exponent) > 400) return undefined;
  else if (suffix.exponent >= 0) n *= 10n ** BigInt(suffix.exponent);
  else d *= 10n ** BigInt(-suffix.exponent);
  return { n, d };
}

const compare = (a: { n: bigint; d: bigint }, b: { n: bigint; d: bigint }) => {
  const left = a.n * b.d;
  const right = b.n * a.d;
  return left < right ? -1 : left > right ? 1 : 0;
};

// ---------------------------------------------------------------------------------------------------------------
// Objects.

const isPlaceholder = (value: string) => value.includes("${");

/** Appends a key or index to a dotted path: metadata.labels.app, metadata.labels["app.kubernetes.io/name"], containers[0]. */
export function at(base: string, key: string | number): string {
  if (typeof key === "number") return `${base}[${key}]`;
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return base ? `${base}.${key}` : key;
  return `${base}[${JSON.stringify(key)}]`;
}

const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/** API groups served by the API server itself: their kinds' name rules are listed below, or not checked. */
const BUILT_IN_GROUPS = new Set([
  "",
  "apps",
  "batch",
  "autoscaling",
  "policy",
  "extensions",
  "admissionregistration.k8s.io",
  "apiextensions.k8s.io",
  "apiregistration.k8s.io",
  "apiserver.k8s.io",
  "authentication.k8s.io",
  "authorization.k8s.io",
  "certificates.k8s.io",
  "coordination.k8s.io",
  "discovery.k8s.io",
  "events.k8s.io",
  "flowcontrol.apiserver.k8s.io",
  "internal.apiserver.k8s.io",
  "metrics.k8s.io",
  "networking.k8s.io",
  "node.k8s.io",
  "rbac.authorization.k8s.io",
  "resource.k8s.io",
  "scheduling.k8s.io",
  "storage.k8s.io",
  "storagemigration.k8s.io",
]);

type NameRule = "subdomain" | "label" | "service" | "cronjob" | "path-segment";

/**
 * metadata.name rules by kind, each from its validation package: core ValidatePodName, ValidateReplicationControllerName,
 * ValidateNodeName, ValidateLimitRangeName, ValidateResourceQuotaName, ValidateSecretName, ValidateServiceAccountName,
 * ValidateEndpointsName, ValidateConfigMapName (subdomain), ValidateNamespaceName (label), ValidateServiceName
 * (DNS-1035 label); apps ValidateDeploymentName, ValidateDaemonSetName (subdomain), ValidateStatefulSetName (label,
 * since kubernetes/kubernetes#114172); batch Jobs and CronJobs share the ReplicationController rule, CronJobs at most
 * 52 characters (63 minus the controller's 11-character suffix); networking ValidateNetworkPolicyName and the
 * Ingress/IngressClass names, storage ValidateClassName, scheduling ValidatePriorityClassName, node
 * ValidateRuntimeClassName (subdomain); rbac ValidateRBACName (path segment). Custom resources: subdomain
 * (apiextensions-apiserver's customResourceValidator). Other built-in kinds are left alone rather than guessed.
 */
const NAME_RULES: Record<string, NameRule> = {
  "/Pod": "subdomain",
  "/ReplicationController": "subdomain",
  "/Node": "subdomain",
  "/LimitRange": "subdomain",
  "/ResourceQuota": "subdomain",
  "/Secret": "subdomain",
  "/ServiceAccount": "subdomain",
  "/Endpoints": "subdomain",
  "/ConfigMap": "subdomain",
  "/Namespace": "label",
  "/Service": "service",
  "apps/Deployment": "subdomain",
  "apps/DaemonSet": "subdomain",
  "apps/ReplicaSet": "subdomain",
  "apps/StatefulSet": "label",
  "batch/Job": "subdomain",
  "batch/CronJob": "cronjob",
  "networking.k8s.io/NetworkPolicy": "subdomain",
  "networking.k8s.io/Ingress": "subdomain",
  "networking.k8s.io/IngressClass": "subdomain",
  "storage.k8s.io/StorageClass": "subdomain",
  "scheduling.k8s.io/PriorityClass": "subdomain",
  "node.k8s.io/RuntimeClass": "subdomain",
  "rbac.authorization.k8s.io/Role": "path-segment",
  "rbac.authorization.k8s.io/ClusterRole": "path-segment",
  "rbac.authorization.k8s.io/RoleBinding": "path-segment",
  "rbac.authorization.k8s.io/ClusterRoleBinding": "path-segment",
};

/** Workloads whose names the API server warns about when they are not DNS labels (kubernetes/kubernetes#114412). */
const DNS_LABEL_RECOMMENDED = new Set(["/Pod", "/ReplicationController", "apps/ReplicaSet", "apps/Deployment", "batch/Job", "batch/CronJob"]);

const CRONJOB_NAME_MAX = 52;

function nameRuleOf(id: ObjectId): NameRule | undefined {
  return NAME_RULES[`${id.group}/${id.kind}`] ?? (BUILT_IN_GROUPS.has(id.group) ? undefined : "subdomain");
}

interface PodTemplate {
  /** The template's own metadata (labels and annotations are validated there too); absent for a Pod. */
  metadata?: { path: string; value: unknown };
  spec: { path: string; value: unknown };
}

/** The pod specs an object carries: a Pod's own, or its template's in the workload kinds. */
function podTemplatesOf(object: Record<string, unknown>, id: ObjectId): PodTemplate[] {
  const template = (path: string, holder: Record<string, unknown>): PodTemplate => {
    const value = record(holder.template);
    const base = path ? `${path}.template` : "template";
    return { metadata: { path: `${base}.metadata`, value: value.metadata }, spec: { path: `${base}.spec`, value: value.spec } };
  };
  const spec = record(object.spec);
  switch (`${id.group}/${id.kind}`) {
    case "/Pod":
      return [{ spec: { path: "spec", value: object.spec } }];
    case "/PodTemplate":
      return [template("", object)];
    case "/ReplicationController":
    case "apps/Deployment":
    case "apps/DaemonSet":
    case "apps/ReplicaSet":
    case "apps/StatefulSet":
    case "extensions/Deployment":
    case "extensions/DaemonSet":
    case "extensions/ReplicaSet":
    case "batch/Job":
      return [template("spec", spec)];
    case "batch/CronJob":
      return [template("spec.jobTemplate.spec", record(record(spec.jobTemplate).spec))];
    default:
      return [];
  }
}

/** The metadata blocks whose labels and annotations the API server validates: the object's and its templates'. */
function metadataBlocksOf(object: Record<string, unknown>, id: ObjectId): { path: string; value: Record<string, unknown> }[] {
  const blocks = [{ path: "metadata", value: record(object.metadata) }];
  if (`${id.group}/${id.kind}` === "batch/CronJob") {
    blocks.push({ path: "spec.jobTemplate.metadata", value: record(record(record(object.spec).jobTemplate).metadata) });
  }
  for (const template of podTemplatesOf(object, id)) {
    if (template.metadata) blocks.push({ path: template.metadata.path, value: record(template.metadata.value) });
  }
  return blocks;
}

const CONTAINER_FIELDS = ["initContainers", "containers", "ephemeralContainers"];

class Collector {
  readonly findings: CheckFinding[] = [];
  constructor(private readonly object: ObjectId) {}

  add(ruleId: string, severity: "error" | "warning", path: string, message: string): void {
    this.findings.push({ ruleId, severity, message, object: this.object, path });
  }

  labels(labels: Record<string, unknown>, path: string): void {
    for (const [key, value] of Object.entries(labels)) {
      const keyPath = at(path, key);
      if (!isPlaceholder(key)) {
        const reasons = isQualifiedName(key);
        if (reasons.length) this.add("label-key-invalid", "error", keyPath, `label key ${JSON.stringify(key)} is invalid: ${reasons.join("; ")}`);
      }
      // A non-string value is a type error, which the schema reports.
      if (typeof value === "string" && !isPlaceholder(value)) {
        const reasons = isValidLabelValue(value);
        if (reasons.length) this.add("label-value-invalid", "error", keyPath, `label value ${JSON.stringify(value)} is invalid: ${reasons.join("; ")}`);
      }
    }
  }

  annotations(annotations: Record<string, unknown>, path: string): void {
    let size = 0;
    for (const [key, value] of Object.entries(annotations)) {
      size += byteLength(key) + (typeof value === "string" ? byteLength(value) : 0);
      if (isPlaceholder(key)) continue;
      // "The rule is QualifiedName except that case doesn't matter" (objectmeta.go ValidateAnnotations).
      const reasons = isQualifiedName(key.toLowerCase());
      if (reasons.length) this.add("annotation-key-invalid", "error", at(path, key), `annotation key ${JSON.stringify(key)} is invalid: ${reasons.join("; ")}`);
    }
    if (size > TOTAL_ANNOTATION_SIZE_LIMIT) {
      this.add(
        "annotations-too-large",
        "error",
        path,
        `annotations are too long: keys and values take ${size} bytes, the limit is ${TOTAL_ANNOTATION_SIZE_LIMIT} (256 KiB)`,
      );
    }
  }

  name(id: ObjectId, name: unknown): void {
    if (typeof name !== "string" || name === "" || isPlaceholder(name)) return;
    const rule = nameRuleOf(id);
    if (!rule) return;
    const fail = (reasons: string[]) =>
      this.add("name-invalid", "error", "metadata.name", `${id.kind} name ${JSON.stringify(name)} is invalid: ${reasons.join("; ")}`);
    let reasons: string[];
    switch (rule) {
      case "label":
        reasons = isDns1123Label(name);
        break;
      case "path-segment":
        reasons = isValidPathSegmentName(name);
        break;
      case "service": {
        reasons = isDns1035Label(name);
        // The RelaxedServiceNameValidation feature gate (alpha in 1.34) accepts any DNS-1123 label.
        if (reasons.length && isDns1123Label(name).length === 0) {
          this.add(
            "name-invalid",
            "warning",
            "metadata.name",
            `Service name ${JSON.stringify(name)} starts with a digit: only clusters with the RelaxedServiceNameValidation feature gate accept it (${reasons.join("; ")})`,
          );
          return;
        }
        break;
      }
      case "cronjob":
        reasons = isDns1123Subdomain(name);
        if (byteLength(name) > CRONJOB_NAME_MAX) reasons.push(`${maxLenError(CRONJOB_NAME_MAX)} (the controller appends an 11-character suffix to Job names)`);
        break;
      default:
        reasons = isDns1123Subdomain(name);
    }
    if (reasons.length) return fail(reasons);
    if (DNS_LABEL_RECOMMENDED.has(`${id.group}/${id.kind}`)) {
      const labelReasons = isDns1123Label(name);
      if (labelReasons.length) {
        this.add(
          "name-not-dns-label",
          "warning",
          "metadata.name",
          `${id.kind} name ${JSON.stringify(name)}: a DNS label is recommended, as pods take their hostname from it: ${labelReasons.join("; ")}`,
        );
      }
    }
  }

  namespace(namespace: unknown): void {
    if (typeof namespace !== "string" || namespace === "" || isPlaceholder(namespace)) return;
    const reasons = isDns1123Label(namespace);
    if (reasons.length) this.add("namespace-invalid", "error", "metadata.namespace", `namespace ${JSON.stringify(namespace)} is invalid: ${reasons.join("; ")}`);
  }

  configKeys(data: Record<string, unknown>, path: string): void {
    for (const key of Object.keys(data)) {
      if (isPlaceholder(key)) continue;
      const reasons = isConfigMapKey(key);
      if (reasons.length) this.add("config-key-invalid", "error", at(path, key), `key ${JSON.stringify(key)} is invalid: ${reasons.join("; ")}`);
    }
  }

  /** A quantity; its parsed form when it is valid and can be compared. */
  quantity(value: unknown, path: string): Parsed | undefined {
    // Placeholders are resolved at apply time; other types are the schema's to report.
    if (typeof value !== "string" && typeof value !== "number") return undefined;
    if (typeof value === "string" && isPlaceholder(value)) return undefined;
    const parsed = parse(value);
    if ("reason" in parsed) {
      this.add("quantity-invalid", "error", path, `quantity ${JSON.stringify(value)} is invalid: ${parsed.reason}`);
      return undefined;
    }
    const exact = rational(parsed);
    // ValidateNonnegativeQuantity: every ResourceList the checks read is non-negative.
    if (exact && exact.n < 0n) {
      this.add("quantity-invalid", "error", path, `quantity ${JSON.stringify(value)} is invalid: must be greater than or equal to 0`);
      return undefined;
    }
    return parsed;
  }

  resourceList(list: Record<string, unknown>, path: string): Map<string, Parsed> {
    const parsed = new Map<string, Parsed>();
    for (const [name, value] of Object.entries(list)) {
      const quantity = this.quantity(value, at(path, name));
      if (quantity) parsed.set(name, quantity);
    }
    return parsed;
  }

  /** requests and limits of a container, a PVC or a claim template; a request above its limit is an error. */
  requirements(resources: Record<string, unknown>, path: string): void {
    const requests = this.resourceList(record(resources.requests), at(path, "requests"));
    const limits = this.resourceList(record(resources.limits), at(path, "limits"));
    for (const [name, request] of requests) {
      const limit = limits.get(name);
      if (!limit) continue;
      const a = rational(request);
      const b = rational(limit);
      if (a && b && compare(a, b) > 0) {
        const written = (value: unknown) => String(value);
        this.add(
          "limit-below-request",
          "error",
          at(at(path, "requests"), name),
          `${name} request ${written(record(resources.requests)[name])} must be less than or equal to ${name} limit of ${written(record(resources.limits)[name])}`,
        );
      }
    }
  }
}

function checkObject(manifest: Manifest): CheckFinding[] {
  const { object, id } = manifest;
  const collect = new Collector(id);
  const metadata = record(object.metadata);
  collect.name(id, metadata.name);
  collect.namespace(metadata.namespace);
  for (const block of metadataBlocksOf(object, id)) {
    collect.labels(record(block.value.labels), at(block.path, "labels"));
    collect.annotations(record(block.value.annotations), at(block.path, "annotations"));
  }
  for (const template of podTemplatesOf(object, id)) {
    const podSpec = record(template.spec.value);
    for (const field of CONTAINER_FIELDS) {
      list(podSpec[field]).forEach((container, i) => {
        const path = at(at(at(template.spec.path, field), i), "resources");
        collect.requirements(record(record(container).resources), path);
      });
    }
  }
  const spec = record(object.spec);
  switch (`${id.group}/${id.kind}`) {
    case "/ConfigMap":
      collect.configKeys(record(object.data), "data");
      collect.configKeys(record(object.binaryData), "binaryData");
      break;
    case "/Secret":
      collect.configKeys(record(object.data), "data");
      collect.configKeys(record(object.stringData), "stringData");
      break;
    case "/ResourceQuota":
      collect.resourceList(record(spec.hard), "spec.hard");
      break;
    case "/LimitRange":
      list(spec.limits).forEach((item, i) => {
        for (const field of ["max", "min", "default", "defaultRequest", "maxLimitRequestRatio"]) {
          collect.resourceList(record(record(item)[field]), at(at("spec.limits", i), field));
        }
      });
      break;
    case "/PersistentVolumeClaim":
      collect.requirements(record(spec.resources), "spec.resources");
      break;
    case "apps/StatefulSet":
      list(spec.volumeClaimTemplates).forEach((claim, i) => {
        collect.requirements(record(record(record(claim).spec).resources), `spec.volumeClaimTemplates[${i}].spec.resources`);
      });
      break;
  }
  return collect.findings;
}

/** "Deployment.apps apps/web", "Namespace apps": kind and group, as kubectl names them, and where. */
function describe(id: ObjectId): string {
  const kind = id.group ? `${id.kind}.${id.group}` : id.kind;
  return `${kind} ${id.namespace ? `${id.namespace}/` : ""}${id.name}`;
}

/** The same object twice in one environment's output: the second overwrites the first when applied. */
function duplicates(manifests: Manifest[]): CheckFinding[] {
  const findings: CheckFinding[] = [];
  const first = new Map<string, Manifest>();
  for (const manifest of manifests) {
    if (!manifest.id.name) continue;
    const key = objectKey(manifest.id);
    const earlier = first.get(key);
    if (!earlier) {
      first.set(key, manifest);
      continue;
    }
    const where = (m: Manifest) => `${m.rendered.index + 1} (line ${m.rendered.line})`;
    findings.push({
      ruleId: "object-duplicate",
      severity: "error",
      message: `${describe(manifest.id)} is rendered more than once: documents ${where(earlier)} and ${where(manifest)} of the output`,
      object: manifest.id,
      path: "metadata.name",
    });
  }
  return findings;
}

/** Every check of this module over one environment's rendered objects, in the order of the objects. */
export function checkObjects(manifests: Manifest[]): CheckFinding[] {
  return [...manifests.flatMap(checkObject), ...duplicates(manifests)];
}
