import { describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.ts";
import { parseYaml } from "../../src/util/yaml.ts";
import { aliasBomb } from "../helpers/yaml-bomb.ts";

describe("parseYaml", () => {
  it("returns each document with the line its content starts on", () => {
    const parsed = parseYaml("a: 1\n---\n# comment\nb: 2\n---\n", "x.yaml");
    expect(parsed.documents.map((d) => [d.value, d.line])).toEqual([
      [{ a: 1 }, 1],
      [{ b: 2 }, 4],
      [null, 5],
    ]);
  });

  it.each([
    { name: "alias bomb", text: aliasBomb(), message: /alias bomb/, line: 1 },
    { name: "unclosed flow sequence", text: "a: 1\nb: [1, 2\n", message: /invalid YAML/, line: 3 },
    { name: "duplicate key", text: "a: 1\na: 2\n", message: /unique/, line: 2 },
    { name: "bad indentation", text: "a:\n  b: 1\n c: 2\n", message: /invalid YAML/, line: 3 },
  ])("rejects $name with file and line", ({ text, message, line }) => {
    expect(() => parseYaml(text, "bad.yaml")).toThrow(UserError);
    try {
      parseYaml(text, "bad.yaml");
    } catch (error) {
      expect((error as UserError).message).toMatch(message);
      expect((error as UserError).location).toMatchObject({ file: "bad.yaml", line });
    }
  });

  it("accepts a few ordinary anchors", () => {
    const parsed = parseYaml("base: &b {x: 1}\nuse: *b\n", "ok.yaml");
    expect(parsed.documents[0]!.value).toEqual({ base: { x: 1 }, use: { x: 1 } });
  });

  it("rejects the bomb quickly", () => {
    const started = performance.now();
    expect(() => parseYaml(aliasBomb(), "bomb.yaml")).toThrow(/alias/);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
