// The compiled program's shape: every rule placed in one tree of documents below `data` (a node per package, rule
// path and step between them), with the rules at each node sorted by kind. The evaluator reads only this.

import type { Location, RegoProblem } from "./errors.js";
import type { Body, Module, Term } from "./terms.js";

export type RuleKind = "complete" | "multi" | "general" | "function";

export interface CompiledRule {
  readonly kind: RuleKind;
  readonly isDefault: boolean;
  readonly node: DocNode;
  /** Head reference terms below the node (general rules: `p[q].r` placed at `p` has suffix [q, "r"]). */
  readonly suffix: readonly Term[];
  readonly args: readonly Term[] | undefined;
  /** The member of a multi-value rule. */
  readonly member: Term | undefined;
  readonly value: Term | undefined;
  readonly body: Body;
  readonly frameSize: number;
  readonly elseRule: CompiledRule | undefined;
  readonly loc: Location;
  /** The value (or a multi-value rule's member) is a constant (`p if …`): one solution of the body is enough. */
  readonly constantValue: boolean;
}

/** A node of the document tree below `data`: a package, a rule's path, or a step between them. */
export class DocNode {
  readonly children = new Map<string, DocNode>();
  readonly complete: CompiledRule[] = [];
  readonly multi: CompiledRule[] = [];
  readonly general: CompiledRule[] = [];
  readonly functions: CompiledRule[] = [];
  defaultRule: CompiledRule | undefined;
  isPackage = false;
  /** Set when rules are placed, before bodies compile: calls need to know which paths are functions. */
  functionArity: number | undefined;

  constructor(readonly path: readonly string[]) {}

  child(name: string): DocNode {
    let c = this.children.get(name);
    if (!c) {
      c = new DocNode([...this.path, name]);
      this.children.set(name, c);
    }
    return c;
  }

  get hasDocumentRules(): boolean {
    return this.complete.length > 0 || this.multi.length > 0 || this.general.length > 0 || this.defaultRule?.kind === "complete";
  }

  get isFunction(): boolean {
    return this.functionArity !== undefined;
  }

  find(path: readonly string[], from = 0): DocNode | undefined {
    if (from === path.length) return this;
    return this.children.get(path[from]!)?.find(path, from + 1);
  }
}

export interface CompiledQuery {
  readonly body: Body;
  readonly frameSize: number;
  /** The query's own variables, by name, for the result bindings. */
  readonly resultVars: readonly (readonly [string, number])[];
}

export interface BuiltinSignature {
  readonly arity: number | "variadic";
}

export interface CompiledProgram {
  readonly root: DocNode;
  readonly modules: readonly Module[];
  readonly packages: readonly (readonly string[])[];
  readonly builtins: ReadonlyMap<string, BuiltinSignature>;
}

export class CompileError extends Error {
  constructor(readonly problem: RegoProblem) {
    super(problem.message);
  }
}

/** Frame slots of one rule body (or query): names for messages. */
export const dataName = (path: readonly string[]): string => ["data", ...path].join(".");

