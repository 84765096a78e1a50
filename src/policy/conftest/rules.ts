// conftest's rule conventions (policy/engine.go): rules named deny, violation and warn, or prefixed so
// (deny_no_root, warn_latest_tag), produce sets of messages: strings, or objects with a `msg` string and further
// metadata. `exception` rules list rule names without their prefix to skip for the input.
import { record } from "../../util/values.js";

const FAILURE_RULE = /^(deny|violation)(_[a-zA-Z0-9]+)*$/;
const WARNING_RULE = /^warn(_[a-zA-Z0-9]+)*$/;

export const isFailureRule = (rule: string): boolean => FAILURE_RULE.test(rule);
export const isWarningRule = (rule: string): boolean => WARNING_RULE.test(rule);
export const isCheckRule = (rule: string): boolean => isFailureRule(rule) || isWarningRule(rule);

/** The name an exception uses for a rule: deny_no_root → no_root (a bare deny stays deny). */
export function ruleBaseName(rule: string): string {
  for (const prefix of ["violation_", "deny_", "warn_"]) if (rule.startsWith(prefix)) return rule.slice(prefix.length);
  return rule;
}

export interface RuleMessage {
  msg: string;
  /** The other fields of an object result. */
  metadata?: Record<string, unknown>;
}

/**
 * The messages of a rule's value (as JSON). A set of messages gives one each; anything else (a boolean rule,
 * an empty set) gives none, as conftest counts it a success. An object without a `msg` string is a problem.
 */
export function messagesOf(value: unknown): { messages: RuleMessage[]; problems: string[] } {
  const messages: RuleMessage[] = [];
  const problems: string[] = [];
  if (!Array.isArray(value)) return { messages, problems };
  for (const item of value) {
    if (typeof item === "string") {
      messages.push({ msg: item });
      continue;
    }
    if (item && typeof item === "object" && !Array.isArray(item)) {
      const { msg, ...metadata } = record(item);
      if (typeof msg !== "string") {
        problems.push(`rule result missing msg field: ${JSON.stringify(item)}`);
        continue;
      }
      messages.push({ msg, ...(Object.keys(metadata).length > 0 ? { metadata } : {}) });
    }
  }
  return { messages, problems };
}

/** Rule names an `exception` value lists: a set of lists (or sets) of names. */
export function exceptedRules(value: unknown): Set<string> {
  const names = new Set<string>();
  if (!Array.isArray(value)) return names;
  for (const entry of value) {
    if (Array.isArray(entry)) for (const name of entry) if (typeof name === "string") names.add(name);
  }
  return names;
}
