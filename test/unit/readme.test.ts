// The README documents every configuration key the schema accepts, and nothing it does not.
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import schema from "../../schemas/config.v1.json" with { type: "json" };

type SchemaNode = { properties?: Record<string, SchemaNode> };

function keys(node: SchemaNode, prefix = ""): string[] {
  return Object.entries(node.properties ?? {}).flatMap(([name, child]) =>
    child.properties ? keys(child, `${prefix}${name}.`) : [`${prefix}${name}`],
  );
}

it("the README's configuration table matches schemas/config.v1.json", () => {
  const readme = readFileSync(path.resolve(import.meta.dirname, "../../README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Configuration"), readme.indexOf("\n## ", readme.indexOf("## Configuration") + 1));
  const documented = [...section.matchAll(/^\| `([a-zA-Z.]+)` \|/gm)].map((match) => match[1]);
  expect(documented.sort()).toEqual(keys(schema as SchemaNode).sort());
});

it("the README's action inputs and outputs table is generated from action.yml", async () => {
  const { updateReadme } = await import("../../scripts/action-docs.mjs");
  const root = path.resolve(import.meta.dirname, "../..");
  const readme = readFileSync(path.join(root, "README.md"), "utf8");
  expect(readme, 'run "npm run docs"').toBe(updateReadme(readme, readFileSync(path.join(root, "action.yml"), "utf8")));
});
