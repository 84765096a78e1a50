// IP addresses and CIDR prefixes for the Kubernetes CEL ip/cidr libraries (k8s.io/apiserver/pkg/cel/library/ip.go,
// cidr.go), parsed as Go's net/netip parses them (ParseAddr, ParsePrefix), with its error texts.

class ParseAddrError extends Error {}

function addrError(input: string, message: string, at = ""): ParseAddrError {
  return new ParseAddrError(`ParseAddr(${JSON.stringify(input)}): ${message}${at ? ` (at ${JSON.stringify(at)})` : ""}`);
}

function parseIPv4Fields(input: string, off: number, end: number, fields: Uint8Array, start: number): void {
  const s = input.slice(off, end);
  let val = 0;
  let pos = 0;
  let digits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c >= "0" && c <= "9") {
      if (digits === 1 && val === 0) throw addrError(input, "IPv4 field has octet with leading zero");
      val = val * 10 + (c.charCodeAt(0) - 48);
      digits++;
      if (val > 255) throw addrError(input, "IPv4 field has value >255");
    } else if (c === ".") {
      if (i === 0 || i === s.length - 1 || s[i - 1] === ".") throw addrError(input, "IPv4 field must have at least one digit", s.slice(i));
      if (pos === 3) throw addrError(input, "IPv4 address too long");
      fields[start + pos] = val;
      pos++;
      val = 0;
      digits = 0;
    } else {
      throw addrError(input, "unexpected character", s.slice(i));
    }
  }
  if (pos < 3) throw addrError(input, "IPv4 address too short");
  fields[start + 3] = val;
}

function hexValue(c: string): number {
  if (c >= "0" && c <= "9") return c.charCodeAt(0) - 48;
  if (c >= "a" && c <= "f") return c.charCodeAt(0) - 87;
  if (c >= "A" && c <= "F") return c.charCodeAt(0) - 55;
  return -1;
}

function parseIPv6(input: string): { bytes: Uint8Array; zone: string } {
  let s = input;
  let zone = "";
  const percent = s.indexOf("%");
  if (percent !== -1) {
    zone = s.slice(percent + 1);
    s = s.slice(0, percent);
    if (zone === "") throw addrError(input, "zone must be a non-empty string");
  }
  const ip = new Uint8Array(16);
  let ellipsis = -1;
  if (s.length >= 2 && s[0] === ":" && s[1] === ":") {
    ellipsis = 0;
    s = s.slice(2);
    if (s.length === 0) return { bytes: ip, zone };
  }
  let i = 0;
  while (i < 16) {
    let off = 0;
    let acc = 0;
    for (; off < s.length; off++) {
      const v = hexValue(s[off]!);
      if (v < 0) break;
      acc = acc * 16 + v;
      if (off > 3) throw addrError(input, "each group must have 4 or less digits", s);
      if (acc > 0xffff) throw addrError(input, "IPv6 field has value >=2^16", s);
    }
    if (off === 0) throw addrError(input, "each colon-separated field must have at least one digit", s);
    if (off < s.length && s[off] === ".") {
      if (ellipsis < 0 && i !== 12) throw addrError(input, "embedded IPv4 address must replace the final 2 fields of the address", s);
      if (i + 4 > 16) throw addrError(input, "too many hex fields to fit an embedded IPv4 at the end of the address", s);
      const end = input.length - (zone.length > 0 ? zone.length + 1 : 0);
      parseIPv4Fields(input, end - s.length, end, ip, i);
      s = "";
      i += 4;
      break;
    }
    ip[i] = acc >> 8;
    ip[i + 1] = acc & 0xff;
    i += 2;
    s = s.slice(off);
    if (s.length === 0) break;
    if (s[0] !== ":") throw addrError(input, "unexpected character, want colon", s);
    if (s.length === 1) throw addrError(input, "colon must be followed by more characters", s);
    s = s.slice(1);
    if (s[0] === ":") {
      if (ellipsis >= 0) throw addrError(input, "multiple :: in address", s);
      ellipsis = i;
      s = s.slice(1);
      if (s.length === 0) break;
    }
  }
  if (s.length !== 0) throw addrError(input, "trailing garbage after address", s);
  if (i < 16) {
    if (ellipsis < 0) throw addrError(input, "address string too short");
    const n = 16 - i;
    for (let j = i - 1; j >= ellipsis; j--) ip[j + n] = ip[j]!;
    ip.fill(0, ellipsis, ellipsis + n);
  } else if (ellipsis >= 0) {
    throw addrError(input, "the :: must expand to at least one field of zeros", s);
  }
  return { bytes: ip, zone };
}

/** netip.ParseAddr. */
function parseAddr(s: string): { bytes: Uint8Array; zone: string } {
  for (const c of s) {
    if (c === ".") {
      const bytes = new Uint8Array(4);
      parseIPv4Fields(s, 0, s.length, bytes, 0);
      return { bytes, zone: "" };
    }
    if (c === ":") return parseIPv6(s);
    if (c === "%") throw addrError(s, "missing IPv6 address");
  }
  throw addrError(s, "unable to parse IP");
}

function isMapped(bytes: Uint8Array): boolean {
  return bytes.length === 16 && bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
}

function prefixMatches(bytes: Uint8Array, prefix: Uint8Array, bits: number): boolean {
  for (let i = 0; i < bits; i++) {
    const mask = 0x80 >> (i % 8);
    if ((bytes[i >> 3]! & mask) !== (prefix[i >> 3]! & mask)) return false;
  }
  return true;
}

export class IPAddress {
  constructor(readonly bytes: Uint8Array) {}

  /** The CEL ip() conversion: netip.ParseAddr without zones or IPv4-mapped IPv6 addresses. */
  static parse(raw: string): IPAddress {
    let parsed: { bytes: Uint8Array; zone: string };
    try {
      parsed = parseAddr(raw);
    } catch (error) {
      throw new Error(`IP Address ${JSON.stringify(raw)} parse error during conversion from string: ${(error as Error).message}`);
    }
    if (parsed.zone !== "") throw new Error(`IP address ${JSON.stringify(raw)} with zone value is not allowed`);
    if (isMapped(parsed.bytes)) throw new Error(`IPv4-mapped IPv6 address ${JSON.stringify(raw)} is not allowed`);
    return new IPAddress(parsed.bytes);
  }

  static isValid(raw: string): boolean {
    try {
      IPAddress.parse(raw);
      return true;
    } catch {
      return false;
    }
  }

  get family(): 4 | 6 {
    return this.bytes.length === 4 ? 4 : 6;
  }

  equals(other: IPAddress): boolean {
    return this.bytes.length === other.bytes.length && this.bytes.every((b, i) => b === other.bytes[i]);
  }

  isUnspecified(): boolean {
    return this.bytes.every((b) => b === 0);
  }

  isLoopback(): boolean {
    if (this.family === 4) return this.bytes[0] === 127;
    return this.bytes.subarray(0, 15).every((b) => b === 0) && this.bytes[15] === 1;
  }

  isMulticast(): boolean {
    return this.family === 4 ? (this.bytes[0]! & 0xf0) === 0xe0 : this.bytes[0] === 0xff;
  }

  isLinkLocalMulticast(): boolean {
    if (this.family === 4) return this.bytes[0] === 224 && this.bytes[1] === 0 && this.bytes[2] === 0;
    return this.bytes[0] === 0xff && (this.bytes[1]! & 0x0f) === 0x02;
  }

  isLinkLocalUnicast(): boolean {
    if (this.family === 4) return this.bytes[0] === 169 && this.bytes[1] === 254;
    return this.bytes[0] === 0xfe && (this.bytes[1]! & 0xc0) === 0x80;
  }

  isGlobalUnicast(): boolean {
    if (this.family === 4 && this.bytes.every((b) => b === 255)) return false;
    return !this.isUnspecified() && !this.isLoopback() && !this.isMulticast() && !this.isLinkLocalUnicast();
  }

  /** netip.Addr.String: dotted quad, or RFC 5952 for IPv6. */
  toString(): string {
    if (this.family === 4) return Array.from(this.bytes).join(".");
    const groups: number[] = [];
    for (let i = 0; i < 16; i += 2) groups.push((this.bytes[i]! << 8) | this.bytes[i + 1]!);
    let bestStart = -1;
    let bestLength = 0;
    for (let i = 0; i < 8; ) {
      if (groups[i] !== 0) {
        i++;
        continue;
      }
      let j = i;
      while (j < 8 && groups[j] === 0) j++;
      if (j - i >= 2 && j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j;
    }
    const hex = (list: number[]) => list.map((g) => g.toString(16)).join(":");
    if (bestStart < 0) return hex(groups);
    return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
  }
}

export class CIDR {
  constructor(
    readonly address: IPAddress,
    readonly bits: number,
  ) {}

  /** The CEL cidr() conversion: netip.ParsePrefix without IPv4-mapped IPv6 addresses. */
  static parse(raw: string): CIDR {
    const fail = (message: string): never => {
      throw new Error(`network address parse error during conversion from string: netip.ParsePrefix(${JSON.stringify(raw)}): ${message}`);
    };
    const slash = raw.lastIndexOf("/");
    if (slash < 0) fail("no '/'");
    const addressText = raw.slice(0, slash);
    const bitsText = raw.slice(slash + 1);
    let parsed: { bytes: Uint8Array; zone: string } | undefined;
    try {
      parsed = parseAddr(addressText);
    } catch (error) {
      fail((error as Error).message);
    }
    if (parsed!.zone !== "") fail("IPv6 zones cannot be present in a prefix");
    if (!/^(0|[1-9][0-9]*)$/.test(bitsText)) fail(`bad bits after slash: ${JSON.stringify(bitsText)}`);
    const bits = Number(bitsText);
    if (bits > parsed!.bytes.length * 8) fail(`prefix length out of range`);
    if (isMapped(parsed!.bytes)) throw new Error(`IPv4-mapped IPv6 address ${JSON.stringify(raw)} is not allowed`);
    return new CIDR(new IPAddress(parsed!.bytes), bits);
  }

  static isValid(raw: string): boolean {
    try {
      CIDR.parse(raw);
      return true;
    } catch {
      return false;
    }
  }

  equals(other: CIDR): boolean {
    return this.bits === other.bits && this.address.equals(other.address);
  }

  containsIP(ip: IPAddress): boolean {
    return ip.family === this.address.family && prefixMatches(ip.bytes, this.address.bytes, this.bits);
  }

  containsCIDR(other: CIDR): boolean {
    return other.address.family === this.address.family && this.bits <= other.bits && prefixMatches(other.address.bytes, this.address.bytes, this.bits);
  }

  masked(): CIDR {
    const bytes = new Uint8Array(this.address.bytes.length);
    for (let i = 0; i < this.bits; i++) bytes[i >> 3]! |= this.address.bytes[i >> 3]! & (0x80 >> (i % 8));
    return new CIDR(new IPAddress(bytes), this.bits);
  }

  toString(): string {
    return `${this.address.toString()}/${this.bits}`;
  }
}
