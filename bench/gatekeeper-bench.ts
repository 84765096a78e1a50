// Gatekeeper evaluation throughput: 30 ConstraintTemplates in the gatekeeper-library's style (bench/fixtures/gatekeeper,
// one Constraint each) over 5,000 generated objects, evaluated as verify evaluates an environment
// (`evaluateGatekeeper`: constraint matching, input.review, input.parameters, data.inventory of the environment),
// medians of several runs in one process. Compiling the templates is timed on its own. There is no baseline to run
// here (neither gator nor opa can be installed), so the figures are absolute: evaluations (constraint × matching
// object) and objects per second.
//
//   node --import tsx bench/gatekeeper-bench.ts [--objects 5000] [--runs 5] [--per-template]
import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { Manifest } from "../src/model.ts";
import { compileTemplate, evaluateGatekeeper, findGatekeeperPolicies, TemplateCache, type GatekeeperPolicySet, type RegoEvaluation } from "../src/policy/gatekeeper/index.ts";
import { parseManifests } from "../src/render/manifests.ts";
import { resourceText } from "./manifests.ts";

const { values } = parseArgs({ options: { objects: { type: "string", default: "5000" }, runs: { type: "string", default: "5" }, "per-template": { type: "boolean", default: false } } });
const objectCount = Number(values.objects);
const runs = Number(values.runs);

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "gatekeeper");

function median(list: number[]): number {
  const sorted = [...list].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function timed<T>(work: () => T): { value: T; seconds: number } {
  const started = performance.now();
  const value = work();
  return { value, seconds: (performance.now() - started) / 1000 };
}

const policyManifests: Manifest[] = readdirSync(FIXTURES)
  .filter((file) => file.endsWith(".yaml"))
  .sort()
  .flatMap((file) => parseManifests(readFileSync(path.join(FIXTURES, file), "utf8"), `bench/fixtures/gatekeeper/${file}`));
const set = findGatekeeperPolicies(policyManifests);
const manifests = parseManifests(Array.from({ length: objectCount }, (_, i) => resourceText(i)).join("---\n"), "bench");

// compiling: every template from its text, a fresh compilation each run (what the first environment of a run pays)
const compileSeconds: number[] = [];
let compiled = set.templates.map(compileTemplate);
for (let run = 0; run < runs; run++) {
  const { value, seconds } = timed(() => set.templates.map(compileTemplate));
  compiled = value;
  compileSeconds.push(seconds);
}
const failing = compiled.filter((template) => !template.program);

// evaluating: templates compiled once (the run's cache), every constraint on every object it matches
const cache = new TemplateCache();
for (const document of set.templates) cache.get(document);
evaluateGatekeeper(set, manifests.slice(0, 50), { cache }); // warm-up: JIT
const evaluateSeconds: number[] = [];
let outcome: RegoEvaluation = { results: [], findings: [] };
for (let run = 0; run < runs; run++) {
  const { value, seconds } = timed(() => evaluateGatekeeper(set, manifests, { cache }));
  outcome = value;
  evaluateSeconds.push(seconds);
}

/** Counts of one evaluation: pairs evaluated, violations and errors per template, problems of the policies. */
function tally(evaluation: RegoEvaluation) {
  const pairs = new Map<string, Set<Manifest>>();
  const perTemplate = new Map<string, { evaluations: number; violations: number; errors: number }>();
  for (const template of set.templates) perTemplate.set(String((template.object.metadata as { name?: unknown }).name), { evaluations: 0, violations: 0, errors: 0 });
  for (const result of evaluation.results) {
    const entry = perTemplate.get(result.policy) ?? { evaluations: 0, violations: 0, errors: 0 };
    perTemplate.set(result.policy, entry);
    const seen = pairs.get(result.rule) ?? new Set<Manifest>();
    pairs.set(result.rule, seen);
    if (!seen.has(result.manifest)) {
      seen.add(result.manifest);
      entry.evaluations++;
    }
    if (result.result === "fail" || result.result === "warn") entry.violations++;
    if (result.result === "error") entry.errors++;
  }
  const evaluations = [...pairs.values()].reduce((sum, seen) => sum + seen.size, 0);
  const violations = [...perTemplate.values()].reduce((sum, entry) => sum + entry.violations, 0);
  const problems = evaluation.findings.filter((finding) => finding.ruleId === "policy-invalid" || finding.ruleId === "policy-not-evaluated");
  return { evaluations, violations, perTemplate, problems };
}

const { evaluations, violations, perTemplate, problems } = tally(outcome);
const compileTime = median(compileSeconds);
const time = median(evaluateSeconds);
const kinds = new Map<string, number>();
for (const manifest of manifests) kinds.set(manifest.id.kind, (kinds.get(manifest.id.kind) ?? 0) + 1);

console.log(`gatekeeper-bench: ${objectCount} objects (${[...kinds].map(([kind, count]) => `${count} ${kind}`).join(", ")}) × ${set.templates.length} templates (${set.constraints.length} constraints), ${runs} runs, median, ${os.cpus().length} cores (load ${os.loadavg()[0]!.toFixed(1)}), node ${process.version}`);
console.log(`  compile: ${set.templates.length} templates in ${(compileTime * 1000).toFixed(1)} ms (${(compileTime * 1000 / Math.max(set.templates.length, 1)).toFixed(2)} ms per template); ${failing.length === 0 ? "all compiled" : `${failing.length} not compiled`}`);
console.log(`  evaluate (wall time, median): ${time.toFixed(2)} s → ${Math.round(evaluations / time)} evaluations (constraint × matching object) per second, ${Math.round(objectCount / time)} objects per second; ${evaluations} evaluations, ${violations} violations`);
console.log(`  runs: ${evaluateSeconds.map((seconds) => seconds.toFixed(2)).join(" ")} s; the whole benchmark so far ${(performance.now() / 1000).toFixed(1)} s`);
console.log("");
console.log("| template | evaluations | violations | errors |");
console.log("|---|---:|---:|---:|");
for (const [name, entry] of [...perTemplate].sort(([a], [b]) => a.localeCompare(b))) {
  console.log(`| ${name} | ${entry.evaluations} | ${entry.violations} | ${entry.errors} |`);
}
for (const template of failing) {
  const first = template.problems.find((problem) => problem.severity === "error");
  console.log(`not compiled: ${template.name}: ${first ? `${first.path.join(".")}${first.regoLine !== undefined ? ` line ${first.regoLine}` : ""}: ${first.message}` : "no program"}`);
}
for (const problem of problems.slice(0, 20)) console.log(`problem: ${problem.message}`);
if (problems.length > 20) console.log(`… and ${problems.length - 20} more problems`);

if (values["per-template"]) {
  // one template and its constraint at a time: where the time goes (each run also builds the inventory and reviews)
  console.log("");
  console.log("| template | seconds (median, one template) |");
  console.log("|---|---:|");
  for (const template of set.templates) {
    const kind = compileTemplate(template).kind;
    const single: GatekeeperPolicySet = { templates: [template], constraints: set.constraints.filter((constraint) => constraint.object.kind === kind) };
    const seconds = median(Array.from({ length: runs }, () => timed(() => evaluateGatekeeper(single, manifests, { cache })).seconds));
    console.log(`| ${String((template.object.metadata as { name?: unknown }).name)} | ${seconds.toFixed(3)} |`);
  }
}
