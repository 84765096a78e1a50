// conftest's policies (Rego files and data files of configured directories) over rendered objects.
//
// verify: loadConftestPolicy(files) once per run, evaluateConftest(policy, rendering, { namespaces, locate,
// environment }) per environment. validate: conftestTest(files, manifests, options) and its `verdicts`.
export { buildDataDocument, isDataFile, isRegoFile, type PolicyFile } from "./data.js";
export { DEFAULT_NAMESPACE, evaluateConftest, namespacesToCheck, type ConftestOptions } from "./evaluate.js";
export { DEFAULT_POLICY_DIRECTORY, loadConftestPolicy, type ConftestLoadOptions, type ConftestPolicy } from "./load.js";
export { exceptedRules, isFailureRule, isWarningRule, messagesOf, ruleBaseName } from "./rules.js";
export { conftestTest } from "./run.js";
