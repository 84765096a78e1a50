// Kubernetes resource quantities as exact fractions, for the CEL quantity library
// (k8s.io/apiserver/pkg/cel/library/quantity.go over k8s.io/apimachinery/pkg/api/resource).
// Acceptance and error messages come from the schema checks' port of resource.ParseQuantity; the value is kept as
// numerator/denominator so comparisons and arithmetic are exact, as inf.Dec makes them in Go.
import { parseQuantity } from "../../schema/checks.ts";

const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** Exponents beyond this make fractions too large to be useful; the API server accepts them, we refuse them clearly. */
const MAX_EXPONENT = 4096;
const NANO = 10n ** 9n;

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** Division of a by b rounded to an integer, half away from zero. */
function roundHalfAway(a: bigint, b: bigint): bigint {
  const negative = a < 0n !== b < 0n;
  const abs = (x: bigint) => (x < 0n ? -x : x);
  const q = (abs(a) * 2n + abs(b)) / (abs(b) * 2n);
  return negative ? -q : q;
}

export class Quantity {
  /** Numerator and a positive denominator, reduced. */
  readonly n: bigint;
  readonly d: bigint;

  constructor(n: bigint, d = 1n) {
    if (d === 0n) throw new Error("division by zero error");
    if (d < 0n) {
      n = -n;
      d = -d;
    }
    const g = gcd(n, d) || 1n;
    this.n = n / g;
    this.d = d / g;
  }

  static parse(text: string): Quantity {
    // resource.ParseQuantity trims nothing (only Quantity.UnmarshalJSON does).
    const accepted = text === text.trim() ? parseQuantity(text) : parseQuantity("");
    if (!accepted.ok) throw new Error(accepted.reason);
    const match = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(.*)$/.exec(text.trim());
    if (!match) throw new Error("unable to parse numeric part of quantity");
    const [, sign = "", whole = "", fraction = "", suffix = ""] = match;
    let n = BigInt((whole + fraction) || "0");
    let d = 10n ** BigInt(fraction.length);
    if (sign === "-") n = -n;
    let exponent: number;
    if (Object.hasOwn(BINARY, suffix)) {
      n *= 2n ** BigInt(BINARY[suffix]!);
      exponent = 0;
    } else if (Object.hasOwn(DECIMAL, suffix)) {
      exponent = DECIMAL[suffix]!;
    } else {
      exponent = Number(BigInt.asIntN(32, BigInt(suffix.slice(1))));
    }
    if (Math.abs(exponent) > MAX_EXPONENT) throw new Error(`quantity ${JSON.stringify(text)} has an exponent too large to evaluate`);
    if (exponent >= 0) n *= 10n ** BigInt(exponent);
    else d *= 10n ** BigInt(-exponent);
    // ParseQuantity keeps at most nano precision, rounding up (away from zero).
    const scaled = n * NANO;
    if (scaled % d !== 0n) {
      const q = scaled / d;
      return new Quantity(q + (n < 0n ? -1n : 1n), NANO);
    }
    return new Quantity(n, d);
  }

  static isValid(text: string): boolean {
    try {
      Quantity.parse(text);
      return true;
    } catch {
      return false;
    }
  }

  compare(other: Quantity): -1 | 0 | 1 {
    const left = this.n * other.d;
    const right = other.n * this.d;
    return left < right ? -1 : left > right ? 1 : 0;
  }

  equals(other: Quantity): boolean {
    return this.n === other.n && this.d === other.d;
  }

  add(other: Quantity): Quantity {
    return new Quantity(this.n * other.d + other.n * this.d, this.d * other.d);
  }

  sub(other: Quantity): Quantity {
    return new Quantity(this.n * other.d - other.n * this.d, this.d * other.d);
  }

  mul(factor: bigint): Quantity {
    return new Quantity(this.n * factor, this.d);
  }

  /** Division rounded to `places` decimal places, half away from zero. */
  div(divisor: bigint, places = 4): Quantity {
    if (divisor === 0n) throw new Error("division by zero error");
    const scale = 10n ** BigInt(places);
    return new Quantity(roundHalfAway(this.n * scale, this.d * divisor), scale);
  }

  /** Integer division, truncated toward zero. */
  divInt(divisor: bigint): Quantity {
    if (divisor === 0n) throw new Error("division by zero error");
    return new Quantity(this.n / (this.d * divisor));
  }

  sign(): bigint {
    return this.n > 0n ? 1n : this.n < 0n ? -1n : 0n;
  }

  /** The value as an int64, or undefined when it is fractional or out of range (Quantity.AsInt64). */
  asInt64(): bigint | undefined {
    if (this.d !== 1n || this.n < INT64_MIN || this.n > INT64_MAX) return undefined;
    return this.n;
  }

  asApproximateFloat(): number {
    const whole = this.n / this.d;
    const rest = this.n % this.d;
    return Number(whole) + Number((rest * 10n ** 18n) / this.d) / 1e18;
  }

  toString(): string {
    if (this.d === 1n) return String(this.n);
    // A denominator that divides a power of ten prints exactly; others (after div) are already rounded.
    for (let places = 1; places <= 30; places++) {
      const scale = 10n ** BigInt(places);
      if (scale % this.d === 0n) {
        const scaled = (this.n * scale) / this.d;
        const negative = scaled < 0n;
        const digits = String(negative ? -scaled : scaled).padStart(places + 1, "0");
        return `${negative ? "-" : ""}${digits.slice(0, -places)}.${digits.slice(-places)}`;
      }
    }
    return String(this.asApproximateFloat());
  }
}
