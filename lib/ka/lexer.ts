/**
 * Tokenizer for the Kinesis Data Analytics (KA) for SQL dialect: the input of the KA parser
 * (lib/ka/parser.ts). Comments and whitespace are skipped; every token keeps its 1-based line and
 * column so that every error names the exact place in `application.sql`.
 */

export type TokenKind = "ident" | "quoted" | "string" | "number" | "symbol" | "eof";

export interface Token {
    kind: TokenKind;
    /** ident: as written; quoted: the name between the double quotes; string: the value; symbol/number: as written. */
    text: string;
    line: number;
    col: number;
}

/** A position in the KA file, for messages. */
export interface Pos {
    line: number;
    col: number;
}

/** A KA SQL mistake or an unsupported construct, at a position of the file. */
export class KaSyntaxError extends Error {
    constructor(
        readonly pos: Pos,
        readonly detail: string,
    ) {
        super(detail);
        this.name = "KaSyntaxError";
    }
}

const SYMBOLS = ["<>", "<=", ">=", "!=", "||", "(", ")", ",", ";", ".", "*", "+", "-", "/", "=", "<", ">"];

export function tokenize(text: string): Token[] {
    const tokens: Token[] = [];
    let i = 0;
    let line = 1;
    let col = 1;
    const advance = (n: number) => {
        for (let k = 0; k < n; k++) {
            if (text[i] === "\n") {
                line++;
                col = 1;
            } else {
                col++;
            }
            i++;
        }
    };
    while (i < text.length) {
        const c = text[i];
        if (/\s/.test(c)) {
            advance(1);
            continue;
        }
        if (c === "-" && text[i + 1] === "-") {
            while (i < text.length && text[i] !== "\n") advance(1);
            continue;
        }
        if (c === "/" && text[i + 1] === "*") {
            const start = { line, col };
            const end = text.indexOf("*/", i + 2);
            if (end < 0) throw new KaSyntaxError(start, "unterminated comment");
            advance(end + 2 - i);
            continue;
        }
        const pos = { line, col };
        if (c === "'" || c === '"') {
            // Both quote styles escape themselves by doubling ('it''s', "a""b").
            let value = "";
            let j = i + 1;
            for (;;) {
                if (j >= text.length) throw new KaSyntaxError(pos, c === "'" ? "unterminated string literal" : "unterminated quoted identifier");
                if (text[j] === c) {
                    if (text[j + 1] === c) {
                        value += c;
                        j += 2;
                        continue;
                    }
                    break;
                }
                value += text[j];
                j++;
            }
            tokens.push({ kind: c === "'" ? "string" : "quoted", text: value, ...pos });
            advance(j + 1 - i);
            continue;
        }
        const number = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(text.slice(i, i + 64));
        if (number) {
            tokens.push({ kind: "number", text: number[0], ...pos });
            advance(number[0].length);
            continue;
        }
        const word = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(text.slice(i, i + 256));
        if (word) {
            tokens.push({ kind: "ident", text: word[0], ...pos });
            advance(word[0].length);
            continue;
        }
        const symbol = SYMBOLS.find((s) => text.startsWith(s, i));
        if (symbol) {
            tokens.push({ kind: "symbol", text: symbol, ...pos });
            advance(symbol.length);
            continue;
        }
        throw new KaSyntaxError(pos, `unexpected character '${c}'`);
    }
    tokens.push({ kind: "eof", text: "", line, col });
    return tokens;
}
