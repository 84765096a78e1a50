// `gator test` over plain manifests: the ConstraintTemplates and Constraints among them (and among further policy
// manifests, such as configured paths) are evaluated on the other objects. For `gitops-verify validate`.
import type { Manifest, PolicyVerdict } from "../../model.js";
import { findGatekeeperPolicies } from "./documents.js";
import { evaluateGatekeeper, type GatekeeperOptions } from "./evaluate.js";
import { toPolicyVerdicts, type RegoEvaluation } from "./results.js";

export interface GatorTestOptions extends GatekeeperOptions {
  /** Policy manifests beyond those among the objects (--policy paths); only their Gatekeeper objects are used. */
  policies?: Manifest[];
}

/**
 * Evaluates every constraint found on every object; `verdicts` are the results in `policyResults` form and
 * `evaluated` says whether there was any Gatekeeper object at all.
 */
export function gatorTest(manifests: Manifest[], options: GatorTestOptions = {}): RegoEvaluation & { verdicts: PolicyVerdict[]; evaluated: boolean } {
  const set = findGatekeeperPolicies([...(options.policies ?? []), ...manifests]);
  const evaluated = set.templates.length > 0 || set.constraints.length > 0;
  if (!evaluated) return { results: [], findings: [], verdicts: [], evaluated };
  const outcome = evaluateGatekeeper(set, manifests, options);
  return { ...outcome, verdicts: toPolicyVerdicts(outcome.results), evaluated };
}
