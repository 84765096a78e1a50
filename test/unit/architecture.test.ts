// The dependency direction of ARCHITECTURE.md is enforced by lint: check the rule catches violations.
import path from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const eslint = new ESLint({ cwd: root });

async function ruleIds(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result!.messages.map((message) => message.ruleId ?? message.message);
}

describe("dependency direction", () => {
  it.each([
    { name: "feature code importing node:fs", file: "src/diff/x.ts", code: 'import { readFile } from "node:fs/promises";\nexport const r = readFile;\n' },
    { name: "feature code importing child_process", file: "src/render/x.ts", code: 'import { spawn } from "node:child_process";\nexport const s = spawn;\n' },
    { name: "feature code importing an adapter", file: "src/report/x.ts", code: 'import { NodeFiles } from "../adapters/node/files.ts";\nexport const f = NodeFiles;\n' },
    { name: "feature code importing a platform SDK", file: "src/app/x.ts", code: 'import * as core from "@actions/core";\nexport const c = core;\n' },
    { name: "feature code reading the process", file: "src/config/x.ts", code: "export const env = process.env.HOME;\n" },
    { name: "the model importing a feature module", file: "src/model.ts", code: 'import { verify } from "./app/verify.ts";\nexport const v = verify;\n' },
  ])("rejects $name", async ({ file, code }) => {
    const ids = await ruleIds(file, code);
    expect(ids.some((id) => id === "no-restricted-imports" || id === "no-restricted-globals")).toBe(true);
  });

  it.each([
    { name: "an adapter importing node:fs", file: "src/adapters/node/x.ts", code: 'import { readFile } from "node:fs/promises";\nexport const r = readFile;\n' },
    { name: "an entry point reading the process", file: "src/entrypoints/x.ts", code: "export const env = process.env.HOME;\n" },
    { name: "feature code importing the model", file: "src/diff/x.ts", code: 'import type { Manifest } from "../model.ts";\nexport type M = Manifest;\n' },
  ])("allows $name", async ({ file, code }) => {
    expect(await ruleIds(file, code)).toEqual([]);
  });
});
