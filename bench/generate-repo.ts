// Generates a synthetic GitOps repository: N apps × M environments, with a shared base, a shared
// component, patches of both kinds, images, replicas and generators. Deterministic: the same
// arguments always write the same files.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

export interface RepoShape {
  apps: number;
  envs: number;
}

export function environmentNames(envs: number): string[] {
  const named = ["development", "staging", "production"];
  return Array.from({ length: envs }, (_, i) => (envs <= named.length ? named[i]! : `env-${String(i).padStart(2, "0")}`));
}

export function appName(index: number): string {
  return `app-${String(index).padStart(3, "0")}`;
}

/** Repository-relative directories of every overlay (the environments). */
export function overlayDirectories(shape: RepoShape): string[] {
  const dirs: string[] = [];
  for (let a = 0; a < shape.apps; a++) for (const env of environmentNames(shape.envs)) dirs.push(`apps/${appName(a)}/overlays/${env}`);
  return dirs;
}

/** The file a one-file change edits, and the file a shared-base change edits. */
export const ONE_FILE_CHANGE = (shape: RepoShape) => `apps/${appName(0)}/overlays/${environmentNames(shape.envs)[0]}/resources-patch.yaml`;
export const SHARED_BASE_CHANGE = "bases/common/network-policy.yaml";

export function generateRepo(dir: string, shape: RepoShape): void {
  const write = (file: string, content: string) => {
    const target = path.join(dir, file);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, content);
  };

  write("bases/common/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - network-policy.yaml\n");
  write(
    SHARED_BASE_CHANGE,
    "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny\nspec:\n  podSelector: {}\n  policyTypes:\n    - Ingress\n",
  );
  write(
    "components/monitoring/kustomization.yaml",
    [
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
      "",
    ].join("\n"),
  );

  for (let a = 0; a < shape.apps; a++) {
    const app = appName(a);
    write(
      `apps/${app}/base/kustomization.yaml`,
      [
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
        "",
      ].join("\n"),
    );
    write(
      `apps/${app}/base/deployment.yaml`,
      `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${app}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: ${app}
  template:
    metadata:
      labels:
        app: ${app}
    spec:
      containers:
        - name: ${app}
          image: registry.example.com/${app}:1.0.0
          envFrom:
            - configMapRef:
                name: ${app}-config
          resources:
            requests:
              cpu: 50m
              memory: 64Mi
`,
    );
    write(
      `apps/${app}/base/service.yaml`,
      `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${app}\nspec:\n  selector:\n    app: ${app}\n  ports:\n    - port: 80\n      targetPort: 8080\n`,
    );
    environmentNames(shape.envs).forEach((env, e) => {
      const overlay = `apps/${app}/overlays/${env}`;
      write(
        `${overlay}/kustomization.yaml`,
        [
          "apiVersion: kustomize.config.k8s.io/v1beta1",
          "kind: Kustomization",
          `namespace: ${env}`,
          "resources:",
          "  - ../../base",
          ...(e > 0 ? ["components:", "  - ../../../../components/monitoring"] : []),
          "images:",
          `  - name: registry.example.com/${app}`,
          `    newTag: 1.${e}.${a % 10}`,
          "replicas:",
          `  - name: ${app}`,
          `    count: ${e + 1}`,
          "patches:",
          "  - path: resources-patch.yaml",
          "  - target:",
          "      kind: Service",
          "    patch: |-",
          "      - op: add",
          "        path: /metadata/annotations",
          "        value:",
          `          environment: ${env}`,
          "configMapGenerator:",
          `  - name: ${app}-config`,
          "    behavior: merge",
          "    literals:",
          `      - ENVIRONMENT=${env}`,
          "",
        ].join("\n"),
      );
      write(
        `${overlay}/resources-patch.yaml`,
        `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${app}
spec:
  template:
    spec:
      containers:
        - name: ${app}
          resources:
            limits:
              memory: ${128 * (e + 1)}Mi
`,
      );
    });
  }
}

// node --import tsx bench/generate-repo.ts DIR --apps 50 --envs 3
if (import.meta.url === `file://${process.argv[1]}`) {
  const [dir] = process.argv.slice(2).filter((arg, i, all) => !arg.startsWith("--") && !all[i - 1]?.startsWith("--"));
  const flag = (name: string, fallback: number) => {
    const index = process.argv.indexOf(`--${name}`);
    return index > 0 ? Number(process.argv[index + 1]) : fallback;
  };
  if (!dir) {
    console.error("usage: generate-repo.ts DIR [--apps N] [--envs M]");
    process.exit(2);
  }
  generateRepo(path.resolve(dir), { apps: flag("apps", 50), envs: flag("envs", 3) });
}
