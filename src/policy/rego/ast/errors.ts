// Problems found while parsing, compiling or evaluating Rego, with OPA's error codes and the place they point at.

export type RegoErrorCode =
  | "rego_parse_error"
  | "rego_compile_error"
  | "rego_type_error"
  | "rego_recursion_error"
  | "rego_unsafe_var_error"
  | "eval_conflict_error"
  | "eval_type_error"
  | "eval_builtin_error"
  | "eval_timeout";

export interface RegoProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  readonly code: RegoErrorCode;
}

export interface Location {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** A parse error: thrown by the lexer and parser, turned into a RegoProblem by the compiler. */
export class RegoSyntaxError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    message: string,
  ) {
    super(message);
    this.name = "RegoSyntaxError";
  }

  get problem(): RegoProblem {
    return { file: this.file, line: this.line, column: this.column, message: this.message, code: "rego_parse_error" };
  }
}

/** An error raised while evaluating: conflicts, strict builtin errors, timeouts. */
export class RegoEvalError extends Error {
  readonly problem: RegoProblem;

  constructor(problem: RegoProblem) {
    super(`${problem.code}: ${problem.message}`);
    this.name = "RegoEvalError";
    this.problem = problem;
  }
}

export function problemAt(loc: Location | undefined, code: RegoErrorCode, message: string): RegoProblem {
  return { file: loc?.file ?? "", line: loc?.line ?? 0, column: loc?.column ?? 0, message, code };
}
