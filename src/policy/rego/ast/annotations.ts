// METADATA comment blocks (OPA's annotations): YAML in the comments right before a package or a rule, read by
// rego.metadata.rule() and rego.metadata.chain().

import { parse } from "yaml";
import type { Comment } from "./lexer.js";
import type { Annotations } from "./terms.js";

/** The METADATA block ending on the line before `line`, if any. */
export function annotationsBefore(comments: ReadonlyMap<number, string>, line: number, defaultScope: "rule" | "package"): Annotations | undefined {
  const lines: string[] = [];
  for (let l = line - 1; comments.has(l); l--) {
    const text = comments.get(l)!;
    if (text.trim() === "METADATA") return normalize(parse(lines.reverse().join("\n")) as unknown, defaultScope);
    lines.push(text.startsWith(" ") ? text.slice(1) : text);
  }
  return undefined;
}

export function commentsByLine(comments: readonly Comment[]): Map<number, string> {
  return new Map(comments.map((c) => [c.line, c.text]));
}

function normalize(yaml: unknown, defaultScope: string): Annotations {
  const record = yaml !== null && typeof yaml === "object" && !Array.isArray(yaml) ? { ...(yaml as Record<string, unknown>) } : {};
  if (Array.isArray(record.authors)) {
    record.authors = record.authors.map((author: unknown) => {
      if (typeof author !== "string") return author;
      const match = /^(.*?)\s*<([^>]+)>$/.exec(author.trim());
      return match ? { ...(match[1] ? { name: match[1] } : {}), email: match[2] } : { name: author.trim() };
    });
  }
  return { ...record, scope: typeof record.scope === "string" ? record.scope : defaultScope };
}
