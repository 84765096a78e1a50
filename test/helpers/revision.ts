// Rendering one environment of an opened Revision by name, for integration tests.
import type { Revision, RenderOutcome } from "../../src/app/revision.ts";
import type { DiscoveredEnvironment } from "../../src/discover/discover.ts";

/** The successful render of the named environment; a clear error naming what exists or what failed otherwise. */
export async function renderedByName(
  revision: Revision,
  byName: Map<string, DiscoveredEnvironment>,
  name: string,
): Promise<Extract<RenderOutcome, { ok: true }>> {
  const environment = byName.get(name);
  if (!environment) throw new Error(`no environment ${name}; have ${[...byName.keys()].join(", ")}`);
  const outcome = await revision.render(environment);
  if (!outcome.ok) throw new Error(outcome.findings.map((finding) => finding.message).join("\n"));
  return outcome;
}
