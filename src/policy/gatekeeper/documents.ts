// Gatekeeper's objects among manifests: ConstraintTemplates (templates.gatekeeper.sh), Constraints
// (constraints.gatekeeper.sh, of the kinds the templates define), ExpansionTemplates (expansion.gatekeeper.sh) and
// Gatekeeper's Config (config.gatekeeper.sh). Found in an environment's rendering and in configured paths, each
// with where it was written.
import type { Manifest, SourceLocation } from "../../model.js";
import { isExpansionTemplate } from "./expansion.js";

/** A policy object and where it was written (none for an object of a rendering whose source is not known). */
export interface GatekeeperDocument {
  object: Record<string, unknown>;
  origin?: SourceLocation | "builtin";
  /** The manifest it was read from, when it was one: problems are located at the value's own line through it. */
  manifest?: Manifest;
}

export interface GatekeeperPolicySet {
  templates: GatekeeperDocument[];
  constraints: GatekeeperDocument[];
  /** ExpansionTemplates: workloads reviewed as the Pods (or other objects) they imply too. */
  expansions?: GatekeeperDocument[];
  /** Gatekeeper's Config: namespaces its admission webhook does not review. */
  configs?: GatekeeperDocument[];
}

export function emptyGatekeeperSet(): GatekeeperPolicySet {
  return { templates: [], constraints: [], expansions: [], configs: [] };
}

export function isConstraintTemplate(object: Record<string, unknown>): boolean {
  return /^templates\.gatekeeper\.sh\//.test(String(object.apiVersion)) && object.kind === "ConstraintTemplate";
}

export function isConstraint(object: Record<string, unknown>): boolean {
  return /^constraints\.gatekeeper\.sh\//.test(String(object.apiVersion)) && typeof object.kind === "string";
}

export function isGatekeeperConfig(object: Record<string, unknown>): boolean {
  return /^config\.gatekeeper\.sh\//.test(String(object.apiVersion)) && object.kind === "Config";
}

export function isGatekeeperObject(object: Record<string, unknown>): boolean {
  return isConstraintTemplate(object) || isConstraint(object) || isExpansionTemplate(object) || isGatekeeperConfig(object);
}

/** Adds the Gatekeeper objects among `documents` to a set (a copy). */
export function withGatekeeperPolicies(set: GatekeeperPolicySet, documents: GatekeeperDocument[]): GatekeeperPolicySet {
  const out: GatekeeperPolicySet = { templates: [...set.templates], constraints: [...set.constraints], expansions: [...(set.expansions ?? [])], configs: [...(set.configs ?? [])] };
  for (const document of documents) {
    if (isConstraintTemplate(document.object)) out.templates.push(document);
    else if (isConstraint(document.object)) out.constraints.push(document);
    else if (isExpansionTemplate(document.object)) out.expansions!.push(document);
    else if (isGatekeeperConfig(document.object)) out.configs!.push(document);
  }
  return out;
}

/** The Gatekeeper objects of plain manifests (files given to `validate`, or an environment's rendering). */
export function findGatekeeperPolicies(manifests: Manifest[]): GatekeeperPolicySet {
  return withGatekeeperPolicies(
    emptyGatekeeperSet(),
    manifests.map((manifest) => ({ object: manifest.object, manifest, ...(manifest.source ? { origin: manifest.source } : {}) })),
  );
}
