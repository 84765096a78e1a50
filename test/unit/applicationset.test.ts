import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  expandApplicationSet,
  fastReplace,
  gitPathspecMatch,
  goPathMatch,
  type ClusterInfo,
  type ExpandOptions,
  type ExpansionResult,
  type RepositoryView,
} from "../../src/discover/applicationset.ts";
import type { KubeObject } from "../../src/model.ts";

const REPO = "https://github.com/example/gitops.git";

/** A repository holding these files (directories are implied); it is REPO at any revision. */
function repository(files: Record<string, string>): RepositoryView {
  const directories = new Set<string>();
  for (const file of Object.keys(files)) {
    const parts = file.split("/");
    for (let i = 1; i < parts.length; i++) directories.add(parts.slice(0, i).join("/"));
  }
  return {
    isThisRepository: (repoURL) => repoURL === REPO,
    directories: () => [...directories],
    files: () => Object.keys(files),
    readText: async (path) => files[path]!,
  };
}

const APPS = {
  "apps/web/kustomization.yaml": "resources: []",
  "apps/api/kustomization.yaml": "resources: []",
  "apps/Team_Tools/kustomization.yaml": "resources: []",
  "apps/api/overlays/prod/kustomization.yaml": "resources: []",
  "apps/.hidden/kustomization.yaml": "resources: []",
  "apps/legacy/kustomization.yaml": "resources: []",
};

const CONFIGS = {
  "clusters/dev/config.json": JSON.stringify({ cluster: { name: "dev", address: "https://dev.example" }, replicas: 1, big: 1000000 }),
  "clusters/prod/config.json": JSON.stringify({ cluster: { name: "prod", address: "https://prod.example" }, replicas: 3, big: 1000000 }),
  "clusters/prod/eu/config.json": JSON.stringify({ cluster: { name: "prod-eu", address: "https://eu.example" }, replicas: 2, big: 1 }),
  "clusters/list.yaml": "- cluster: {name: a, address: https://a.example}\n- cluster: {name: b, address: https://b.example}\n",
};

const CLUSTERS: ClusterInfo[] = [
  { name: "in-cluster", server: "https://kubernetes.default.svc" },
  { name: "Prod_EU", server: "https://eu.example", labels: { env: "prod", region: "eu" }, annotations: { owner: "team-a" }, project: "platform" },
  { name: "staging", server: "https://staging.example", labels: { env: "staging" } },
];

/** The fields a case compares, by dotted path. */
function pick(application: KubeObject, paths: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const path of paths) {
    let value: unknown = application;
    for (const step of path.split(".")) value = (value as Record<string, unknown> | undefined)?.[step];
    out[path] = value;
  }
  return out;
}

async function expand(appSet: string, files: Record<string, string> = {}, clusters: ClusterInfo[] = CLUSTERS, options?: ExpandOptions): Promise<ExpansionResult> {
  return expandApplicationSet(parse(appSet) as KubeObject, repository(files), clusters, options);
}

interface Case {
  name: string;
  appSet: string;
  files?: Record<string, string>;
  clusters?: ClusterInfo[];
  options?: ExpandOptions;
  /** The generated Applications, each as the paths it names. */
  want: Array<Record<string, unknown>>;
  /** Regular expressions the problems' "path: message" lines must match, in order. */
  problems?: RegExp[];
  reads?: string[];
}

async function check({ appSet, files, clusters, options, want, problems, reads }: Case): Promise<void> {
  const result = await expand(appSet, files, clusters, options);
  const paths = want.length > 0 ? Object.keys(want[0]!) : ["metadata.name"];
  expect(result.applications.map((application) => pick(application, paths))).toEqual(want);
  const lines = result.problems.map((problem) => `${problem.path ?? ""}: ${problem.message}`);
  expect(lines).toHaveLength((problems ?? []).length);
  (problems ?? []).forEach((pattern, i) => expect(lines[i]).toMatch(pattern));
  if (reads) expect(result.reads).toEqual(reads);
}

describe("expandApplicationSet: list generator", () => {
  it.each<Case>([
    {
      name: "fasttemplate: elements and values.*, into every string of the template",
      appSet: `
metadata: {name: guestbook, namespace: argocd}
spec:
  generators:
  - list:
      elements:
      - {cluster: engineering-dev, url: "https://1.2.3.4", values: {tier: gold}}
      - {cluster: engineering-prod, url: "https://2.4.6.8", values: {tier: silver}}
  template:
    metadata: {name: "{{cluster}}-guestbook", labels: {tier: "{{values.tier}}"}}
    spec:
      project: my-project
      source: {repoURL: "${REPO}", targetRevision: HEAD, path: "guestbook/{{cluster}}"}
      destination: {server: "{{url}}", namespace: guestbook}`,
      want: [
        { "metadata.name": "engineering-dev-guestbook", "metadata.labels": { tier: "gold" }, "spec.source.path": "guestbook/engineering-dev", "spec.destination.server": "https://1.2.3.4" },
        { "metadata.name": "engineering-prod-guestbook", "metadata.labels": { tier: "silver" }, "spec.source.path": "guestbook/engineering-prod", "spec.destination.server": "https://2.4.6.8" },
      ],
    },
    {
      name: "the Application: kind, the ApplicationSet's namespace (not the template's), the resources finalizer",
      appSet: `
metadata: {name: one, namespace: team-a}
spec:
  generators: [{list: {elements: [{cluster: dev}]}}]
  template:
    metadata: {name: "{{cluster}}", namespace: elsewhere}
    spec: {project: p, destination: {server: "https://x"}}`,
      want: [
        {
          apiVersion: "argoproj.io/v1alpha1",
          kind: "Application",
          "metadata.namespace": "team-a",
          "metadata.finalizers": ["resources-finalizer.argocd.argoproj.io"],
          "spec.project": "p",
        },
      ],
    },
    {
      name: "fasttemplate: spaces inside braces are trimmed; unknown keys stay as written",
      appSet: `
spec:
  generators: [{list: {elements: [{cluster: dev}]}}]
  template:
    metadata: {name: "{{ cluster }}", annotations: {note: "{{ unknown }} {{cluster}}"}}
    spec: {project: p}`,
      want: [{ "metadata.name": "dev", "metadata.annotations": { note: "{{ unknown }} dev" } }],
    },
    {
      name: "fasttemplate: map keys are templated too",
      appSet: `
spec:
  generators: [{list: {elements: [{cluster: dev}]}}]
  template:
    metadata: {name: app, labels: {"team-{{cluster}}": "yes"}}
    spec: {project: p}`,
      want: [{ "metadata.labels": { "team-dev": "yes" } }],
    },
    {
      name: "fasttemplate: numbers and booleans become strings as Go's %v writes them",
      appSet: `
spec:
  generators: [{list: {elements: [{cluster: dev, port: 8080, size: 1000000, on: true}]}}]
  template:
    metadata: {name: "{{cluster}}-{{port}}-{{size}}-{{on}}"}
    spec: {project: p}`,
      want: [{ "metadata.name": "dev-8080-1e+06-true" }],
    },
    {
      name: "fasttemplate: a nested element is an error, other generators still expand",
      appSet: `
spec:
  generators:
  - list: {elements: [{cluster: {name: dev}}]}
  - list: {elements: [{cluster: prod}]}
  template: {metadata: {name: "{{cluster}}"}, spec: {project: p}}`,
      want: [{ "metadata.name": "prod" }],
      problems: [/^spec\.generators\[0\]\.list\.elements\[0\]: unsupported value type .* nested objects and arrays are not supported/],
    },
    {
      name: "elementsYaml adds elements after elements",
      appSet: `
spec:
  generators:
  - list:
      elements: [{cluster: a}]
      elementsYaml: |
        - cluster: b
        - cluster: c
  template: {metadata: {name: "{{cluster}}"}, spec: {project: p}}`,
      want: [{ "metadata.name": "a" }, { "metadata.name": "b" }, { "metadata.name": "c" }],
    },
    {
      name: "goTemplate: nested elements, sprig, and JSON numbers printed as float64",
      appSet: `
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators:
  - list:
      elements:
      - {cluster: {name: Dev_One, url: "https://1.2.3.4"}, replicas: 3, size: 1000000}
  template:
    metadata: {name: '{{ .cluster.name | normalize }}'}
    spec:
      project: p
      source: {path: 'apps/{{ .cluster.name | lower }}', helm: {parameters: [{name: replicas, value: '{{ .replicas }}'}, {name: size, value: '{{ .size }}'}]}}
      destination: {server: '{{ .cluster.url }}'}`,
      want: [
        {
          "metadata.name": "dev-one",
          "spec.source.path": "apps/dev_one",
          "spec.source.helm.parameters": [
            { name: "replicas", value: "3" },
            { name: "size", value: "1e+06" },
          ],
          "spec.destination.server": "https://1.2.3.4",
        },
      ],
    },
    {
      name: "an empty element renders nothing, not even the finalizer (Argo returns the template as it is)",
      appSet: `
spec:
  generators: [{list: {elements: [{}]}}]
  template: {metadata: {name: "fixed"}, spec: {project: p}}`,
      want: [{ "metadata.name": "fixed", "metadata.finalizers": undefined }],
    },
  ])("$name", check);
});

describe("expandApplicationSet: git generator", () => {
  it.each<Case>([
    {
      name: "directories: * stays in one directory, hidden directories are skipped, path params",
      appSet: `
spec:
  generators: [{git: {repoURL: "${REPO}", revision: HEAD, directories: [{path: "apps/*"}]}}]
  template:
    metadata: {name: "{{path.basename}}"}
    spec: {project: p, source: {path: "{{path}}"}, destination: {namespace: "{{path[0]}}-{{path.basenameNormalized}}"}}`,
      files: APPS,
      want: [
        { "metadata.name": "Team_Tools", "spec.source.path": "apps/Team_Tools", "spec.destination.namespace": "apps-team-tools" },
        { "metadata.name": "api", "spec.source.path": "apps/api", "spec.destination.namespace": "apps-api" },
        { "metadata.name": "legacy", "spec.source.path": "apps/legacy", "spec.destination.namespace": "apps-legacy" },
        { "metadata.name": "web", "spec.source.path": "apps/web", "spec.destination.namespace": "apps-web" },
      ],
    },
    {
      name: "directories: an exclude wins over an include, whatever the order",
      appSet: `
spec:
  generators:
  - git:
      repoURL: "${REPO}"
      directories: [{path: apps/legacy, exclude: true}, {path: "apps/*"}, {path: "apps/[AT]*", exclude: true}, {path: apps/legacy}]
  template: {metadata: {name: "{{path.basename}}"}, spec: {project: p}}`,
      files: APPS,
      want: [{ "metadata.name": "api" }, { "metadata.name": "web" }],
    },
    {
      name: "directories: a deeper pattern, in the order the repo-server walks",
      appSet: `
spec:
  generators: [{git: {repoURL: "${REPO}", directories: [{path: "apps/*/overlays/*"}, {path: "apps"}]}}]
  template: {metadata: {name: "{{path.basename}}"}, spec: {project: p, source: {path: "{{path}}"}}}`,
      files: APPS,
      want: [
        { "metadata.name": "apps", "spec.source.path": "apps" },
        { "metadata.name": "prod", "spec.source.path": "apps/api/overlays/prod" },
      ],
    },
    {
      name: "directories with goTemplate: .path.path, .path.basename, index .path.segments",
      appSet: `
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators: [{git: {repoURL: "${REPO}", directories: [{path: "apps/Team_Tools"}]}}]
  template:
    metadata: {name: '{{ .path.basenameNormalized }}'}
    spec: {project: p, source: {path: '{{ .path.path }}'}, destination: {namespace: '{{ index .path.segments 0 }}-{{ .path.basename }}'}}`,
      files: APPS,
      want: [{ "metadata.name": "team-tools", "spec.source.path": "apps/Team_Tools", "spec.destination.namespace": "apps-Team_Tools" }],
    },
    {
      name: "directories with pathParamPrefix and values",
      appSet: `
spec:
  generators: [{git: {repoURL: "${REPO}", pathParamPrefix: app, values: {ns: "ns-{{app.path.basename}}"}, directories: [{path: apps/web}]}}]
  template: {metadata: {name: "{{app.path.basename}}"}, spec: {project: p, destination: {namespace: "{{values.ns}}"}}}`,
      files: APPS,
      want: [{ "metadata.name": "web", "spec.destination.namespace": "ns-web" }],
    },
    {
      name: "files: nested JSON flattened with dotted keys, path params, a list file yields one set per item, files in byte order",
      appSet: `
spec:
  generators: [{git: {repoURL: "${REPO}", files: [{path: "clusters/*/config.json"}, {path: clusters/list.yaml}]}}]
  template:
    metadata: {name: "{{cluster.name}}"}
    spec:
      project: p
      source: {path: "{{path}}/{{path.filename}}"}
      destination: {server: "{{cluster.address}}", namespace: "{{path[0]}}-{{path.basename}}-{{replicas}}-{{big}}"}`,
      files: CONFIGS,
      want: [
        { "metadata.name": "dev", "spec.source.path": "clusters/dev/config.json", "spec.destination.server": "https://dev.example", "spec.destination.namespace": "clusters-dev-1-1e+06" },
        { "metadata.name": "a", "spec.source.path": "clusters/list.yaml", "spec.destination.server": "https://a.example", "spec.destination.namespace": "clusters-clusters-{{replicas}}-{{big}}" },
        { "metadata.name": "b", "spec.source.path": "clusters/list.yaml", "spec.destination.server": "https://b.example", "spec.destination.namespace": "clusters-clusters-{{replicas}}-{{big}}" },
        { "metadata.name": "prod", "spec.source.path": "clusters/prod/config.json", "spec.destination.server": "https://prod.example", "spec.destination.namespace": "clusters-prod-3-1e+06" },
        { "metadata.name": "prod-eu", "spec.source.path": "clusters/prod/eu/config.json", "spec.destination.server": "https://eu.example", "spec.destination.namespace": "clusters-eu-2-1" },
      ],
      reads: ["clusters/dev/config.json", "clusters/list.yaml", "clusters/prod/config.json", "clusters/prod/eu/config.json"],
    },
    {
      name: "files with the new globbing: * stays in one directory",
      appSet: `
spec:
  generators: [{git: {repoURL: "${REPO}", files: [{path: "clusters/*/config.json"}]}}]
  template: {metadata: {name: "{{cluster.name}}"}, spec: {project: p}}`,
      files: CONFIGS,
      options: { newGitFileGlobbing: true },
      want: [{ "metadata.name": "dev" }, { "metadata.name": "prod" }],
      reads: ["clusters/dev/config.json", "clusters/prod/config.json"],
    },
    {
      name: "files: exclude entries remove what includes matched",
      appSet: `
spec:
  generators: [{git: {repoURL: "${REPO}", files: [{path: "clusters/**/config.json"}, {path: "clusters/prod/**", exclude: true}]}}]
  template: {metadata: {name: "{{cluster.name}}"}, spec: {project: p}}`,
      files: CONFIGS,
      want: [{ "metadata.name": "dev" }],
      reads: ["clusters/dev/config.json"],
    },
    {
      name: "files with goTemplate: nested objects stay objects; .path.filename, .path.filenameNormalized",
      appSet: `
spec:
  goTemplate: true
  generators: [{git: {repoURL: "${REPO}", files: [{path: clusters/prod/config.json}]}}]
  template:
    metadata: {name: '{{ .cluster.name }}-{{ .path.filenameNormalized }}'}
    spec: {project: p, source: {path: '{{ .path.path }}/{{ .path.filename }}'}, destination: {namespace: '{{ printf "%v-%v" .replicas .big }}'}}`,
      files: CONFIGS,
      want: [{ "metadata.name": "prod-config.json", "spec.source.path": "clusters/prod/config.json", "spec.destination.namespace": "3-1e+06" }],
    },
    {
      name: "a file that does not parse is an error naming it",
      appSet: `
spec:
  generators: [{git: {repoURL: "${REPO}", files: [{path: "bad.json"}]}}]
  template: {metadata: {name: "{{x}}"}, spec: {project: p}}`,
      files: { "bad.json": '{"x": [1, }' },
      want: [],
      problems: [/^spec\.generators\[0\]\.git: unable to process file 'bad\.json': unable to parse file/],
      reads: ["bad.json"],
    },
    {
      name: "a repoURL that is not this repository cannot be expanded here",
      appSet: `
spec:
  generators:
  - git: {repoURL: "https://github.com/other/repo.git", revision: main, directories: [{path: "*"}]}
  - list: {elements: [{path: still-here}]}
  template: {metadata: {name: "{{path}}"}, spec: {project: p}}`,
      files: APPS,
      want: [{ "metadata.name": "still-here" }],
      problems: [/^spec\.generators\[0\]\.git: .*https:\/\/github\.com\/other\/repo\.git at revision main, which is not this repository/],
    },
  ])("$name", check);
});

describe("expandApplicationSet: clusters generator", () => {
  it.each<Case>([
    {
      name: "no selector: the local cluster first, then every cluster Secret",
      appSet: `
spec:
  generators: [{clusters: {}}]
  template: {metadata: {name: "{{nameNormalized}}"}, spec: {project: p, destination: {server: "{{server}}", name: "{{name}}"}}}`,
      want: [
        { "metadata.name": "in-cluster", "spec.destination.server": "https://kubernetes.default.svc", "spec.destination.name": "in-cluster" },
        { "metadata.name": "prod-eu", "spec.destination.server": "https://eu.example", "spec.destination.name": "Prod_EU" },
        { "metadata.name": "staging", "spec.destination.server": "https://staging.example", "spec.destination.name": "staging" },
      ],
    },
    {
      name: "matchLabels: only labelled Secrets, never the local cluster; metadata.* params and project",
      appSet: `
spec:
  generators: [{clusters: {selector: {matchLabels: {env: prod}}}}]
  template:
    metadata: {name: "{{name}}", annotations: {owner: "{{metadata.annotations.owner}}", type: "{{metadata.labels.argocd.argoproj.io/secret-type}}"}}
    spec: {project: "{{project}}", destination: {namespace: "{{metadata.labels.region}}"}}`,
      want: [{ "metadata.name": "Prod_EU", "metadata.annotations": { owner: "team-a", type: "cluster" }, "spec.project": "platform", "spec.destination.namespace": "eu" }],
    },
    {
      name: "matchExpressions: NotIn also matches Secrets without the label; the local cluster stays out",
      appSet: `
spec:
  generators: [{clusters: {selector: {matchExpressions: [{key: env, operator: NotIn, values: [prod]}]}}}]
  template: {metadata: {name: "{{name}}"}, spec: {project: p}}`,
      clusters: [...CLUSTERS, { name: "bare", server: "https://bare.example" }],
      want: [{ "metadata.name": "staging" }, { "metadata.name": "bare" }],
    },
    {
      name: "the local cluster is added when the list does not name it",
      appSet: `
spec:
  generators: [{clusters: {}}]
  template: {metadata: {name: "{{name}}"}, spec: {project: p}}`,
      clusters: [{ name: "staging", server: "https://staging.example", labels: { env: "staging" } }],
      want: [{ "metadata.name": "in-cluster" }, { "metadata.name": "staging" }],
    },
    {
      name: "goTemplate: .metadata.labels is a map; values rendered with the cluster's parameters",
      appSet: `
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators: [{clusters: {selector: {matchLabels: {region: eu}}, values: {revision: 'release-{{ index .metadata.labels "env" }}'}}}]
  template:
    metadata: {name: '{{ .nameNormalized }}'}
    spec: {project: p, source: {targetRevision: '{{ .values.revision }}'}, destination: {namespace: '{{ index .metadata.annotations "owner" }}'}}`,
      want: [{ "metadata.name": "prod-eu", "spec.source.targetRevision": "release-prod", "spec.destination.namespace": "team-a" }],
    },
    {
      name: "an invalid selector operator is an error",
      appSet: `
spec:
  generators: [{clusters: {selector: {matchExpressions: [{key: env, operator: Maybe}]}}}]
  template: {metadata: {name: "{{name}}"}, spec: {project: p}}`,
      want: [],
      problems: [/^spec\.generators\[0\]\.clusters\.selector\.matchExpressions\[0\]: "Maybe" is not a valid label selector operator/],
    },
  ])("$name", check);
});

describe("expandApplicationSet: matrix and merge", () => {
  it.each<Case>([
    {
      name: "matrix of git directories and a list: every combination",
      appSet: `
spec:
  generators:
  - matrix:
      generators:
      - git: {repoURL: "${REPO}", directories: [{path: "apps/*"}, {path: "apps/[lT]*", exclude: true}]}
      - list: {elements: [{env: dev}, {env: prod}]}
  template: {metadata: {name: "{{path.basename}}-{{env}}"}, spec: {project: p, source: {path: "{{path}}"}}}`,
      files: APPS,
      want: [
        { "metadata.name": "api-dev", "spec.source.path": "apps/api" },
        { "metadata.name": "api-prod", "spec.source.path": "apps/api" },
        { "metadata.name": "web-dev", "spec.source.path": "apps/web" },
        { "metadata.name": "web-prod", "spec.source.path": "apps/web" },
      ],
    },
    {
      name: "matrix: the second generator uses the first's parameters (a git files path templated with {{path}})",
      appSet: `
spec:
  generators:
  - matrix:
      generators:
      - git: {repoURL: "${REPO}", directories: [{path: "clusters/*"}]}
      - git: {repoURL: "${REPO}", files: [{path: "{{path}}/config.json"}]}
  template: {metadata: {name: "{{cluster.name}}"}, spec: {project: p, destination: {server: "{{cluster.address}}"}}}`,
      files: CONFIGS,
      want: [
        { "metadata.name": "dev", "spec.destination.server": "https://dev.example" },
        { "metadata.name": "prod", "spec.destination.server": "https://prod.example" },
      ],
      problems: [],
    },
    {
      name: "matrix with goTemplate: the first generator's values win over the second's",
      appSet: `
spec:
  goTemplate: true
  generators:
  - matrix:
      generators:
      - list: {elements: [{name: first, only1: a}]}
      - list: {elements: [{name: second, only2: b}]}
  template: {metadata: {name: '{{ .name }}-{{ .only1 }}-{{ .only2 }}'}, spec: {project: p}}`,
      want: [{ "metadata.name": "first-a-b" }],
    },
    {
      name: "matrix with fasttemplate: the same key with two values is an error",
      appSet: `
spec:
  generators:
  - matrix: {generators: [{list: {elements: [{name: a}]}}, {list: {elements: [{name: b}]}}]}
  template: {metadata: {name: "{{name}}"}, spec: {project: p}}`,
      want: [],
      problems: [/^spec\.generators\[0\]\.matrix: .*found duplicate key name with different value, a: a ,b: b/],
    },
    {
      name: "matrix needs exactly two generators",
      appSet: `
spec:
  generators:
  - matrix: {generators: [{list: {elements: [{a: x}]}}, {list: {elements: [{b: y}]}}, {list: {elements: [{c: z}]}}]}
  template: {metadata: {name: "{{a}}"}, spec: {project: p}}`,
      want: [],
      problems: [/^spec\.generators\[0\]\.matrix: found more than two generators, Matrix support only two/],
    },
    {
      name: "merge: the base generator's sets, overridden by merge key; sets only in the override are dropped",
      appSet: `
spec:
  generators:
  - merge:
      mergeKeys: [server]
      generators:
      - clusters: {values: {replicas: "1"}}
      - list: {elements: [{server: "https://eu.example", values.replicas: "3"}, {server: "https://unknown.example", values.replicas: "9"}]}
  template: {metadata: {name: "{{nameNormalized}}"}, spec: {project: p, source: {helm: {parameters: [{name: replicas, value: "{{values.replicas}}"}]}}}}`,
      want: [
        { "metadata.name": "in-cluster", "spec.source.helm.parameters": [{ name: "replicas", value: "1" }] },
        { "metadata.name": "prod-eu", "spec.source.helm.parameters": [{ name: "replicas", value: "3" }] },
        { "metadata.name": "staging", "spec.source.helm.parameters": [{ name: "replicas", value: "1" }] },
      ],
    },
    {
      name: "merge with goTemplate: nested maps merge",
      appSet: `
spec:
  goTemplate: true
  generators:
  - merge:
      mergeKeys: [app]
      generators:
      - list: {elements: [{app: web, cfg: {size: s, zone: a}}, {app: api, cfg: {size: m, zone: b}}]}
      - list: {elements: [{app: api, cfg: {size: xl}}]}
  template: {metadata: {name: '{{ .app }}-{{ .cfg.size }}-{{ .cfg.zone }}'}, spec: {project: p}}`,
      want: [{ "metadata.name": "web-s-a" }, { "metadata.name": "api-xl-b" }],
    },
    {
      name: "merge: a merge key that is not unique is an error",
      appSet: `
spec:
  generators:
  - merge:
      mergeKeys: [env]
      generators: [{list: {elements: [{env: dev}, {env: dev}]}}, {list: {elements: []}}]
  template: {metadata: {name: "{{env}}"}, spec: {project: p}}`,
      want: [],
      problems: [/^spec\.generators\[0\]\.merge\.generators\[0\]: the parameters from a generator were not unique .* Duplicate key was \{"env":"dev"\}/],
    },
  ])("$name", check);
});

describe("expandApplicationSet: templates and selectors", () => {
  it.each<Case>([
    {
      name: "a generator's own template wins; spec.template fills what it leaves empty",
      appSet: `
spec:
  generators:
  - list:
      elements: [{cluster: dev}]
      template: {metadata: {name: "own-{{cluster}}", labels: {from: generator}}, spec: {project: "", destination: {namespace: own}}}
  - list: {elements: [{cluster: prod}]}
  template:
    metadata: {name: "base-{{cluster}}", labels: {from: base, shared: yes}}
    spec: {project: base-project, destination: {server: "https://x", namespace: base}}`,
      want: [
        { "metadata.name": "own-dev", "metadata.labels": { from: "generator", shared: "yes" }, "spec.project": "base-project", "spec.destination": { server: "https://x", namespace: "own" } },
        { "metadata.name": "base-prod", "metadata.labels": { from: "base", shared: "yes" }, "spec.project": "base-project", "spec.destination": { server: "https://x", namespace: "base" } },
      ],
    },
    {
      name: "a generator's selector filters its parameter sets",
      appSet: `
spec:
  generators:
  - list:
      elements: [{cluster: a, env: prod}, {cluster: b, env: dev}, {cluster: c, env: prod}]
    selector: {matchLabels: {env: prod}}
  template: {metadata: {name: "{{cluster}}"}, spec: {project: p}}`,
      want: [{ "metadata.name": "a" }, { "metadata.name": "c" }],
    },
    {
      name: "missingkey=error: the field is named, the other parameter sets still expand",
      appSet: `
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators: [{list: {elements: [{cluster: a, suffix: "-x"}, {cluster: b}]}}]
  template: {metadata: {name: '{{ .cluster }}{{ .suffix }}'}, spec: {project: p}}`,
      want: [{ "metadata.name": "a-x" }],
      problems: [/^spec\.template\.metadata\.name: spec\.generators\[0\] \(parameter set 2\): failed to execute go template .*map has no entry for key "suffix"/],
    },
    {
      name: "without missingkey=error a missing key renders as <no value>",
      appSet: `
spec:
  goTemplate: true
  generators: [{list: {elements: [{cluster: b}]}}]
  template: {metadata: {name: '{{ .cluster }}'}, spec: {project: p, destination: {namespace: '{{ .suffix }}'}}}`,
      want: [{ "metadata.name": "b", "spec.destination.namespace": "<no value>" }],
    },
    {
      name: "a template syntax error names the generator's own template field",
      appSet: `
spec:
  goTemplate: true
  generators: [{list: {elements: [{cluster: a}], template: {metadata: {}, spec: {source: {path: '{{ if .cluster }}'}}}}}]
  template: {metadata: {name: '{{ .cluster }}'}, spec: {project: p}}`,
      want: [],
      problems: [/^spec\.generators\[0\]\.list\.template\.spec\.source\.path: .*failed to parse template .*unexpected EOF/],
    },
    {
      name: "an unknown function is a problem naming it",
      appSet: `
spec:
  goTemplate: true
  generators: [{list: {elements: [{cluster: a}]}}]
  template: {metadata: {name: '{{ .cluster | shout }}'}, spec: {project: p}}`,
      want: [],
      problems: [/^spec\.template\.metadata\.name: .*function "shout" not defined/],
    },
    {
      name: "fasttemplate: an unterminated tag is an error",
      appSet: `
spec:
  generators: [{list: {elements: [{cluster: a}]}}]
  template: {metadata: {name: "{{cluster}}-{{oops"}, spec: {project: p}}`,
      want: [],
      problems: [/^spec\.template\.metadata\.name: .*Cannot find end tag/],
    },
    {
      name: "templatePatch: rendered, merged in; the project cannot be patched",
      appSet: `
spec:
  goTemplate: true
  generators: [{list: {elements: [{cluster: a, auto: true}, {cluster: b, auto: false}]}}]
  template: {metadata: {name: '{{ .cluster }}', finalizers: [f1]}, spec: {project: p, source: {path: x}}}
  templatePatch: |
    metadata:
      finalizers: [f2]
    spec:
      project: hijacked
    {{- if .auto }}
      syncPolicy:
        automated: {prune: true}
    {{- end }}`,
      want: [
        { "metadata.name": "a", "metadata.finalizers": ["f1", "f2"], "spec.project": "p", "spec.syncPolicy": { automated: { prune: true } } },
        { "metadata.name": "b", "metadata.finalizers": ["f1", "f2"], "spec.project": "p", "spec.syncPolicy": undefined },
      ],
    },
    {
      name: "preserveResourcesOnDeletion: no finalizer; an empty project becomes default; empty syncPolicy dropped",
      appSet: `
spec:
  syncPolicy: {preserveResourcesOnDeletion: true}
  generators: [{list: {elements: [{cluster: a}]}}]
  template: {metadata: {name: "{{cluster}}"}, spec: {source: {path: x, helm: {}}, syncPolicy: {}}}`,
      want: [{ "metadata.name": "a", "metadata.finalizers": undefined, "spec.project": "default", "spec.source": { path: "x" }, "spec.syncPolicy": undefined }],
    },
    {
      name: "two Applications with one name: only the first is kept",
      appSet: `
spec:
  generators: [{list: {elements: [{cluster: a, n: "1"}, {cluster: a, n: "2"}]}}]
  template: {metadata: {name: "{{cluster}}"}, spec: {project: "p{{n}}"}}`,
      want: [{ "metadata.name": "a", "spec.project": "p1" }],
      problems: [/^spec\.generators\[0\]: .*two Applications named "a"/],
    },
    {
      name: "generators that ask outside services cannot be expanded here",
      appSet: `
spec:
  generators:
  - pullRequest: {github: {owner: o, repo: r}}
  - list: {elements: [{cluster: a}]}
  template: {metadata: {name: "{{cluster}}"}, spec: {project: p}}`,
      want: [{ "metadata.name": "a" }],
      problems: [/^spec\.generators\[0\]\.pullRequest: the pullRequest generator asks an SCM provider's API/],
    },
    {
      name: "an unknown goTemplateOption stops the expansion",
      appSet: `
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=sometimes"]
  generators: [{list: {elements: [{cluster: a}]}}]
  template: {metadata: {name: "x"}, spec: {project: p}}`,
      want: [],
      problems: [/^spec\.goTemplateOptions: unrecognized option/],
    },
  ])("$name", check);
});

describe("matching paths as Argo CD does", () => {
  it.each<{ name: string; pattern: string; path: string; want: boolean | "malformed" }>([
    { name: "* within a segment", pattern: "apps/*", path: "apps/web", want: true },
    { name: "* does not cross /", pattern: "apps/*", path: "apps/web/prod", want: false },
    { name: "? is one character", pattern: "apps/we?", path: "apps/web", want: true },
    { name: "a class", pattern: "apps/[a-v]*", path: "apps/web", want: false },
    { name: "a negated class", pattern: "apps/[^a-v]*", path: "apps/web", want: true },
    { name: "** is just * to path.Match", pattern: "apps/**", path: "apps/web/prod", want: false },
    { name: "an unclosed class is malformed", pattern: "apps/[a-", path: "apps/web", want: "malformed" },
  ])("directories (path.Match): $name", ({ pattern, path, want }) => {
    expect(goPathMatch(pattern, path)).toBe(want);
  });

  it.each<{ name: string; pattern: string; path: string; want: boolean }>([
    { name: "* crosses /", pattern: "clusters/*.json", path: "clusters/a/b.json", want: true },
    { name: "a directory prefix matches what is below it", pattern: "clusters", path: "clusters/a/b.json", want: true },
    { name: "a name prefix is not a directory", pattern: "clust", path: "clusters/a.json", want: false },
    { name: "**/ needs at least one directory between", pattern: "clusters/**/config.json", path: "clusters/config.json", want: false },
    { name: "**/ spans directories", pattern: "clusters/**/config.json", path: "clusters/a/b/config.json", want: true },
    { name: "a class with !", pattern: "c/[!x]*.yaml", path: "c/a.yaml", want: true },
    { name: "an escaped star is literal", pattern: "c/\\*.yaml", path: "c/a.yaml", want: false },
  ])("files (git pathspec): $name", ({ pattern, path, want }) => {
    expect(gitPathspecMatch(pattern, path)).toBe(want);
  });

  it.each<{ name: string; text: string; want: string }>([
    { name: "text without tags is left alone", text: "plain", want: "plain" },
    { name: "a tag across lines is not a template", text: "{{\nx}}", want: "{{\nx}}" },
    { name: "an empty tag stays", text: "{{ }}-{{x}}", want: "{{ }}-1" },
  ])("fasttemplate: $name", ({ text, want }) => {
    expect(fastReplace(text, { x: "1" })).toBe(want);
  });
});
