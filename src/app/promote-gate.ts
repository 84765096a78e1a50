// The check before a promotion is committed: the target rendered again holds only the promoted changes, and its
// schema and policy checks find nothing new at the failing severity (what the target already had does not count).
import type { Config } from "../config/config.ts";
import type { DiscoveredEnvironment } from "../discover/discover.ts";
import type { Finding, Manifest } from "../model.ts";
import type { ImageRef } from "../promote/image-ref.ts";
import { checkPromotedRendering } from "../promote/verify-render.ts";
import type { Ports } from "./context.ts";
import { createValidator, EnvironmentValidation, loadCrdPaths, loadPolicySettings } from "./validation.ts";
import type { FailOn } from "./verify.ts";

export interface GateSide {
  root: string;
  discovered: DiscoveredEnvironment;
  manifests: Manifest[];
}

const SEVERITY_RANK: Record<Finding["severity"], number> = { error: 3, warning: 2, notice: 1 };
const FAIL_ON_RANK: Record<FailOn, number> = { error: 3, warning: 2, notice: 1, never: Infinity };

/** The validation verify runs (schemas, CRD paths, policies), built once per promotion. */
export async function promotionValidation(config: Config, root: string, ports: Ports): Promise<EnvironmentValidation | undefined> {
  const validator = config.schemas.enabled ? createValidator(config, root, ports) : undefined;
  const problems: Finding[] = [];
  if (validator) {
    const crds = await loadCrdPaths(config, root, ports.files);
    problems.push(...crds.findings, ...validator.addSharedCrds(crds.manifests));
  }
  const policies = config.policies.enabled ? await loadPolicySettings(config, root, ports.files) : undefined;
  problems.push(...(policies?.findings ?? []));
  for (const problem of problems) ports.logger.warn(describeFinding(problem));
  return validator || policies ? new EnvironmentValidation(validator, ports.files, policies?.settings) : undefined;
}

/** What refuses the promotion: unintended render changes, and new findings at `failOn` or above. Empty: it passes. */
export async function gateProblems(
  validation: EnvironmentValidation | undefined,
  before: GateSide,
  after: GateSide,
  images: readonly ImageRef[],
  failOn: FailOn,
): Promise<string[]> {
  const problems = checkPromotedRendering(before.manifests, after.manifests, images);
  if (validation) {
    const findings = await validation.check(after.discovered.environment.name, after, before);
    for (const finding of findings) {
      if (SEVERITY_RANK[finding.severity] >= FAIL_ON_RANK[failOn]) problems.push(describeFinding(finding));
    }
  }
  return problems;
}

function describeFinding(finding: Finding): string {
  const where = finding.location ? `${finding.location.file}${finding.location.line ? `:${finding.location.line}` : ""}: ` : "";
  return `${where}${finding.severity} ${finding.ruleId}: ${finding.message}`;
}
