// Writes the README's table of the action's inputs and outputs from action.yml (between the
// action-docs markers). `--check` fails when the README is out of date; a unit test runs the check.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const START = "<!-- action-docs:start (generated from action.yml by `npm run docs`) -->";
const END = "<!-- action-docs:end -->";

export function actionDocs(actionYaml) {
  const action = parse(actionYaml);
  const cell = (text) => String(text ?? "").replace(/\|/g, "\\|").replace(/\n/g, " ").trim();
  const lines = ["| input | default | description |", "|---|---|---|"];
  for (const [name, input] of Object.entries(action.inputs ?? {})) {
    lines.push(`| \`${name}\` | ${input.default === "" || input.default === undefined ? "" : `\`${cell(input.default)}\``} | ${cell(input.description)} |`);
  }
  lines.push("", "| output | description |", "|---|---|");
  for (const [name, output] of Object.entries(action.outputs ?? {})) lines.push(`| \`${name}\` | ${cell(output.description)} |`);
  return `${START}\n${lines.join("\n")}\n${END}`;
}

export function updateReadme(readme, actionYaml) {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < 0) throw new Error("README.md has no action-docs markers");
  return readme.slice(0, start) + actionDocs(actionYaml) + readme.slice(end + END.length);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const readmePath = path.join(root, "README.md");
  const readme = readFileSync(readmePath, "utf8");
  const updated = updateReadme(readme, readFileSync(path.join(root, "action.yml"), "utf8"));
  if (process.argv.includes("--check")) {
    if (updated !== readme) {
      console.error('README.md\'s action inputs/outputs table is out of date: run "npm run docs"');
      process.exitCode = 1;
    }
  } else {
    writeFileSync(readmePath, updated);
  }
}
