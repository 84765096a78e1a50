// Container image references, parsed and normalised as Docker (distribution/reference) does, so that
// "nginx", "docker.io/library/nginx" and "index.docker.io/library/nginx:latest" name one repository.

export interface ImageRef {
  /** Registry host, with its port when one is written; "docker.io" when none is written. */
  registry: string;
  /** Path in the registry, with "library/" for Docker Hub's official images. */
  path: string;
  tag?: string;
  /** "algorithm:hex", e.g. "sha256:…". */
  digest?: string;
  /** The repository as it was written (no tag or digest): kept when a reference is rewritten. */
  writtenName: string;
}

const DOCKER_HUB = "docker.io";
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?$/;

/** Parses an image reference; the message of the Error says what is wrong with it. */
export function parseImageRef(text: string): ImageRef {
  // a name is at most 255 characters, a tag 128, a digest ~135: longer text is no reference (and is not matched)
  if (text.length > 600) throw new Error(`"${text.slice(0, 40)}…" is too long to be an image reference`);
  const written = text.trim();
  if (written === "" || written !== text) throw new Error(`"${text}" is not an image reference: empty or surrounded by spaces`);
  let rest = written;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw new Error(`"${text}" has an invalid digest "${digest}" (expected e.g. sha256:<64 hex digits>)`);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new Error(`"${text}" has an invalid tag "${tag}"`);
  }
  const { registry, path } = splitRepository(rest, text);
  return { registry, path, writtenName: rest, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** Like parseImageRef, undefined for anything that is not an image reference. */
export function tryParseImageRef(text: string): ImageRef | undefined {
  try {
    return parseImageRef(text);
  } catch {
    return undefined;
  }
}

function splitRepository(name: string, text: string): { registry: string; path: string } {
  if (name === "") throw new Error(`"${text}" has no repository name`);
  const slash = name.indexOf("/");
  const first = slash < 0 ? "" : name.slice(0, slash);
  // as Docker decides: the first component is a registry when it has a dot or a port, or is localhost
  const isRegistry = slash >= 0 && (first.includes(".") || first.includes(":") || first === "localhost" || first !== first.toLowerCase());
  let registry = isRegistry ? first : DOCKER_HUB;
  let path = isRegistry ? name.slice(slash + 1) : name;
  if (isRegistry && !HOST.test(registry)) throw new Error(`"${text}" has an invalid registry "${registry}"`);
  if (registry === "index.docker.io" || registry === "registry-1.docker.io") registry = DOCKER_HUB;
  if (registry === DOCKER_HUB && !path.includes("/")) path = `library/${path}`;
  for (const component of path.split("/")) {
    if (!PATH_COMPONENT.test(component)) throw new Error(`"${text}" has an invalid repository path component "${component}" (lowercase letters, digits and separators)`);
  }
  if (name.length > 255) throw new Error(`"${text}" is longer than 255 characters`);
  return { registry, path };
}

/** The normalised repository ("docker.io/library/nginx"): what two references are compared by. */
export function repositoryOf(ref: ImageRef): string {
  return `${ref.registry}/${ref.path}`;
}

/** The normalised repository of a written name or reference, or undefined when it is not one. */
export function normalizeRepository(text: string): string | undefined {
  const ref = tryParseImageRef(text);
  return ref ? repositoryOf(ref) : undefined;
}

export function sameRepository(a: ImageRef, b: ImageRef): boolean {
  return repositoryOf(a) === repositoryOf(b);
}

/** "name[:tag][@digest]" with the name as it was written. */
export function formatImageRef(name: string, tag: string | undefined, digest: string | undefined): string {
  return `${name}${tag !== undefined ? `:${tag}` : ""}${digest !== undefined ? `@${digest}` : ""}`;
}

/** The reference in full normalised form, for messages and comparisons. */
export function canonicalImageRef(ref: ImageRef): string {
  return formatImageRef(repositoryOf(ref), ref.tag, ref.digest);
}

/** "1.4.2@sha256:…": a tag pinned to a digest, as many Helm charts take it in their `tag` value. */
export function pinnedTag(tag: string, digest: string | undefined): string {
  return digest === undefined ? tag : `${tag}@${digest}`;
}

/** Splits a "tag@digest" value (a Helm tag pinned to a digest) into its parts. */
export function splitPinnedTag(value: string): { tag: string; digest?: string } {
  const at = value.indexOf("@");
  return at < 0 ? { tag: value } : { tag: value.slice(0, at), digest: value.slice(at + 1) };
}

export function isDigest(value: string): boolean {
  return DIGEST.test(value);
}
