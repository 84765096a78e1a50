// The diff module: normalized, Secret-masked, object-level differences between two renderings.
export { diffManifests, maskForOutput, type DiffOptions, type EnvironmentDiff } from "./object-diff.ts";
export { normalizeObject, toYaml } from "./normalize.ts";
export { createFingerprinter, isSecret, maskSecret, secretKeyChanges, type Fingerprinter } from "./secrets.ts";
export { matchObjects, type Matching } from "./match.ts";
