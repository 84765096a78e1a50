// URLs for the Kubernetes CEL url library (k8s.io/apiserver/pkg/cel/library/urls.go): accepted as Go's
// url.ParseRequestURI accepts them (an absolute URI or an absolute path), then read as url.Parse reads them.

export class ParsedURL {
  constructor(
    readonly scheme: string,
    /** Host with its port, IPv6 literals in brackets. */
    readonly host: string,
    readonly rawPath: string,
    readonly rawQuery: string,
  ) {}

  /** url() in CEL: ParseRequestURI's checks, then Parse's reading (a fragment is not part of path or query). */
  static parse(raw: string): ParsedURL {
    try {
      parseGo(raw, true);
      return parseGo(raw.split("#")[0]!, false);
    } catch (error) {
      throw new Error(`URL parse error during conversion from string: ${(error as Error).message}`);
    }
  }

  static isValid(raw: string): boolean {
    try {
      parseGo(raw, true);
      return true;
    } catch {
      return false;
    }
  }

  /** Go's ParseRequestURI error text, or undefined when the string is a valid request URI (format.uri()). */
  static requestURIError(raw: string): string | undefined {
    try {
      parseGo(raw, true);
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  }

  get hostname(): string {
    return splitHostPort(this.host).host;
  }

  get port(): string {
    return splitHostPort(this.host).port;
  }

  /** url.URL.EscapedPath: the path as written when validly encoded, else escaped. */
  get escapedPath(): string {
    if (validEncodedPath(this.rawPath)) return this.rawPath;
    return escapePath(unescape(this.rawPath));
  }

  /** url.URL.Query: values unescaped, malformed pairs left out. */
  get query(): Record<string, string[]> {
    const result: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
    for (const pair of this.rawQuery.split("&")) {
      if (pair === "" || pair.includes(";")) continue;
      const eq = pair.indexOf("=");
      const rawKey = eq < 0 ? pair : pair.slice(0, eq);
      const rawValue = eq < 0 ? "" : pair.slice(eq + 1);
      let key: string;
      let value: string;
      try {
        key = unescape(rawKey, true);
        value = unescape(rawValue, true);
      } catch {
        continue;
      }
      (result[key] ??= []).push(value);
    }
    return result;
  }

  equals(other: ParsedURL): boolean {
    return this.scheme === other.scheme && this.host === other.host && this.rawPath === other.rawPath && this.rawQuery === other.rawQuery;
  }

  toString(): string {
    return `${this.scheme ? `${this.scheme}:` : ""}${this.host || this.scheme ? `//${this.host}` : ""}${this.rawPath}${this.rawQuery ? `?${this.rawQuery}` : ""}`;
  }
}

function splitHostPort(hostPort: string): { host: string; port: string } {
  let host = hostPort;
  let port = "";
  const colon = host.lastIndexOf(":");
  if (colon !== -1 && validOptionalPort(host.slice(colon))) {
    port = host.slice(colon + 1);
    host = host.slice(0, colon);
  }
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  return { host, port };
}

function validOptionalPort(port: string): boolean {
  if (port === "") return true;
  return port[0] === ":" && /^[0-9]*$/.test(port.slice(1));
}

const HEX = /^[0-9a-fA-F]{2}$/;

function unescape(s: string, query = false): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; ) {
    const c = s[i]!;
    if (c === "%") {
      const hex = s.slice(i + 1, i + 3);
      if (!HEX.test(hex)) throw new Error(`invalid URL escape ${JSON.stringify(s.slice(i, i + 3))}`);
      bytes.push(parseInt(hex, 16));
      i += 3;
    } else {
      const encoded = new TextEncoder().encode(query && c === "+" ? " " : c);
      bytes.push(...encoded);
      i++;
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

function validEncodedPath(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if ("!$&'()*+,;=:@[]".includes(c) || /[A-Za-z0-9\-_.~/]/.test(c)) continue;
    if (c === "%" && HEX.test(s.slice(i + 1, i + 3))) continue;
    return false;
  }
  return true;
}

function escapePath(s: string): string {
  let out = "";
  for (const byte of new TextEncoder().encode(s)) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~$&+,/:;=@]/.test(c)) out += c;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** net/url's parse(rawURL, viaRequest), for what the CEL library reads of it. */
function parseGo(raw: string, viaRequest: boolean): ParsedURL {
  if (/[\x00-\x1f\x7f]/.test(raw)) throw new Error(`parse ${JSON.stringify(raw)}: net/url: invalid control character in URL`);
  const fail = (message: string): never => {
    throw new Error(`parse ${JSON.stringify(raw)}: ${message}`);
  };
  if (raw === "" && viaRequest) fail("empty url");
  if (raw === "*") return new ParsedURL("", "", "*", "");
  let scheme = "";
  let rest = raw;
  const schemeMatch = /^([A-Za-z][A-Za-z0-9+\-.]*):/.exec(raw);
  if (schemeMatch) {
    scheme = schemeMatch[1]!.toLowerCase();
    rest = raw.slice(schemeMatch[0].length);
  } else if (raw.startsWith(":")) {
    fail("missing protocol scheme");
  }
  let rawQuery = "";
  if (rest.endsWith("?") && rest.split("?").length === 2) {
    rest = rest.slice(0, -1);
  } else {
    const q = rest.indexOf("?");
    if (q >= 0) {
      rawQuery = rest.slice(q + 1);
      rest = rest.slice(0, q);
    }
  }
  if (!rest.startsWith("/")) {
    if (scheme !== "") return new ParsedURL(scheme, "", rest, rawQuery);
    if (viaRequest) fail("invalid URI for request");
    const colon = rest.indexOf(":");
    const slash = rest.indexOf("/");
    if (colon >= 0 && (slash < 0 || colon < slash)) fail("first path segment in URL cannot contain colon");
  }
  let host = "";
  if ((scheme !== "" || (!viaRequest && !rest.startsWith("///"))) && rest.startsWith("//")) {
    const afterSlashes = rest.slice(2);
    const slash = afterSlashes.indexOf("/");
    const authority = slash < 0 ? afterSlashes : afterSlashes.slice(0, slash);
    rest = slash < 0 ? "" : afterSlashes.slice(slash);
    const at = authority.lastIndexOf("@");
    if (at >= 0) {
      const userinfo = authority.slice(0, at);
      if (!/^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(userinfo)) fail("net/url: invalid userinfo");
    }
    host = parseHost(at >= 0 ? authority.slice(at + 1) : authority, fail);
  }
  try {
    unescape(rest);
  } catch (error) {
    fail((error as Error).message);
  }
  return new ParsedURL(scheme, host, rest, rawQuery);
}

function parseHost(host: string, fail: (message: string) => never): string {
  if (host.startsWith("[")) {
    const close = host.lastIndexOf("]");
    if (close < 0) fail("missing ']' in host");
    const port = host.slice(close + 1);
    if (!validOptionalPort(port)) fail(`invalid port ${JSON.stringify(port)} after host`);
    return host;
  }
  const colon = host.lastIndexOf(":");
  if (colon !== -1) {
    const port = host.slice(colon);
    if (!validOptionalPort(port)) fail(`invalid port ${JSON.stringify(port)} after host`);
  }
  try {
    unescape(host);
  } catch (error) {
    fail((error as Error).message);
  }
  return host;
}
