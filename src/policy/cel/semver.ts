// Semantic versions for the Kubernetes CEL semver library (k8s.io/apiserver/pkg/cel/library/semver.go, which
// parses with blang/semver v4): strict MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD], or normalized when asked (a leading
// "v" dropped, missing minor and patch filled with 0, leading zeros removed).

const NUMERIC = /^(0|[1-9][0-9]*)$/;
const IDENTIFIER = /^[0-9A-Za-z-]+$/;

export class Semver {
  constructor(
    readonly major: bigint,
    readonly minor: bigint,
    readonly patch: bigint,
    readonly pre: readonly string[],
    readonly build: readonly string[],
  ) {}

  static parse(raw: string, normalize = false): Semver {
    let text = raw;
    if (normalize) {
      if (text.startsWith("v")) text = text.slice(1);
      const cut = text.search(/[-+]/);
      const core = cut < 0 ? text : text.slice(0, cut);
      const tail = cut < 0 ? "" : text.slice(cut);
      const parts = core.split(".");
      while (parts.length < 3) parts.push("0");
      text = parts.map((part) => (/^[0-9]+$/.test(part) ? part.replace(/^0+(?=[0-9])/, "") : part)).join(".") + tail;
    }
    const fail = (message: string): never => {
      throw new Error(`could not parse ${JSON.stringify(raw)} as semver: ${message}`);
    };
    let rest = text;
    let build: string[] = [];
    const plus = rest.indexOf("+");
    if (plus >= 0) {
      build = rest.slice(plus + 1).split(".");
      rest = rest.slice(0, plus);
      if (build.some((part) => !IDENTIFIER.test(part))) fail("invalid build metadata");
    }
    let pre: string[] = [];
    const dash = rest.indexOf("-");
    if (dash >= 0) {
      pre = rest.slice(dash + 1).split(".");
      rest = rest.slice(0, dash);
      for (const part of pre) {
        if (!IDENTIFIER.test(part)) fail("invalid prerelease identifier");
        if (/^[0-9]+$/.test(part) && !NUMERIC.test(part)) fail("numeric prerelease identifier has a leading zero");
      }
    }
    const core = rest.split(".");
    if (core.length !== 3) fail("no major, minor and patch version");
    for (const part of core) if (!NUMERIC.test(part)) fail(`invalid version number ${JSON.stringify(part)}`);
    return new Semver(BigInt(core[0]!), BigInt(core[1]!), BigInt(core[2]!), pre, build);
  }

  static isValid(raw: string, normalize = false): boolean {
    try {
      Semver.parse(raw, normalize);
      return true;
    } catch {
      return false;
    }
  }

  /** Precedence as semver.org defines it; build metadata does not count. */
  compare(other: Semver): -1 | 0 | 1 {
    for (const [a, b] of [
      [this.major, other.major],
      [this.minor, other.minor],
      [this.patch, other.patch],
    ] as const) {
      if (a !== b) return a < b ? -1 : 1;
    }
    if (this.pre.length === 0 || other.pre.length === 0) {
      if (this.pre.length === other.pre.length) return 0;
      return this.pre.length === 0 ? 1 : -1;
    }
    for (let i = 0; i < Math.max(this.pre.length, other.pre.length); i++) {
      const a = this.pre[i];
      const b = other.pre[i];
      if (a === undefined) return -1;
      if (b === undefined) return 1;
      if (a === b) continue;
      const aNum = /^[0-9]+$/.test(a);
      const bNum = /^[0-9]+$/.test(b);
      if (aNum && bNum) return BigInt(a) < BigInt(b) ? -1 : 1;
      if (aNum !== bNum) return aNum ? -1 : 1;
      return a < b ? -1 : 1;
    }
    return 0;
  }

  toString(): string {
    return `${this.major}.${this.minor}.${this.patch}${this.pre.length ? `-${this.pre.join(".")}` : ""}${this.build.length ? `+${this.build.join(".")}` : ""}`;
  }
}
