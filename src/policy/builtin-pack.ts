// The built-in policy pack: Kyverno ClusterPolicies in policies/builtin (one check each, with an ID, severity,
// rationale and fix), bundled by scripts/generate-policy-pack.mjs so that no file is read at run time.
import pack from "../../policies/builtin.generated.json" with { type: "json" };
import { emptyPolicySet, withPolicies, type PolicySet } from "./evaluate.ts";

interface PackFile {
  policies: Array<{ file: string; policy: Record<string, unknown> }>;
}

const PACK = pack as unknown as PackFile;

export function builtinPolicies(): Array<{ file: string; policy: Record<string, unknown> }> {
  return PACK.policies;
}

export function builtinPolicySet(): PolicySet {
  return withPolicies(
    emptyPolicySet(),
    PACK.policies.map(({ policy }) => ({ object: policy, origin: "builtin" as const })),
  );
}
