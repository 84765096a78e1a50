// A compiled Rego program, evaluated many times: documents below `data` by path, and ad-hoc queries (compiled once
// each, then cached). Every evaluation gets fresh caches of virtual documents; nothing else is rebuilt.

import { compileQuery } from "../ast/compile.js";
import type { CompiledProgram, CompiledQuery } from "../ast/tree.js";
import { RegoEvalError, RegoSyntaxError, type RegoProblem } from "../ast/errors.js";
import { parseQuery } from "../ast/parser.js";
import type { Term } from "../ast/terms.js";
import { RegoObject, type Value } from "../value.js";
import { BUILTINS } from "./builtins/index.js";
import type { Builtin } from "./builtins/types.js";
import { EvalContext, type SharedState } from "./context.js";
import { Evaluator } from "./eval.js";

export interface EvalOptions {
  input?: Value;
  data?: Value;
  strictBuiltinErrors?: boolean;
  /** Date.now() in milliseconds after which evaluation stops with eval_timeout. */
  deadline?: number;
  /** Where print() writes; print() output is dropped without it. */
  print?: (message: string) => void;
}

const EMPTY_DATA: Value = new RegoObject();

export class RegoProgram {
  private readonly evaluator: Evaluator;
  private readonly queries = new Map<string, CompiledQuery>();

  constructor(
    private readonly compiled: CompiledProgram,
    private readonly builtins: ReadonlyMap<string, Builtin> = BUILTINS,
  ) {
    this.evaluator = new Evaluator(compiled);
  }

  get packages(): readonly (readonly string[])[] {
    return this.compiled.packages;
  }

  /** The names of the rules a package defines (the first part of each rule's reference). */
  rules(packagePath: readonly string[]): readonly string[] {
    const names = new Set<string>();
    const key = packagePath.join(".");
    for (const m of this.compiled.modules) {
      if (m.packagePath.join(".") !== key) continue;
      for (const r of m.rules) names.add(String((r.ref[0] as { value: unknown }).value));
    }
    return [...names];
  }

  /** The value of data.<path>; undefined when it is undefined. Throws RegoEvalError. */
  evaluate(path: readonly string[], options: EvalOptions): Value | undefined {
    const loc = { file: "", line: 0, column: 0 };
    const ref: Term = { type: "ref", head: { type: "var", name: "data", loc }, path: path.map((p) => ({ type: "scalar", value: p, loc })), loc };
    const ctx = this.context(options);
    let result: Value | undefined;
    guardStack(() =>
      this.evaluator.evalTerm(ref, [], ctx, (v) => {
        result = v;
        return true;
      }),
    );
    return result;
  }

  /** Every solution of a query, as bindings of its variables. Throws RegoEvalError (parse and compile errors too). */
  query(query: string, options: EvalOptions): Array<Map<string, Value>> {
    let compiled = this.queries.get(query);
    if (!compiled) {
      compiled = this.compileQuery(query);
      // queries are usually a handful; a caller generating them must not grow this without bound
      if (this.queries.size >= 1000) this.queries.clear();
      this.queries.set(query, compiled);
    }
    const ctx = this.context(options);
    const frame = new Array<Value | undefined>(compiled.frameSize);
    const rows: Array<Map<string, Value>> = [];
    const vars = compiled.resultVars;
    guardStack(() =>
      this.evaluator.evalBody(compiled.body, 0, frame, ctx, () => {
        const row = new Map<string, Value>();
        for (const [name, slot] of vars) {
          const v = frame[slot];
          if (v !== undefined) row.set(name, v);
        }
        rows.push(row);
        return false;
      }),
    );
    return rows;
  }

  private compileQuery(query: string): CompiledQuery {
    try {
      return compileQuery(parseQuery(query), this.compiled);
    } catch (e) {
      if (e instanceof RegoSyntaxError) throw new RegoEvalError(e.problem);
      const problem = (e as { problem?: RegoProblem }).problem;
      if (problem) throw new RegoEvalError(problem);
      throw e;
    }
  }

  private context(options: EvalOptions): EvalContext {
    const shared: SharedState = {
      strict: options.strictBuiltinErrors ?? false,
      deadline: options.deadline,
      builtins: this.builtins,
      builtinContext: { strict: options.strictBuiltinErrors ?? false, nowNs: BigInt(Date.now()) * 1_000_000n, queryCache: new Map() },
      print: options.print,
      steps: 0,
      depth: 0,
    };
    return new EvalContext(shared, options.input, options.data ?? EMPTY_DATA, undefined, undefined);
  }
}

/** A policy nested beyond the JavaScript stack fails as an evaluation error, not as a crash of the caller. */
function guardStack(run: () => unknown): void {
  try {
    run();
  } catch (e) {
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      throw new RegoEvalError({ file: "", line: 0, column: 0, code: "eval_builtin_error", message: "evaluation nests too deeply (the call stack is exhausted)" });
    }
    throw e;
  }
}
