// Splits a display filter into tokens with their columns, as Wireshark's scanner does: words (field
// names and unquoted values share one token class), quoted strings with C escapes, raw strings, character
// constants, operators and punctuation. A slice's brackets are returned whole, to be parsed as ranges.
import { FilterError } from './filter-error.js';

export type TokenKind =
  | 'word'
  | 'string'
  | 'raw-string'
  | 'char'
  | 'slice'
  | 'operator'
  | '('
  | ')'
  | '{'
  | '}'
  | ','
  | '..'
  | 'end';

export interface Token {
  kind: TokenKind;
  /** For words and operators the text; for strings and characters the decoded value; for slices the text between brackets. */
  text: string;
  start: number;
  end: number;
}

/** Symbolic operators, longest first so that `===` is not read as `==` `=`. */
const OPERATORS = ['===', '!==', '==', '!=', '~=', '>=', '<=', '&&', '||', '^^', '>', '<', '~', '&', '!'];

/** Characters of a word: field names, numbers, addresses, byte strings and CIDR suffixes. */
function isWordCharacter(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) || // 0-9
    (code >= 0x41 && code <= 0x5a) || // A-Z
    (code >= 0x61 && code <= 0x7a) || // a-z
    code === 0x5f || // _
    code === 0x2e || // .
    code === 0x3a || // :
    code === 0x2d || // -
    code === 0x2f // /
  );
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\', '"': '"', "'": "'", a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
};

export class Lexer {
  private at = 0;

  constructor(private readonly text: string) {}

  /** Every token, ending with one of kind `end`. */
  tokens(): Token[] {
    const tokens: Token[] = [];
    for (;;) {
      const token = this.next();
      tokens.push(token);
      if (token.kind === 'end') return tokens;
    }
  }

  private next(): Token {
    const text = this.text;
    while (this.at < text.length && /\s/.test(text[this.at])) this.at++;
    const start = this.at;
    if (start >= text.length) return { kind: 'end', text: '', start, end: start };
    const c = text[start];
    if (c === '"') return this.quoted(start, start + 1, 'string');
    if ((c === 'r' || c === 'R') && text[start + 1] === '"') return this.raw(start);
    if (c === "'") return this.character(start);
    if (c === '[') return this.slice(start);
    if (c === '(' || c === ')' || c === '{' || c === '}' || c === ',') {
      this.at++;
      return { kind: c, text: c, start, end: this.at };
    }
    if (c === '.' && text[start + 1] === '.') {
      this.at += 2;
      return { kind: '..', text: '..', start, end: this.at };
    }
    if (isWordCharacter(text.charCodeAt(start))) return this.word(start);
    for (const operator of OPERATORS) {
      if (text.startsWith(operator, start)) {
        this.at += operator.length;
        return { kind: 'operator', text: operator, start, end: this.at };
      }
    }
    throw new FilterError(`"${c}" was unexpected in this context.`, start, start + 1);
  }

  private word(start: number): Token {
    const text = this.text;
    let at = start;
    // `..` ends a word, so that `{1024..65535}` needs no spaces.
    while (at < text.length && isWordCharacter(text.charCodeAt(at)) && !(text[at] === '.' && text[at + 1] === '.')) at++;
    this.at = at;
    return { kind: 'word', text: text.slice(start, at), start, end: at };
  }

  private quoted(start: number, from: number, kind: 'string'): Token {
    const text = this.text;
    let value = '';
    let at = from;
    while (at < text.length && text[at] !== '"') {
      if (text[at] !== '\\') {
        value += text[at++];
        continue;
      }
      const [decoded, length] = this.escape(at);
      value += decoded;
      at += length;
    }
    if (at >= text.length) throw new FilterError('The string is missing its closing double quote.', start, text.length);
    this.at = at + 1;
    return { kind, text: value, start, end: this.at };
  }

  /** Decodes the escape at `at` (a backslash): its text and how many characters it took. */
  private escape(at: number): [string, number] {
    const text = this.text;
    const c = text[at + 1];
    if (c !== undefined && c in SIMPLE_ESCAPES) return [SIMPLE_ESCAPES[c], 2];
    if (c !== undefined && c >= '0' && c <= '7') {
      const digits = /^[0-7]{1,3}/.exec(text.slice(at + 1))?.[0] as string;
      return [String.fromCharCode(parseInt(digits, 8) & 0xff), 1 + digits.length];
    }
    if (c === 'x') {
      const digits = /^[0-9a-fA-F]{1,2}/.exec(text.slice(at + 2))?.[0];
      if (digits !== undefined) return [String.fromCharCode(parseInt(digits, 16)), 2 + digits.length];
    }
    if (c === 'u' || c === 'U') {
      const width = c === 'u' ? 4 : 8;
      const digits = text.slice(at + 2, at + 2 + width);
      const code = /^[0-9a-fA-F]+$/.test(digits) && digits.length === width ? parseInt(digits, 16) : -1;
      if (code >= 0 && code <= 0x10ffff) return [String.fromCodePoint(code), 2 + width];
    }
    const shown = c === undefined ? '\\' : `\\${c}`;
    throw new FilterError(`${shown} is not a valid character escape sequence`, at, Math.min(at + 2, text.length));
  }

  /** `r"..."`: backslashes stay as they are, so regular expressions need no doubling. */
  private raw(start: number): Token {
    const text = this.text;
    let at = start + 2;
    while (at < text.length && text[at] !== '"') at += text[at] === '\\' && at + 1 < text.length ? 2 : 1;
    if (at >= text.length) throw new FilterError('The string is missing its closing double quote.', start, text.length);
    this.at = at + 1;
    return { kind: 'raw-string', text: text.slice(start + 2, at).replace(/\\"/g, '"'), start, end: this.at };
  }

  /** `'a'`, `'\n'`, `'\x41'`: one character, whose code is the value. */
  private character(start: number): Token {
    const text = this.text;
    const close = text.indexOf("'", start + 2);
    if (close < 0) throw new FilterError('The character constant is missing its closing quote.', start, text.length);
    const body = text.slice(start + 1, close);
    let value = body;
    if (body.startsWith('\\')) {
      const [decoded, length] = this.escape(start + 1);
      value = length === body.length ? decoded : '';
    }
    if (value.length !== 1) throw new FilterError(`${text.slice(start, close + 1)} is too long to be a valid character constant.`, start, close + 1);
    this.at = close + 1;
    return { kind: 'char', text: value, start, end: this.at };
  }

  private slice(start: number): Token {
    const close = this.text.indexOf(']', start);
    if (close < 0) throw new FilterError('Unexpected end of filter expression.', this.text.length, this.text.length);
    this.at = close + 1;
    return { kind: 'slice', text: this.text.slice(start + 1, close), start, end: this.at };
  }
}
