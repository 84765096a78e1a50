// net.cidr_* (topdown/cidr.go): addresses as bigints, Go's net.ParseIP / ParseCIDR syntax (no leading zeros in
// IPv4 octets), IPv6 written as Go writes it (RFC 5952). net.lookup_ip_addr is in unsupported.ts.

import type { Builtin } from "./types.js";
import { builtinError, fn, operandTypeError, str } from "./operands.js";
import { RegoObject, RegoSet } from "../../value.js";
import type { Value } from "../../value.js";

interface Net {
  v6: boolean;
  addr: bigint;
  prefix: number;
}

const bitsOf = (v6: boolean): number => (v6 ? 128 : 32);

function mask(v6: boolean, prefix: number): bigint {
  const bits = BigInt(bitsOf(v6));
  return ((1n << BigInt(prefix)) - 1n) << (bits - BigInt(prefix));
}

function parseIPv4(s: string): bigint | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    n = (n << 8n) | BigInt(p);
  }
  return n;
}

function parseIPv6(s: string): bigint | undefined {
  let head = s;
  let tail4: bigint | undefined;
  const lastColon = s.lastIndexOf(":");
  if (lastColon >= 0 && s.slice(lastColon + 1).includes(".")) {
    tail4 = parseIPv4(s.slice(lastColon + 1));
    if (tail4 === undefined) return undefined;
    head = s.slice(0, lastColon + 1) + "0:0";
  }
  const halves = head.split("::");
  if (halves.length > 2) return undefined;
  const parse = (part: string): string[] | undefined => (part === "" ? [] : part.split(":"));
  const left = parse(halves[0]!);
  const right = halves.length === 2 ? parse(halves[1]!) : [];
  if (!left || !right) return undefined;
  const groups = halves.length === 2 ? [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right] : left;
  if (groups.length !== 8 || (halves.length === 2 && left.length + right.length > 7)) return undefined;
  let n = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    n = (n << 16n) | BigInt(Number.parseInt(g, 16));
  }
  if (tail4 !== undefined) n = (n & ~0xffffffffn) | tail4;
  return n;
}

/** Go's net.ParseIP: IPv4 or IPv6 (an IPv4-mapped IPv6 address is IPv4). */
function parseIP(s: string): { v6: boolean; addr: bigint } | undefined {
  if (s.includes(":")) {
    const a = parseIPv6(s);
    if (a === undefined) return undefined;
    if (a >> 32n === 0xffffn) return { v6: false, addr: a & 0xffffffffn };
    return { v6: true, addr: a };
  }
  const a = parseIPv4(s);
  return a === undefined ? undefined : { v6: false, addr: a };
}

/** Go's net.ParseCIDR: the network (address masked) and its prefix length. */
function parseCIDR(s: string): Net | undefined {
  const slash = s.indexOf("/");
  if (slash < 0) return undefined;
  const ip = parseIP(s.slice(0, slash));
  const p = s.slice(slash + 1);
  if (!ip || !/^(0|[1-9]\d{0,2})$/.test(p)) return undefined;
  // an IPv4-mapped address keeps IPv6 prefix lengths
  const v6 = ip.v6 || s.slice(0, slash).includes(":");
  const prefix = Number(p);
  if (prefix > bitsOf(v6)) return undefined;
  const addr = v6 && !ip.v6 ? ip.addr | (0xffffn << 32n) : ip.addr;
  return { v6, addr: addr & mask(v6, prefix), prefix };
}

function cidrOperand(name: string, s: string): Net {
  const n = parseCIDR(s);
  if (!n) throw builtinError(name, `invalid CIDR address: ${s}`);
  return n;
}

function contains(net: Net, v6: boolean, addr: bigint): boolean {
  return net.v6 === v6 && (addr & mask(net.v6, net.prefix)) === net.addr;
}

function containsCidrOrIP(name: string, net: Net, s: string): boolean {
  const sub = parseCIDR(s);
  if (sub) return sub.prefix >= net.prefix && contains(net, sub.v6, sub.addr);
  const ip = parseIP(s);
  if (!ip) throw builtinError(name, `invalid CIDR address: ${s}`);
  return contains(net, ip.v6, ip.addr);
}

export function formatIP(v6: boolean, addr: bigint): string {
  if (!v6) return [24n, 16n, 8n, 0n].map((sh) => String((addr >> sh) & 0xffn)).join(".");
  const groups = Array.from({ length: 8 }, (_, i) => Number((addr >> BigInt(112 - 16 * i)) & 0xffffn));
  // IPv4-mapped
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return formatIP(false, addr & 0xffffffffn);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return hex.slice(0, bestStart).join(":") + "::" + hex.slice(bestStart + bestLen).join(":");
}

function formatNet(n: Net): string {
  return `${formatIP(n.v6, n.addr)}/${n.prefix}`;
}

// ---------------------------------------------------------------------------------------------------------------
// cidr_merge: ranges merged, then split into the fewest CIDRs

function mergeInput(name: string, s: string): Net {
  if (s.includes("/")) return cidrOperand(name, s);
  const ip = parseIP(s);
  if (!ip) throw builtinError(name, `invalid IP address: ${s}`);
  if (ip.v6) throw builtinError(name, "IPv6 invalid: needs prefix length");
  // Go's IP.DefaultMask: the classful network
  const first = Number(ip.addr >> 24n);
  const prefix = first < 128 ? 8 : first < 192 ? 16 : first < 224 ? 24 : -1;
  if (prefix < 0) throw builtinError(name, `IP address has no default mask: ${s}`);
  return { v6: false, addr: ip.addr & mask(false, prefix), prefix };
}

function rangeToCidrs(v6: boolean, start: bigint, end: bigint): Net[] {
  const bits = bitsOf(v6);
  const out: Net[] = [];
  let cur = start;
  while (cur <= end) {
    let size = 0;
    while (size < bits) {
      const next = size + 1;
      const block = 1n << BigInt(next);
      if (cur % block !== 0n || cur + block - 1n > end) break;
      size = next;
    }
    out.push({ v6, addr: cur, prefix: bits - size });
    cur += 1n << BigInt(size);
  }
  return out;
}

function merge(nets: Net[]): Net[] {
  const out: Net[] = [];
  for (const v6 of [false, true]) {
    const ranges = nets
      .filter((n) => n.v6 === v6)
      .map((n) => [n.addr, n.addr + (1n << BigInt(bitsOf(v6) - n.prefix)) - 1n] as [bigint, bigint])
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const merged: Array<[bigint, bigint]> = [];
    for (const r of ranges) {
      const last = merged[merged.length - 1];
      if (last && r[0] <= last[1] + 1n) {
        if (r[1] > last[1]) last[1] = r[1];
      } else merged.push([r[0], r[1]]);
    }
    for (const [a, b] of merged) out.push(...rangeToCidrs(v6, a, b));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// cidr_contains_matches

function matchItems(name: string, v: Value, pos: number): Array<[Value, string]> {
  const cidrOf = (x: Value): string => {
    if (typeof x === "string") return x;
    if (Array.isArray(x) && x.length > 0 && typeof x[0] === "string") return x[0];
    throw builtinError(name, `operand ${pos}: element must be string or non-empty array`);
  };
  if (typeof v === "string") return [[v, v]];
  if (Array.isArray(v)) return (v as readonly Value[]).map((x, i) => [i, cidrOf(x)]);
  if (v instanceof RegoSet) return v.sorted().map((x) => [x, cidrOf(x)]);
  if (v instanceof RegoObject) return [...v.entries()].map(([k, x]) => [k, cidrOf(x)]);
  throw operandTypeError(name, pos, v, "string", "array", "set", "object");
}

const MAX_EXPAND = 1n << 20n;

export const NET_BUILTINS: readonly Builtin[] = [
  fn("net.cidr_contains", 2, (args) => {
    const net = cidrOperand("net.cidr_contains", str("net.cidr_contains", args, 0));
    return containsCidrOrIP("net.cidr_contains", net, str("net.cidr_contains", args, 1));
  }),
  fn("net.cidr_intersects", 2, (args) => {
    const a = cidrOperand("net.cidr_intersects", str("net.cidr_intersects", args, 0));
    const b = cidrOperand("net.cidr_intersects", str("net.cidr_intersects", args, 1));
    return contains(a, b.v6, b.addr) || contains(b, a.v6, a.addr);
  }),
  fn("net.cidr_is_valid", 1, (args) => typeof args[0] === "string" && parseCIDR(args[0]) !== undefined),
  fn("net.cidr_expand", 1, (args) => {
    const s = str("net.cidr_expand", args, 0);
    const n = cidrOperand("net.cidr_expand", s);
    const size = 1n << BigInt(bitsOf(n.v6) - n.prefix);
    if (size > MAX_EXPAND) throw builtinError("net.cidr_expand", `${s} has more than ${MAX_EXPAND} addresses`);
    const out: Value[] = [];
    for (let i = 0n; i < size; i++) out.push(formatIP(n.v6, n.addr + i));
    return out;
  }),
  fn("net.cidr_merge", 1, (args) => {
    const v = args[0]!;
    const items = Array.isArray(v) ? (v as readonly Value[]) : v instanceof RegoSet ? v.sorted() : undefined;
    if (!items) throw operandTypeError("net.cidr_merge", 1, v, "array", "set");
    const nets = items.map((x) => {
      if (typeof x !== "string") throw operandTypeError("net.cidr_merge", 1, x, "string");
      return mergeInput("net.cidr_merge", x);
    });
    return merge(nets).map(formatNet);
  }),
  fn("net.cidr_contains_matches", 2, (args) => {
    const name = "net.cidr_contains_matches";
    const cidrs = matchItems(name, args[0]!, 1);
    const targets = matchItems(name, args[1]!, 2);
    const out = new RegoSet();
    for (const [k1, c] of cidrs) {
      const net = cidrOperand(name, c);
      for (const [k2, t] of targets) if (containsCidrOrIP(name, net, t)) out.add([k1, k2]);
    }
    return out;
  }),
];
