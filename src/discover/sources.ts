// Which Flux sources and Argo CD repoURLs are this repository: only those are rendered from the checkout.
import type { Config } from "../config/config.ts";
import type { ObjectIndex } from "./objects.ts";

/**
 * `pathPrefix`: where the source's root is in the repository (an ExternalArtifact that an ArtifactGenerator copies
 * out of a subdirectory); `definedIn`: a file whose change changes what the source holds.
 */
export type SourceResolution = { ok: true; pathPrefix?: string; definedIn?: string } | { ok: false; reason: string };

export interface SourceRef {
  kind: string;
  name: string;
  namespace: string;
}

/** `flux bootstrap` creates this GitRepository for the repository it bootstraps from. */
const BOOTSTRAP_SOURCE = "GitRepository/flux-system/flux-system";

/**
 * "https://GitHub.com/org/repo.git", "ssh://git@github.com/org/repo", "git@github.com:org/repo" and
 * "github.com/org/repo" all name the same repository.
 */
export function normalizeRepositoryUrl(url: string): string {
  let text = url.trim().toLowerCase();
  text = text.replace(/^[a-z][a-z0-9+.-]*:\/\//, "");
  text = text.replace(/^[^@/]+@/, "");
  // scp-like syntax: host:path
  text = text.replace(/^([^/:]+):(?!\d+\/)/, "$1/");
  text = text.replace(/^([^/:]+):\d+\//, "$1/");
  return text.replace(/\/+$/, "").replace(/\.git$/, "");
}

export class SourceResolver {
  private readonly urls: Set<string>;
  private readonly refs: Set<string>;

  constructor(
    private readonly config: Config["sources"],
    remoteUrls: string[],
    private readonly objects: ObjectIndex,
  ) {
    this.urls = new Set([...config.urls, ...remoteUrls].map(normalizeRepositoryUrl));
    this.refs = new Set([BOOTSTRAP_SOURCE, ...config.refs]);
  }

  /** Does a URL (and the branch or revision it follows) name this checkout? */
  isThisRepository(url: string, revision?: { branch?: string; other?: string }): SourceResolution {
    if (!this.urls.has(normalizeRepositoryUrl(url))) {
      const known = this.urls.size > 0 ? "" : " (this checkout has no git remote: name its URLs in sources.urls)";
      return { ok: false, reason: `${url} is not this repository${known}` };
    }
    if (revision?.other) return { ok: false, reason: `it follows ${revision.other}, not this change` };
    if (revision?.branch && !this.config.branches.includes(revision.branch)) {
      return { ok: false, reason: `it follows the branch ${revision.branch}, not ${this.config.branches.join(" or ")} (see sources.branches)` };
    }
    return { ok: true };
  }

  /** A Flux sourceRef: this repository, or why not. */
  resolveFlux(ref: SourceRef): SourceResolution {
    const key = `${ref.kind}/${ref.namespace}/${ref.name}`;
    const label = `${ref.kind} ${ref.namespace}/${ref.name}`;
    if (this.refs.has(key)) return { ok: true };
    if (ref.kind === "ExternalArtifact") return this.resolveGeneratedArtifact(ref, label);
    if (ref.kind !== "GitRepository") {
      return { ok: false, reason: `its source ${label} is an artifact built outside this repository (name it in sources.refs if it carries this repository's content)` };
    }
    const defined = this.objects.get("GitRepository", ref.namespace, ref.name);
    const repository = defined[0]?.object;
    if (!repository) return { ok: false, reason: `its source ${label} is not defined in this repository` };
    const spec = (repository.spec ?? {}) as Record<string, unknown>;
    const url = typeof spec.url === "string" ? spec.url : "";
    const gitRef = (spec.ref ?? {}) as Record<string, unknown>;
    const other = ["tag", "semver", "commit", "name"].find((field) => typeof gitRef[field] === "string" && gitRef[field] !== "");
    const resolution = this.isThisRepository(url, {
      branch: typeof gitRef.branch === "string" ? gitRef.branch : undefined,
      other: other ? `${other} ${String(gitRef[other])}` : undefined,
    });
    return resolution.ok ? resolution : { ok: false, reason: `its source ${label}: ${resolution.reason}` };
  }

  /**
   * An ExternalArtifact made by an ArtifactGenerator (source-watcher) is this repository when every copy takes a
   * subtree of a GitRepository of this repository to the same relative place: "@repo/apps/base/**" to
   * "@artifact/base/" and "@repo/apps/staging/**" to "@artifact/staging/" make the artifact the directory apps/.
   */
  private resolveGeneratedArtifact(ref: SourceRef, label: string): SourceResolution {
    for (const found of this.objects.all) {
      if (found.ref.kind !== "ArtifactGenerator" || (found.ref.namespace || "flux-system") !== ref.namespace) continue;
      const spec = (found.object.spec ?? {}) as Record<string, unknown>;
      const artifacts = Array.isArray(spec.artifacts) ? (spec.artifacts as Array<Record<string, unknown>>) : [];
      const artifact = artifacts.find((candidate) => candidate.name === ref.name);
      if (!artifact) continue;
      const aliases = new Map<string, SourceResolution>();
      for (const source of Array.isArray(spec.sources) ? (spec.sources as Array<Record<string, unknown>>) : []) {
        if (typeof source.alias !== "string") continue;
        aliases.set(
          source.alias,
          this.resolveFlux({
            kind: String(source.kind ?? ""),
            name: String(source.name ?? ""),
            namespace: typeof source.namespace === "string" ? source.namespace : ref.namespace,
          }),
        );
      }
      let prefix: string | undefined;
      for (const copy of Array.isArray(artifact.copy) ? (artifact.copy as Array<Record<string, unknown>>) : []) {
        const from = /^@([^/]+)\/(?:(.*)\/)?\*\*$/.exec(String(copy.from ?? ""));
        const to = /^@artifact\/(.*?)\/?$/.exec(String(copy.to ?? ""));
        if (!from || !to || copy.exclude !== undefined) {
          return { ok: false, reason: `its source ${label} is made by ArtifactGenerator ${ref.namespace}/${found.ref.name} with a copy that rearranges files ("${String(copy.from)}" to "${String(copy.to)}")` };
        }
        const source = aliases.get(from[1]!);
        if (!source?.ok) {
          return { ok: false, reason: `its source ${label} copies from "@${from[1]}": ${source && !source.ok ? source.reason : "an unknown source"}` };
        }
        const subtree = from[2] ?? "";
        const destination = to[1] ?? "";
        // the repository directory that plays the artifact's root
        if (destination && !(subtree === destination || subtree.endsWith(`/${destination}`))) {
          return { ok: false, reason: `its source ${label} puts "${subtree}" at "${destination}": not a directory of this repository` };
        }
        const base = destination ? subtree.slice(0, subtree.length - destination.length).replace(/\/$/, "") : subtree;
        if (prefix !== undefined && prefix !== base) {
          return { ok: false, reason: `its source ${label} combines different directories of this repository` };
        }
        prefix = base;
      }
      if (prefix === undefined) return { ok: false, reason: `its source ${label} copies nothing` };
      return { ok: true, pathPrefix: prefix || ".", definedIn: found.location.file };
    }
    return { ok: false, reason: `its source ${label} is not made by an ArtifactGenerator in this repository` };
  }
}
