// Bundles the built-in policy pack (policies/builtin/*.yaml, one Kyverno ClusterPolicy each) into
// policies/builtin.generated.json, which the tool imports (so the pack needs no file access at run time).
// Run by `npm run build`; `--check` fails when the committed file differs from a fresh generation.
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dir = path.join(root, "policies", "builtin");
const output = path.join(root, "policies", "builtin.generated.json");

const policies = [];
for (const name of (await readdir(dir)).filter((file) => file.endsWith(".yaml")).sort()) {
  const documents = parseAllDocuments(await readFile(path.join(dir, name), "utf8"));
  for (const document of documents) {
    if (document.errors.length) throw new Error(`${name}: ${document.errors[0].message}`);
    const value = document.toJS();
    if (value) policies.push({ file: `policies/builtin/${name}`, policy: value });
  }
}
const text = `${JSON.stringify({ policies }, null, 1)}\n`;
if (process.argv.includes("--check")) {
  const committed = await readFile(output, "utf8").catch(() => "");
  if (committed !== text) {
    console.error(`${path.relative(root, output)} is out of date: run "npm run build" and commit it`);
    process.exitCode = 1;
  } else console.log(`${path.relative(root, output)} matches policies/builtin`);
} else {
  await writeFile(output, text);
  console.log(`${path.relative(root, output)}: ${policies.length} policies`);
}
