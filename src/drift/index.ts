// The drift module: what Git specifies against what the cluster holds, normalized, ignore rules applied, Secrets masked.
export { compareDrift, type DriftComparison, type DriftInput } from "./compare.ts";
export { applyIgnoreRules, validateIgnoreRules, type DriftIgnoreRule } from "./ignore.ts";
export { normalizeLive } from "./normalize.ts";
