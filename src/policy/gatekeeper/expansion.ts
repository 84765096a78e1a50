// Gatekeeper's ExpansionTemplates (expansion.gatekeeper.sh): a workload (Deployment, CronJob…) stands for the
// objects it will make, so that constraints on Pods see the Pods a rendering only implies. The resultant object is
// the generator's `templateSource` (spec.template) with the generated kind, the generator's namespace and the name
// Gatekeeper mocks for it (<generator>-<kind>); its violations are reported on the generator, marked
// "[Implied by <template>]", with the template's enforcementAction when it sets one (pkg/expansion).
import type { KubeObject } from "../../model.js";
import { list, record } from "../../util/values.js";
import type { EnforcementAction } from "./enforcement.js";

export function isExpansionTemplate(object: Record<string, unknown>): boolean {
  return /^expansion\.gatekeeper\.sh\//.test(String(object.apiVersion)) && object.kind === "ExpansionTemplate";
}

export interface ExpandedObject {
  object: KubeObject;
  /** The ExpansionTemplate's name. */
  template: string;
  enforcementAction?: EnforcementAction;
}

export type Expansion = { ok: true; expanded: ExpandedObject } | { ok: false; template: string; problem: string };

function strings(value: unknown): string[] {
  return list(value).filter((item): item is string => typeof item === "string");
}

function groupVersionKind(object: KubeObject): { group: string; version: string; kind: string } {
  const apiVersion = typeof object.apiVersion === "string" ? object.apiVersion : "";
  const slash = apiVersion.indexOf("/");
  return { group: slash < 0 ? "" : apiVersion.slice(0, slash), version: slash < 0 ? apiVersion : apiVersion.slice(slash + 1), kind: typeof object.kind === "string" ? object.kind : "" };
}

/** applyTo: exact groups, kinds and versions (Gatekeeper allows no globs there). */
function applies(template: Record<string, unknown>, object: KubeObject): boolean {
  const { group, version, kind } = groupVersionKind(object);
  return list(record(template.spec).applyTo)
    .map(record)
    .some((entry) => strings(entry.groups).includes(group) && strings(entry.kinds).includes(kind) && strings(entry.versions).includes(version));
}

/** The objects `generator` implies, one per ExpansionTemplate that applies to it. */
export function expandObject(generator: KubeObject, templates: Array<Record<string, unknown>>): Expansion[] {
  const out: Expansion[] = [];
  for (const template of templates) {
    if (!applies(template, generator)) continue;
    const name = String(record(template.metadata).name ?? "");
    const spec = record(template.spec);
    const sourcePath = typeof spec.templateSource === "string" ? spec.templateSource : "";
    let source: unknown = generator;
    for (const segment of sourcePath.split(".")) source = source && typeof source === "object" && !Array.isArray(source) ? (source as Record<string, unknown>)[segment] : undefined;
    if (!sourcePath || !source || typeof source !== "object" || Array.isArray(source)) {
      out.push({ ok: false, template: name, problem: `could not find source field ${JSON.stringify(sourcePath)} in ${String(generator.kind)} ${String(record(generator.metadata).name ?? "")}` });
      continue;
    }
    const gvk = record(spec.generatedGVK);
    const kind = typeof gvk.kind === "string" ? gvk.kind : "";
    const group = typeof gvk.group === "string" ? gvk.group : "";
    const version = typeof gvk.version === "string" ? gvk.version : "";
    const metadata = record(generator.metadata);
    const resultant: KubeObject = structuredClone(source as KubeObject);
    resultant.apiVersion = group ? `${group}/${version}` : version;
    resultant.kind = kind;
    resultant.metadata = {
      ...record(resultant.metadata),
      name: `${String(metadata.name ?? "")}${kind ? `-${kind.toLowerCase()}` : ""}`,
      ...(typeof metadata.namespace === "string" && metadata.namespace ? { namespace: metadata.namespace } : {}),
    };
    const action = typeof spec.enforcementAction === "string" ? spec.enforcementAction.toLowerCase() : undefined;
    out.push({ ok: true, expanded: { object: resultant, template: name, ...(action === "deny" || action === "warn" || action === "dryrun" ? { enforcementAction: action } : {}) } });
  }
  return out;
}
