// OPA's own conformance suite (../shared/conformance/opa: one folder per topic, JSON files of cases with modules,
// data, input, a query and the wanted bindings or error) run through our Rego evaluator. Prints passed / total per
// folder. ../shared exists on our machines and in CI, not in a user's clone: the suite is read when the test runs,
// and skipped without it.
//
// OUT_OF_SCOPE names the folders we do not run, with the reason. Every in-scope case must pass, except those in
// KNOWN_FAILURES (each with its reason): a ratchet — a new failure fails the test, and so does a listed case that
// starts passing (take it off the list).
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compileRego, fromJSON, RegoEvalError, toJSON, type Value } from "../../src/policy/rego/index.ts";
import { SHARED } from "../helpers/repo.ts";

const ROOT = path.join(SHARED, "conformance", "opa");

const JWT = "JSON Web Tokens (io.jwt.*): signing and verifying tokens is not a check on Kubernetes manifests; not implemented";
const X509 = "certificates and private keys (crypto.x509.*, crypto.parse_private_keys): not parsed by this evaluator";

const OUT_OF_SCOPE: Record<string, string> = {
  cryptoparsersaprivatekeys: X509,
  cryptox509parseandverifycertificates: X509,
  cryptox509parsecertificaterequest: X509,
  cryptox509parsecertificates: X509,
  cryptox509parsekeypair: X509,
  cryptox509parsersaprivatekey: X509,
  graphql: "GraphQL schemas and queries (graphql.*): not implemented",
  jwtbuiltins: JWT,
  jwtdecodeverify: JWT,
  jwtencodesign: JWT,
  jwtencodesignheadererrors: JWT,
  jwtencodesignpayloaderrors: JWT,
  jwtencodesignraw: JWT,
  jwtverifyeddsa: JWT,
  jwtverifyhs256: JWT,
  jwtverifyhs384: JWT,
  jwtverifyhs512: JWT,
  jwtverifyrsa: JWT,
  invalidkeyerror: "http.send: policies evaluated here have no network",
  netlookupipaddr: "net.lookup_ip_addr: DNS needs the network",
  "providers-aws": "providers.aws.sign_req: signing AWS requests is for http.send, which has no network here",
};

/** In-scope cases that fail, by note, with the reason. */
const KNOWN_FAILURES = new Map<string, string>([
]);

interface Case {
  note: string;
  query: string;
  modules?: string[];
  data?: unknown;
  input?: unknown;
  input_term?: string;
  want_result?: Record<string, unknown>[];
  want_error?: string;
  want_error_code?: string;
  strict_error?: boolean;
  sort_bindings?: boolean;
}

/** JSON with integers beyond 2^53 kept exact (as bigint). */
function parseJSON(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown, context?: { source?: string }) =>
    typeof value === "number" && Number.isInteger(value) && !Number.isSafeInteger(value) && context?.source && /^-?\d+$/.test(context.source) ? BigInt(context.source) : value,
  );
}

/** A canonical text of a JSON value: object keys sorted, numbers by value; arrays sorted too when asked. */
function canonical(x: unknown, sortArrays: boolean): string {
  if (typeof x === "bigint") return x.toString();
  if (typeof x === "number") return Number.isInteger(x) && Math.abs(x) < 1e21 ? BigInt(x).toString() : String(x);
  if (x === null || typeof x !== "object") return JSON.stringify(x);
  if (Array.isArray(x)) {
    const items = x.map((i) => canonical(i, sortArrays));
    if (sortArrays) items.sort();
    return "[" + items.join(",") + "]";
  }
  return "{" + Object.keys(x).sort().map((k) => JSON.stringify(k) + ":" + canonical((x as Record<string, unknown>)[k], sortArrays)).join(",") + "}";
}

type Outcome = { rows: string[] } | { error: { code: string; message: string } };

function runCase(c: Case): Outcome {
  const compiled = compileRego((c.modules ?? []).map((text, i) => ({ file: `test-${i}.rego`, text })), { regoVersion: "v1" });
  if (!compiled.ok) return { error: { code: compiled.problems[0]!.code, message: compiled.problems.map((p) => `${p.code}: ${p.message} (${p.file}:${p.line}:${p.column})`).join("; ") } };
  const program = compiled.program;
  try {
    let input: Value | undefined = c.input === undefined ? undefined : fromJSON(c.input);
    if (c.input_term !== undefined) input = program.query(`input_term_value := ${c.input_term}`, {})[0]?.get("input_term_value");
    const rows = program.query(c.query, { input, data: c.data === undefined ? undefined : fromJSON(c.data), strictBuiltinErrors: c.strict_error ?? false, deadline: Date.now() + 10_000 });
    return { rows: rows.map((row) => canonical(Object.fromEntries([...row].map(([k, v]) => [k, toJSON(v)])), c.sort_bindings ?? false)) };
  } catch (e) {
    if (e instanceof RegoEvalError) return { error: { code: e.problem.code, message: `${e.problem.file}:${e.problem.line}: ${e.problem.code}: ${e.problem.message}` } };
    return { error: { code: "exception", message: String((e as Error).stack ?? e) } };
  }
}

function check(c: Case): string | undefined {
  const outcome = runCase(c);
  if (c.want_error_code !== undefined || c.want_error !== undefined) {
    if (!("error" in outcome)) return `wanted error ${c.want_error_code ?? ""} ${c.want_error ?? ""}, got ${outcome.rows.join(" ")}`;
    if (c.want_error_code !== undefined && outcome.error.code !== c.want_error_code) return `wanted ${c.want_error_code}, got ${outcome.error.message}`;
    if (c.want_error !== undefined && !outcome.error.message.includes(c.want_error)) return `wanted message ${c.want_error}, got ${outcome.error.message}`;
    return undefined;
  }
  if ("error" in outcome) return `error ${outcome.error.message}`;
  const want = (c.want_result ?? []).map((row) => canonical(row, c.sort_bindings ?? false)).sort();
  const got = [...outcome.rows].sort();
  return JSON.stringify(want) === JSON.stringify(got) ? undefined : `wanted ${want.join(" ")}\n   got ${got.join(" ")}`;
}

function loadFolder(folder: string): Case[] {
  const dir = path.join(ROOT, folder);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .flatMap((f) => (parseJSON(readFileSync(path.join(dir, f), "utf8")) as { cases: Case[] }).cases);
}

describe("OPA conformance (skipped when ../shared/conformance is absent)", () => {
  it("runs every in-scope case", (context) => {
    if (!existsSync(ROOT)) {
      context.skip(`${ROOT} is absent: the OPA conformance suite is not run`);
      return;
    }
    const folders = readdirSync(ROOT, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    const lines: string[] = [];
    const failures: string[] = [];
    const nowPassing: string[] = [];
    let passed = 0;
    let total = 0;
    let outOfScope = 0;
    for (const folder of folders) {
      const cases = loadFolder(folder);
      if (OUT_OF_SCOPE[folder]) {
        outOfScope += cases.length;
        lines.push(`  ${folder}: out of scope (${cases.length} cases): ${OUT_OF_SCOPE[folder]}`);
        continue;
      }
      let folderPassed = 0;
      for (const c of cases) {
        const failure = check(c);
        if (failure === undefined) {
          folderPassed++;
          if (KNOWN_FAILURES.has(c.note)) nowPassing.push(c.note);
        } else if (!KNOWN_FAILURES.has(c.note)) failures.push(`${c.note}: ${failure}`);
      }
      passed += folderPassed;
      total += cases.length;
      lines.push(`  ${folder}: ${folderPassed} / ${cases.length}`);
    }
    console.log(`OPA conformance: ${passed} / ${total} in-scope cases pass (${outOfScope} out of scope)\n${lines.join("\n")}`);
    if (failures.length) console.log(`failures:\n${failures.join("\n")}`);
    expect(failures, "new failures").toEqual([]);
    expect(nowPassing, "take these off KNOWN_FAILURES").toEqual([]);
  }, 600_000);
});
