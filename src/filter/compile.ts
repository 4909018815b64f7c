// The checker and code generator: resolves words against the registry (a field, or else a literal of
// the other side's type), type-checks every comparison, and turns the syntax tree into one closure over
// a dissected frame. It also gathers the fields the filter reads, so the dissector collects only those.
import type { Dissection } from '../decode/dissection.js';
import type { FieldDef } from '../decode/field.js';
import type { Registry } from '../decode/registry.js';
import { FilterError } from './filter-error.js';
import {
  compareBytes,
  compareBytesPrefix,
  compareNumbers,
  compatible,
  containsBytes,
  isByteKind,
  type Kind,
  kindOf,
  latin1,
  TYPE_NAMES,
  type Value,
} from './kinds.js';
import { type Literal, literalFor } from './literals.js';
import { asBytes, bitwiseAndOperand, fieldOperand, functionOperand, hasBytes, nonZero, type Operand, sliceOperand } from './operands.js';
import type { CompareNode, ExpressionNode, MembershipNode, Relation, Span, StringNode, ValueNode, WordNode } from './syntax.js';

export type FrameTest = (dissection: Dissection) => boolean;
type Pairwise = (a: Value, b: Value) => boolean;

/** A word that could only be meant as a field name (as opposed to a number or address). */
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/;

function fail(message: string, span: Span): never {
  throw new FilterError(message, span.start, span.end);
}

function unknownField(text: string, span: Span): never {
  fail(`"${text}" is not a valid protocol or protocol field.`, span);
}

function quote(node: WordNode | StringNode): string {
  return node.kind === 'word' ? node.text : `"${node.value}"`;
}

/** The comparison of two values of `kind`; `prefix` bits of address literals limit it (CIDR). */
function comparatorFor(kind: Kind, prefix: number | undefined): (a: Value, b: Value) => number {
  switch (kind) {
    case 'ipv4': {
      const mask = prefix === undefined || prefix >= 32 ? 0xffffffff : prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
      return (a, b) => compareNumbers(((a as number) & mask) >>> 0, ((b as number) & mask) >>> 0);
    }
    case 'ipv6':
      if (prefix !== undefined && prefix < 128) return (a, b) => compareBytesPrefix(a as Uint8Array, b as Uint8Array, prefix);
      return (a, b) => compareBytes(a as Uint8Array, b as Uint8Array);
    case 'string':
      return (a, b) => ((a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0);
    default:
      if (isByteKind(kind)) return (a, b) => compareBytes(a as Uint8Array, b as Uint8Array);
      return (a, b) => compareNumbers(a as number, b as number);
  }
}

const ORDERING: Readonly<Record<'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le', (c: number) => boolean>> = {
  eq: (c) => c === 0,
  ne: (c) => c !== 0,
  gt: (c) => c > 0,
  ge: (c) => c >= 0,
  lt: (c) => c < 0,
  le: (c) => c <= 0,
};

/**
 * Whether the pattern repeats a group that itself repeats (`(a+)+`, `(\\w*)*`): on a backtracking
 * engine such patterns can take exponential time on a hostile packet, so they are refused.
 */
function nestedRepetition(pattern: string): boolean {
  const repeats: boolean[] = [false];
  let closedRepeating = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    const quantifier = c === '*' || c === '+' || (c === '{' && /^\{\d*,\d*\}/.test(pattern.slice(i)));
    if (quantifier && closedRepeating) return true;
    closedRepeating = false;
    if (c === '\\') {
      i++;
    } else if (c === '[') {
      while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
    } else if (c === '(') {
      repeats.push(false);
    } else if (c === ')' && repeats.length > 1) {
      closedRepeating = repeats.pop() as boolean;
      if (closedRepeating) repeats[repeats.length - 1] = true;
    } else if (quantifier) {
      repeats[repeats.length - 1] = true;
    }
  }
  return false;
}

/** PCRE's leading `(?i)` / `(?-i)` switch case sensitivity; Wireshark's default is case-insensitive. */
function compileRegex(pattern: string, span: Span): RegExp {
  if (nestedRepetition(pattern)) fail('A repeated group that repeats inside, such as (a+)+, can take exponential time: tsshark refuses it.', span);
  let flags = 'i';
  let source = pattern;
  const inline = /^\(\?(-?)i\)/.exec(pattern);
  if (inline) {
    flags = inline[1] === '-' ? '' : 'i';
    source = pattern.slice(inline[0].length);
  }
  try {
    return new RegExp(source, flags);
  } catch (error) {
    fail(`Regex compilation error: ${(error as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '')}.`, span);
  }
}

export class Compiler {
  private readonly used = new Map<number, FieldDef>();

  constructor(
    private readonly registry: Registry,
    /** The filter text, for labels of slices and expressions in messages. */
    private readonly source: string,
  ) {}

  /** The fields the compiled filter reads, each once. */
  get fields(): FieldDef[] {
    return [...this.used.values()];
  }

  expression(node: ExpressionNode): FrameTest {
    switch (node.kind) {
      case 'and': {
        const left = this.expression(node.left);
        const right = this.expression(node.right);
        return (d) => left(d) && right(d);
      }
      case 'or': {
        const left = this.expression(node.left);
        const right = this.expression(node.right);
        return (d) => left(d) || right(d);
      }
      case 'xor': {
        const left = this.expression(node.left);
        const right = this.expression(node.right);
        return (d) => left(d) !== right(d);
      }
      case 'not': {
        const operand = this.expression(node.operand);
        return (d) => !operand(d);
      }
      case 'test':
        return this.test(node.value);
      case 'compare':
        return this.compare(node);
      case 'in':
        return this.membership(node);
    }
  }

  private field(name: string): FieldDef | undefined {
    const field = this.registry.field(name);
    if (field) this.used.set(field.id, field);
    return field;
  }

  private test(node: ValueNode): FrameTest {
    if (node.kind === 'word' || node.kind === 'string') {
      const field = node.kind === 'word' ? this.field(node.text) : undefined;
      if (!field) unknownField(node.kind === 'word' ? node.text : node.value, node);
      return (d) => d.valuesOf(field).length > 0;
    }
    if (node.kind === 'call') fail('You cannot test whether a function is present.', node);
    const operand = this.operand(node);
    if (node.kind === 'bitand') return (d) => operand.read(d).some(nonZero);
    return (d) => operand.read(d).length > 0;
  }

  /** A value node that is not a literal: a field, slice, function call or bitwise AND. */
  private operand(node: Exclude<ValueNode, StringNode>): Operand {
    switch (node.kind) {
      case 'word': {
        const field = this.field(node.text);
        if (!field) unknownField(node.text, node);
        return fieldOperand(field, kindOf(field.type));
      }
      case 'slice':
        return sliceOperand(this.sliceable(node.operand), node.ranges, this.label(node), node);
      case 'call':
        return functionOperand(node, node.args.map((arg) => this.argument(arg)));
      case 'bitand': {
        const left = this.sideOperand(node.left, '&');
        const mask = this.rightSide(node.right, left);
        return bitwiseAndOperand(left, mask, this.label(node), node);
      }
    }
  }

  private sliceable(node: ValueNode): Operand {
    if (node.kind === 'string') fail(`"${node.value}" cannot be sliced: only fields, slices and functions can.`, node);
    return this.operand(node);
  }

  private argument(node: ValueNode): Operand {
    if (node.kind === 'string') return { kind: 'string', type: 'string', label: quote(node), read: () => [node.value] };
    if (node.kind === 'word' && !this.registry.field(node.text)) {
      if (FIELD_NAME.test(node.text)) unknownField(node.text, node);
      return { kind: 'string', type: 'string', label: node.text, read: () => [node.text] };
    }
    return this.operand(node);
  }

  /** The left side of a comparison: never a literal. */
  private sideOperand(node: ValueNode, operator: string): Operand {
    if (node.kind === 'word' && !this.registry.field(node.text) && !FIELD_NAME.test(node.text)) {
      fail(`Left side of "${operator}" expression must be a field or function, not ${node.text}.`, node);
    }
    if (node.kind === 'string') fail(`Left side of "${operator}" expression must be a field or function, not ${quote(node)}.`, node);
    return this.operand(node);
  }

  /**
   * The right side: a field, slice or function of a compatible type, or a literal of the left side's type
   * (or of `literalKind`: what `contains` looks for in an address is bytes).
   */
  private rightSide(node: ValueNode, left: Operand, literalKind: Kind = left.kind): Literal | Operand {
    const field = node.kind === 'word' ? this.field(node.text) : undefined;
    if (node.kind === 'string' || (node.kind === 'word' && !field)) {
      return literalFor(node, { kind: literalKind, type: literalKind === left.kind ? left.type : 'bytes', field: left.field });
    }
    const right = this.operand(node);
    if (!compatible(left.kind, right.kind) && !this.comparableAsBytes(left, right)) fail(`${left.label} and ${right.label} are not of compatible types.`, node);
    return right;
  }

  /** A slice compares with anything that has a byte form. */
  private comparableAsBytes(left: Operand, right: Operand): boolean {
    return (left.kind === 'bytes' && hasBytes(right.kind)) || (right.kind === 'bytes' && hasBytes(left.kind));
  }

  private compare(node: CompareNode): FrameTest {
    const left = this.sideOperand(node.left, node.operator);
    const relation = node.relation;
    if (relation === 'contains' || relation === 'matches') {
      const allowed = left.kind === 'string' || left.kind === 'bytes' || left.kind === 'protocol' || left.kind === 'ether';
      if (!allowed) fail(`${left.label} (type=${TYPE_NAMES[left.type]}) cannot participate in ${relation} comparison.`, node.left);
    }
    if (relation === 'matches') {
      const right = node.right;
      if (right.kind !== 'string' || right.quoting === 'char') fail('Matches requires a double quoted string on the right side.', right);
      return this.quantified(node, left, this.pairwise('matches', left, compileRegex(right.value, right)));
    }
    const right = this.rightSide(node.right, left, relation === 'contains' && left.kind === 'ether' ? 'bytes' : left.kind);
    if ('read' in right) {
      if (left.kind !== right.kind && this.comparableAsBytes(left, right)) {
        const bytes = asBytes(left);
        return this.quantified(node, bytes, this.pairwise(relation, bytes), asBytes(right));
      }
      return this.quantified(node, left, this.pairwise(relation, left), right);
    }
    return this.quantified(node, left, this.pairwise(relation, left, undefined, right.prefix), right.value);
  }

  private pairwise(relation: Relation, left: Operand, regex?: RegExp, prefix?: number): Pairwise {
    if (relation === 'matches') {
      const re = regex as RegExp;
      return left.kind === 'string' ? (a) => re.test(a as string) : (a) => re.test(latin1(a as Uint8Array));
    }
    if (relation === 'contains') {
      if (left.kind === 'string') return (a, b) => (b as string) !== '' && (a as string).includes(b as string);
      return (a, b) => containsBytes(a as Uint8Array, b as Uint8Array);
    }
    const compare = comparatorFor(left.kind, prefix);
    const holds = ORDERING[relation];
    return (a, b) => holds(compare(a, b));
  }

  /** Applies a pairwise test to occurrences: any pair, or all pairs (and then at least one on each side). */
  private quantified(node: CompareNode, left: Operand, test: Pairwise, right?: Operand | Value): FrameTest {
    const all = node.quantifier === 'all';
    if (right === undefined || typeof right !== 'object' || right instanceof Uint8Array) {
      const constant = right as Value;
      if (all) {
        return (d) => {
          const values = left.read(d);
          if (values.length === 0) return false;
          for (let i = 0; i < values.length; i++) if (!test(values[i], constant)) return false;
          return true;
        };
      }
      return (d) => {
        const values = left.read(d);
        for (let i = 0; i < values.length; i++) if (test(values[i], constant)) return true;
        return false;
      };
    }
    const other = right;
    return (d) => {
      const as = left.read(d);
      if (as.length === 0) return false;
      const bs = other.read(d);
      if (bs.length === 0) return false;
      for (const a of as) {
        for (const b of bs) {
          if (test(a, b) !== all) return !all;
        }
      }
      return all;
    };
  }

  private membership(node: MembershipNode): FrameTest {
    if (node.left.kind !== 'word' || !this.registry.field(node.left.text)) {
      if (node.left.kind === 'word' && FIELD_NAME.test(node.left.text)) unknownField(node.left.text, node.left);
      fail('Only a field may be tested for membership in a set.', node.left);
    }
    const left = this.operand(node.left);
    const members = node.elements.map((element) => {
      const low = this.rightSide(element.low, left);
      if (element.high === undefined) {
        if ('read' in low) {
          const equal = this.pairwise('eq', left);
          return (a: Value, d: Dissection) => low.read(d).some((b) => equal(a, b));
        }
        const equal = this.pairwise('eq', left, undefined, low.prefix);
        return (a: Value) => equal(a, low.value);
      }
      const high = this.rightSide(element.high, left);
      if ('read' in low || 'read' in high) fail('A range in a set must be between two values.', element);
      const atLeast = this.pairwise('ge', left, undefined, low.prefix);
      const atMost = this.pairwise('le', left, undefined, high.prefix);
      return (a: Value) => atLeast(a, low.value) && atMost(a, high.value);
    });
    const inSet: FrameTest = (d) => {
      for (const value of left.read(d)) for (const member of members) if (member(value, d)) return true;
      return false;
    };
    return node.negated ? (d) => !inSet(d) : inSet;
  }

  private label(node: Span): string {
    return this.source.slice(node.start, node.end);
  }
}
