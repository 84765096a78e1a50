// One revision of the repository on disk: its environments, and renders of them.
import type { Config } from "../config/config.ts";
import { discover, type DiscoveredEnvironment, type Discovery } from "../discover/discover.ts";
import type { Finding, Manifest, SourceLocation } from "../model.ts";
import { renderDirectory } from "../render/directory.ts";
import { InputChecker } from "../render/input-check.ts";
import type { KustomizeRenderer} from "../render/kustomize.ts";
import { generatorLocations, RenderFailure } from "../render/kustomize.ts";
import { SourceIndex } from "../render/source-map.ts";
import { UserError } from "../errors.ts";
import type { Files } from "../ports.ts";

export type RenderOutcome = { ok: true; manifests: Manifest[] } | { ok: false; findings: Finding[] };

export class Revision {
  private readonly sources: SourceIndex;
  private readonly checker: InputChecker;
  private readonly generators: Map<string, SourceLocation>;

  private constructor(
    readonly root: string,
    readonly discovery: Discovery,
    private readonly files: Files,
    private readonly renderer: KustomizeRenderer,
  ) {
    this.sources = new SourceIndex(root, files);
    this.checker = new InputChecker(root, files);
    this.generators = generatorLocations(discovery.kustomizations);
  }

  static async open(root: string, files: Files, config: Config, renderer: KustomizeRenderer): Promise<Revision> {
    return new Revision(root, await discover({ root, files, config }), files, renderer);
  }

  get environments(): DiscoveredEnvironment[] {
    return this.discovery.environments;
  }

  /** Renders one environment; problems become findings on it, never exceptions. */
  async render(environment: DiscoveredEnvironment): Promise<RenderOutcome> {
    const name = environment.environment.name;
    const blocking = [...environment.problems, ...(await this.checker.check(environment))];
    if (blocking.length > 0) return { ok: false, findings: blocking.map((finding) => ({ ...finding, environment: name })) };
    try {
      const manifests =
        environment.environment.kind === "kustomize"
          ? (await this.renderer.render(this.root, environment.environment.path, this.sources, this.generators)).manifests
          : (await renderDirectory(this.root, environment, this.files)).manifests;
      return { ok: true, manifests };
    } catch (error) {
      if (error instanceof RenderFailure || error instanceof UserError) {
        const file = this.discovery.kustomizations.get(environment.environment.path)?.file;
        return { ok: false, findings: [renderFinding(environment, error, file)] };
      }
      throw error;
    }
  }

  /** kustomize's own output, for `gitops-verify render`. */
  async renderText(environment: DiscoveredEnvironment): Promise<string> {
    const blocking = [...environment.problems, ...(await this.checker.check(environment))];
    if (blocking.length > 0) throw new RenderFailure(formatFindings(blocking), "");
    if (environment.environment.kind === "kustomize") return this.renderer.renderPlain(this.root, environment.environment.path);
    return (await renderDirectory(this.root, environment, this.files)).text;
  }
}

function renderFinding(environment: DiscoveredEnvironment, error: RenderFailure | UserError, kustomizationFile: string | undefined): Finding {
  const location = error instanceof UserError ? error.location : undefined;
  return {
    ruleId: "render-failed",
    severity: "error",
    environment: environment.environment.name,
    message: `render failed: ${error.message}`,
    ...(location ? { location } : kustomizationFile ? { location: { file: kustomizationFile } } : {}),
  };
}

export function formatFindings(findings: Finding[]): string {
  return findings
    .map((finding) => {
      const where = finding.location ? `${finding.location.file}${finding.location.line ? `:${finding.location.line}` : ""}: ` : "";
      return `${where}${finding.message}`;
    })
    .join("\n");
}
