// GitLab CI/CD components: a `spec: inputs:` header, `---`, then the job; every input used is declared.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";

const dir = path.resolve(import.meta.dirname, "../../templates");
const components = readdirSync(dir).filter((file) => file.endsWith(".yml"));

describe.each(components)("templates/%s", (file) => {
  const text = readFileSync(path.join(dir, file), "utf8");
  const documents = parseAllDocuments(text);
  const spec = (Array.isArray(documents) ? documents[0]?.toJS() : undefined) as { spec?: { inputs?: Record<string, { default?: unknown; description?: string; options?: unknown[] }> } };
  const inputs = spec?.spec?.inputs ?? {};

  it("is a spec header and a job, both valid YAML", () => {
    expect(Array.isArray(documents) && documents.length).toBe(2);
    for (const document of documents as ReturnType<typeof parseAllDocuments> & unknown[]) expect(document.errors).toEqual([]);
  });

  it("describes every input and gives it a default", () => {
    expect(Object.keys(inputs).length).toBeGreaterThan(0);
    for (const [name, input] of Object.entries(inputs)) {
      expect(input.description, name).toMatch(/\w/);
      expect(input, name).toHaveProperty("default");
      if (input.options) expect(input.options, name).toContain(input.default);
    }
  });

  it("uses only declared inputs, and uses every one", () => {
    const used = new Set([...text.matchAll(/\$\[\[\s*inputs\.([\w-]+)\s*\]\]/g)].map((match) => match[1]));
    expect([...used].sort()).toEqual(Object.keys(inputs).sort());
  });

  // promote.yml writes no reports: it commits, or opens a merge request
  it.runIf(text.includes("--report-dir"))("keeps the JUnit and code quality reports as artifacts", () => {
    const job = Object.values((documents as ReturnType<typeof parseAllDocuments> & unknown[])[1]!.toJS() as Record<string, { artifacts?: { reports?: Record<string, string> } }>)[0]!;
    expect(Object.keys(job.artifacts?.reports ?? {}).sort()).toEqual(["codequality", "junit"]);
  });
});
