// A small Flux fleet repository in the layout `flux bootstrap` makes: two clusters, every Kustomization option,
// substitution in all its forms, a generated kustomization, a child Kustomization, a HelmRelease, a foreign source.

const deployment = (name: string, image: string, extra = "") => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: \${REPLICAS:=1}
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: ${name}
        image: ${image}
${extra}`;

const kustomization = (name: string, spec: string, namespace = "flux-system") => `---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  interval: 10m
  sourceRef:
    kind: GitRepository
    name: flux-system
${spec}`;

/** A fleet repository in the layout `flux bootstrap` makes, with two clusters. */
export const FLUX_REPO: Record<string, string> = {
  "clusters/production/flux-system/gotk-sync.yaml": `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 1m
  url: ssh://git@github.com/example/fleet
  ref:
    branch: main
${kustomization("flux-system", "  path: ./clusters/production\n  prune: true\n")}`,
  "clusters/production/flux-system/kustomization.yaml": "resources: [gotk-sync.yaml]\n",
  // no kustomization.yaml: Flux generates one for the cluster directory
  "clusters/production/apps.yaml": `${kustomization(
    "apps",
    `  path: ./apps/production
  prune: true
  targetNamespace: shop
  commonMetadata:
    labels: {team: shop}
  postBuild:
    substitute:
      CLUSTER: production
    substituteFrom:
    - kind: ConfigMap
      name: cluster-vars
    - kind: ConfigMap
      name: optional-vars
      optional: true
  images:
  - name: ghcr.io/example/web
    newTag: "2.0.0"
  # defaults for every child Kustomization, as many fleets do
  patches:
  - patch: |
      - op: add
        path: /spec/timeout
        value: 5m
    target:
      kind: Kustomization
      group: kustomize.toolkit.fluxcd.io
`,
  )}${kustomization("monitoring", "  path: ./monitoring\n  prune: true\n  components: [../components/scrape]\n")}${kustomization(
    "external",
    "  path: ./\n",
  ).replace("kind: GitRepository\n    name: flux-system", "kind: OCIRepository\n    name: external")}${kustomization("broken", "  path: ./does/not/exist\n")}`,
  "clusters/production/vars.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cluster-vars\n  namespace: flux-system\ndata:\n  REPLICAS: \"3\"\n  DOMAIN: example.com\n",
  "clusters/production/README.md": "# not a manifest\n",
  "clusters/staging/apps.yaml": `${kustomization("apps", "  path: ./apps/staging\n  prune: true\n")}${kustomization(
    "settings",
    "  path: ./apps/staging\n  postBuild:\n    substituteFrom:\n    - kind: Secret\n      name: cluster-secrets\n",
  )}`,
  // a HelmRelease whose chart source is not in the repository
  "monitoring/podinfo/broken-release.yaml": `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: unknown-chart
  namespace: monitoring
spec:
  chart:
    spec:
      chart: nothing
      sourceRef: {kind: HelmRepository, name: missing}
`,
  "apps/base/kustomization.yaml": "resources: [web.yaml, config.yaml]\n",
  "apps/base/web.yaml": deployment("web", "ghcr.io/example/web:1.0.0"),
  "apps/base/config.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  url: https://\${DOMAIN}/\${CLUSTER}
  escaped: $\${NOT_A_VARIABLE}
  unset: "[\${UNSET_VARIABLE}]"
  nested: \${MISSING:=\${CLUSTER}}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: dashboard
  annotations:
    kustomize.toolkit.fluxcd.io/substitute: disabled
data:
  panel.json: '{"datasource": "\${DS_PROMETHEUS}"}'
`,
  "apps/production/kustomization.yaml": "resources: [../base]\n",
  "apps/staging/kustomization.yaml": "resources: [../base]\nnamespace: staging\n",
  // a directory of manifests with a Kustomization inside: Flux applies the child after the parent's patch
  "monitoring/prometheus.yaml": deployment("prometheus", "quay.io/prometheus/prometheus:v2.50.0"),
  "monitoring/.sourceignore": "drafts/\n",
  "monitoring/drafts/wip.yaml": deployment("wip", "busybox"),
  "monitoring/alerts/ks.yaml": kustomization("alerts", "  path: ./monitoring/alerts/rules\n"),
  "monitoring/alerts/rules/rule.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: rules\n  namespace: monitoring\ndata: {a: b}\n",
  "monitoring/podinfo/release.yaml": `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
  namespace: monitoring
spec:
  interval: 1h
  chart:
    spec:
      chart: podinfo
      version: 6.5.0
      sourceRef: {kind: HelmRepository, name: podinfo}
  values: {replicaCount: 2}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: podinfo
  namespace: monitoring
spec:
  url: https://stefanprodan.github.io/podinfo
`,
  "components/scrape/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
commonAnnotations:
  prometheus.io/scrape: "true"
`,
};

