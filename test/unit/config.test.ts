import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG, parseConfig } from "../../src/config/config.ts";
import { UserError } from "../../src/errors.ts";

const FILE = ".gitops-verify.yaml";

describe("parseConfig: valid files", () => {
  it.each([
    { name: "empty file gives the defaults", text: "", expected: DEFAULT_CONFIG },
    { name: "only comments", text: "# nothing\n", expected: DEFAULT_CONFIG },
    {
      name: "renderer and environment filters",
      text: "version: 1\nrenderer: kubectl\nenvironments:\n  include: ['apps/**']\n  exclude: ['**/dev']\n",
      expected: { ...DEFAULT_CONFIG, renderer: "kubectl", environments: { include: ["apps/**"], exclude: ["**/dev"], paths: [], kustomizeLeaves: "auto" } },
    },
    {
      name: "sources, Flux, Argo CD and Helm settings",
      text: [
        "sources:",
        "  urls: [https://github.com/org/fleet]",
        "  refs: [OCIRepository/flux-system/apps]",
        "flux:",
        "  clusters: {production: clusters/prod}",
        "  strictSubstitution: true",
        "argocd:",
        "  clusters: [{name: prod, server: https://prod.example.com, labels: {env: prod}}]",
        "helm:",
        "  enabled: false",
        "environments:",
        "  kustomizeLeaves: never",
        "",
      ].join("\n"),
      expected: {
        ...DEFAULT_CONFIG,
        environments: { ...DEFAULT_CONFIG.environments, kustomizeLeaves: "never" },
        sources: { urls: ["https://github.com/org/fleet"], branches: ["main", "master"], refs: ["OCIRepository/flux-system/apps"] },
        flux: { enabled: true, clusters: { production: "clusters/prod" }, strictSubstitution: true },
        argocd: { enabled: true, clusters: [{ name: "prod", server: "https://prod.example.com", labels: { env: "prod" } }] },
        helm: { enabled: false },
      },
    },
    {
      name: "partial nested settings keep the other defaults",
      text: "render:\n  timeoutSeconds: 30\n",
      expected: { ...DEFAULT_CONFIG, render: { ...DEFAULT_CONFIG.render, timeoutSeconds: 30 } },
    },
  ])("$name", ({ text, expected }) => {
    expect(parseConfig(text, FILE)).toEqual(expected);
  });
});

describe("parseConfig: errors name the key, file and line", () => {
  it.each([
    { name: "misspelt top-level key", text: "version: 1\nrenderrer: kubectl\n", line: 2, message: /unknown key "renderrer"/ },
    {
      name: "misspelt nested key",
      text: "environments:\n  include: []\n  exlude: ['x']\n",
      line: 3,
      message: /unknown key "environments\.exlude" \(expected one of: include, exclude, paths, kustomizeLeaves\)/,
    },
    { name: "wrong type", text: "render:\n  timeoutSeconds: soon\n", line: 2, message: /render\.timeoutSeconds: must be integer/ },
    { name: "bad enum", text: "renderer: helm\n", line: 1, message: /renderer: must be one of auto, kustomize, kubectl/ },
    { name: "a source ref that is not Kind/namespace/name", text: "sources:\n  refs: [flux-system]\n", line: 2, message: /sources\.refs\[0\]: must match pattern/ },
    { name: "an Argo CD cluster without a server", text: "argocd:\n  clusters:\n  - name: prod\n", line: 3, message: /argocd\.clusters\[0\]: must have required property 'server'/ },
    { name: "wrong version", text: "version: 2\n", line: 1, message: /version: must be equal to constant/ },
    { name: "list item of wrong type", text: "environments:\n  paths:\n    - ok\n    - 3\n", line: 4, message: /environments\.paths\[1\]: must be string/ },
    { name: "malformed YAML", text: "renderer: [kubectl\n", line: 2, message: /invalid YAML/ },
    { name: "duplicate key", text: "renderer: auto\nrenderer: kubectl\n", line: 2, message: /invalid YAML: Map keys must be unique/ },
    { name: "not a map", text: "- renderer\n", line: 1, message: /\(top level\): must be object/ },
    { name: "two documents", text: "renderer: auto\n---\nrenderer: kubectl\n", line: 3, message: /single YAML document/ },
  ])("$name", ({ text, line, message }) => {
    let caught: unknown;
    try {
      parseConfig(text, FILE);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UserError);
    const error = caught as UserError;
    expect(error.message).toMatch(message);
    expect(error.location).toMatchObject({ file: FILE, line });
  });
});
