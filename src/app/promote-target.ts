// One checkout as a promotion sees it: its environments, the one promoted into (with the files only it reads and
// the repository's Flux ImagePolicies), renders, and what to promote when no image is named.
import type { Config, PromoteTagPolicy } from "../config/config.ts";
import type { DiscoveredEnvironment } from "../discover/discover.ts";
import { UserError } from "../errors.ts";
import type { Manifest } from "../model.ts";
import type { Files } from "../ports.ts";
import { readSources } from "../promote/apply.ts";
import { fluxImagePolicies } from "../promote/flux-policies.ts";
import { normalizeRepository, parseImageRef, type ImageRef } from "../promote/image-ref.ts";
import { exclusiveInputs } from "../promote/locate.ts";
import type { PromoteOptions, PromotionTarget } from "../promote/plan.ts";
import { checkPolicy, type TagPolicy } from "../promote/tag-policy.ts";
import { matchEnvironments } from "./environments.ts";
import { formatFindings, Revision, type Renderers } from "./revision.ts";

export class PromotionWorkspace {
  private constructor(
    readonly root: string,
    readonly revision: Revision,
    private readonly files: Files,
    private readonly config: Config,
  ) {}

  static async open(root: string, files: Files, config: Config, renderers: Renderers, remoteUrls: string[]): Promise<PromotionWorkspace> {
    return new PromotionWorkspace(root, await Revision.open(root, files, config, renderers, { remoteUrls }), files, config);
  }

  /**
   * An environment by its name, its path, or a unique ending of its name ("production/apps" is not one, but
   * "apps/overlays/production" or "production/Kustomization/flux-system/apps" are). HelmReleases are looked up
   * only when no other environment matches (finding them takes rendering every Flux Kustomization).
   */
  async find(written: string, what: string): Promise<DiscoveredEnvironment> {
    const found = matchEnvironments(this.revision.environments, written);
    if (found.length === 1) return found[0]!;
    const everything = found.length === 0 ? matchEnvironments(await this.revision.allEnvironments(), written) : found;
    if (everything.length === 1) return everything[0]!;
    if (everything.length > 1) {
      throw new UserError(`${what} "${written}" names ${everything.length} environments: ${everything.map((environment) => environment.environment.name).join(", ")}`);
    }
    const known = this.revision.environments.map((environment) => `${environment.environment.name} (${environment.environment.path})`);
    throw new UserError(`${what}: no environment named "${written}" (known: ${known.length > 0 ? known.join(", ") : "none"}; see gitops-verify list)`);
  }

  /** What planPromotion needs of the target: its files, those only it reads, the repository's ImagePolicies. */
  async target(environment: DiscoveredEnvironment): Promise<PromotionTarget> {
    const files = await readSources(this.files, this.root, environment.inputs);
    const others = this.revision.environments.map((other) => other.inputs);
    const ownFiles = exclusiveInputs(environment.inputs, others.filter((inputs) => inputs !== environment.inputs));
    const yaml = await readSources(this.files, this.root, this.revision.discovery.yamlFiles);
    return {
      environment: environment.environment.name,
      dir: environment.environment.path,
      files,
      ownFiles,
      imagePolicies: fluxImagePolicies(yaml),
      valuePaths: this.config.promote.valuePaths,
    };
  }

  /** The environment's rendered objects, or a UserError saying why it does not render. */
  async render(environment: DiscoveredEnvironment): Promise<Manifest[]> {
    const outcome = await this.revision.render(environment);
    if (!outcome.ok) {
      throw new UserError(`${environment.environment.name} does not render: ${outcome.skipped ?? formatFindings(outcome.findings)}`);
    }
    return outcome.manifests;
  }

  /** The environment before `target` in promote.chain, if the chain names the target. */
  async previousInChain(target: DiscoveredEnvironment): Promise<DiscoveredEnvironment | undefined> {
    const chain = this.config.promote.chain;
    for (let index = 1; index < chain.length; index++) {
      if ((await this.find(chain[index]!, "promote.chain")) === target) return this.find(chain[index - 1]!, "promote.chain");
    }
    return undefined;
  }
}

/** Exact name, else exact path, else a unique ending of the name. */
/** Parses --image values; the error names the value. */
export function parseRequestedImages(written: readonly string[]): ImageRef[] {
  return written.map((text) => {
    try {
      return parseImageRef(text.trim());
    } catch (error) {
      throw new UserError(`--image ${text}: ${(error as Error).message}`);
    }
  });
}

/** promote.tagPolicies that apply to the target, as planPromotion takes them. */
export function tagPoliciesFor(config: Config, target: DiscoveredEnvironment): NonNullable<PromoteOptions["policies"]> {
  const applies = (entry: PromoteTagPolicy) =>
    !entry.environments || entry.environments.some((written) => written === target.environment.name || written === target.environment.path || target.environment.name.endsWith(`/${written}`));
  return config.promote.tagPolicies.filter(applies).map((entry, index) => {
    const repository = normalizeRepository(entry.image);
    if (!repository) throw new UserError(`promote.tagPolicies[${index}].image: "${entry.image}" is not an image repository`);
    const policy: TagPolicy =
      entry.semver !== undefined
        ? { type: "semver", range: entry.semver }
        : entry.pattern !== undefined
          ? { type: "regex", pattern: entry.pattern, ...(entry.extract !== undefined ? { extract: entry.extract } : {}), ...(entry.order ? { order: entry.order } : {}) }
          : { type: "exact", tag: entry.tag! };
    try {
      checkPolicy(policy);
    } catch (error) {
      throw new UserError(`promote.tagPolicies[${index}]: ${(error as Error).message}`);
    }
    return { repository, policy };
  });
}
