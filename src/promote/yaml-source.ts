// One YAML file seen both as values and as source text: every scalar knows its exact offsets, quoting style,
// anchor, and every path where its value appears (more than one when an alias repeats it), so that an edit can
// replace exactly its characters and refuse when an alias would carry the change somewhere unintended.
import { isAlias, isMap, isScalar, isSeq, Scalar, type Document, type Node } from "yaml";
import { UserError } from "../errors.ts";
import { parseYaml, type ParsedYaml } from "../util/yaml.ts";

export type PathStep = string | number;
export type ScalarStyle = "plain" | "single" | "double" | "block";

export interface ScalarSource {
  file: string;
  /** 0-based document index in the file. */
  document: number;
  /** Path to the scalar as written (through no alias): where the value is checked after an edit. */
  writtenPath: PathStep[];
  /** Offsets of the scalar's characters in the file's text (quotes included, anchor and tag excluded). */
  start: number;
  end: number;
  line: number;
  column: number;
  /** The value as a string (a plain scalar's source text, so that 6.10 stays "6.10"). */
  value: string;
  style: ScalarStyle;
  /** Inside a flow collection ([…] or {…}), where ",[]{}" would need quoting. */
  flow: boolean;
  anchor?: string;
  /** Every path (formatted) where this scalar's value appears: the written one and those through aliases. */
  occurrences: string[];
}

/** A node of the value tree, aliases resolved, with its path as a reader of the values sees it. */
export interface ValueNode {
  node: Node;
  path: PathStep[];
}

export interface SourceDocument {
  index: number;
  doc: Document.Parsed;
  /** The plain value (aliases resolved). */
  value: unknown;
}

/** Past this many nodes visited through aliases in one document, the file is refused (an alias bomb). */
const MAX_VISITS = 100_000;

export class YamlSource {
  readonly documents: SourceDocument[];
  private readonly parsed: ParsedYaml;
  private readonly byNode = new Map<Node, ScalarSource>();

  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    this.parsed = parseYaml(text, file);
    this.documents = this.parsed.documents.map((document, index) => ({ index, doc: document.doc, value: document.value }));
    for (const document of this.documents) this.indexScalars(document);
  }

  /** The scalar's source, or undefined when the node is not a scalar of this file. */
  scalar(node: Node | undefined): ScalarSource | undefined {
    const resolved = node && isAlias(node) ? undefined : node;
    return resolved ? this.byNode.get(resolved) : undefined;
  }

  /** Every scalar of the file, in no particular order. */
  scalars(): Iterable<ScalarSource> {
    return this.byNode.values();
  }

  /** A node with aliases resolved. */
  resolve(document: SourceDocument, node: unknown): Node | undefined {
    let current = node;
    for (let hops = 0; isAlias(current) && hops < 100; hops++) current = current.resolve(document.doc);
    return current as Node | undefined;
  }

  /** The value of `key` in a map node (aliases resolved), if any. */
  get(document: SourceDocument, map: Node | undefined, key: string): Node | undefined {
    if (!isMap(map)) return undefined;
    const pair = map.items.find((item) => isScalar(item.key) && item.key.value === key);
    return this.resolve(document, pair?.value);
  }

  /** The string value of a scalar node, or undefined. */
  stringAt(document: SourceDocument, map: Node | undefined, key: string): string | undefined {
    return this.scalar(this.get(document, map, key))?.value;
  }

  lineOf(offset: number): { line: number; column: number } {
    const pos = this.parsed.lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  }

  /** Every node of a document, aliases resolved, depth first, with its path. */
  *walk(document: SourceDocument, from?: ValueNode): Generator<ValueNode> {
    const stack: ValueNode[] = [from ?? { node: this.resolve(document, document.doc.contents)!, path: [] }];
    let visits = 0;
    while (stack.length > 0) {
      const current = stack.pop()!;
      if (!current.node) continue;
      if (++visits > MAX_VISITS) {
        throw new UserError(`more than ${MAX_VISITS} values through aliases: refusing a possible alias bomb`, { file: this.file, line: document.doc.range ? this.lineOf(document.doc.range[0]).line : 1 });
      }
      yield current;
      const children: ValueNode[] = [];
      if (isMap(current.node)) {
        for (const pair of current.node.items) {
          if (!isScalar(pair.key)) continue;
          const child = this.resolve(document, pair.value);
          if (child) children.push({ node: child, path: [...current.path, String(pair.key.value)] });
        }
      } else if (isSeq(current.node)) {
        current.node.items.forEach((item, index) => {
          const child = this.resolve(document, item);
          if (child) children.push({ node: child, path: [...current.path, index] });
        });
      }
      stack.push(...children.reverse());
    }
  }

  private indexScalars(document: SourceDocument): void {
    const root = document.doc.contents;
    if (!root) return;
    // the written paths: aliases not followed
    const visit = (node: unknown, path: PathStep[], flow: boolean) => {
      if (isScalar(node)) {
        this.byNode.set(node, this.describe(document, node, path, flow));
      } else if (isMap(node)) {
        const inFlow = flow || node.flow === true;
        for (const pair of node.items) {
          if (isScalar(pair.key)) visit(pair.value, [...path, String(pair.key.value)], inFlow);
        }
      } else if (isSeq(node)) {
        const inFlow = flow || node.flow === true;
        node.items.forEach((item, index) => visit(item, [...path, index], inFlow));
      }
    };
    visit(root, [], false);
    // the paths through aliases: every occurrence of each scalar
    for (const { node, path } of this.walk(document)) {
      if (isScalar(node)) this.byNode.get(node)?.occurrences.push(formatPath(path));
    }
  }

  private describe(document: SourceDocument, node: Scalar, path: PathStep[], flow: boolean): ScalarSource {
    const [start, end] = node.range ?? [0, 0];
    const style: ScalarStyle =
      node.type === Scalar.QUOTE_SINGLE ? "single" : node.type === Scalar.QUOTE_DOUBLE ? "double" : node.type === Scalar.BLOCK_FOLDED || node.type === Scalar.BLOCK_LITERAL ? "block" : "plain";
    const value = style === "plain" ? this.text.slice(start, end) : String(node.value);
    const { line, column } = this.lineOf(start);
    return {
      file: this.file,
      document: document.index,
      writtenPath: path,
      start,
      end,
      line,
      column,
      value,
      style,
      flow,
      ...(node.anchor ? { anchor: node.anchor } : {}),
      occurrences: [],
    };
  }
}

/** "spec.template.spec.containers[0].image"; keys that are not identifiers in brackets. */
export function formatPath(path: readonly PathStep[]): string {
  let text = "";
  for (const step of path) {
    if (typeof step === "number") text += `[${step}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(step)) text += text === "" ? step : `.${step}`;
    else text += `[${JSON.stringify(step)}]`;
  }
  return text;
}
