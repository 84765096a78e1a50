// time.* (topdown/time.go): nanoseconds since the epoch as int64, Go layouts for parsing and formatting, IANA zones
// through Intl. time.now_ns is the query's fixed clock (ctx.nowNs); "Local" is UTC here (no process settings).

import type { Builtin } from "./types.js";
import { builtinError, fn, operandTypeError, str, typeError } from "./operands.js";
import { GoTimeError, LONG_DAYS, LONG_MONTHS, RFC3339, SHORT_DAYS, SHORT_MONTHS, civil, daysFromCivil, daysIn, fromNs, nextStdChunk, parseDuration, parseGoTime, timeNs } from "../../../../util/go-time.ts";
import type { GoTime } from "../../../../util/go-time.ts";
import { isInteger, normalizeNumber } from "../../value.js";
import type { Value } from "../../value.js";

const MAX_INT64 = (1n << 63n) - 1n;
const MIN_INT64 = -(1n << 63n);

/** Go's named layouts, accepted wherever OPA takes a layout. */
const LAYOUTS: Record<string, string> = {
  ANSIC: "Mon Jan _2 15:04:05 2006",
  UnixDate: "Mon Jan _2 15:04:05 MST 2006",
  RubyDate: "Mon Jan 02 15:04:05 -0700 2006",
  RFC822: "02 Jan 06 15:04 MST",
  RFC822Z: "02 Jan 06 15:04 -0700",
  RFC850: "Monday, 02-Jan-06 15:04:05 MST",
  RFC1123: "Mon, 02 Jan 2006 15:04:05 MST",
  RFC1123Z: "Mon, 02 Jan 2006 15:04:05 -0700",
  RFC3339: "2006-01-02T15:04:05Z07:00",
  RFC3339Nano: "2006-01-02T15:04:05.999999999Z07:00",
  Kitchen: "3:04PM",
  Stamp: "Jan _2 15:04:05",
  StampMilli: "Jan _2 15:04:05.000",
  StampMicro: "Jan _2 15:04:05.000000",
  StampNano: "Jan _2 15:04:05.000000000",
  DateTime: "2006-01-02 15:04:05",
  DateOnly: "2006-01-02",
  TimeOnly: "15:04:05",
};

const layoutOf = (s: string): string => LAYOUTS[s] ?? s;

function timeError(name: string, error: unknown): Error {
  if (error instanceof GoTimeError) return builtinError(name, error.message);
  return error as Error;
}

function checkRange(name: string, ns: bigint): bigint {
  if (ns > MAX_INT64 || ns < MIN_INT64) throw builtinError(name, "time outside of valid range");
  return ns;
}

// ---------------------------------------------------------------------------------------------------------------
// zones

const FORMATTERS = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = FORMATTERS.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      era: "short",
    });
    FORMATTERS.set(zone, f);
  }
  return f;
}

interface Zone {
  name: string;
  /** seconds east of UTC at a given instant */
  offset(unixSeconds: bigint): number;
  /** the zone's abbreviation at an instant (MST in layouts) */
  abbreviation(unixSeconds: bigint, offset: number): string;
}

const UTC: Zone = { name: "UTC", offset: () => 0, abbreviation: () => "UTC" };

function numericZone(offset: number, colon = false): string {
  const sign = offset < 0 ? "-" : "+";
  const a = Math.abs(offset);
  const h = String(Math.floor(a / 3600)).padStart(2, "0");
  const m = String(Math.floor((a % 3600) / 60)).padStart(2, "0");
  return sign + h + (colon ? ":" : "") + m;
}

function loadZone(name: string, zone: string): Zone {
  if (zone === "" || zone === "UTC" || zone === "Local") return UTC;
  let f: Intl.DateTimeFormat;
  try {
    f = formatter(zone);
  } catch {
    throw builtinError(name, `unknown time zone ${zone}`);
  }
  const offset = (unixSeconds: bigint): number => {
    const ms = Number(unixSeconds) * 1000;
    const parts = Object.fromEntries(f.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
    let year = Number(parts.year);
    if (parts.era === "BC" || parts.era === "B") year = 1 - year;
    const local = daysFromCivil(year, Number(parts.month), Number(parts.day)) * 86400 + Number(parts.hour) * 3600 + Number(parts.minute) * 60 + Number(parts.second);
    return local - Number(unixSeconds);
  };
  const abbreviation = (unixSeconds: bigint, off: number): string => {
    try {
      const short = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "short" })
        .formatToParts(new Date(Number(unixSeconds) * 1000))
        .find((p) => p.type === "timeZoneName")?.value;
      if (short && /^[A-Z]{3,5}$/.test(short) && !short.startsWith("GMT")) return short;
    } catch {
      // fall through
    }
    return off === 0 ? "UTC" : numericZone(off);
  };
  return { name: zone, offset, abbreviation };
}

/** The time operand: ns, or [ns, zone], or [ns, zone, layout] (format only). */
function timeOperand(name: string, v: Value, withLayout = false): { t: GoTime; zone: Zone; layout?: string } {
  let nsValue: Value = v;
  let zoneName = "";
  let layout: string | undefined;
  if (Array.isArray(v)) {
    const arr = v as readonly Value[];
    const max = withLayout ? 3 : 2;
    if (arr.length < 1 || arr.length > max) throw builtinError(name, `array argument must have ${withLayout ? "two or three" : "two"} elements`);
    nsValue = arr[0]!;
    if (arr.length > 1) {
      if (typeof arr[1] !== "string") throw builtinError(name, "timezone argument must be a string");
      zoneName = arr[1];
    }
    if (arr.length > 2) {
      if (typeof arr[2] !== "string") throw builtinError(name, "layout argument must be a string");
      layout = layoutOf(arr[2]);
    }
  } else if (typeof v !== "number" && typeof v !== "bigint") {
    throw operandTypeError(name, 1, v, "number", "array");
  }
  if (typeof nsValue !== "number" && typeof nsValue !== "bigint") throw operandTypeError(name, 1, nsValue, "number");
  let ns: bigint;
  if (typeof nsValue === "bigint") ns = nsValue;
  else if (isInteger(nsValue)) ns = BigInt(nsValue);
  else ns = BigInt(Math.trunc(nsValue));
  if (ns > MAX_INT64 || ns < MIN_INT64) throw builtinError(name, "timestamp too big");
  const zone = loadZone(name, zoneName);
  const utc = fromNs(ns, 0);
  const t = fromNs(ns, zone.offset(utc.unix));
  return { t, zone, ...(layout !== undefined ? { layout } : {}) };
}

// ---------------------------------------------------------------------------------------------------------------
// formatting

function yearDay(t: GoTime): number {
  const c = civil(t);
  return daysFromCivil(c.year, c.month, c.day) - daysFromCivil(c.year, 1, 1) + 1;
}

export function formatGoTime(t: GoTime, layout: string, zoneAbbrev: string): string {
  const pad = (n: number, w: number, ch = "0"): string => String(n).padStart(w, ch);
  const c = civil(t);
  let out = "";
  let rest = layout;
  for (;;) {
    const chunk = nextStdChunk(rest);
    out += chunk.prefix;
    if (!chunk.std) break;
    const sep = rest[chunk.prefix.length];
    rest = chunk.suffix;
    const off = t.offset;
    switch (chunk.std) {
      case "Year":
        out += pad(((c.year % 100) + 100) % 100, 2);
        break;
      case "LongYear":
        out += c.year < 0 ? "-" + pad(-c.year, 4) : pad(c.year, 4);
        break;
      case "Month":
        out += SHORT_MONTHS[c.month - 1];
        break;
      case "LongMonth":
        out += LONG_MONTHS[c.month - 1];
        break;
      case "NumMonth":
        out += String(c.month);
        break;
      case "ZeroMonth":
        out += pad(c.month, 2);
        break;
      case "WeekDay":
        out += SHORT_DAYS[c.weekday];
        break;
      case "LongWeekDay":
        out += LONG_DAYS[c.weekday];
        break;
      case "Day":
        out += String(c.day);
        break;
      case "UnderDay":
        out += pad(c.day, 2, " ");
        break;
      case "ZeroDay":
        out += pad(c.day, 2);
        break;
      case "UnderYearDay":
        out += pad(yearDay(t), 3, " ");
        break;
      case "ZeroYearDay":
        out += pad(yearDay(t), 3);
        break;
      case "Hour":
        out += pad(c.hour, 2);
        break;
      case "Hour12":
        out += String(c.hour % 12 === 0 ? 12 : c.hour % 12);
        break;
      case "ZeroHour12":
        out += pad(c.hour % 12 === 0 ? 12 : c.hour % 12, 2);
        break;
      case "Minute":
        out += String(c.minute);
        break;
      case "ZeroMinute":
        out += pad(c.minute, 2);
        break;
      case "Second":
        out += String(c.second);
        break;
      case "ZeroSecond":
        out += pad(c.second, 2);
        break;
      case "PM":
        out += c.hour >= 12 ? "PM" : "AM";
        break;
      case "pm":
        out += c.hour >= 12 ? "pm" : "am";
        break;
      case "TZ":
        out += zoneAbbrev || numericZone(off);
        break;
      case "FracSecond0": {
        const digits = chunk.digits ?? 0;
        out += sep + String(t.nsec).padStart(9, "0").slice(0, digits);
        break;
      }
      case "FracSecond9": {
        const digits = chunk.digits ?? 0;
        const frac = String(t.nsec).padStart(9, "0").slice(0, digits).replace(/0+$/, "");
        if (frac !== "") out += sep + frac;
        break;
      }
      default: {
        // numeric zones: ISO8601* write Z for UTC
        if (chunk.std.startsWith("ISO8601") && off === 0) {
          out += "Z";
          break;
        }
        const a = Math.abs(off);
        const sign = off < 0 ? "-" : "+";
        const hh = pad(Math.floor(a / 3600), 2);
        const mm = pad(Math.floor((a % 3600) / 60), 2);
        const ss = pad(a % 60, 2);
        const std = chunk.std;
        if (std === "ISO8601ShortTZ" || std === "NumShortTZ") out += sign + hh;
        else if (std === "ISO8601ColonTZ" || std === "NumColonTZ") out += `${sign}${hh}:${mm}`;
        else if (std === "ISO8601SecondsTZ" || std === "NumSecondsTz") out += sign + hh + mm + ss;
        else if (std === "ISO8601ColonSecondsTZ" || std === "NumColonSecondsTZ") out += `${sign}${hh}:${mm}:${ss}`;
        else out += sign + hh + mm;
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// date arithmetic

/** time.Date's normalisation: months and days overflow into the next unit. */
function dateNs(year: number, month: number, day: number, secondsOfDay: number, nsec: number, offset: number): bigint {
  const m0 = month - 1;
  const y = year + Math.floor(m0 / 12);
  const m = ((m0 % 12) + 12) % 12;
  const days = daysFromCivil(y, m + 1, 1) + day - 1;
  const seconds = BigInt(days) * 86400n + BigInt(secondsOfDay) - BigInt(offset);
  return seconds * 1_000_000_000n + BigInt(nsec);
}

function diff(a: GoTime, b: GoTime): number[] {
  const [t1, t2] = timeNs(a) > timeNs(b) ? [b, a] : [a, b];
  const c1 = civil(t1);
  const c2 = civil(t2);
  let year = c2.year - c1.year;
  let month = c2.month - c1.month;
  let day = c2.day - c1.day;
  let hour = c2.hour - c1.hour;
  let min = c2.minute - c1.minute;
  let sec = c2.second - c1.second;
  if (sec < 0) {
    sec += 60;
    min--;
  }
  if (min < 0) {
    min += 60;
    hour--;
  }
  if (hour < 0) {
    hour += 24;
    day--;
  }
  if (day < 0) {
    // days in c1's month: time.Date(y1, M1, 32) normalises to the next month
    day += daysIn(c1.month, c1.year);
    month--;
  }
  if (month < 0) {
    month += 12;
    year--;
  }
  return [year, month, day, hour, min, sec];
}

function num(name: string, v: Value, pos: number): number {
  if (typeof v !== "number" && typeof v !== "bigint") throw operandTypeError(name, pos, v, "number");
  if (!isInteger(v)) throw typeError(name, `operand ${pos} must be integer number but got floating-point number`);
  return Number(v);
}

export const TIME_BUILTINS: readonly Builtin[] = [
  fn("time.now_ns", 0, (_args, ctx) => normalizeNumber(ctx.nowNs)),
  fn("time.parse_ns", 2, (args) => {
    const layout = layoutOf(str("time.parse_ns", args, 0));
    const value = str("time.parse_ns", args, 1);
    try {
      return normalizeNumber(checkRange("time.parse_ns", timeNs(parseGoTime(layout, value))));
    } catch (error) {
      throw timeError("time.parse_ns", error);
    }
  }),
  fn("time.parse_rfc3339_ns", 1, (args) => {
    const value = str("time.parse_rfc3339_ns", args, 0);
    try {
      return normalizeNumber(checkRange("time.parse_rfc3339_ns", timeNs(parseGoTime(RFC3339, value))));
    } catch (error) {
      throw timeError("time.parse_rfc3339_ns", error);
    }
  }),
  fn("time.parse_duration_ns", 1, (args) => {
    try {
      return normalizeNumber(parseDuration(str("time.parse_duration_ns", args, 0)));
    } catch (error) {
      throw timeError("time.parse_duration_ns", error);
    }
  }),
  fn("time.date", 1, (args) => {
    const { t } = timeOperand("time.date", args[0]!);
    const c = civil(t);
    return [c.year, c.month, c.day];
  }),
  fn("time.clock", 1, (args) => {
    const { t } = timeOperand("time.clock", args[0]!);
    const c = civil(t);
    return [c.hour, c.minute, c.second];
  }),
  fn("time.weekday", 1, (args) => LONG_DAYS[civil(timeOperand("time.weekday", args[0]!).t).weekday]!),
  fn("time.add_date", 4, (args) => {
    const name = "time.add_date";
    const { t } = timeOperand(name, args[0]!);
    const years = num(name, args[1]!, 2);
    const months = num(name, args[2]!, 3);
    const days = num(name, args[3]!, 4);
    const c = civil(t);
    const ns = dateNs(c.year + years, c.month + months, c.day + days, c.hour * 3600 + c.minute * 60 + c.second, t.nsec, t.offset);
    return normalizeNumber(checkRange(name, ns));
  }),
  fn("time.diff", 2, (args) => {
    const a = timeOperand("time.diff", args[0]!);
    const b = timeOperand("time.diff", args[1]!);
    // the second time is read in the first's zone
    const t2 = fromNs(timeNs(b.t), a.zone.offset(b.t.unix));
    return diff(a.t, t2);
  }),
  fn("time.format", 1, (args) => {
    const { t, zone, layout } = timeOperand("time.format", args[0]!, true);
    return formatGoTime(t, layout ?? LAYOUTS.RFC3339Nano!, zone.abbreviation(t.unix, t.offset));
  }),
];
