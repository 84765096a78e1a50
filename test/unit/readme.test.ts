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
  const documented = [...readme.matchAll(/^\| `([a-zA-Z.]+)` \|/gm)].map((match) => match[1]);
  expect(documented.sort()).toEqual(keys(schema as SchemaNode).sort());
});
