// Recursive-descent parser for Wireshark's display filter grammar. Precedence, loosest first:
// or (||), xor (^^), and (&&), not (!), then a relation: [any|all] value [operator value | [not] in {set}].
// It knows nothing of fields: a word becomes a field or a value when the checker sees the registry.
import { FilterError } from './filter-error.js';
import { Lexer, type Token } from './lexer.js';
import type { CallNode, CompareNode, ExpressionNode, Quantifier, Relation, SetElement, SliceRange, Span, ValueNode } from './syntax.js';

interface OperatorMeaning {
  relation: Relation;
  /** The quantifier the operator implies when the filter gives none. */
  quantifier: Quantifier;
}

const COMPARISONS: Readonly<Record<string, OperatorMeaning>> = {
  '==': { relation: 'eq', quantifier: 'any' },
  eq: { relation: 'eq', quantifier: 'any' },
  any_eq: { relation: 'eq', quantifier: 'any' },
  '!=': { relation: 'ne', quantifier: 'all' },
  ne: { relation: 'ne', quantifier: 'all' },
  all_ne: { relation: 'ne', quantifier: 'all' },
  '===': { relation: 'eq', quantifier: 'all' },
  all_eq: { relation: 'eq', quantifier: 'all' },
  '!==': { relation: 'ne', quantifier: 'any' },
  '~=': { relation: 'ne', quantifier: 'any' },
  any_ne: { relation: 'ne', quantifier: 'any' },
  '>': { relation: 'gt', quantifier: 'any' },
  gt: { relation: 'gt', quantifier: 'any' },
  '>=': { relation: 'ge', quantifier: 'any' },
  ge: { relation: 'ge', quantifier: 'any' },
  '<': { relation: 'lt', quantifier: 'any' },
  lt: { relation: 'lt', quantifier: 'any' },
  '<=': { relation: 'le', quantifier: 'any' },
  le: { relation: 'le', quantifier: 'any' },
  contains: { relation: 'contains', quantifier: 'any' },
  matches: { relation: 'matches', quantifier: 'any' },
  '~': { relation: 'matches', quantifier: 'any' },
};

const OR = new Set(['or', '||']);
const XOR = new Set(['xor', '^^']);
const AND = new Set(['and', '&&']);
const NOT = new Set(['not', '!']);
const BITWISE_AND = new Set(['&', 'bitwise_and']);
const QUANTIFIERS = new Set(['any', 'all']);
/** Words that are operators, never field names or values. */
const KEYWORDS = new Set([...OR, ...XOR, ...AND, ...NOT, ...BITWISE_AND, ...QUANTIFIERS, ...Object.keys(COMPARISONS), 'in']);

/**
 * Parentheses, `not` and function calls the parser descends into; tshark's parser gives up below 100.
 * Each level is a few stack frames here, so hostile input cannot exhaust the stack.
 */
export const MAX_NESTING = 100;
/** Operators chained in one syntax tree (`a and b and ...`): the checker and compiled filter recurse over it. */
export const MAX_DEPTH = 2000;

export function parseFilter(text: string): ExpressionNode {
  const expression = new Parser(text).parse();
  checkDepth(expression);
  return expression;
}

/** A node's children: every property that is itself a node (or a list of them). */
function* childrenOf(node: Span): Generator<Span> {
  for (const value of Object.values(node)) {
    if (Array.isArray(value)) {
      for (const item of value) if (typeof item === 'object' && item !== null && 'start' in item) yield item as Span;
    } else if (typeof value === 'object' && value !== null && 'start' in value && 'end' in value) {
      yield value as Span;
    }
  }
}

/** Walks the tree without recursion and rejects one deeper than MAX_DEPTH at the node that exceeds it. */
function checkDepth(root: ExpressionNode): void {
  const pending: [Span, number][] = [[root, 1]];
  while (pending.length > 0) {
    const [node, depth] = pending.pop() as [Span, number];
    if (depth > MAX_DEPTH) {
      throw new FilterError(`The filter is nested more than ${MAX_DEPTH} operators deep; use "in {…}" for long lists of values.`, node.start, node.end);
    }
    for (const child of childrenOf(node)) pending.push([child, depth + 1]);
  }
}

class Parser {
  private readonly tokens: Token[];
  private at = 0;
  private nesting = 0;

  constructor(private readonly text: string) {
    this.tokens = new Lexer(text).tokens();
  }

  parse(): ExpressionNode {
    const expression = this.expression();
    if (this.peek().kind !== 'end') throw this.unexpected(this.peek());
    return expression;
  }

  private expression(): ExpressionNode {
    return this.binary('or', OR, () => this.binary('xor', XOR, () => this.binary('and', AND, () => this.unary())));
  }

  private binary(kind: 'and' | 'or' | 'xor', operators: ReadonlySet<string>, operand: () => ExpressionNode): ExpressionNode {
    let left = operand();
    while (this.isOperator(operators)) {
      this.at++;
      const right = operand();
      left = { kind, left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private unary(): ExpressionNode {
    const token = this.peek();
    if (this.isOperator(NOT) && !this.isNotIn()) {
      this.descend(token);
      this.at++;
      const operand = this.unary();
      this.nesting--;
      return { kind: 'not', operand, start: token.start, end: operand.end };
    }
    if (token.kind === '(') {
      this.descend(token);
      this.at++;
      const inner = this.expression();
      this.expect(')');
      this.nesting--;
      return inner;
    }
    return this.relation();
  }

  private descend(token: Token): void {
    if (++this.nesting > MAX_NESTING) {
      throw new FilterError(`The filter nests parentheses, "not" or function calls more than ${MAX_NESTING} levels deep.`, token.start, token.end);
    }
  }

  private relation(): ExpressionNode {
    const first = this.peek();
    let quantifier: Quantifier | undefined;
    if (first.kind === 'word' && QUANTIFIERS.has(first.text)) {
      this.at++;
      quantifier = first.text as Quantifier;
    }
    const left = this.value();
    const token = this.peek();
    const meaning = (token.kind === 'operator' || token.kind === 'word') && Object.hasOwn(COMPARISONS, token.text) ? COMPARISONS[token.text] : undefined;
    if (meaning) {
      this.at++;
      const right = this.value();
      const node: CompareNode = {
        kind: 'compare',
        relation: meaning.relation,
        quantifier: quantifier ?? meaning.quantifier,
        operator: token.text,
        operatorSpan: { start: token.start, end: token.end },
        left,
        right,
        start: first.start,
        end: right.end,
      };
      return node;
    }
    const negated = this.isNotIn();
    if (negated || (token.kind === 'word' && token.text === 'in')) {
      this.at += negated ? 2 : 1;
      const { elements, end } = this.set();
      return { kind: 'in', negated, left, elements, start: first.start, end };
    }
    // `all tcp.port` alone has nothing to quantify: it needs an operator.
    if (quantifier !== undefined) throw this.unexpected(token);
    return { kind: 'test', value: left, start: left.start, end: left.end };
  }

  private set(): { elements: SetElement[]; end: number } {
    this.expect('{');
    const elements: SetElement[] = [];
    for (;;) {
      const low = this.value();
      let high: ValueNode | undefined;
      if (this.peek().kind === '..') {
        this.at++;
        high = this.value();
      }
      elements.push({ low, high, start: low.start, end: (high ?? low).end });
      // Commas separate elements as in Wireshark 4; whitespace alone, as in Wireshark 3, is accepted too.
      if (this.peek().kind === ',') {
        this.at++;
        continue;
      }
      const next = this.peek();
      if (next.kind === '}') {
        this.at++;
        return { elements, end: next.end };
      }
      if (next.kind === 'end') throw this.unexpected(next);
    }
  }

  private value(): ValueNode {
    let left = this.sliced();
    while (this.isOperator(BITWISE_AND)) {
      this.at++;
      const right = this.sliced();
      left = { kind: 'bitand', left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private sliced(): ValueNode {
    let operand = this.atom();
    while (this.peek().kind === 'slice') {
      const token = this.tokens[this.at++];
      operand = { kind: 'slice', operand, ranges: parseRanges(token), start: operand.start, end: token.end };
    }
    return operand;
  }

  private atom(): ValueNode {
    const token = this.peek();
    switch (token.kind) {
      case 'word': {
        if (KEYWORDS.has(token.text)) throw this.unexpected(token);
        this.at++;
        if (this.peek().kind === '(') return this.call(token);
        return { kind: 'word', text: token.text, start: token.start, end: token.end };
      }
      case 'string':
      case 'raw-string':
      case 'char':
        this.at++;
        return { kind: 'string', quoting: token.kind === 'string' ? 'double' : token.kind === 'raw-string' ? 'raw' : 'char', value: token.text, start: token.start, end: token.end };
      default:
        throw this.unexpected(token);
    }
  }

  private call(name: Token): CallNode {
    this.descend(name);
    this.expect('(');
    const args: ValueNode[] = [];
    if (this.peek().kind !== ')') {
      args.push(this.value());
      while (this.peek().kind === ',') {
        this.at++;
        args.push(this.value());
      }
    }
    const close = this.expect(')');
    this.nesting--;
    return { kind: 'call', name: name.text, nameEnd: name.end, args, start: name.start, end: close.end };
  }

  private peek(): Token {
    return this.tokens[this.at];
  }

  private isOperator(operators: ReadonlySet<string>): boolean {
    const token = this.peek();
    return (token.kind === 'operator' || token.kind === 'word') && operators.has(token.text);
  }

  private isNotIn(): boolean {
    const token = this.peek();
    const next = this.tokens[this.at + 1];
    return token.kind === 'word' && token.text === 'not' && next.kind === 'word' && next.text === 'in';
  }

  private expect(kind: Token['kind']): Token {
    const token = this.peek();
    if (token.kind !== kind) throw this.unexpected(token);
    this.at++;
    return token;
  }

  private unexpected(token: Token): FilterError {
    if (token.kind === 'end') return new FilterError('Unexpected end of filter expression.', this.text.length, this.text.length);
    return new FilterError(`"${this.text.slice(token.start, token.end)}" was unexpected in this context.`, token.start, token.end);
  }
}

const INTEGER = /^[+-]?\d+$/;

/** `[i:j]`, `[i-j]`, `[i]`, `[:j]`, `[i:]`, comma-separated, as Wireshark's drange. */
function parseRanges(token: Token): SliceRange[] {
  const ranges: SliceRange[] = [];
  let offset = token.start + 1;
  for (const piece of token.text.split(',')) {
    const text = piece.trim();
    const start = offset + piece.indexOf(text);
    const span: Span = { start, end: start + text.length };
    offset += piece.length + 1;
    ranges.push(parseRange(text, span));
  }
  return ranges;
}

function parseRange(text: string, span: Span): SliceRange {
  const number = (part: string): number => {
    if (!INTEGER.test(part)) throw new FilterError(`"${part}" is not a valid number.`, span.start, span.end);
    return Number(part);
  };
  const colon = text.indexOf(':');
  if (colon >= 0) {
    if (text.indexOf(':', colon + 1) >= 0) throw new FilterError(`"${text}" is not a valid range.`, span.start, span.end);
    const from = colon === 0 ? 0 : number(text.slice(0, colon));
    if (colon === text.length - 1) return { from, to: 0, form: 'to-end', ...span };
    const length = number(text.slice(colon + 1));
    if (length <= 0) throw new FilterError(`Range ${text} isn't valid because length ${length} isn't positive`, span.start, span.end);
    return { from, to: length, form: 'length', ...span };
  }
  // `i-j`: the dash that separates is the first one after the start's own sign.
  const dash = text.indexOf('-', 1);
  if (dash > 0) {
    const from = number(text.slice(0, dash));
    const to = number(text.slice(dash + 1));
    if (from >= to) throw new FilterError(`Range ${text} isn't valid because ${from} is greater or equal than ${to}`, span.start, span.end);
    return { from, to, form: 'end', ...span };
  }
  return { from: number(text), to: 1, form: 'length', ...span };
}
