// OPA Wasm bundles (`opa build -t wasm`): the tar.gz reader always runs (archives made by the system's tar); the
// evaluation needs the `opa` binary to build a bundle and is skipped, saying so, where there is none.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { evaluateWasmBundle, loadWasmBundle, readTar, readTarGz } from "../../src/policy/rego/wasm.ts";
import { manifest } from "../helpers/manifests.ts";

const work = mkdtempSync(path.join(os.tmpdir(), "rego-wasm-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A .tar.gz of `files`, made by GNU tar with the given format. */
function tarGz(files: Record<string, string>, format = "gnu"): Uint8Array {
  const dir = mkdtempSync(path.join(work, "src-"));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  const archive = path.join(work, `${path.basename(dir)}.tar.gz`);
  execFileSync("tar", [`--format=${format}`, "-czf", archive, "-C", dir, ...Object.keys(files)]);
  return readFileSync(archive);
}

describe("tar.gz reader", () => {
  it.each(["gnu", "ustar", "pax"])("reads files and directories of a %s archive", (format) => {
    const entries = readTarGz(tarGz({ "policy.wasm": "\0asm", "data.json": '{"a": 1}', "nested/dir/data.json": "{}" }, format));
    expect(entries.map((entry) => entry.path).sort()).toEqual(["data.json", "nested/dir/data.json", "policy.wasm"]);
    expect(new TextDecoder().decode(entries.find((entry) => entry.path === "data.json")!.data)).toBe('{"a": 1}');
  });

  it.each(["gnu", "pax"])("reads a path longer than 100 characters (%s)", (format) => {
    const long = `${"d".repeat(60)}/${"e".repeat(60)}/${"f".repeat(40)}.json`;
    expect(readTarGz(tarGz({ [long]: "{}" }, format)).map((entry) => entry.path)).toEqual([long]);
  });

  it.each([
    { name: "not gzip", bytes: new TextEncoder().encode("plain text"), message: /not a gzip file/ },
    { name: "gzip of something else", bytes: gzipSync(new TextEncoder().encode("x".repeat(600))), message: /not a tar archive/ },
  ])("refuses $name", ({ bytes, message }) => {
    expect(() => readTarGz(bytes)).toThrow(message);
  });

  it("refuses an archive that unpacks to more than the limit (a gzip bomb)", () => {
    expect(() => readTarGz(gzipSync(new Uint8Array(10_000)), 1000)).toThrow(/unpacks to more than 1000 bytes/);
  });

  it("an empty archive has no files", () => {
    expect(readTarGz(gzipSync(new Uint8Array(1024)))).toEqual([]);
  });

  it("a truncated entry is refused", () => {
    const dir = mkdtempSync(path.join(work, "trunc-"));
    writeFileSync(path.join(dir, "policy.wasm"), "x".repeat(2000));
    const tar = execFileSync("tar", ["-cf", "-", "-C", dir, "policy.wasm"]);
    expect(() => readTar(new Uint8Array(tar.subarray(0, 1024)))).toThrow(/truncated/);
  });

  it("a bundle without policy.wasm is a problem naming the file", async () => {
    const { bundle, findings } = await loadWasmBundle("policies/bundle.tar.gz", tarGz({ "data.json": "{}" }));
    expect(bundle).toBeUndefined();
    expect(findings).toEqual([expect.objectContaining({ ruleId: "policy-invalid", severity: "error", location: { file: "policies/bundle.tar.gz" }, message: expect.stringContaining("no policy.wasm") })]);
  });

  it("a policy.wasm that is not WebAssembly is a problem naming the file", async () => {
    const { bundle, findings } = await loadWasmBundle("bundle.tar.gz", tarGz({ "policy.wasm": "not wasm" }));
    expect(bundle).toBeUndefined();
    expect(findings[0]!.message).toMatch(/^bundle\.tar\.gz: policy\.wasm could not be loaded/);
  });
});

const opa = spawnSync("opa", ["version"], { encoding: "utf8" });
const noOpa = opa.error !== undefined || opa.status !== 0;
const SKIP_REASON = "no opa binary on PATH: OPA Wasm bundle evaluation not tested";
if (noOpa) console.info(`rego-wasm.test.ts: skipped the bundle evaluation tests: ${SKIP_REASON}`);

describe(`OPA Wasm bundles${noOpa ? ` (skipped: ${SKIP_REASON})` : ""}`, () => {
  const POLICY = `package main

deny contains msg if {
  input.kind == "Deployment"
  not input.spec.template.spec.securityContext.runAsNonRoot
  msg := sprintf("Deployment %s must run as non-root", [input.metadata.name])
}

warn_latest contains {"msg": msg, "image": c.image} if {
  some c in input.spec.template.spec.containers
  endswith(c.image, ":latest")
  msg := sprintf("container %s uses a latest tag", [c.name])
}

deny_registry contains msg if {
  some c in input.spec.template.spec.containers
  not startswith(c.image, data.registries.allowed)
  msg := sprintf("image %s is not from %s", [c.image, data.registries.allowed])
}
`;
  function build(entrypoints: string[]): Uint8Array {
    const dir = mkdtempSync(path.join(work, "opa-"));
    writeFileSync(path.join(dir, "policy.rego"), POLICY);
    mkdirSync(path.join(dir, "registries"));
    writeFileSync(path.join(dir, "registries", "data.json"), JSON.stringify({ allowed: "ghcr.io/acme/" }));
    const out = path.join(dir, "bundle.tar.gz");
    execFileSync("opa", ["build", "-t", "wasm", ...entrypoints.flatMap((entry) => ["-e", entry]), "-o", out, dir]);
    return readFileSync(out);
  }
  const good = manifest({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "good" }, spec: { template: { spec: { securityContext: { runAsNonRoot: true }, containers: [{ name: "web", image: "ghcr.io/acme/web:1.0" }] } } } });
  const bad = manifest({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "bad" }, spec: { template: { spec: { containers: [{ name: "web", image: "docker.io/web:latest" }] } } } });

  it.skipIf(noOpa)("rule entry points give fail and warn results with the bundle's data", async () => {
    const { bundle, findings } = await loadWasmBundle("bundle.tar.gz", build(["main/deny", "main/warn_latest", "main/deny_registry"]));
    expect(findings).toEqual([]);
    const outcome = evaluateWasmBundle(bundle!, [good, bad]);
    const summary = outcome.results.map((r) => `${r.manifest.id.name} ${r.rule} ${r.result} ${r.message}`).sort();
    expect(summary).toEqual([
      "bad deny fail Deployment bad must run as non-root",
      "bad deny_registry fail image docker.io/web:latest is not from ghcr.io/acme/",
      "bad warn_latest warn container web uses a latest tag",
      "good deny pass ",
      "good deny_registry pass ",
      "good warn_latest pass ",
    ]);
    expect(outcome.findings.filter((f) => f.severity === "error")).toHaveLength(2);
  });

  it.skipIf(noOpa)("a package entry point: its deny and warn rules", async () => {
    const { bundle } = await loadWasmBundle("bundle.tar.gz", build(["main"]));
    const outcome = evaluateWasmBundle(bundle!, [bad]);
    expect(outcome.results.filter((r) => r.result !== "pass").map((r) => r.rule).sort()).toEqual(["main/deny", "main/deny_registry", "main/warn_latest"]);
  });
});
