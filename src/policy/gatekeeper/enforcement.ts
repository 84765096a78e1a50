// What a Constraint's violations do: `deny` refuses the object (fails the gate), `warn` and `dryrun` only report.
// `scoped` takes the actions of `scopedEnforcementActions` for the enforcement points a pull-request check stands
// for: admission (validation.gatekeeper.sh), the gator CLI (gator.gatekeeper.sh) and "*"; the strictest wins.
import { list, record } from "../../util/values.js";

export type EnforcementAction = "deny" | "warn" | "dryrun";

export const ENFORCEMENT_POINTS = ["validation.gatekeeper.sh", "gator.gatekeeper.sh", "*"];

const STRICTNESS: EnforcementAction[] = ["dryrun", "warn", "deny"];

export type Enforcement = { ok: true; action: EnforcementAction } | { ok: true; action: undefined; reason: string } | { ok: false; problem: string };

function known(action: unknown): action is EnforcementAction {
  return action === "deny" || action === "warn" || action === "dryrun";
}

export function enforcementOf(constraint: Record<string, unknown>): Enforcement {
  const spec = record(constraint.spec);
  const raw = spec.enforcementAction ?? "deny";
  const action = typeof raw === "string" ? raw.toLowerCase() : raw;
  if (known(action)) return { ok: true, action };
  if (action !== "scoped") return { ok: false, problem: `spec.enforcementAction ${JSON.stringify(raw)} is not one of deny, warn, dryrun, scoped` };
  const actions: EnforcementAction[] = [];
  for (const [i, entry] of list(spec.scopedEnforcementActions).entries()) {
    const scoped = record(entry);
    const scopedAction = typeof scoped.action === "string" ? scoped.action.toLowerCase() : scoped.action;
    if (!known(scopedAction)) return { ok: false, problem: `spec.scopedEnforcementActions[${i}].action ${JSON.stringify(scoped.action)} is not one of deny, warn, dryrun` };
    const points = list(scoped.enforcementPoints).map((point) => record(point).name);
    if (points.some((name) => typeof name === "string" && ENFORCEMENT_POINTS.includes(name))) actions.push(scopedAction);
  }
  if (list(spec.scopedEnforcementActions).length === 0) return { ok: false, problem: "spec.enforcementAction is scoped but spec.scopedEnforcementActions is empty" };
  if (actions.length === 0) return { ok: true, action: undefined, reason: `no scopedEnforcementActions for ${ENFORCEMENT_POINTS.slice(0, 2).join(" or ")}` };
  return { ok: true, action: actions.reduce((a, b) => (STRICTNESS.indexOf(b) > STRICTNESS.indexOf(a) ? b : a)) };
}
