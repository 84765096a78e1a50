// Go's time package, as much as policies need (Kyverno's JMESPath time functions, Rego's time builtins):
// time.ParseDuration and Duration.String, layouts (nextStdChunk), time.Parse, civil dates.

const MAX_INT64 = (1n << 63n) - 1n;
const MIN_INT64 = -(1n << 63n);

/** A time or duration Go's time package refuses; the message is Go's. */
export class GoTimeError extends Error {
  override name = "GoTimeError";
}

// Go time.Duration ---------------------------------------------------------------------------------------------------

export const DURATION_UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1000n,
  "µs": 1000n, // U+00B5
  "μs": 1000n, // U+03BC
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** time.ParseDuration, in nanoseconds. */
export function parseDuration(input: string): bigint {
  const invalid = (): Error => new GoTimeError(`time: invalid duration ${JSON.stringify(input)}`);
  let s = input;
  let negative = false;
  if (s !== "" && (s[0] === "-" || s[0] === "+")) {
    negative = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return 0n;
  if (s === "") throw invalid();
  let total = 0n;
  while (s !== "") {
    if (!(s[0] === "." || (s[0]! >= "0" && s[0]! <= "9"))) throw invalid();
    const intPart = /^\d*/.exec(s)![0];
    s = s.slice(intPart.length);
    let fracPart = "";
    if (s[0] === ".") {
      fracPart = /^\d*/.exec(s.slice(1))![0];
      s = s.slice(1 + fracPart.length);
      if (intPart === "" && fracPart === "") throw invalid();
    } else if (intPart === "") throw invalid();
    const unitMatch = /^[^.0-9]*/.exec(s)![0];
    if (unitMatch === "") throw new GoTimeError(`time: missing unit in duration ${JSON.stringify(input)}`);
    const unit = DURATION_UNITS[unitMatch];
    if (unit === undefined) throw new GoTimeError(`time: unknown unit ${JSON.stringify(unitMatch)} in duration ${JSON.stringify(input)}`);
    s = s.slice(unitMatch.length);
    const whole = BigInt(intPart || "0");
    if (whole > (1n << 63n) / unit) throw invalid();
    let v = whole * unit;
    if (fracPart !== "" && /[1-9]/.test(fracPart)) {
      // float64 is needed to be nanosecond accurate for fractions of hours (as Go does)
      const digits = fracPart.slice(0, 18);
      v += BigInt(Math.trunc(Number(digits) * (Number(unit) / 10 ** digits.length)));
      if (v > 1n << 63n) throw invalid();
    }
    total += v;
    if (total > 1n << 63n) throw invalid();
  }
  if (negative) return -total;
  if (total > MAX_INT64) throw invalid();
  return total;
}

/** time.Duration.String(). */
export function durationString(d: bigint): string {
  if (d === 0n) return "0s";
  const negative = d < 0n;
  let u = negative ? -d : d;
  let out: string;
  if (u < 1_000_000_000n) {
    let prec: number;
    let unit: string;
    if (u < 1000n) [prec, unit] = [0, "ns"];
    else if (u < 1_000_000n) [prec, unit] = [3, "µs"];
    else [prec, unit] = [6, "ms"];
    const [frac, rest] = fmtFrac(u, prec);
    out = `${rest}${frac}${unit}`;
  } else {
    const [frac, seconds] = fmtFrac(u, 9);
    u = seconds;
    out = `${u % 60n}${frac}s`;
    u /= 60n;
    if (u > 0n) {
      out = `${u % 60n}m${out}`;
      u /= 60n;
      if (u > 0n) out = `${u}h${out}`;
    }
  }
  return negative ? `-${out}` : out;
}

function fmtFrac(v: bigint, prec: number): [string, bigint] {
  let digits = "";
  let print = false;
  for (let i = 0; i < prec; i++) {
    const digit = v % 10n;
    print = print || digit !== 0n;
    if (print) digits = `${digit}${digits}`;
    v /= 10n;
  }
  return [print ? `.${digits}` : "", v];
}

// Go time.Time -------------------------------------------------------------------------------------------------------

/** A point in time with the UTC offset (seconds east) it was written in. */
export interface GoTime {
  unix: bigint;
  nsec: number;
  offset: number;
}

export const RFC3339 = "2006-01-02T15:04:05Z07:00";
export const SHORT_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
export const LONG_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
export const SHORT_DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
export const LONG_DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(z: number): { year: number; month: number; day: number } {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp + (mp < 10 ? 3 : -9);
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

export function daysIn(month: number, year: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export function civil(t: GoTime): { year: number; month: number; day: number; hour: number; minute: number; second: number; weekday: number } {
  const local = t.unix + BigInt(t.offset);
  const days = Number(local >= 0n ? local / 86400n : -((-local + 86399n) / 86400n));
  const secondOfDay = Number(local - BigInt(days) * 86400n);
  const date = civilFromDays(days);
  return {
    ...date,
    hour: Math.floor(secondOfDay / 3600),
    minute: Math.floor((secondOfDay % 3600) / 60),
    second: secondOfDay % 60,
    weekday: (((days + 4) % 7) + 7) % 7,
  };
}

export function timeNs(t: GoTime): bigint {
  return t.unix * 1_000_000_000n + BigInt(t.nsec);
}

export function fromNs(ns: bigint, offset: number): GoTime {
  let unix = ns / 1_000_000_000n;
  let nsec = ns % 1_000_000_000n;
  if (nsec < 0n) {
    nsec += 1_000_000_000n;
    unix -= 1n;
  }
  return { unix, nsec: Number(nsec), offset };
}

/** Time.Sub, saturating at the int64 bounds. */
export function timeSub(a: GoTime, b: GoTime): bigint {
  const d = timeNs(a) - timeNs(b);
  return d > MAX_INT64 ? MAX_INT64 : d < MIN_INT64 ? MIN_INT64 : d;
}

export function timeAdd(t: GoTime, d: bigint): GoTime {
  return fromNs(timeNs(t) + d, t.offset);
}

/** Time.Format(time.RFC3339). */
export function formatRfc3339(t: GoTime): string {
  const c = civil(t);
  const pad = (n: number, width = 2): string => String(n).padStart(width, "0");
  const year = c.year < 0 ? `-${pad(-c.year, 4)}` : pad(c.year, 4);
  let zone = "Z";
  if (t.offset !== 0) {
    const minutes = Math.trunc(Math.abs(t.offset) / 60);
    zone = `${t.offset < 0 ? "-" : "+"}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
  }
  return `${year}-${pad(c.month)}-${pad(c.day)}T${pad(c.hour)}:${pad(c.minute)}:${pad(c.second)}${zone}`;
}

export type Std =
  | "LongMonth"
  | "Month"
  | "NumMonth"
  | "ZeroMonth"
  | "LongWeekDay"
  | "WeekDay"
  | "Day"
  | "UnderDay"
  | "ZeroDay"
  | "UnderYearDay"
  | "ZeroYearDay"
  | "Hour"
  | "Hour12"
  | "ZeroHour12"
  | "Minute"
  | "ZeroMinute"
  | "Second"
  | "ZeroSecond"
  | "LongYear"
  | "Year"
  | "PM"
  | "pm"
  | "TZ"
  | "ISO8601TZ"
  | "ISO8601SecondsTZ"
  | "ISO8601ShortTZ"
  | "ISO8601ColonTZ"
  | "ISO8601ColonSecondsTZ"
  | "NumTZ"
  | "NumSecondsTz"
  | "NumShortTZ"
  | "NumColonTZ"
  | "NumColonSecondsTZ"
  | "FracSecond0"
  | "FracSecond9";

export interface Chunk {
  prefix: string;
  std?: Std;
  digits?: number;
  suffix: string;
}

const ZERO_STD: Std[] = ["ZeroMonth", "ZeroDay", "ZeroHour12", "ZeroMinute", "ZeroSecond", "Year"];

/** time.nextStdChunk. */
export function nextStdChunk(layout: string): Chunk {
  const at = (i: number, s: string): boolean => layout.startsWith(s, i);
  for (let i = 0; i < layout.length; i++) {
    const c = layout[i]!;
    const chunk = (std: Std, length: number, digits?: number): Chunk => ({ prefix: layout.slice(0, i), std, suffix: layout.slice(i + length), ...(digits !== undefined ? { digits } : {}) });
    switch (c) {
      case "J":
        if (at(i, "Jan")) {
          if (at(i, "January")) return chunk("LongMonth", 7);
          if (!/^[a-z]/.test(layout.slice(i + 3))) return chunk("Month", 3);
        }
        break;
      case "M":
        if (at(i, "Mon")) {
          if (at(i, "Monday")) return chunk("LongWeekDay", 6);
          if (!/^[a-z]/.test(layout.slice(i + 3))) return chunk("WeekDay", 3);
        }
        if (at(i, "MST")) return chunk("TZ", 3);
        break;
      case "0":
        if (layout[i + 1] !== undefined && layout[i + 1]! >= "1" && layout[i + 1]! <= "6") return chunk(ZERO_STD[Number(layout[i + 1]) - 1]!, 2);
        if (at(i, "002")) return chunk("ZeroYearDay", 3);
        break;
      case "1":
        if (layout[i + 1] === "5") return chunk("Hour", 2);
        return chunk("NumMonth", 1);
      case "2":
        if (at(i, "2006")) return chunk("LongYear", 4);
        return chunk("Day", 1);
      case "_":
        if (layout[i + 1] === "2") {
          if (at(i + 1, "2006")) return { prefix: layout.slice(0, i + 1), std: "LongYear", suffix: layout.slice(i + 5) };
          return chunk("UnderDay", 2);
        }
        if (at(i, "__2")) return chunk("UnderYearDay", 3);
        break;
      case "3":
        return chunk("Hour12", 1);
      case "4":
        return chunk("Minute", 1);
      case "5":
        return chunk("Second", 1);
      case "P":
        if (layout[i + 1] === "M") return chunk("PM", 2);
        break;
      case "p":
        if (layout[i + 1] === "m") return chunk("pm", 2);
        break;
      case "-":
        if (at(i, "-070000")) return chunk("NumSecondsTz", 7);
        if (at(i, "-07:00:00")) return chunk("NumColonSecondsTZ", 9);
        if (at(i, "-0700")) return chunk("NumTZ", 5);
        if (at(i, "-07:00")) return chunk("NumColonTZ", 6);
        if (at(i, "-07")) return chunk("NumShortTZ", 3);
        break;
      case "Z":
        if (at(i, "Z070000")) return chunk("ISO8601SecondsTZ", 7);
        if (at(i, "Z07:00:00")) return chunk("ISO8601ColonSecondsTZ", 9);
        if (at(i, "Z0700")) return chunk("ISO8601TZ", 5);
        if (at(i, "Z07:00")) return chunk("ISO8601ColonTZ", 6);
        if (at(i, "Z07")) return chunk("ISO8601ShortTZ", 3);
        break;
      case ".":
      case ",":
        if (layout[i + 1] === "0" || layout[i + 1] === "9") {
          const ch = layout[i + 1]!;
          let j = i + 1;
          while (j < layout.length && layout[j] === ch) j++;
          if (!/^\d/.test(layout.slice(j))) return chunk(ch === "0" ? "FracSecond0" : "FracSecond9", j - i, j - (i + 1));
        }
        break;
    }
  }
  return { prefix: layout, suffix: "" };
}

class TimeParseError extends GoTimeError {}

/** time.Parse(layout, value), the local zone being UTC. */
export function parseGoTime(layout: string, value: string): GoTime {
  const originalLayout = layout;
  const originalValue = value;
  const fail = (elem: string, rest: string, message = ""): TimeParseError =>
    new TimeParseError(
      message
        ? `parsing time ${JSON.stringify(originalValue)}${message}`
        : `parsing time ${JSON.stringify(originalValue)} as ${JSON.stringify(originalLayout)}: cannot parse ${JSON.stringify(rest)} as ${JSON.stringify(elem)}`,
    );
  let year = 0;
  let month = -1;
  let day = -1;
  let yday = -1;
  let hour = 0;
  let min = 0;
  let sec = 0;
  let nsec = 0;
  let utc = false;
  let zoneOffset: number | undefined;
  let zoneName = "";
  let amSet = false;
  let pmSet = false;

  const isDigit = (s: string, i: number): boolean => s[i] !== undefined && s[i]! >= "0" && s[i]! <= "9";
  const getnum = (s: string, fixed: boolean): [number, string] => {
    if (!isDigit(s, 0)) throw new Error("bad");
    if (!isDigit(s, 1)) {
      if (fixed) throw new Error("bad");
      return [Number(s[0]), s.slice(1)];
    }
    return [Number(s.slice(0, 2)), s.slice(2)];
  };
  const getnum3 = (s: string, fixed: boolean): [number, string] => {
    let n = 0;
    let i = 0;
    for (; i < 3 && isDigit(s, i); i++) n = n * 10 + Number(s[i]);
    if (i === 0 || (fixed && i !== 3)) throw new Error("bad");
    return [n, s.slice(i)];
  };
  const lookup = (table: string[], s: string): [number, string] => {
    for (const [i, name] of table.entries()) {
      if (s.length >= name.length && s.slice(0, name.length).toLowerCase() === name.toLowerCase()) return [i, s.slice(name.length)];
    }
    throw new Error("bad");
  };
  const parseNanoseconds = (s: string, nbytes: number): number => {
    if (s[0] !== "." && s[0] !== ",") throw new Error("bad");
    let digits = s.slice(1, nbytes);
    if (digits.length > 9) digits = digits.slice(0, 9);
    return Number(digits.padEnd(9, "0"));
  };
  const skip = (v: string, prefix: string): string => {
    while (prefix.length > 0) {
      if (prefix[0] === " ") {
        if (v.length > 0 && v[0] !== " ") throw new Error("bad");
        prefix = prefix.replace(/^ +/, "");
        v = v.replace(/^ +/, "");
        continue;
      }
      if (v.length === 0 || v[0] !== prefix[0]) throw new Error("bad");
      prefix = prefix.slice(1);
      v = v.slice(1);
    }
    return v;
  };

  for (;;) {
    const { prefix, std, digits, suffix } = nextStdChunk(layout);
    const stdstr = layout.slice(prefix.length, layout.length - suffix.length);
    try {
      value = skip(value, prefix);
    } catch {
      throw fail(prefix, value);
    }
    if (!std) {
      if (value.length !== 0) throw fail("", value, `: extra text: ${JSON.stringify(value)}`);
      break;
    }
    layout = suffix;
    const hold = value;
    let rangeError = "";
    try {
      switch (std) {
        case "Year": {
          if (value.length < 2) throw new Error("bad");
          const p = value.slice(0, 2);
          if (!/^\d\d$/.test(p)) throw new Error("bad");
          value = value.slice(2);
          year = Number(p);
          year += year >= 69 ? 1900 : 2000;
          break;
        }
        case "LongYear": {
          if (value.length < 4 || !isDigit(value, 0)) throw new Error("bad");
          const p = value.slice(0, 4);
          if (!/^\d{4}$/.test(p)) throw new Error("bad");
          value = value.slice(4);
          year = Number(p);
          break;
        }
        case "Month":
          [month, value] = lookup(SHORT_MONTHS, value);
          month++;
          break;
        case "LongMonth":
          [month, value] = lookup(LONG_MONTHS, value);
          month++;
          break;
        case "NumMonth":
        case "ZeroMonth":
          [month, value] = getnum(value, std === "ZeroMonth");
          if (month <= 0 || month > 12) rangeError = "month";
          break;
        case "WeekDay":
          [, value] = lookup(SHORT_DAYS, value);
          break;
        case "LongWeekDay":
          [, value] = lookup(LONG_DAYS, value);
          break;
        case "Day":
        case "UnderDay":
        case "ZeroDay":
          if (std === "UnderDay" && value[0] === " ") value = value.slice(1);
          [day, value] = getnum(value, std === "ZeroDay");
          break;
        case "UnderYearDay":
        case "ZeroYearDay":
          for (let i = 0; i < 2; i++) if (std === "UnderYearDay" && value[0] === " ") value = value.slice(1);
          [yday, value] = getnum3(value, std === "ZeroYearDay");
          break;
        case "Hour":
          [hour, value] = getnum(value, false);
          if (hour < 0 || hour >= 24) rangeError = "hour";
          break;
        case "Hour12":
        case "ZeroHour12":
          [hour, value] = getnum(value, std === "ZeroHour12");
          if (hour < 0 || hour > 12) rangeError = "hour";
          break;
        case "Minute":
        case "ZeroMinute":
          [min, value] = getnum(value, std === "ZeroMinute");
          if (min < 0 || min >= 60) rangeError = "minute";
          break;
        case "Second":
        case "ZeroSecond": {
          [sec, value] = getnum(value, std === "ZeroSecond");
          if (sec < 0 || sec >= 60) {
            rangeError = "second";
            break;
          }
          // a fractional second in the value but not in the layout
          if (value.length >= 2 && (value[0] === "." || value[0] === ",") && isDigit(value, 1)) {
            const next = nextStdChunk(layout).std;
            if (next === "FracSecond0" || next === "FracSecond9") break;
            let n = 2;
            while (n < value.length && isDigit(value, n)) n++;
            nsec = parseNanoseconds(value, n);
            value = value.slice(n);
          }
          break;
        }
        case "PM":
        case "pm": {
          if (value.length < 2) throw new Error("bad");
          const p = value.slice(0, 2);
          value = value.slice(2);
          if (p === (std === "PM" ? "PM" : "pm")) pmSet = true;
          else if (p === (std === "PM" ? "AM" : "am")) amSet = true;
          else throw new Error("bad");
          break;
        }
        case "ISO8601TZ":
        case "ISO8601ShortTZ":
        case "ISO8601ColonTZ":
        case "ISO8601SecondsTZ":
        case "ISO8601ColonSecondsTZ":
        case "NumTZ":
        case "NumShortTZ":
        case "NumColonTZ":
        case "NumSecondsTz":
        case "NumColonSecondsTZ": {
          if (std.startsWith("ISO8601") && value[0] === "Z") {
            value = value.slice(1);
            utc = true;
            break;
          }
          let sign: string;
          let hh: string;
          let mm: string;
          let ss = "00";
          if (std === "ISO8601ColonTZ" || std === "NumColonTZ") {
            if (value.length < 6 || value[3] !== ":") throw new Error("bad");
            [sign, hh, mm, value] = [value[0]!, value.slice(1, 3), value.slice(4, 6), value.slice(6)];
          } else if (std === "NumShortTZ" || std === "ISO8601ShortTZ") {
            if (value.length < 3) throw new Error("bad");
            [sign, hh, mm, value] = [value[0]!, value.slice(1, 3), "00", value.slice(3)];
          } else if (std === "ISO8601ColonSecondsTZ" || std === "NumColonSecondsTZ") {
            if (value.length < 9 || value[3] !== ":" || value[6] !== ":") throw new Error("bad");
            [sign, hh, mm, ss, value] = [value[0]!, value.slice(1, 3), value.slice(4, 6), value.slice(7, 9), value.slice(9)];
          } else if (std === "ISO8601SecondsTZ" || std === "NumSecondsTz") {
            if (value.length < 7) throw new Error("bad");
            [sign, hh, mm, ss, value] = [value[0]!, value.slice(1, 3), value.slice(3, 5), value.slice(5, 7), value.slice(7)];
          } else {
            if (value.length < 5) throw new Error("bad");
            [sign, hh, mm, value] = [value[0]!, value.slice(1, 3), value.slice(3, 5), value.slice(5)];
          }
          const [hr] = getnum(hh, true);
          const [mn] = getnum(mm, true);
          const [sc] = getnum(ss, true);
          if (hr > 24) rangeError = "time zone offset hour";
          if (mn > 60) rangeError = "time zone offset minute";
          if (sc > 60) rangeError = "time zone offset second";
          zoneOffset = (hr * 60 + mn) * 60 + sc;
          if (sign === "-") zoneOffset = -zoneOffset;
          else if (sign !== "+") throw new Error("bad");
          break;
        }
        case "TZ": {
          if (value.startsWith("UTC")) {
            utc = true;
            value = value.slice(3);
            break;
          }
          const n = parseTimeZone(value);
          if (n <= 0) throw new Error("bad");
          zoneName = value.slice(0, n);
          value = value.slice(n);
          break;
        }
        case "FracSecond0": {
          const ndigit = 1 + (digits ?? 0);
          if (value.length < ndigit) throw new Error("bad");
          nsec = parseNanoseconds(value, ndigit);
          value = value.slice(ndigit);
          break;
        }
        case "FracSecond9": {
          if (value.length < 2 || (value[0] !== "." && value[0] !== ",") || !isDigit(value, 1)) break;
          let i = 0;
          while (i + 1 < value.length && isDigit(value, i + 1)) i++;
          nsec = parseNanoseconds(value, 1 + i);
          value = value.slice(1 + i);
          break;
        }
      }
    } catch (error) {
      if (error instanceof TimeParseError) throw error;
      throw fail(stdstr, hold);
    }
    if (rangeError) throw fail(stdstr, value, `: ${rangeError} out of range`);
  }
  if (pmSet && hour < 12) hour += 12;
  else if (amSet && hour === 12) hour = 0;
  if (yday >= 0) {
    const leap = daysIn(2, year) === 29;
    if (yday < 1 || yday > (leap ? 366 : 365)) throw fail("", value, ": day-of-year out of range");
    let m = 1;
    let d = yday;
    while (d > daysIn(m, year)) {
      d -= daysIn(m, year);
      m++;
    }
    if (month >= 0 && month !== m) throw fail("", value, ": day-of-year does not match month");
    if (day >= 0 && day !== d) throw fail("", value, ": day-of-year does not match day");
    month = m;
    day = d;
  } else {
    if (month < 0) month = 1;
    if (day < 0) day = 1;
  }
  if (day < 1 || day > daysIn(month, year)) throw fail("", value, ": day out of range");
  const localSeconds = BigInt(daysFromCivil(year, month, day)) * 86400n + BigInt(hour * 3600 + min * 60 + sec);
  if (utc) return { unix: localSeconds, nsec, offset: 0 };
  if (zoneOffset !== undefined) return { unix: localSeconds - BigInt(zoneOffset), nsec, offset: zoneOffset };
  if (zoneName) {
    // an unknown zone name gets offset 0, except GMT±h
    const gmt = /^GMT([+-]\d+)$/.exec(zoneName);
    const offset = gmt ? Number(gmt[1]) * 3600 : 0;
    return { unix: localSeconds - BigInt(offset), nsec, offset };
  }
  return { unix: localSeconds, nsec, offset: 0 };
}

/** time.parseTimeZone: how many bytes of value look like a zone abbreviation (0: none). */
function parseTimeZone(value: string): number {
  if (value.length < 3) return 0;
  if (value.length >= 4 && (value.startsWith("ChST") || value.startsWith("MeST"))) return 4;
  if (value.startsWith("GMT")) {
    const rest = value.slice(3);
    const sign = /^([+-])(\d+)/.exec(rest);
    if (!sign) return 3;
    const n = Number(sign[2]);
    return n === 0 || n > 24 ? 3 : 3 + sign[0].length;
  }
  if (value[0] === "+" || value[0] === "-") {
    const match = /^[+-](\d\d)(?::?(\d\d))?/.exec(value);
    return match ? match[0].length : 0;
  }
  let upper = 0;
  while (upper < 6 && upper < value.length && value[upper]! >= "A" && value[upper]! <= "Z") upper++;
  switch (upper) {
    case 3:
      return 3;
    case 4:
      return value[3] === "T" || value.startsWith("WITA") ? 4 : 0;
    case 5:
      return value[4] === "T" ? 5 : 0;
    default:
      return 0;
  }
}
