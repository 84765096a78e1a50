// Gatekeeper's ConstraintTemplates and Constraints over rendered objects: the public face of this folder.
//
// verify: one TemplateCache per run; per environment, withGatekeeperPolicies(configured paths' set, the rendering's
// own Gatekeeper objects), then evaluateGatekeeper(set, rendering, { cache, baseObjects, namespaces, locate,
// environment }). validate: gatorTest(manifests, { policies, locate }) and its `verdicts` for policyResults.
export { emptyGatekeeperSet, findGatekeeperPolicies, isConstraint, isGatekeeperConfig, isConstraintTemplate, isGatekeeperObject, withGatekeeperPolicies, type GatekeeperDocument, type GatekeeperPolicySet } from "./documents.js";
export { enforcementOf, type EnforcementAction } from "./enforcement.js";
export { evaluateGatekeeper, type GatekeeperOptions } from "./evaluate.js";
export { expandObject, isExpansionTemplate } from "./expansion.js";
export { gatorTest, type GatorTestOptions } from "./gator.js";
export { buildInventory } from "./inventory.js";
export { excludedByConfig, ignoredByWebhook, matchConstraint, wildcardMatches } from "./match.js";
export { toPolicyVerdicts, type RegoEvaluation, type RegoPolicyResult } from "./results.js";
export { buildReview } from "./review.js";
export { compileTemplate, TemplateCache, type CompiledTemplate } from "./template.js";
export { compileCelSource, evaluateCelSource } from "./cel.js";
