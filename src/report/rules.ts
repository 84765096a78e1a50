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
