// Policies compiled by `opa build -t wasm`: a bundle (.tar.gz holding /policy.wasm, /data.json and a /.manifest)
// evaluated with @open-policy-agent/opa-wasm on each object as `input`. Entry points named like conftest rules
// (main/deny, main/warn_latest, or a package whose value holds such rules) give fail and warn results as conftest's
// do. The bytes are handed in: this module reads no file.
import { gunzipSync } from "node:zlib";
import { loadPolicy, type LoadedPolicy } from "@open-policy-agent/opa-wasm";
import type { Finding, Manifest } from "../../model.js";
import { record } from "../../util/values.js";
import { buildDataDocument } from "../conftest/data.js";
import { isCheckRule, isFailureRule, messagesOf } from "../conftest/rules.js";
import { ProblemList, violationFinding, type LocateOptions, type RegoEvaluation, type RegoPolicyResult } from "../gatekeeper/results.js";

/** A bundle larger than this once unpacked is refused (a gzip bomb would exhaust memory). */
export const MAX_BUNDLE_BYTES = 128 * 1024 * 1024;

export interface TarEntry {
  /** The path inside the archive, without a leading "/" or "./". */
  path: string;
  data: Uint8Array;
}

export class BundleError extends Error {}

function text(block: Uint8Array, start: number, length: number): string {
  const slice = block.subarray(start, start + length);
  const end = slice.indexOf(0);
  return new TextDecoder().decode(end < 0 ? slice : slice.subarray(0, end));
}

/** A numeric header field: octal text, or base-256 when the high bit of its first byte is set (GNU). */
function number(block: Uint8Array, start: number, length: number): number {
  if (block[start]! & 0x80) {
    let value = block[start]! & 0x7f;
    for (let i = start + 1; i < start + length; i++) value = value * 256 + block[i]!;
    return value;
  }
  const digits = text(block, start, length).trim();
  if (!/^[0-7]*$/.test(digits)) throw new BundleError(`not a tar archive: bad number field ${JSON.stringify(digits)}`);
  return digits === "" ? 0 : parseInt(digits, 8);
}

function checksumOk(block: Uint8Array): boolean {
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : block[i]!;
  return sum === number(block, 148, 8);
}

/** pax extended header records ("<length> key=value\n"): the path, when one is given. */
function paxPath(data: Uint8Array): string | undefined {
  const records = new TextDecoder().decode(data);
  let offset = 0;
  let path: string | undefined;
  while (offset < records.length) {
    const space = records.indexOf(" ", offset);
    const length = parseInt(records.slice(offset, space), 10);
    if (space < 0 || !Number.isFinite(length) || length <= 0) break;
    const record = records.slice(space + 1, offset + length - 1);
    const equals = record.indexOf("=");
    if (record.slice(0, equals) === "path") path = record.slice(equals + 1);
    offset += length;
  }
  return path;
}

function normalise(path: string): string {
  return path.replace(/^(\.?\/)+/, "");
}

/** The regular files of a tar archive (ustar, with GNU long names and pax paths). */
export function readTar(bytes: Uint8Array): TarEntry[] {
  const entries: TarEntry[] = [];
  let offset = 0;
  let longName: string | undefined;
  while (offset + 512 <= bytes.length) {
    const block = bytes.subarray(offset, offset + 512);
    if (block.every((byte) => byte === 0)) break; // the end-of-archive blocks
    if (!checksumOk(block)) throw new BundleError(`not a tar archive: bad header checksum at byte ${offset}`);
    const size = number(block, 124, 12);
    const type = String.fromCharCode(block[156]!);
    const dataStart = offset + 512;
    if (dataStart + size > bytes.length) throw new BundleError("truncated tar archive");
    const data = bytes.subarray(dataStart, dataStart + size);
    offset = dataStart + Math.ceil(size / 512) * 512;
    if (type === "L") {
      longName = text(data, 0, data.length);
      continue;
    }
    if (type === "x") {
      longName = paxPath(data) ?? longName;
      continue;
    }
    const prefix = text(block, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${text(block, 0, 100)}` : text(block, 0, 100));
    longName = undefined;
    if (type === "0" || type === "\0" || type === "7") entries.push({ path: normalise(name), data });
  }
  return entries;
}

/** The files of a .tar.gz, refusing one that unpacks to more than MAX_BUNDLE_BYTES. */
export function readTarGz(bytes: Uint8Array, limit = MAX_BUNDLE_BYTES): TarEntry[] {
  let tar: Uint8Array;
  try {
    tar = gunzipSync(bytes, { maxOutputLength: limit });
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new BundleError(code === "ERR_BUFFER_TOO_LARGE" ? `unpacks to more than ${limit} bytes` : `not a gzip file: ${(error as Error).message}`);
  }
  return readTar(tar);
}

export interface WasmBundle {
  file: string;
  policy: LoadedPolicy;
  /** Entry point names, as `opa build -e` named them (main/deny). */
  entrypoints: string[];
}

/** opa-wasm throws strings as well as Errors. */
function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function problem(file: string, message: string): Finding {
  return { ruleId: "policy-invalid", severity: "error", message: `${file}: ${message}`, location: { file } };
}

/** Loads a bundle built with `opa build -t wasm`; a bundle that cannot be used is a problem naming its file. */
export async function loadWasmBundle(file: string, bytes: Uint8Array): Promise<{ bundle?: WasmBundle; findings: Finding[] }> {
  let entries: TarEntry[];
  try {
    entries = readTarGz(bytes);
  } catch (error) {
    return { findings: [problem(file, describe(error))] };
  }
  const wasm = entries.find((entry) => entry.path === "policy.wasm") ?? entries.find((entry) => entry.path.endsWith(".wasm"));
  if (!wasm) return { findings: [problem(file, "the bundle has no policy.wasm: build it with opa build -t wasm")] };
  const decoder = new TextDecoder();
  const dataFiles = entries.filter((entry) => /(^|\/)data\.(json|ya?ml)$/.test(entry.path)).map((entry) => ({ root: "", file: entry.path, text: decoder.decode(entry.data) }));
  const { data, problems } = buildDataDocument(dataFiles);
  const findings = problems.map((item) => problem(file, `${item.file}: ${item.message}`));
  let policy: LoadedPolicy;
  try {
    policy = await loadPolicy(wasm.data.slice().buffer as ArrayBuffer);
    policy.setData(data);
  } catch (error) {
    return { findings: [...findings, problem(file, `policy.wasm could not be loaded: ${describe(error)}`)] };
  }
  const entrypoints = Object.keys(record(policy.entrypoints)).sort();
  return { bundle: { file, policy, entrypoints }, findings };
}

/** Entry points whose value is a rule's (main/deny) or a package's holding rules (main). */
function ruleValues(entrypoint: string, value: unknown): Array<{ rule: string; value: unknown }> {
  const rule = entrypoint.slice(entrypoint.lastIndexOf("/") + 1);
  if (isCheckRule(rule)) return [{ rule, value }];
  return Object.entries(record(value))
    .filter(([name]) => isCheckRule(name))
    .map(([name, item]) => ({ rule: `${entrypoint}/${name}`, value: item }));
}

export function evaluateWasmBundle(bundle: WasmBundle, manifests: Manifest[], options: LocateOptions = {}): RegoEvaluation {
  const results: RegoPolicyResult[] = [];
  const findings: Finding[] = [];
  const problems = new ProblemList();
  const environment = options.environment ? { environment: options.environment } : {};
  let rulesSeen = false;
  for (const manifest of manifests) {
    for (const entrypoint of bundle.entrypoints) {
      const result = (rule: string, kind: RegoPolicyResult["result"], message: string, details?: unknown) =>
        results.push({ engine: "opa-wasm", manifest, policy: bundle.file, rule, result: kind, message, ...(details !== undefined ? { details } : {}) });
      let resultSet: unknown;
      try {
        resultSet = bundle.policy.evaluate(manifest.object, entrypoint);
      } catch (error) {
        result(entrypoint, "error", describe(error));
        problems.add({ ...problem(bundle.file, `entry point ${entrypoint}: ${describe(error)}`), ...environment });
        continue;
      }
      const value = Array.isArray(resultSet) && resultSet.length > 0 ? record(resultSet[0]).result : undefined;
      for (const { rule, value: ruleValue } of ruleValues(entrypoint, value)) {
        rulesSeen = true;
        const name = rule.slice(rule.lastIndexOf("/") + 1);
        const { messages, problems: shapeProblems } = messagesOf(ruleValue);
        for (const shape of shapeProblems) {
          result(rule, "error", shape);
          problems.add({ ...problem(bundle.file, `${rule}: ${shape}`), ...environment });
        }
        if (messages.length === 0 && shapeProblems.length === 0) result(rule, "pass", "");
        for (const message of messages) {
          const failure = isFailureRule(name);
          result(rule, failure ? "fail" : "warn", message.msg, message.metadata);
          findings.push(violationFinding(manifest, `opa-wasm:${bundle.file}#${rule}`, failure ? "error" : "warning", `${rule}: ${message.msg}`, options));
        }
      }
    }
  }
  if (!rulesSeen && manifests.length > 0) {
    problems.add({
      ruleId: "policy-not-evaluated",
      severity: "notice",
      message: `${bundle.file}: no entry point (${bundle.entrypoints.join(", ") || "none"}) gave deny, violation or warn rules: build with opa build -t wasm -e main/deny (or -e main)`,
      location: { file: bundle.file },
      ...environment,
    });
  }
  return { results, findings: [...findings, ...problems.findings] };
}
