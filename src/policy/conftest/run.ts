// `conftest test` over plain manifests: the policy files of the configured directories compiled, then evaluated on
// every object. For `gitops-verify validate`; `verify` loads once per run and evaluates per environment instead.
import type { Manifest, PolicyVerdict } from "../../model.js";
import { toPolicyVerdicts, type RegoEvaluation } from "../gatekeeper/results.js";
import type { PolicyFile } from "./data.js";
import { evaluateConftest, type ConftestOptions } from "./evaluate.js";
import { loadConftestPolicy, type ConftestLoadOptions } from "./load.js";

/** Problems of the policy files come first, then the objects' results; `verdicts` are those in policyResults form. */
export function conftestTest(files: PolicyFile[], manifests: Manifest[], options: ConftestOptions & ConftestLoadOptions = {}): RegoEvaluation & { verdicts: PolicyVerdict[] } {
  const loaded = loadConftestPolicy(files, options);
  if (!loaded.policy) return { results: [], findings: loaded.findings, verdicts: [] };
  const outcome = evaluateConftest(loaded.policy, manifests, options);
  return { results: outcome.results, findings: [...loaded.findings, ...outcome.findings], verdicts: toPolicyVerdicts(outcome.results) };
}
