// Label selectors as the `labelSelector` query parameter writes them: equality (=, ==, !=), sets (in, notin) and
// existence (key, !key), requirements separated by commas outside parentheses.
import { badRequest } from "./status.ts";

type Requirement =
  | { key: string; op: "=" | "!="; value: string }
  | { key: string; op: "in" | "notin"; values: string[] }
  | { key: string; op: "exists" | "!exists" };

export type LabelSelector = (labels: Record<string, string>) => boolean;

const KEY = String.raw`[A-Za-z0-9][-A-Za-z0-9_./]*`;
const VALUE = String.raw`[A-Za-z0-9]?[-A-Za-z0-9_.]*`;
const EQUALITY = new RegExp(`^(${KEY})\\s*(==|=|!=)\\s*(${VALUE})$`);
const SET = new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\(([^()]*)\\)$`);
const EXISTS = new RegExp(`^(!?)\\s*(${KEY})$`);

/** Splits at commas that are not inside a parenthesised value list. */
function splitRequirements(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const char of selector) {
    if (char === "(") depth++;
    if (char === ")") depth--;
    if (char === "," && depth === 0) {
      parts.push(current);
      current = "";
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts.map((part) => part.trim());
}

function parseRequirement(text: string): Requirement {
  const equality = EQUALITY.exec(text);
  if (equality) return { key: equality[1]!, op: equality[2] === "!=" ? "!=" : "=", value: equality[3]! };
  const set = SET.exec(text);
  if (set) {
    const values = set[3]!.split(",").map((value) => value.trim());
    if (values.some((value) => !new RegExp(`^${VALUE}$`).test(value))) throw badRequest(`unable to parse requirement: invalid label value in "${text}"`);
    return { key: set[1]!, op: set[2] as "in" | "notin", values };
  }
  const exists = EXISTS.exec(text);
  if (exists) return { key: exists[2]!, op: exists[1] ? "!exists" : "exists" };
  throw badRequest(`unable to parse requirement: found '${text}', expected: identifier, '=', '!=', 'in', 'notin' or '!'`);
}

function matches(requirement: Requirement, labels: Record<string, string>): boolean {
  const present = Object.hasOwn(labels, requirement.key);
  const value = labels[requirement.key];
  switch (requirement.op) {
    case "=":
      return present && value === requirement.value;
    case "!=":
      return !present || value !== requirement.value;
    case "in":
      return present && requirement.values.includes(value!);
    case "notin":
      return !present || !requirement.values.includes(value!);
    case "exists":
      return present;
    case "!exists":
      return !present;
  }
}

/** A predicate over an object's labels; a BadRequest ApiError when the selector does not parse. */
export function parseLabelSelector(selector: string | undefined): LabelSelector {
  if (!selector || selector.trim() === "") return () => true;
  const requirements = splitRequirements(selector).map(parseRequirement);
  return (labels) => requirements.every((requirement) => matches(requirement, labels));
}
