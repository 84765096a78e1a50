// uuid.rfc4122, uuid.parse and rand.intn (topdown/uuid.go, rand.go). The random builtins answer the same for the
// same arguments within one query (ctx.queryCache), as OPA's builtin cache does.

import { randomInt, randomUUID } from "node:crypto";
import type { Builtin } from "./types.js";
import { fn, int, str } from "./operands.js";
import { RegoObject, normalizeNumber } from "../../value.js";
import type { Value } from "../../value.js";

/** google/uuid's Parse: 36 characters with dashes, {…}, urn:uuid:…, or 32 hex digits. */
function uuidBytes(s: string): Uint8Array | undefined {
  let hex: string;
  if (s.length === 36 + 9) {
    if (s.slice(0, 9).toLowerCase() !== "urn:uuid:") return undefined;
    s = s.slice(9);
  } else if (s.length === 36 + 2) {
    if (s[0] !== "{" || s[37] !== "}") return undefined;
    s = s.slice(1, 37);
  }
  if (s.length === 36) {
    if (s[8] !== "-" || s[13] !== "-" || s[18] !== "-" || s[23] !== "-") return undefined;
    hex = s.replaceAll("-", "");
    if (hex.length !== 32) return undefined;
  } else if (s.length === 32) hex = s;
  else return undefined;
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) return undefined;
  return Uint8Array.from(Buffer.from(hex, "hex"));
}

const be = (b: Uint8Array, from: number, n: number): bigint => {
  let v = 0n;
  for (let i = 0; i < n; i++) v = (v << 8n) | BigInt(b[from + i]!);
  return v;
};

function variant(b: number): string {
  if ((b & 0xc0) === 0x80) return "RFC4122";
  if ((b & 0xe0) === 0xc0) return "Microsoft";
  if ((b & 0xe0) === 0xe0) return "Future";
  return "Reserved";
}

const GREGORIAN_OFFSET = 122_192_928_000_000_000n;

function parseUUID(s: string): Value | undefined {
  const b = uuidBytes(s);
  if (!b) return undefined;
  const version = b[6]! >> 4;
  const out = new RegoObject();
  out.set("version", version);
  out.set("variant", variant(b[8]!));
  if (version === 1 || version === 2) {
    const t = be(b, 0, 4) | (be(b, 4, 2) << 32n) | ((be(b, 6, 2) & 0xfffn) << 48n);
    const since = t - GREGORIAN_OFFSET;
    const sec = since / 10_000_000n;
    const nsec = (since % 10_000_000n) * 100n;
    out.set("time", normalizeNumber(sec * 1_000_000_000n + nsec));
    const node = b.slice(10, 16);
    out.set("nodeid", [...node].map((x) => x.toString(16).padStart(2, "0")).join("-"));
    out.set("macvariables", `${node[0]! & 0b10 ? "local" : "global"}:${node[0]! & 0b1 ? "multicast" : "unicast"}`);
    out.set("clocksequence", Number(be(b, 8, 2) & 0x3fffn));
  }
  if (version === 2) {
    out.set("id", Number(be(b, 0, 4)));
    const domain = b[9]!;
    out.set("domain", domain === 0 ? "Person" : domain === 1 ? "Group" : domain === 2 ? "Org" : `Domain${domain}`);
  }
  return out;
}

export const UUID_BUILTINS: readonly Builtin[] = [
  fn("uuid.rfc4122", 1, (args, ctx) => {
    const key = `uuid.rfc4122\u0000${str("uuid.rfc4122", args, 0)}`;
    let v = ctx.queryCache.get(key);
    if (v === undefined) {
      v = randomUUID();
      ctx.queryCache.set(key, v);
    }
    return v;
  }),
  fn("uuid.parse", 1, (args) => parseUUID(str("uuid.parse", args, 0))),
  fn("rand.intn", 2, (args, ctx) => {
    const s = str("rand.intn", args, 0);
    let n = int("rand.intn", args, 1);
    if (n < 0n) n = -n;
    const key = `rand.intn\u0000${s}\u0000${n}`;
    let v = ctx.queryCache.get(key);
    if (v === undefined) {
      v = n === 0n ? 0 : n < 1n << 48n ? randomInt(Number(n)) : normalizeNumber(((BigInt(randomInt(2 ** 47)) << 48n) | BigInt(randomInt(2 ** 47))) % n);
      ctx.queryCache.set(key, v);
    }
    return v;
  }),
];
