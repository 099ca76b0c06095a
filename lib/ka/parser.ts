/**
 * Recursive-descent parser for the KA for SQL subset that applications used: CREATE [OR REPLACE]
 * STREAM, CREATE [OR REPLACE] PUMP ... AS INSERT INTO ... SELECT STREAM ..., and the expressions,
 * windows and functions of their queries. It builds an AST (no SQL text is matched by patterns);
 * lib/ka/translate.ts turns the AST into Flink SQL. Constructs it does not know fail here, with
 * their position.
 */
import { KaSyntaxError, Pos, Token, tokenize } from "./lexer";

/** An identifier: unquoted ones are upper-cased (KA folds them), double-quoted ones kept as written. */
export interface Ident {
    name: string;
    quoted: boolean;
    pos: Pos;
}

export interface TypeSpec {
    /** Upper-case base name, e.g. VARCHAR, INTEGER, DECIMAL, TIMESTAMP. */
    name: string;
    args: number[];
    pos: Pos;
}

export interface WindowSpec {
    partitionBy: Expr[];
    /** RANGE INTERVAL ... PRECEDING, or ROWS n PRECEDING. */
    frame: { kind: "range"; interval: IntervalLit } | { kind: "rows"; count: string };
    pos: Pos;
}

export interface IntervalLit {
    k: "interval";
    value: string;
    unit: string;
    pos: Pos;
}

export type Expr =
    | { k: "num"; text: string; pos: Pos }
    | { k: "str"; value: string; pos: Pos }
    | IntervalLit
    | { k: "typed"; type: "TIMESTAMP" | "DATE" | "TIME"; value: string; pos: Pos }
    | { k: "bool"; value: boolean; pos: Pos }
    | { k: "null"; pos: Pos }
    | { k: "id"; parts: Ident[]; pos: Pos }
    | { k: "star"; pos: Pos }
    | {
          k: "call";
          name: string;
          args: Expr[];
          distinct: boolean;
          star: boolean;
          over?: { name?: Ident; spec?: WindowSpec };
          pos: Pos;
      }
    | { k: "cast"; e: Expr; type: TypeSpec; pos: Pos }
    | { k: "case"; operand?: Expr; whens: [Expr, Expr][]; otherwise?: Expr; pos: Pos }
    | { k: "bin"; op: string; l: Expr; r: Expr; pos: Pos }
    | { k: "unary"; op: "-" | "NOT"; e: Expr; pos: Pos }
    | { k: "isnull"; e: Expr; not: boolean; pos: Pos }
    | { k: "like"; e: Expr; pattern: Expr; not: boolean; pos: Pos }
    | { k: "between"; e: Expr; lo: Expr; hi: Expr; not: boolean; pos: Pos }
    | { k: "in"; e: Expr; list: Expr[]; not: boolean; pos: Pos }
    | { k: "floor"; fn: "FLOOR" | "CEIL"; e: Expr; unit?: string; pos: Pos }
    | { k: "step"; e: Expr; by: Expr; pos: Pos }
    | { k: "substring"; e: Expr; from: Expr; len?: Expr; pos: Pos }
    | { k: "position"; needle: Expr; hay: Expr; pos: Pos }
    | { k: "paren"; e: Expr; pos: Pos }
    | { k: "cursor"; query: Select; pos: Pos };

export interface SelectItem {
    e: Expr;
    alias?: Ident;
}

export type FromItem =
    | { k: "stream"; name: Ident; alias?: Ident; pos: Pos }
    | { k: "tablefn"; call: Extract<Expr, { k: "call" }>; alias?: Ident; pos: Pos }
    | { k: "subquery"; query: Select; alias?: Ident; pos: Pos };

export interface Select {
    distinct: boolean;
    items: SelectItem[];
    from: FromItem;
    where?: Expr;
    groupBy: Expr[];
    having?: Expr;
    stagger?: { partitionBy: Expr[]; range: IntervalLit; pos: Pos };
    windows: { name: Ident; spec: WindowSpec }[];
    pos: Pos;
}

export interface StreamColumn {
    name: Ident;
    type: TypeSpec;
}

export type Statement =
    { k: "stream"; name: Ident; columns: StreamColumn[]; pos: Pos } | { k: "pump"; name: Ident; target: Ident; columns?: Ident[]; query: Select; pos: Pos };

const TIME_UNITS = ["YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND", "MILLISECOND", "WEEK", "QUARTER"];

/** Words that end an expression or a clause: never an implicit alias. */
const RESERVED = new Set(
    (
        "SELECT FROM WHERE GROUP BY HAVING WINDOW WINDOWED ORDER UNION JOIN LEFT RIGHT INNER OUTER FULL CROSS ON AS AND OR NOT " +
        "IS NULL LIKE BETWEEN IN CASE WHEN THEN ELSE END OVER PARTITION RANGE ROWS PRECEDING CREATE PUMP STREAM INSERT INTO " +
        "LIMIT TO DISTINCT ALL"
    ).split(" "),
);

class Parser {
    private i = 0;
    constructor(private readonly tokens: Token[]) {}

    /** The current token (a method, so that TypeScript does not narrow it across calls that advance). */
    private get t(): Token {
        return this.current();
    }
    private current(): Token {
        return this.tokens[this.i];
    }
    private peek(n = 1): Token {
        return this.tokens[Math.min(this.i + n, this.tokens.length - 1)];
    }
    private pos(t: Token = this.t): Pos {
        return { line: t.line, col: t.col };
    }
    private isWord(word: string, t: Token = this.t): boolean {
        return t.kind === "ident" && t.text.toUpperCase() === word;
    }
    private isSym(s: string, t: Token = this.t): boolean {
        return t.kind === "symbol" && t.text === s;
    }
    private acceptWord(word: string): boolean {
        if (!this.isWord(word)) return false;
        this.i++;
        return true;
    }
    private acceptSym(s: string): boolean {
        if (!this.isSym(s)) return false;
        this.i++;
        return true;
    }
    private describe(t: Token): string {
        if (t.kind === "eof") return "the end of the file";
        if (t.kind === "string") return `'${t.text}'`;
        if (t.kind === "quoted") return `"${t.text}"`;
        return `'${t.text}'`;
    }
    fail(expected: string): never {
        throw new KaSyntaxError(this.pos(), `KA SQL syntax error: expected ${expected}, found ${this.describe(this.t)}`);
    }
    private expectWord(word: string): void {
        if (!this.acceptWord(word)) this.fail(word);
    }
    private expectSym(s: string): void {
        if (!this.acceptSym(s)) this.fail(`'${s}'`);
    }

    ident(what = "a name"): Ident {
        const t = this.t;
        if (t.kind === "quoted") {
            this.i++;
            return { name: t.text, quoted: true, pos: this.pos(t) };
        }
        if (t.kind === "ident" && !RESERVED.has(t.text.toUpperCase())) {
            this.i++;
            return { name: t.text.toUpperCase(), quoted: false, pos: this.pos(t) };
        }
        return this.fail(what);
    }

    statements(): Statement[] {
        const out: Statement[] = [];
        while (this.t.kind !== "eof") {
            if (this.acceptSym(";")) continue;
            out.push(this.statement());
            if (this.current().kind !== "eof") this.expectSym(";");
        }
        return out;
    }

    private statement(): Statement {
        const start = this.pos();
        if (!this.isWord("CREATE")) {
            throw new KaSyntaxError(
                start,
                `the statement ${this.describe(this.t)} is not supported: write CREATE [OR REPLACE] STREAM or CREATE [OR REPLACE] PUMP`,
            );
        }
        this.i++;
        if (this.acceptWord("OR")) this.expectWord("REPLACE");
        if (this.acceptWord("STREAM")) {
            const name = this.ident("a stream name");
            this.expectSym("(");
            const columns: StreamColumn[] = [];
            do {
                columns.push({ name: this.ident("a column name"), type: this.typeSpec() });
            } while (this.acceptSym(","));
            this.expectSym(")");
            this.description();
            return { k: "stream", name, columns, pos: start };
        }
        if (this.acceptWord("PUMP")) {
            const name = this.ident("a pump name");
            this.description();
            this.expectWord("AS");
            this.expectWord("INSERT");
            this.expectWord("INTO");
            const target = this.ident("a stream name");
            let columns: Ident[] | undefined;
            if (this.isSym("(")) {
                this.i++;
                columns = [];
                do columns.push(this.ident("a column name"));
                while (this.acceptSym(","));
                this.expectSym(")");
            }
            const query = this.select(true);
            return { k: "pump", name, target, columns, query, pos: start };
        }
        if (this.isWord("TABLE")) {
            throw new KaSyntaxError(
                this.pos(),
                "CREATE TABLE (reference data) is not supported: keep the reference data in S3 or Redshift and join it to the lake's outputs in Athena or Redshift Spectrum",
            );
        }
        throw new KaSyntaxError(
            this.pos(),
            `CREATE ${this.t.text.toUpperCase()} is not supported: write CREATE [OR REPLACE] STREAM or CREATE [OR REPLACE] PUMP`,
        );
    }

    /** KA allows `DESCRIPTION '...'` on streams and pumps; it has no effect. */
    private description(): void {
        if (this.acceptWord("DESCRIPTION")) {
            if (this.t.kind !== "string") this.fail("a string");
            this.i++;
        }
    }

    typeSpec(): TypeSpec {
        const pos = this.pos();
        if (this.t.kind !== "ident") this.fail("a type");
        let name = this.t.text.toUpperCase();
        this.i++;
        if (name === "DOUBLE" && this.acceptWord("PRECISION")) name = "DOUBLE";
        if ((name === "CHARACTER" || name === "CHAR") && this.acceptWord("VARYING")) name = "VARCHAR";
        const args: number[] = [];
        if (this.acceptSym("(")) {
            do {
                if (this.current().kind !== "number") this.fail("a number");
                args.push(Number(this.t.text));
                this.i++;
            } while (this.acceptSym(","));
            this.expectSym(")");
        }
        if (name === "TIMESTAMP" && this.acceptWord("WITH")) {
            throw new KaSyntaxError(pos, "TIMESTAMP WITH TIME ZONE is not supported: use TIMESTAMP (UTC)");
        }
        return { name, args, pos };
    }

    select(stream: boolean): Select {
        const pos = this.pos();
        this.expectWord("SELECT");
        if (stream) {
            if (!this.acceptWord("STREAM")) {
                throw new KaSyntaxError(this.pos(), "KA SQL syntax error: a pump's query is SELECT STREAM ...");
            }
        } else {
            this.acceptWord("STREAM");
        }
        const distinct = this.acceptWord("DISTINCT");
        if (!distinct) this.acceptWord("ALL");
        const items: SelectItem[] = [];
        do {
            if (this.isSym("*")) {
                items.push({ e: { k: "star", pos: this.pos() } });
                this.i++;
                continue;
            }
            const e = this.expr();
            let alias: Ident | undefined;
            if (this.acceptWord("AS")) alias = this.ident("an alias");
            else if (this.t.kind === "quoted" || (this.t.kind === "ident" && !RESERVED.has(this.t.text.toUpperCase()))) alias = this.ident();
            items.push({ e, alias });
        } while (this.acceptSym(","));
        this.expectWord("FROM");
        const from = this.fromItem();
        if (this.isSym(",") || ["JOIN", "LEFT", "RIGHT", "INNER", "FULL", "CROSS"].some((w) => this.isWord(w))) {
            throw new KaSyntaxError(
                this.pos(),
                "JOIN (of reference data or of two streams) is not supported: write each stream to the lake and join the outputs in Athena or Redshift Spectrum",
            );
        }
        const q: Select = { distinct, items, from, groupBy: [], windows: [], pos };
        if (this.acceptWord("WHERE")) q.where = this.expr();
        if (this.isWord("GROUP")) {
            this.i++;
            this.expectWord("BY");
            do q.groupBy.push(this.expr());
            while (this.acceptSym(","));
        }
        if (this.acceptWord("HAVING")) q.having = this.expr();
        if (this.isWord("WINDOWED")) {
            const spos = this.pos();
            this.i++;
            this.expectWord("BY");
            this.expectWord("STAGGER");
            this.expectSym("(");
            this.expectWord("PARTITION");
            this.expectWord("BY");
            const partitionBy: Expr[] = [];
            do partitionBy.push(this.expr());
            while (this.acceptSym(","));
            this.expectWord("RANGE");
            const range = this.interval();
            this.expectSym(")");
            q.stagger = { partitionBy, range, pos: spos };
        }
        if (this.acceptWord("WINDOW")) {
            do {
                const name = this.ident("a window name");
                this.expectWord("AS");
                q.windows.push({ name, spec: this.windowSpec() });
            } while (this.acceptSym(","));
        }
        if (this.isWord("UNION")) {
            throw new KaSyntaxError(
                this.pos(),
                "UNION is not supported: write one pump per SELECT into the same stream (the pumps of a stream are combined as UNION ALL)",
            );
        }
        if (this.isWord("ORDER") || this.isWord("LIMIT")) {
            throw new KaSyntaxError(
                this.pos(),
                `${this.t.text.toUpperCase()} is not supported: a stream has no end to order or limit; sort and limit in the Athena query`,
            );
        }
        return q;
    }

    private fromItem(): FromItem {
        const pos = this.pos();
        if (this.isSym("(")) {
            this.i++;
            const query = this.select(false);
            this.expectSym(")");
            return { k: "subquery", query, alias: this.alias(), pos };
        }
        if (this.isWord("TABLE") && this.isSym("(", this.peek())) {
            this.i += 2;
            const call = this.expr();
            if (call.k !== "call") this.fail("a table function call");
            this.expectSym(")");
            return { k: "tablefn", call, alias: this.alias(), pos };
        }
        const name = this.ident("a stream name");
        return { k: "stream", name, alias: this.alias(), pos };
    }

    private alias(): Ident | undefined {
        if (this.acceptWord("AS")) return this.ident("an alias");
        if (this.t.kind === "quoted" || (this.t.kind === "ident" && !RESERVED.has(this.t.text.toUpperCase()) && !this.isWord("WINDOWED"))) {
            return this.ident();
        }
        return undefined;
    }

    private windowSpec(): WindowSpec {
        const pos = this.pos();
        this.expectSym("(");
        const partitionBy: Expr[] = [];
        if (this.acceptWord("PARTITION")) {
            this.expectWord("BY");
            do partitionBy.push(this.expr());
            while (this.acceptSym(","));
        }
        if (this.isWord("ORDER")) {
            throw new KaSyntaxError(this.pos(), "ORDER BY in a window is not supported: remove it (KA and the translation order windows by ROWTIME)");
        }
        let frame: WindowSpec["frame"];
        if (this.acceptWord("RANGE")) {
            const between = this.acceptWord("BETWEEN");
            frame = { kind: "range", interval: this.interval() };
            this.expectWord("PRECEDING");
            if (between) {
                this.expectWord("AND");
                this.expectWord("CURRENT");
                this.expectWord("ROW");
            }
        } else if (this.acceptWord("ROWS")) {
            const between = this.acceptWord("BETWEEN");
            if (this.t.kind !== "number") this.fail("a number of rows");
            frame = { kind: "rows", count: this.t.text };
            this.i++;
            this.expectWord("PRECEDING");
            if (between) {
                this.expectWord("AND");
                this.expectWord("CURRENT");
                this.expectWord("ROW");
            }
        } else {
            return this.fail("RANGE INTERVAL ... PRECEDING or ROWS n PRECEDING");
        }
        this.expectSym(")");
        return { partitionBy, frame, pos };
    }

    private interval(): IntervalLit {
        const pos = this.pos();
        this.expectWord("INTERVAL");
        if (this.t.kind !== "string") this.fail("a quoted interval value, e.g. INTERVAL '1' MINUTE");
        const value = this.t.text.trim();
        this.i++;
        const unit = this.t.text.toUpperCase();
        if (this.current().kind !== "ident" || !TIME_UNITS.includes(unit)) this.fail("an interval unit (SECOND, MINUTE, HOUR, DAY)");
        this.i++;
        if (this.isWord("TO")) throw new KaSyntaxError(this.pos(), "a compound interval (INTERVAL '...' x TO y) is not supported: write it in one unit");
        if (!/^\d+$/.test(value)) throw new KaSyntaxError(pos, `INTERVAL '${value}' ${unit} is not supported: write a whole number of one unit`);
        return { k: "interval", value, unit, pos };
    }

    expr(): Expr {
        return this.or();
    }
    private or(): Expr {
        let l = this.and();
        while (this.isWord("OR")) {
            const pos = this.pos();
            this.i++;
            l = { k: "bin", op: "OR", l, r: this.and(), pos };
        }
        return l;
    }
    private and(): Expr {
        let l = this.not();
        while (this.isWord("AND")) {
            const pos = this.pos();
            this.i++;
            l = { k: "bin", op: "AND", l, r: this.not(), pos };
        }
        return l;
    }
    private not(): Expr {
        if (this.isWord("NOT")) {
            const pos = this.pos();
            this.i++;
            return { k: "unary", op: "NOT", e: this.not(), pos };
        }
        return this.comparison();
    }
    private comparison(): Expr {
        const l = this.additive();
        const pos = this.pos();
        if (this.t.kind === "symbol" && ["=", "<>", "!=", "<", ">", "<=", ">="].includes(this.t.text)) {
            const op = this.t.text === "!=" ? "<>" : this.t.text;
            this.i++;
            return { k: "bin", op, l, r: this.additive(), pos };
        }
        if (this.acceptWord("IS")) {
            const not = this.acceptWord("NOT");
            if (this.acceptWord("NULL")) return { k: "isnull", e: l, not, pos };
            return this.fail("NULL");
        }
        const not = this.isWord("NOT") && ["LIKE", "BETWEEN", "IN"].some((w) => this.isWord(w, this.peek()));
        if (not) this.i++;
        if (this.acceptWord("LIKE")) return { k: "like", e: l, pattern: this.additive(), not, pos };
        if (this.acceptWord("BETWEEN")) {
            const lo = this.additive();
            this.expectWord("AND");
            return { k: "between", e: l, lo, hi: this.additive(), not, pos };
        }
        if (this.acceptWord("IN")) {
            this.expectSym("(");
            const list: Expr[] = [];
            do list.push(this.expr());
            while (this.acceptSym(","));
            this.expectSym(")");
            return { k: "in", e: l, list, not, pos };
        }
        return l;
    }
    private additive(): Expr {
        let l = this.multiplicative();
        while (this.isSym("+") || this.isSym("-") || this.isSym("||")) {
            const pos = this.pos();
            const op = this.t.text;
            this.i++;
            l = { k: "bin", op, l, r: this.multiplicative(), pos };
        }
        return l;
    }
    private multiplicative(): Expr {
        let l = this.unary();
        while (this.isSym("*") || this.isSym("/")) {
            const pos = this.pos();
            const op = this.t.text;
            this.i++;
            l = { k: "bin", op, l, r: this.unary(), pos };
        }
        return l;
    }
    private unary(): Expr {
        if (this.isSym("-")) {
            const pos = this.pos();
            this.i++;
            return { k: "unary", op: "-", e: this.unary(), pos };
        }
        if (this.acceptSym("+")) return this.unary();
        return this.primary();
    }

    private primary(): Expr {
        const t = this.t;
        const pos = this.pos();
        if (t.kind === "number") {
            this.i++;
            return { k: "num", text: t.text, pos };
        }
        if (t.kind === "string") {
            this.i++;
            return { k: "str", value: t.text, pos };
        }
        if (this.isSym("(")) {
            this.i++;
            if (this.isWord("SELECT")) throw new KaSyntaxError(pos, "a scalar subquery is not supported: read the value from a stream in FROM");
            const e = this.expr();
            this.expectSym(")");
            // KA's FLOOR arithmetic writes `(ts - TIMESTAMP '...') SECOND`: an interval in one unit.
            if (this.t.kind === "ident" && TIME_UNITS.includes(this.t.text.toUpperCase()) && e.k === "bin" && e.op === "-") {
                const unit = this.t.text.toUpperCase();
                this.i++;
                return { k: "call", name: "$DIFF_IN", args: [e, { k: "str", value: unit, pos }], distinct: false, star: false, pos };
            }
            return { k: "paren", e, pos };
        }
        if (t.kind === "quoted") return this.identifierOrCall();
        if (t.kind !== "ident") return this.fail("an expression");
        const word = t.text.toUpperCase();
        switch (word) {
            case "NULL":
                this.i++;
                return { k: "null", pos };
            case "TRUE":
            case "FALSE":
                this.i++;
                return { k: "bool", value: word === "TRUE", pos };
            case "INTERVAL":
                return this.interval();
            case "TIMESTAMP":
            case "DATE":
            case "TIME":
                if (this.peek().kind === "string") {
                    this.i += 2;
                    return { k: "typed", type: word, value: this.tokens[this.i - 1].text, pos };
                }
                break;
            case "CASE":
                return this.caseExpr();
            case "CAST": {
                this.i++;
                this.expectSym("(");
                const e = this.expr();
                this.expectWord("AS");
                const type = this.typeSpec();
                this.expectSym(")");
                return { k: "cast", e, type, pos };
            }
            case "FLOOR":
            case "CEIL":
            case "CEILING":
                if (this.isSym("(", this.peek())) {
                    this.i += 2;
                    const e = this.expr();
                    let unit: string | undefined;
                    if (this.acceptWord("TO")) {
                        unit = this.t.text.toUpperCase();
                        if (!TIME_UNITS.includes(unit)) this.fail("a time unit");
                        this.i++;
                    }
                    this.expectSym(")");
                    return { k: "floor", fn: word === "FLOOR" ? "FLOOR" : "CEIL", e, unit, pos };
                }
                break;
            case "STEP":
                if (this.isSym("(", this.peek())) {
                    this.i += 2;
                    const e = this.expr();
                    this.expectWord("BY");
                    const by = this.expr();
                    this.expectSym(")");
                    return { k: "step", e, by, pos };
                }
                break;
            case "SUBSTRING":
                if (this.isSym("(", this.peek())) {
                    this.i += 2;
                    const e = this.expr();
                    let from: Expr;
                    let len: Expr | undefined;
                    if (this.acceptWord("FROM")) {
                        from = this.expr();
                        if (this.acceptWord("FOR")) len = this.expr();
                    } else {
                        this.expectSym(",");
                        from = this.expr();
                        if (this.acceptSym(",")) len = this.expr();
                    }
                    this.expectSym(")");
                    return { k: "substring", e, from, len, pos };
                }
                break;
            case "POSITION":
                if (this.isSym("(", this.peek())) {
                    this.i += 2;
                    const needle = this.additive();
                    this.expectWord("IN");
                    const hay = this.expr();
                    this.expectSym(")");
                    return { k: "position", needle, hay, pos };
                }
                break;
            case "CURSOR":
                if (this.isSym("(", this.peek())) {
                    this.i += 2;
                    const query = this.select(false);
                    this.expectSym(")");
                    return { k: "cursor", query, pos };
                }
                break;
        }
        return this.identifierOrCall();
    }

    private caseExpr(): Expr {
        const pos = this.pos();
        this.i++;
        const operand = this.isWord("WHEN") ? undefined : this.expr();
        const whens: [Expr, Expr][] = [];
        while (this.acceptWord("WHEN")) {
            const cond = this.expr();
            this.expectWord("THEN");
            whens.push([cond, this.expr()]);
        }
        if (whens.length === 0) this.fail("WHEN");
        const otherwise = this.acceptWord("ELSE") ? this.expr() : undefined;
        this.expectWord("END");
        return { k: "case", operand, whens, otherwise, pos };
    }

    private identifierOrCall(): Expr {
        const pos = this.pos();
        const first = this.t;
        if (first.kind === "ident" && this.isSym("(", this.peek())) {
            const name = first.text.toUpperCase();
            this.i += 2;
            const call: Extract<Expr, { k: "call" }> = { k: "call", name, args: [], distinct: false, star: false, pos };
            if (this.acceptSym("*")) {
                call.star = true;
            } else if (!this.isSym(")")) {
                call.distinct = this.acceptWord("DISTINCT");
                if (!call.distinct) this.acceptWord("ALL");
                do call.args.push(this.expr());
                while (this.acceptSym(","));
            }
            this.expectSym(")");
            if (this.acceptWord("OVER")) {
                call.over = this.isSym("(") ? { spec: this.windowSpec() } : { name: this.ident("a window name") };
            }
            return call;
        }
        const parts: Ident[] = [this.ident("an expression")];
        while (this.isSym(".")) {
            this.i++;
            if (this.isSym("*")) throw new KaSyntaxError(this.pos(), "<stream>.* is not supported: name the columns, or SELECT STREAM *");
            // ROWTIME after a dot is a column, even though it is an ordinary word.
            parts.push(this.ident("a column name"));
        }
        return { k: "id", parts, pos };
    }
}

/** Parses a KA application's code into statements; throws KaSyntaxError with the position. */
export function parseKaSql(text: string): Statement[] {
    return new Parser(tokenize(text)).statements();
}
