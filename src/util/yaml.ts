import { LineCounter, parseAllDocuments, isMap, isScalar, isSeq, type Document, type Node } from "yaml";
import { UserError } from "../errors.ts";

/** More aliases than this in one document is treated as an alias bomb ("billion laughs"). */
export const MAX_ALIAS_COUNT = 100;

export interface ParsedDocument {
  /** The plain JavaScript value (null for an empty document). */
  value: unknown;
  /** 1-based line where the document's content starts. */
  line: number;
  /** Character offsets of the whole document in the text (including its `---`). */
  range: [number, number];
  /** The syntax tree, for finding the line of a value. */
  doc: Document.Parsed;
}

export interface ParsedYaml {
  documents: ParsedDocument[];
  lineCounter: LineCounter;
}

/**
 * Parses multi-document YAML strictly: syntax errors, duplicate keys and alias bombs are UserErrors
 * naming the file and line. This is also the gate every input passes before a binary sees it.
 */
export function parseYaml(text: string, file: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
  if (!Array.isArray(docs)) {
    // an empty stream parses to an EmptyStream value
    return { documents: [], lineCounter };
  }
  const documents: ParsedDocument[] = [];
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error) {
      const pos = lineCounter.linePos(error.pos[0]);
      throw new UserError(`invalid YAML: ${firstLine(error.message)}`, { file, line: pos.line, column: pos.col });
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (cause) {
      const start = doc.contents?.range?.[0] ?? doc.range[0];
      const message = (cause as Error).message;
      const reason = /alias/i.test(message)
        ? `too many YAML aliases (more than ${MAX_ALIAS_COUNT} in one document): refusing a possible alias bomb`
        : `invalid YAML: ${firstLine(message)}`;
      throw new UserError(reason, { file, line: lineCounter.linePos(start).line });
    }
    const start = doc.contents?.range?.[0] ?? doc.range[0];
    documents.push({ value, line: lineCounter.linePos(start).line, range: [doc.range[0], doc.range[2]], doc });
  }
  return { documents, lineCounter };
}

function firstLine(message: string): string {
  return message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
}

/** The node at a path of map keys and sequence indexes, if it exists. */
export function nodeAt(doc: Document.Parsed, path: Array<string | number>): Node | undefined {
  let node: unknown = doc.contents;
  for (const step of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && item.key.value === step);
      node = pair?.value;
    } else if (isSeq(node) && typeof step === "number") {
      node = node.items[step];
    } else {
      return undefined;
    }
  }
  return node as Node | undefined;
}

/** The key node of the last step (for "unknown key" errors that should point at the key). */
export function keyNodeAt(doc: Document.Parsed, path: Array<string | number>): Node | undefined {
  if (path.length === 0) return undefined;
  const parent = nodeAt(doc, path.slice(0, -1));
  const last = path[path.length - 1];
  if (isMap(parent)) {
    const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === last);
    return pair?.key as Node | undefined;
  }
  if (isSeq(parent) && typeof last === "number") return parent.items[last] as Node | undefined;
  return undefined;
}

/** 1-based line of a node, or of the document when the node is unknown. */
export function lineOfNode(parsed: ParsedYaml, node: Node | undefined, fallback: number): number {
  const offset = node?.range?.[0];
  return offset === undefined ? fallback : parsed.lineCounter.linePos(offset).line;
}
