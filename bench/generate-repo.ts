// Generates a synthetic GitOps repository of N apps × M environments, shaped like the per-app layout
// many teams use: a shared base every app includes, a shared component, and per app a base and one
// overlay per environment with images, replicas, both kinds of patch and a generator merge.
// Deterministic: the same shape always writes byte-identical files (no randomness, no dates).
//
//   node --import tsx bench/generate-repo.ts DIR [--apps 50] [--envs 3]
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

export interface RepoShape {
  apps: number;
  envs: number;
}

/** A benchmark scenario: one exact text edit of one repository file. */
export interface RepoChange {
  id: "one-file" | "shared-base";
  description: string;
  file: string;
  before: string;
  after: string;
}

const NAMED_ENVIRONMENTS = ["development", "staging", "production"];

export function environmentNames(envs: number): string[] {
  return Array.from({ length: envs }, (_, i) => (envs <= NAMED_ENVIRONMENTS.length ? NAMED_ENVIRONMENTS[i]! : `env-${String(i).padStart(2, "0")}`));
}

export function appName(index: number): string {
  return `app-${String(index).padStart(3, "0")}`;
}

/** Repository-relative directories of every overlay: the leaves, so the environments. */
export function overlayDirectories(shape: RepoShape): string[] {
  const dirs: string[] = [];
  for (let a = 0; a < shape.apps; a++) for (const env of environmentNames(shape.envs)) dirs.push(`apps/${appName(a)}/overlays/${env}`);
  return dirs;
}

/** The two scenarios: a change that reaches one environment, and one that reaches all of them. */
export function benchChanges(shape: RepoShape): { oneFile: RepoChange; sharedBase: RepoChange } {
  const app = appName(0);
  const env = environmentNames(shape.envs)[0]!;
  return {
    oneFile: {
      id: "one-file",
      description: `one-file change (${app}/${env} replicas)`,
      file: `apps/${app}/overlays/${env}/kustomization.yaml`,
      before: `replicas:\n  - name: ${app}\n    count: ${replicaCount(0)}\n`,
      after: `replicas:\n  - name: ${app}\n    count: ${replicaCount(0) + 4}\n`,
    },
    sharedBase: {
      id: "shared-base",
      description: "shared-base change (NetworkPolicy of every app)",
      file: "bases/common/network-policy.yaml",
      before: "  policyTypes:\n    - Ingress\n",
      after: "  policyTypes:\n    - Ingress\n    - Egress\n",
    },
  };
}

/** Applies a change to a generated repository; throws when the text to replace is not there. */
export function applyChange(dir: string, change: RepoChange): void {
  const file = path.join(dir, change.file);
  const text = readFileSync(file, "utf8");
  if (!text.includes(change.before)) throw new Error(`${change.file} does not contain the text the "${change.id}" change replaces`);
  writeFileSync(file, text.replace(change.before, change.after));
}

function replicaCount(envIndex: number): number {
  return envIndex + 1;
}

export function generateRepo(dir: string, shape: RepoShape): void {
  for (const [key, value] of Object.entries(shape)) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`generateRepo: ${key} must be a positive integer, got ${value}`);
  }
  const write = (file: string, lines: string[]) => {
    const target = path.join(dir, file);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, `${lines.join("\n")}\n`);
  };

  // Shared by every app base: the change to it is the one that reaches every environment.
  write("bases/common/kustomization.yaml", [
    "apiVersion: kustomize.config.k8s.io/v1beta1",
    "kind: Kustomization",
    "resources:",
    "  - network-policy.yaml",
    "labels:",
    "  - pairs:",
    "      app.kubernetes.io/managed-by: platform-team",
  ]);
  write("bases/common/network-policy.yaml", [
    "apiVersion: networking.k8s.io/v1",
    "kind: NetworkPolicy",
    "metadata:",
    "  name: default-deny",
    "spec:",
    "  podSelector: {}",
    "  policyTypes:",
    "    - Ingress",
  ]);
  write("components/monitoring/kustomization.yaml", [
    "apiVersion: kustomize.config.k8s.io/v1alpha1",
    "kind: Component",
    "patches:",
    "  - target:",
    "      kind: Deployment",
    "    patch: |-",
    "      - op: add",
    "        path: /spec/template/metadata/annotations",
    "        value:",
    '          prometheus.io/scrape: "true"',
  ]);

  for (let a = 0; a < shape.apps; a++) {
    const app = appName(a);
    write(`apps/${app}/base/kustomization.yaml`, [
      "apiVersion: kustomize.config.k8s.io/v1beta1",
      "kind: Kustomization",
      "resources:",
      "  - ../../../bases/common",
      "  - deployment.yaml",
      "  - service.yaml",
      "labels:",
      "  - pairs:",
      `      app.kubernetes.io/name: ${app}`,
      "configMapGenerator:",
      `  - name: ${app}-config`,
      "    literals:",
      "      - LOG_LEVEL=info",
      `      - APP_NAME=${app}`,
    ]);
    write(`apps/${app}/base/deployment.yaml`, [
      "apiVersion: apps/v1",
      "kind: Deployment",
      "metadata:",
      `  name: ${app}`,
      "spec:",
      "  replicas: 1",
      "  selector:",
      "    matchLabels:",
      `      app: ${app}`,
      "  template:",
      "    metadata:",
      "      labels:",
      `        app: ${app}`,
      "    spec:",
      "      containers:",
      `        - name: ${app}`,
      `          image: registry.example.com/${app}:1.0.0`,
      "          ports:",
      "            - name: http",
      "              containerPort: 8080",
      "          envFrom:",
      "            - configMapRef:",
      `                name: ${app}-config`,
      "          resources:",
      "            requests:",
      "              cpu: 50m",
      "              memory: 64Mi",
    ]);
    write(`apps/${app}/base/service.yaml`, [
      "apiVersion: v1",
      "kind: Service",
      "metadata:",
      `  name: ${app}`,
      "spec:",
      "  selector:",
      `    app: ${app}`,
      "  ports:",
      "    - name: http",
      "      port: 80",
      "      targetPort: http",
    ]);

    environmentNames(shape.envs).forEach((env, e) => {
      const overlay = `apps/${app}/overlays/${env}`;
      write(`${overlay}/kustomization.yaml`, [
        "apiVersion: kustomize.config.k8s.io/v1beta1",
        "kind: Kustomization",
        // One namespace per app and environment, so the shared NetworkPolicy names never collide.
        `namespace: ${app}-${env}`,
        "resources:",
        "  - ../../base",
        // The first environment goes without monitoring, as development often does.
        ...(e > 0 ? ["components:", "  - ../../../../components/monitoring"] : []),
        "images:",
        `  - name: registry.example.com/${app}`,
        `    newTag: 1.${e}.${a % 10}`,
        "replicas:",
        `  - name: ${app}`,
        `    count: ${replicaCount(e)}`,
        "patches:",
        "  - path: deployment-patch.yaml",
        "  - target:",
        "      kind: Service",
        `      name: ${app}`,
        "    patch: |-",
        "      - op: add",
        "        path: /metadata/annotations",
        "        value:",
        `          example.com/environment: ${env}`,
        "configMapGenerator:",
        `  - name: ${app}-config`,
        "    behavior: merge",
        "    literals:",
        `      - ENVIRONMENT=${env}`,
      ]);
      write(`${overlay}/deployment-patch.yaml`, [
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata:",
        `  name: ${app}`,
        "spec:",
        "  template:",
        "    spec:",
        "      containers:",
        `        - name: ${app}`,
        "          resources:",
        "            limits:",
        `              memory: ${128 * (e + 1)}Mi`,
      ]);
    });
  }
}

function main(argv: string[]): void {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { apps: { type: "string", default: "50" }, envs: { type: "string", default: "3" } },
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new Error("usage: generate-repo.ts DIR [--apps N] [--envs M]");
  const shape = { apps: Number(values.apps), envs: Number(values.envs) };
  const dir = path.resolve(positionals[0]!);
  generateRepo(dir, shape);
  process.stderr.write(`wrote ${shape.apps} apps × ${shape.envs} environments (${shape.apps * shape.envs} overlays) to ${dir}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 2;
  }
}
