// The rules gitops-verify reports findings under: stable IDs, described once for SARIF and the docs.
export interface RuleDescription {
  id: string;
  name: string;
  description: string;
  help: string;
}

const RULES: RuleDescription[] = [
  { id: "render-failed", name: "RenderFailed", description: "An environment could not be rendered.", help: "Run `gitops-verify render ENV` (or `kustomize build DIR`) locally and fix the error it names." },
  { id: "kustomization-invalid", name: "KustomizationInvalid", description: "A kustomization file names something that does not exist or cannot be used.", help: "Fix the reference at the line named: the path must exist inside the repository and be of the expected kind." },
  { id: "kustomization-cycle", name: "KustomizationCycle", description: "Kustomizations include each other in a cycle.", help: "Break the cycle: a base must not include the overlays built on it." },
  { id: "remote-resource", name: "RemoteResource", description: "A kustomization references a remote base, which is not fetched.", help: "Vendor the base into the repository, or set render.allowRemoteResources in .gitops-verify.yaml." },
  { id: "yaml-invalid", name: "YamlInvalid", description: "A YAML file does not parse, has duplicate keys, or has too many aliases.", help: "Fix the YAML at the line named." },
  { id: "input-too-large", name: "InputTooLarge", description: "A file an environment reads is larger than an input may be.", help: "Split the file, or keep large data out of the configuration repository." },
  { id: "environment-invalid", name: "EnvironmentInvalid", description: "A configured environment path does not exist or is not a directory.", help: "Fix environments.paths in .gitops-verify.yaml." },
  { id: "schema-unknown-field", name: "SchemaUnknownField", description: "An object has a field its schema does not have (the API server's strict field validation refuses it; a lax server drops it silently).", help: "Fix the spelling (the message suggests the nearest field), or move the field where the schema has it." },
  { id: "schema-type", name: "SchemaType", description: "A value has the wrong type for its field.", help: "Write the value as the type named (quote numbers that must be strings; do not quote integers)." },
  { id: "schema-enum", name: "SchemaEnum", description: "A value is not one of those its field allows.", help: "Use one of the values listed in the message." },
  { id: "schema-required", name: "SchemaRequired", description: "A required field is missing.", help: "Add the field named." },
  { id: "schema-format", name: "SchemaFormat", description: "A value does not have the format its field requires (date-time, base64, quantity…).", help: "Write the value in the format named." },
  { id: "schema-invalid", name: "SchemaInvalid", description: "An object does not satisfy its schema.", help: "See the message for the rule that failed." },
  { id: "schema-missing", name: "SchemaMissing", description: "No schema was found for some objects: they were not validated.", help: "Add their CustomResourceDefinitions to schemas.crdPaths, or a schema location (schemas.locations)." },
  { id: "schema-location", name: "SchemaLocation", description: "A schema location could not be used (unreachable, an HTTP error, invalid JSON, a corrupt cache file).", help: "Check the URL or directory in schemas.locations; the next location was used meanwhile." },
  { id: "kind-unknown", name: "KindUnknown", description: "A built-in API group has no such kind (usually a misspelling).", help: "Fix the kind, or the apiVersion the message names." },
  { id: "api-removed", name: "ApiRemoved", description: "The apiVersion is no longer served by the configured Kubernetes (or project) version.", help: "Move the object to the replacement the message names." },
  { id: "api-deprecated", name: "ApiDeprecated", description: "The apiVersion is deprecated and will be removed.", help: "Move the object to the replacement the message names before the release that removes it." },
  { id: "crd-invalid", name: "CrdInvalid", description: "The API server would refuse this CustomResourceDefinition.", help: "Fix the CRD at the path named; its custom resources are not validated meanwhile." },
  { id: "object-invalid", name: "ObjectInvalid", description: "A YAML document is not a Kubernetes object (no apiVersion or kind, or not a map).", help: "Add apiVersion and kind, or remove the document." },
  { id: "object-duplicate", name: "ObjectDuplicate", description: "The same object is rendered more than once in one environment.", help: "Keep one definition: the API server would apply the last one only." },
  { id: "name-invalid", name: "NameInvalid", description: "An object name the API server would refuse.", help: "Use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit." },
  { id: "namespace-invalid", name: "NamespaceInvalid", description: "A namespace name the API server would refuse.", help: "Use a DNS-1123 label: lower-case letters, digits and '-'." },
  { id: "label-key-invalid", name: "LabelKeyInvalid", description: "A label key the API server would refuse.", help: "Use an optional DNS-subdomain prefix and a name of at most 63 characters." },
  { id: "label-value-invalid", name: "LabelValueInvalid", description: "A label value the API server would refuse.", help: "At most 63 characters: letters, digits, '-', '_' and '.', starting and ending with a letter or digit." },
  { id: "annotation-key-invalid", name: "AnnotationKeyInvalid", description: "An annotation key the API server would refuse (or annotations over 256 KiB).", help: "Use an optional DNS-subdomain prefix and a name of at most 63 characters." },
  { id: "config-key-invalid", name: "ConfigKeyInvalid", description: "A ConfigMap or Secret key the API server would refuse.", help: "Use letters, digits, '-', '_' and '.'." },
  { id: "quantity-invalid", name: "QuantityInvalid", description: "A resource quantity the API server cannot parse, or a negative one.", help: "Write quantities like 100m, 0.5, 128Mi or 1Gi." },
  { id: "limit-below-request", name: "LimitBelowRequest", description: "A resource request is larger than its limit.", help: "Raise the limit or lower the request." },
];

const BY_ID = new Map(RULES.map((rule) => [rule.id, rule]));

export function describeRule(id: string): RuleDescription {
  return (
    BY_ID.get(id) ?? {
      id,
      name: id.replace(/(^|-)([a-z])/g, (_, __, letter: string) => letter.toUpperCase()),
      description: `gitops-verify rule ${id}.`,
      help: "See the finding's message.",
    }
  );
}
