// The shapes every Rego engine (Gatekeeper, conftest, OPA Wasm bundles) returns, alike to `evaluatePoliciesDetailed`
// so that `validate` lists them in `policyResults` and the gate reads their findings.
import type { Finding, Manifest, PolicyVerdict, SourceLocation } from "../../model.js";

export type RegoResultKind = "pass" | "fail" | "warn" | "skip" | "error";

/** One policy result for one object. */
export interface RegoPolicyResult {
  engine: "gatekeeper" | "conftest" | "opa-wasm";
  manifest: Manifest;
  /** Gatekeeper: the ConstraintTemplate; conftest: the namespace (package); Wasm: the bundle file. */
  policy: string;
  /** Gatekeeper: the Constraint; conftest and Wasm: the rule (deny, warn_foo…). */
  rule: string;
  result: RegoResultKind;
  message: string;
  /** Gatekeeper: the constraint's enforcement action (dryrun violations are "warn" results with this "dryrun"). */
  enforcementAction?: "deny" | "warn" | "dryrun";
  /** Gatekeeper's violation details, conftest's metadata (the result object without msg). */
  details?: unknown;
}

export interface RegoEvaluation {
  results: RegoPolicyResult[];
  /** Violations (error, warning or notice) and problems of the policies themselves (policy-invalid, notices). */
  findings: Finding[];
}

export interface LocateOptions {
  environment?: string;
  /** File and line of a value of a manifest (schema/locate.ts). */
  locate?: (manifest: Manifest, path: Array<string | number>) => SourceLocation | undefined;
}

export function violationFinding(manifest: Manifest, ruleId: string, severity: Finding["severity"], message: string, options: LocateOptions): Finding {
  const location = options.locate?.(manifest, []) ?? manifest.source;
  return {
    ruleId,
    severity,
    message,
    object: manifest.id,
    ...(location ? { location } : {}),
    ...(options.environment ? { environment: options.environment } : {}),
  };
}

/** Problems are reported once per policy and message, however many objects met them. */
export class ProblemList {
  private readonly byKey = new Map<string, Finding>();

  add(finding: Finding): void {
    const key = `${finding.severity}#${finding.location?.file ?? ""}#${finding.location?.line ?? ""}#${finding.message}`;
    if (!this.byKey.has(key)) this.byKey.set(key, finding);
  }

  get findings(): Finding[] {
    return [...this.byKey.values()];
  }
}

/** The results as `validate --format json` lists them (policyResults, schemas/validate.v1.json). */
export function toPolicyVerdicts(results: RegoPolicyResult[]): PolicyVerdict[] {
  return results.map(({ manifest, policy, rule, result, message }) => ({
    policy,
    rule,
    kind: manifest.id.kind,
    ...(manifest.id.namespace ? { namespace: manifest.id.namespace } : {}),
    name: manifest.id.name,
    file: manifest.source?.file ?? "",
    line: manifest.source?.line ?? manifest.rendered.line,
    result,
    message,
  }));
}
