// Rego's grammar (OPA's ast/parser.go) for both syntaxes. v1: `if` before every body, `contains` for multi-value
// rules, and `in`, `every`, `if`, `contains` always keywords. v0: a body may follow the head directly, `p[x] { }` is
// a partial set, and the four keywords exist only once imported (`future.keywords`, `future.keywords.in`, `rego.v1`).
//
// Operator precedence, loosest first: `in`, comparison (== != < <= > >=), `|`, `&`, `+ -`, `* / %`. Infix operators
// become calls of their builtins (`equal`, `plus`, `internal.member_2`, …), as in OPA.

import { RegoSyntaxError, type Location } from "./errors.js";
import { annotationsBefore, commentsByLine } from "./annotations.js";
import { tokenize, type Comment, type Token } from "./lexer.js";
import type { Body, CallTerm, Expr, Import, Module, Rule, Term, VarTerm, WithModifier } from "./terms.js";
import { exactInteger, LiteralNumber, normalizeNumber } from "../value.js";

export type RegoVersion = "v0" | "v1";

const FUTURE_KEYWORDS = ["if", "contains", "in", "every"] as const;
type FutureKeyword = (typeof FUTURE_KEYWORDS)[number];

const INFIX: Record<string, string> = {
  "==": "equal",
  "!=": "neq",
  "<": "lt",
  "<=": "lte",
  ">": "gt",
  ">=": "gte",
  "|": "or",
  "&": "and",
  "+": "plus",
  "-": "minus",
  "*": "mul",
  "/": "div",
  "%": "rem",
};

export function parseModule(file: string, text: string, version: RegoVersion): Module {
  const comments: Comment[] = [];
  const tokens = tokenize(text, file, 1, 1, comments);
  return new Parser(file, tokens, version, commentsByLine(comments)).module();
}

/** A query (`data.test.p = x`), with all v1 keywords. */
export function parseQuery(text: string, file = "query"): Body {
  const parser = new Parser(file, tokenize(text, file), "v1");
  return parser.query();
}

class Parser {
  private pos = 0;
  private readonly keywords = new Set<FutureKeyword>();
  private tok: Token;

  constructor(
    private readonly file: string,
    private readonly tokens: Token[],
    private version: RegoVersion,
    private readonly comments: ReadonlyMap<number, string> = new Map(),
  ) {
    this.tok = tokens[0]!;
    if (version === "v1") for (const k of FUTURE_KEYWORDS) this.keywords.add(k);
  }

  // ---- token helpers

  private next(): Token {
    const t = this.tok;
    if (this.pos < this.tokens.length - 1) this.pos++;
    this.tok = this.tokens[this.pos]!;
    return t;
  }

  private seek(pos: number): void {
    this.pos = pos;
    this.tok = this.tokens[pos]!;
  }

  private peek(n = 1): Token {
    return this.tokens[Math.min(this.pos + n, this.tokens.length - 1)]!;
  }

  private loc(t: Token = this.tok): Location {
    return { file: this.file, line: t.line, column: t.column };
  }

  private fail(message: string, t: Token = this.tok): never {
    throw new RegoSyntaxError(this.file, t.line, t.column, message);
  }

  private describe(t: Token): string {
    if (t.kind === "eof") return "unexpected eof token";
    if (t.kind === "ident") return `unexpected ident token`;
    if (t.kind === "string" || t.kind === "template") return `unexpected string token`;
    if (t.kind === "number") return `unexpected number token`;
    return `unexpected ${t.text} token`;
  }

  private isOp(text: string, t: Token = this.tok): boolean {
    return t.kind === "op" && t.text === text;
  }

  private expectOp(text: string): Token {
    if (!this.isOp(text)) this.fail(`${this.describe(this.tok)}: expected ${text}`);
    return this.next();
  }

  /** An identifier used as a keyword: not when a `.` follows right away (`if.foo`, `data.x.in` are references). */
  private isKeyword(word: string, t: Token = this.tok, index = this.pos): boolean {
    if (t.kind !== "ident" || t.text !== word) return false;
    const after = this.tokens[index + 1];
    if (after && after.kind === "op" && after.text === "." && !after.spaceBefore) return false;
    if ((FUTURE_KEYWORDS as readonly string[]).includes(word)) return this.keywords.has(word as FutureKeyword);
    return true;
  }

  private reserved(word: string): boolean {
    return ["package", "import", "as", "default", "else", "not", "with", "some", "true", "false", "null"].includes(word) ||
      ((FUTURE_KEYWORDS as readonly string[]).includes(word) && this.keywords.has(word as FutureKeyword));
  }

  private annotations(at: Token, scope: "rule" | "package"): ReturnType<typeof annotationsBefore> {
    try {
      return annotationsBefore(this.comments, at.line, scope);
    } catch (e) {
      return this.fail(`invalid METADATA block: ${(e as Error).message.split("\n")[0]}`, at);
    }
  }

  // ---- module

  module(): Module {
    const start = this.tok;
    if (!this.isKeyword("package")) this.fail("package expected");
    this.next();
    const packagePath = this.packagePath();
    const imports: Import[] = [];
    while (this.isKeyword("import")) imports.push(this.importDecl());
    const rules: Rule[] = [];
    while (this.tok.kind !== "eof") {
      if (this.isKeyword("import")) this.fail("unexpected import token: imports must come before rules");
      if (this.isKeyword("package")) this.fail("unexpected package token: one package per module");
      rules.push(...this.rule());
    }
    const packageAnnotations = this.annotations(start, "package");
    return { file: this.file, packagePath, imports, rules, regoVersion: this.version, loc: this.loc(start), ...(packageAnnotations ? { packageAnnotations } : {}) };
  }

  /** A dotted path of names (`a.b["c"]`), as `package` and `import` write it. */
  private packagePath(): string[] {
    const path: string[] = [];
    if (this.tok.kind !== "ident") this.fail(`${this.describe(this.tok)}: expected package path`);
    path.push(this.next().text);
    while (true) {
      if (this.isOp(".") && !this.tok.spaceBefore) {
        this.next();
        if (this.tok.kind !== "ident") this.fail(`${this.describe(this.tok)}: expected ident`);
        path.push(this.next().text);
      } else if (this.isOp("[") && !this.tok.spaceBefore) {
        this.next();
        const key = this.next();
        if (key.kind !== "string") this.fail(`${this.describe(key)}: expected string`, key);
        path.push(key.text);
        this.expectOp("]");
      } else return path;
    }
  }

  private importDecl(): Import {
    const start = this.next();
    const path = this.packagePath();
    let alias: string | undefined;
    if (this.isKeyword("as")) {
      this.next();
      if (this.tok.kind !== "ident") this.fail(`${this.describe(this.tok)}: expected alias`);
      alias = this.next().text;
    }
    const root = path[0]!;
    if (root === "future") {
      if (path[1] !== "keywords" || path.length > 3) this.fail(`invalid import ${path.join(".")}, must be future.keywords or future.keywords.<keyword>`, start);
      if (path.length === 2) for (const k of FUTURE_KEYWORDS) this.keywords.add(k);
      else {
        const k = path[2] as FutureKeyword;
        if (!FUTURE_KEYWORDS.includes(k)) this.fail(`unexpected keyword, must be one of [contains every if in]`, start);
        this.keywords.add(k);
        if (k === "every") this.keywords.add("in");
      }
    } else if (root === "rego") {
      if (path.length !== 2 || path[1] !== "v1") this.fail(`invalid import ${path.join(".")}, must be rego.v1`, start);
      this.version = "v1";
      for (const k of FUTURE_KEYWORDS) this.keywords.add(k);
    } else if (root !== "data" && root !== "input") {
      this.fail(`invalid import ${path.join(".")}: path must begin with input or data`, start);
    }
    return { path, alias, loc: this.loc(start) };
  }

  // ---- rules

  private rule(): Rule[] {
    const start = this.tok;
    const annotations = this.annotations(start, "rule");
    return this.ruleWithoutAnnotations(start).map((r) => (annotations ? { ...r, annotations } : r));
  }

  private ruleWithoutAnnotations(start: Token): Rule[] {
    let isDefault = false;
    if (this.isKeyword("default")) {
      this.next();
      isDefault = true;
    }
    const ref = this.headRef();
    let args: Term[] | undefined;
    if (this.isOp("(") && !this.tok.spaceBefore) {
      this.next();
      args = this.termList(")");
    }
    let member: Term | undefined;
    let value: Term | undefined;
    let assign = false;
    if (this.isKeyword("contains")) {
      if (isDefault) this.fail("default rules must have a value", start);
      this.next();
      member = this.termIn();
    } else if (this.isOp("=") || this.isOp(":=")) {
      assign = this.next().text === ":=";
      value = this.termIn();
    }
    if (isDefault) {
      if (value === undefined) this.fail("default rules must have a value assigned", start);
      if (!this.tok.newlineBefore && this.tok.kind !== "eof" && !this.isOp(";")) this.fail(`${this.describe(this.tok)}: default rules have no body`);
      return [{ ref, args, member: undefined, value, body: [], isDefault: true, elseRule: undefined, loc: this.loc(start), assign }];
    }
    const body = this.ruleBody(start, true);
    if (value === undefined && member === undefined && body === undefined) {
      if (!this.tok.newlineBefore) this.fail(this.describe(this.tok));
      this.fail(`rule must have a value or a body`, start);
    }
    if (member === undefined && value === undefined) {
      if (this.version === "v0" && ref.length === 2 && args === undefined) {
        // v0 partial set: p[x] { ... }
        member = ref.pop();
      } else value = { type: "scalar", value: true, loc: this.loc(start) };
    }
    const elseRule = this.elseChain(start);
    if (elseRule && (member !== undefined)) this.fail("else keyword cannot be used on multi-value rules", start);
    return [{ ref, args, member, value, body: body ?? [], isDefault: false, elseRule, loc: this.loc(start), assign }];
  }

  /** The rule's name and reference: `p`, `a.b.c`, `p[x]`, `foo["bar"]`; keywords may appear after a dot. */
  private headRef(): Term[] {
    const t = this.tok;
    if (t.kind !== "ident") this.fail(`${this.describe(t)}`);
    const following = this.peek();
    const keywordLike = this.reserved(t.text) && !(following.kind === "op" && following.text === "." && !following.spaceBefore);
    if (keywordLike) this.fail(`unexpected ${t.text} keyword`);
    this.next();
    const ref: Term[] = [{ type: "scalar", value: t.text, loc: this.loc(t) }];
    while (true) {
      if (this.isOp(".") && !this.tok.spaceBefore) {
        this.next();
        const name = this.tok;
        if (name.kind !== "ident") this.fail(`${this.describe(name)}: expected ident`);
        this.next();
        ref.push({ type: "scalar", value: name.text, loc: this.loc(name) });
      } else if (this.isOp("[") && !this.tok.spaceBefore) {
        this.next();
        ref.push(this.termIn());
        this.expectOp("]");
      } else return ref;
    }
  }

  /** `if { … }`, `if literal`, or (v0) `{ … }`; undefined when the rule has no body. */
  private ruleBody(start: Token, allowBrace: boolean): Body | undefined {
    if (this.isKeyword("if")) {
      this.next();
      if (this.isOp("{") && !this.isOp("}", this.peek())) {
        const saved = this.pos;
        try {
          return this.braceBody();
        } catch (e) {
          // `if {x: i | …}`: a single expression that starts with a brace
          if (!(e instanceof RegoSyntaxError)) throw e;
          this.seek(saved);
          try {
            return [this.literal()];
          } catch {
            throw e;
          }
        }
      }
      if (this.isOp("{")) return this.braceBody();
      return [this.literal()];
    }
    if (allowBrace && this.isOp("{") && !this.tok.newlineBefore) {
      if (this.version === "v1") this.fail("`if` keyword is required before rule body", start);
      return this.braceBody();
    }
    if (this.isOp("{") && this.version === "v0") return this.braceBody();
    return undefined;
  }

  private elseChain(start: Token): Rule | undefined {
    if (!this.isKeyword("else")) return undefined;
    const elseTok = this.next();
    let value: Term | undefined;
    let assign = false;
    if (this.isOp("=") || this.isOp(":=")) {
      assign = this.next().text === ":=";
      value = this.termIn();
    }
    const body = this.ruleBody(start, true);
    const elseRule = this.elseChain(start);
    return {
      ref: [],
      args: undefined,
      member: undefined,
      value: value ?? { type: "scalar", value: true, loc: this.loc(elseTok) },
      body: body ?? [],
      isDefault: false,
      elseRule,
      loc: this.loc(elseTok),
      assign,
    };
  }

  // ---- bodies and literals

  private braceBody(): Body {
    const open = this.expectOp("{");
    const body = this.literals("}");
    if (body.length === 0) this.fail("found empty body", open);
    this.expectOp("}");
    return body;
  }

  query(): Body {
    const body = this.literals("eof");
    if (this.tok.kind !== "eof") this.fail(this.describe(this.tok));
    if (body.length === 0) this.fail("empty query");
    return body;
  }

  /** Literals separated by `;` or newlines, up to a closing token (not consumed). */
  private literals(close: "}" | "]" | "eof"): Body {
    const body: Body = [];
    const atClose = (): boolean => (close === "eof" ? this.tok.kind === "eof" : this.isOp(close));
    while (!atClose()) {
      if (this.isOp(";")) {
        this.next();
        continue;
      }
      if (body.length > 0 && !this.tok.newlineBefore && !this.isOp(";", this.tokens[this.pos - 1])) this.fail(this.describe(this.tok));
      body.push(this.literal());
    }
    return body;
  }

  private literal(): Expr {
    const start = this.tok;
    let expr: Expr;
    if (this.isKeyword("some")) expr = this.someDecl();
    else if (this.isKeyword("every")) expr = this.everyExpr();
    else if (this.isKeyword("not")) {
      this.next();
      const inner = this.expr();
      expr = { kind: "not", expr: inner, with: [], loc: this.loc(start) };
    } else expr = this.expr();
    while (this.isKeyword("with")) expr.with.push(this.withModifier());
    return expr;
  }

  private withModifier(): WithModifier {
    const start = this.next();
    const target = this.termRelation(false);
    if (!this.isKeyword("as")) this.fail(`${this.describe(this.tok)}: expected as`);
    this.next();
    const value = this.termIn();
    return { target, value, loc: this.loc(start) };
  }

  private someDecl(): Expr {
    const start = this.next();
    const terms: Term[] = [this.termRelation(false)];
    while (this.isOp(",")) {
      this.next();
      terms.push(this.termRelation(false));
    }
    if (this.isKeyword("in")) {
      this.next();
      if (terms.length > 2) this.fail("unexpected , token: expected in", start);
      const collection = this.termRelation(false);
      const [key, value] = terms.length === 2 ? [terms[0], terms[1]!] : [undefined, terms[0]!];
      return { kind: "somein", key, value, collection, with: [], loc: this.loc(start) };
    }
    // `some x in xs` parsed as one term when `in` is not a keyword here
    if (terms.length === 1 && terms[0]!.type === "call" && terms[0]!.operator.join(".") === "internal.member_2") {
      const [value, collection] = terms[0]!.args as [Term, Term];
      return { kind: "somein", key: undefined, value, collection, with: [], loc: this.loc(start) };
    }
    const vars: VarTerm[] = [];
    for (const t of terms) {
      if (t.type !== "var") this.fail(`expected var but got ${t.type}`, start);
      vars.push(t);
    }
    return { kind: "some", vars, with: [], loc: this.loc(start) };
  }

  private everyExpr(): Expr {
    const start = this.next();
    const first = this.termRelation(false);
    let key: Term | undefined;
    let value = first;
    if (this.isOp(",")) {
      this.next();
      key = first;
      value = this.termRelation(false);
    }
    if (!this.isKeyword("in")) this.fail(`${this.describe(this.tok)}: expected in`);
    this.next();
    const collection = this.termRelation(false);
    if (!this.isOp("{")) this.fail(`${this.describe(this.tok)}: expected { after every domain`);
    const body = this.braceBody();
    return { kind: "every", key, value, collection, body, with: [], loc: this.loc(start) };
  }

  private expr(): Expr {
    const start = this.tok;
    const left = this.termIn(false, true);
    if (this.isOp("=") || this.isOp(":=")) {
      const assign = this.next().text === ":=";
      const right = this.termIn();
      return { kind: "unify", left, right, assign, with: [], loc: this.loc(start) };
    }
    return { kind: "term", term: left, with: [], loc: this.loc(start) };
  }

  // ---- terms, by precedence

  /** `keyValue`: at the top of an expression and in parentheses, `k, v in xs` is internal.member_3. */
  termIn(noOr = false, keyValue = false): Term {
    let left = this.termRelation(noOr);
    if (keyValue && this.isOp(",") && this.keywords.has("in")) {
      const saved = this.pos;
      const comma = this.next();
      try {
        const value = this.termRelation(noOr);
        if (this.isKeyword("in")) {
          this.next();
          left = this.call(["internal", "member_3"], [left, value, this.termRelation(noOr)], comma);
        } else this.seek(saved);
      } catch (e) {
        if (!(e instanceof RegoSyntaxError)) throw e;
        this.seek(saved);
      }
    }
    while (this.isKeyword("in")) {
      const op = this.next();
      const right = this.termRelation(noOr);
      left = this.call(["internal", "member_2"], [left, right], op);
    }
    return left;
  }

  private termRelation(noOr: boolean): Term {
    let left = this.termOr(noOr);
    while (this.tok.kind === "op" && ["==", "!=", "<", "<=", ">", ">="].includes(this.tok.text)) {
      const op = this.next();
      left = this.call([INFIX[op.text]!], [left, this.termOr(noOr)], op);
    }
    return left;
  }

  private termOr(noOr: boolean): Term {
    let left = this.termAnd();
    while (!noOr && this.isOp("|")) {
      const op = this.next();
      left = this.call(["or"], [left, this.termAnd()], op);
    }
    return left;
  }

  private termAnd(): Term {
    let left = this.termArith();
    while (this.isOp("&")) {
      const op = this.next();
      left = this.call(["and"], [left, this.termArith()], op);
    }
    return left;
  }

  private termArith(): Term {
    let left = this.termFactor();
    while ((this.isOp("+") || this.isOp("-")) && !this.tok.newlineBefore) {
      const op = this.next();
      left = this.call([INFIX[op.text]!], [left, this.termFactor()], op);
    }
    return left;
  }

  private termFactor(): Term {
    let left = this.unary();
    while (this.isOp("*") || this.isOp("/") || this.isOp("%")) {
      const op = this.next();
      left = this.call([INFIX[op.text]!], [left, this.unary()], op);
    }
    return left;
  }

  private unary(): Term {
    if (this.isOp("-")) {
      const op = this.next();
      if (this.tok.kind === "number" && !this.tok.spaceBefore) {
        const n = this.number(this.next());
        return { type: "scalar", value: typeof n === "bigint" ? normalizeNumber(-n) : -n, loc: this.loc(op) };
      }
      const operand = this.unary();
      return this.call(["minus"], [{ type: "scalar", value: 0, loc: this.loc(op) }, operand], op);
    }
    return this.postfix(this.primary());
  }

  private call(operator: string[], args: Term[], at: Token): CallTerm {
    return { type: "call", operator, args, loc: this.loc(at) };
  }

  /** References and calls after a term: `.name`, `[term]`, `(args)`, with no space before. */
  private postfix(term: Term): Term {
    while (!this.tok.spaceBefore) {
      if (this.isOp(".")) {
        this.next();
        const name = this.tok;
        if (name.kind !== "ident") this.fail(`${this.describe(name)}: expected ident`);
        this.next();
        term = this.appendRef(term, { type: "scalar", value: name.text, loc: this.loc(name) });
      } else if (this.isOp("[")) {
        this.next();
        const key = this.termIn();
        this.expectOp("]");
        term = this.appendRef(term, key);
      } else if (this.isOp("(")) {
        const open = this.next();
        const operator = this.operatorName(term, open);
        const args = this.termList(")");
        // set() is the empty set's literal
        term = operator.length === 1 && operator[0] === "set" && args.length === 0 ? { type: "set", items: [], loc: term.loc } : { ...this.call(operator, args, open), loc: term.loc };
      } else break;
    }
    return term;
  }

  private appendRef(term: Term, key: Term): Term {
    if (term.type === "ref") return { type: "ref", head: term.head, path: [...term.path, key], loc: term.loc };
    return { type: "ref", head: term, path: [key], loc: term.loc };
  }

  private operatorName(term: Term, at: Token): string[] {
    if (term.type === "var") return [term.name];
    if (term.type === "ref" && term.head.type === "var" && term.path.every((p) => p.type === "scalar" && typeof p.value === "string")) {
      return [term.head.name, ...term.path.map((p) => (p as { value: string }).value)];
    }
    return this.fail("invalid function name", at);
  }

  /** Terms up to a closing token, commas between, a trailing comma allowed; consumes the closing token. */
  private termList(close: string): Term[] {
    const terms: Term[] = [];
    while (!this.isOp(close)) {
      terms.push(this.termIn());
      if (this.isOp(",")) this.next();
      else if (!this.isOp(close)) this.fail(`${this.describe(this.tok)}: expected ${close}`);
    }
    this.next();
    return terms;
  }

  private number(t: Token): number | bigint | LiteralNumber {
    if (/^\d+$/.test(t.text)) return normalizeNumber(BigInt(t.text));
    const n = Number(t.text);
    if (Number.isFinite(n)) return n;
    const exact = exactInteger(t.text);
    if (exact === undefined) this.fail("number out of range", t);
    return new LiteralNumber(t.text, exact);
  }

  private primary(): Term {
    const t = this.tok;
    const loc = this.loc(t);
    switch (t.kind) {
      case "number":
        this.next();
        return { type: "scalar", value: this.number(t), loc };
      case "string":
        this.next();
        return { type: "scalar", value: t.text, loc };
      case "template":
        this.next();
        return this.template(t);
      case "ident": {
        const following = this.peek();
        const dotted = following.kind === "op" && (following.text === "." || following.text === "(") && !following.spaceBefore;
        if (!dotted) {
          if (t.text === "true" || t.text === "false") {
            this.next();
            return { type: "scalar", value: t.text === "true", loc };
          }
          if (t.text === "null") {
            this.next();
            return { type: "scalar", value: null, loc };
          }
          if (this.reserved(t.text)) this.fail(`unexpected ${t.text} keyword`);
        }
        this.next();
        return { type: "var", name: t.text, loc };
      }
      case "op":
        if (t.text === "(") {
          this.next();
          const inner = this.termIn(false, true);
          this.expectOp(")");
          return inner;
        }
        if (t.text === "[") return this.arrayOrComprehension();
        if (t.text === "{") return this.braceTerm();
        break;
    }
    return this.fail(this.describe(t));
  }

  private arrayOrComprehension(): Term {
    const open = this.next();
    const loc = this.loc(open);
    if (this.isOp("]")) {
      this.next();
      return { type: "array", items: [], loc };
    }
    const first = this.termIn(true);
    if (this.isOp("|")) {
      this.next();
      const body = this.literals("]");
      this.expectOp("]");
      return { type: "arraycompr", term: first, body, loc };
    }
    const items = [first];
    while (this.isOp(",")) {
      this.next();
      if (this.isOp("]")) break;
      items.push(this.termIn());
    }
    this.expectOp("]");
    return { type: "array", items, loc };
  }

  private braceTerm(): Term {
    const open = this.next();
    const loc = this.loc(open);
    if (this.isOp("}")) {
      this.next();
      return { type: "object", entries: [], loc };
    }
    const first = this.termIn(true);
    if (this.isOp(":")) {
      this.next();
      const firstValue = this.termIn(true);
      if (this.isOp("|")) {
        this.next();
        const body = this.literals("}");
        this.expectOp("}");
        return { type: "objectcompr", key: first, value: firstValue, body, loc };
      }
      const entries: [Term, Term][] = [[first, firstValue]];
      while (this.isOp(",")) {
        this.next();
        if (this.isOp("}")) break;
        const key = this.termIn();
        this.expectOp(":");
        entries.push([key, this.termIn()]);
      }
      this.expectOp("}");
      return { type: "object", entries, loc };
    }
    if (this.isOp("|")) {
      this.next();
      const body = this.literals("}");
      this.expectOp("}");
      return { type: "setcompr", term: first, body, loc };
    }
    const items = [first];
    while (this.isOp(",")) {
      this.next();
      if (this.isOp("}")) break;
      items.push(this.termIn());
    }
    this.expectOp("}");
    return { type: "set", items, loc };
  }

  private template(t: Token): Term {
    const parts: (string | Term)[] = [];
    for (const part of t.parts ?? []) {
      if (part.text !== undefined) {
        parts.push(part.text);
        continue;
      }
      const tokens = tokenize(part.expr ?? "", this.file, part.line, part.column);
      const inner = new Parser(this.file, tokens, "v1");
      if (tokens.length === 1) this.fail("empty template expression", t);
      const term = inner.termIn();
      const withs: WithModifier[] = [];
      while (inner.isKeyword("with")) withs.push(inner.withModifier());
      if (inner.tok.kind !== "eof") inner.fail(inner.describe(inner.tok));
      parts.push(withs.length ? { type: "with", term, with: withs, loc: term.loc } : term);
    }
    return { type: "template", parts, loc: this.loc(t) };
  }
}
