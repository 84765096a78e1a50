// Flux image automation's setter comments: the values the image-automation-controller rewrites, marked
// `# {"$imagepolicy": "namespace:name"}` (a whole reference) or with `:tag`, `:name`, `:digest` (its parts).
import { isSeq, type Node } from "yaml";
import type { FluxImagePolicy } from "./flux-policies.ts";
import { normalizeRepository, tryParseImageRef } from "./image-ref.ts";
import { makePlace, type ImagePlace, type PlaceParts } from "./place.ts";
import { formatPath, type PathStep, type ScalarSource, type SourceDocument, type YamlSource } from "./yaml-source.ts";

const SETTER = /#\s*\{\s*"\$imagepolicy"\s*:\s*"([^"]+)"\s*\}/;

interface Marker {
  /** "namespace:name" of the ImagePolicy. */
  policy: string;
  field: "reference" | "name" | "tag" | "digest";
  /** The value the marker stands beside. */
  scalar: ScalarSource;
}

/**
 * The places Flux setters mark: a whole reference is one place; the `:name`, `:tag` and `:digest` parts of one
 * policy in one map make one place, whose image is the `:name` part, else a name beside it in the map, else the
 * ImagePolicy's ImageRepository.
 */
export function setterPlaces(source: YamlSource, own: boolean, imagePolicies: ReadonlyMap<string, FluxImagePolicy>, notices: string[]): ImagePlace[] {
  const places: ImagePlace[] = [];
  const groups = new Map<string, Marker[]>();
  for (const marker of markersOf(source, notices)) {
    const parent = formatPath(marker.scalar.writtenPath.slice(0, -1));
    const key = marker.field === "reference" ? `reference#${marker.scalar.start}` : `${marker.scalar.document}|${marker.policy}|${parent}`;
    groups.set(key, [...(groups.get(key) ?? []), marker]);
  }
  for (const group of groups.values()) {
    const first = group[0]!;
    const document = source.documents[first.scalar.document]!;
    const add = (path: PathStep[], parts: PlaceParts, anchor: ScalarSource | undefined) => {
      const place = makePlace(source.file, document.index, own, "flux-setter", path, parts, anchor);
      if (place) places.push(place);
    };
    if (first.field === "reference") {
      const ref = tryParseImageRef(first.scalar.value);
      if (ref) add(first.scalar.writtenPath, { repository: normalizeRepository(ref.writtenName)!, outputName: ref.writtenName, reference: first.scalar, policy: first.policy }, first.scalar);
      else notices.push(`${first.scalar.file}:${first.scalar.line}: the $imagepolicy value "${first.scalar.value}" is not an image reference`);
      continue;
    }
    const part = (field: Marker["field"]) => group.find((marker) => marker.field === field)?.scalar;
    const name = part("name");
    const tag = part("tag");
    const digest = part("digest");
    const parentPath = first.scalar.writtenPath.slice(0, -1);
    const writtenName = name?.value ?? nameBeside(source, document, parentPath);
    const repository = writtenName === undefined ? imagePolicies.get(first.policy)?.repository : normalizeRepository(writtenName);
    if (!repository) {
      const scalar = tag ?? digest ?? first.scalar;
      notices.push(
        `${scalar.file}:${scalar.line}: the $imagepolicy "${first.policy}" marks a ${first.field} with no image name beside it (a :name marker or a repository key) and no ImagePolicy with its ImageRepository was found: not matched to any image`,
      );
    }
    add(
      parentPath,
      {
        ...(repository ? { repository } : {}),
        ...(writtenName !== undefined ? { outputName: writtenName } : {}),
        ...(name ? { name } : {}),
        ...(tag ? { tag } : {}),
        ...(digest ? { digest } : {}),
        policy: first.policy,
      },
      tag ?? name ?? digest,
    );
  }
  return places;
}

/** Every setter comment of the file, with the value it stands beside on its line. */
function markersOf(source: YamlSource, notices: string[]): Marker[] {
  const markers: Marker[] = [];
  const scalarBefore = scalarsByLine(source);
  let lineStart = 0;
  for (const [index, lineText] of source.text.split("\n").entries()) {
    const match = SETTER.exec(lineText);
    const start = lineStart;
    lineStart += lineText.length + 1;
    if (!match) continue;
    const where = `${source.file}:${index + 1}`;
    const scalar = scalarBefore(start, start + match.index);
    if (!scalar) {
      notices.push(`${where}: a $imagepolicy marker with no value before it on its line`);
      continue;
    }
    const parts = match[1]!.split(":");
    const suffix = parts[2];
    if (parts.length < 2 || parts.length > 3 || (suffix !== undefined && suffix !== "tag" && suffix !== "name" && suffix !== "digest")) {
      notices.push(`${where}: "$imagepolicy": "${match[1]}" is not "namespace:name" or "namespace:name:tag|name|digest"`);
      continue;
    }
    markers.push({ policy: `${parts[0]}:${parts[1]}`, field: suffix ?? "reference", scalar });
  }
  return markers;
}

/** The image name in the map beside a part marker, when the name carries no `:name` marker itself. */
function nameBeside(source: YamlSource, document: SourceDocument, parentPath: PathStep[]): string | undefined {
  let parent: Node | undefined = source.resolve(document, document.doc.contents);
  for (const step of parentPath) {
    parent = typeof step === "number" ? (isSeq(parent) ? source.resolve(document, parent.items[step]) : undefined) : source.get(document, parent, step);
  }
  for (const key of ["newName", "repository", "repo", "name", "image"]) {
    const value = source.stringAt(document, parent, key);
    if (value !== undefined && tryParseImageRef(value)) return value;
  }
  return undefined;
}

/** Finds the scalar whose characters end last before a comment, starting on the comment's line. */
function scalarsByLine(source: YamlSource): (lineStart: number, commentAt: number) => ScalarSource | undefined {
  let byLine: Map<number, ScalarSource[]> | undefined;
  return (lineStart, commentAt) => {
    if (!byLine) {
      byLine = new Map();
      for (const scalar of source.scalars()) {
        const line = source.lineOf(scalar.start).line;
        byLine.set(line, [...(byLine.get(line) ?? []), scalar]);
      }
    }
    let best: ScalarSource | undefined;
    for (const scalar of byLine.get(source.lineOf(lineStart).line) ?? []) {
      if (scalar.start < lineStart || scalar.end > commentAt) continue;
      if (!best || scalar.end > best.end) best = scalar;
    }
    return best;
  };
}
