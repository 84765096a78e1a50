// Which files Flux's source-controller leaves out of a GitRepository artifact: its default patterns and
// the `.sourceignore` files (gitignore syntax), each scoped to its directory. A directory Flux generates a
// kustomization for only lists what the artifact holds.
import ignore, { type Ignore } from "ignore";

/** fluxcd/pkg/sourceignore: version control, CI files and common binary formats. */
const DEFAULT_PATTERNS = [
  ".git/",
  ".gitignore",
  ".gitmodules",
  ".gitattributes",
  "*.jpg",
  "*.jpeg",
  "*.gif",
  "*.png",
  "*.wmv",
  "*.flv",
  "*.tar.gz",
  "*.zip",
  ".github/",
  ".circleci/",
  ".travis.yml",
  ".gitlab-ci.yml",
  "appveyor.yml",
  ".drone.yml",
  "cloudbuild.yaml",
  "codeship-services.yml",
  "codeship-steps.yml",
  "**/.goreleaser.yml",
  "**/.sops.yaml",
  "**/.flux.yaml",
];

export const SOURCE_IGNORE_FILE = ".sourceignore";

export class SourceIgnore {
  private readonly scopes: Array<{ dir: string; matcher: Ignore }> = [];
  /** The `.sourceignore` files: what a generated kustomization lists depends on them. */
  readonly files: string[];

  /** `ignoreFiles`: repository-relative path of each `.sourceignore` and its text. */
  constructor(ignoreFiles: Map<string, string>) {
    this.files = [...ignoreFiles.keys()].sort();
    this.scopes.push({ dir: ".", matcher: ignore().add(DEFAULT_PATTERNS) });
    for (const [file, text] of [...ignoreFiles].sort(([a], [b]) => a.length - b.length)) {
      const dir = file.includes("/") ? file.slice(0, file.lastIndexOf("/")) : ".";
      this.scopes.push({ dir, matcher: ignore().add(text) });
    }
  }

  /** Is a repository-relative file (or directory, with a trailing "/") left out of the artifact? */
  ignores(repoPath: string): boolean {
    let ignored = false;
    for (const { dir, matcher } of this.scopes) {
      if (dir !== "." && !repoPath.startsWith(`${dir}/`)) continue;
      const relative = dir === "." ? repoPath : repoPath.slice(dir.length + 1);
      if (!relative) continue;
      const result = matcher.test(relative);
      if (result.ignored) ignored = true;
      else if (result.unignored) ignored = false;
    }
    return ignored;
  }
}
