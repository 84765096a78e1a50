// Lint: TypeScript rules, and the dependency direction of ARCHITECTURE.md enforced as import bans.
import tseslint from "typescript-eslint";

const SDKS_AND_IO = [
  { name: "node:fs", message: "Feature code reaches files through the Files port (src/ports.ts)." },
  { name: "node:fs/promises", message: "Feature code reaches files through the Files port (src/ports.ts)." },
  { name: "fs", message: "Feature code reaches files through the Files port (src/ports.ts)." },
  { name: "node:child_process", message: "Feature code runs binaries through the Exec port (src/ports.ts)." },
  { name: "child_process", message: "Feature code runs binaries through the Exec port (src/ports.ts)." },
];
const SDK_PATTERNS = [
  { group: ["@actions/*", "@octokit/*", "@gitbeaker/*", "@kubernetes/*"], message: "Only src/adapters/ talks to platform SDKs." },
  { group: ["**/adapters/**", "**/entrypoints/**"], message: "Feature modules must not depend on adapters or entry points." },
];

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "examples/**", "coverage/**", ".bench-work/**"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  {
    files: ["src/**/*.ts"],
    ignores: ["src/adapters/**", "src/entrypoints/**"],
    rules: {
      "no-restricted-imports": ["error", { paths: SDKS_AND_IO, patterns: SDK_PATTERNS }],
      "no-restricted-globals": ["error", { name: "process", message: "Feature code gets settings handed in; only entry points read the process." }],
    },
  },
  {
    // the model, ports and errors depend on nothing of ours but each other
    files: ["src/model.ts", "src/ports.ts", "src/errors.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["./*/**", "../**"], message: "model, ports and errors are the bottom layer." }] },
      ],
    },
  },
  {
    files: ["scripts/**/*.mjs", "bench/**/*.ts", "test/**/*.ts"],
    rules: { "@typescript-eslint/no-non-null-assertion": "off" },
  },
);
