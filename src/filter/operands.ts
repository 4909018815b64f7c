// The values a filter reads from a dissected frame: fields, slices of them, function results and
// bitwise ANDs. Each is an Operand whose `read` returns every occurrence in the frame; operands that
// derive values reuse one array per operand, so evaluating a filter allocates little per frame.
import type { Dissection } from '../decode/dissection.js';
import { formatFieldValue, type FieldDef, type FieldType, type FieldValue } from '../decode/field.js';
import { FilterError } from './filter-error.js';
import { asciiCase, bytesOfValue, compareNumbers, type Kind, TYPE_CODES, TYPE_NAMES, TYPE_WIDTHS, utf8Bytes, type Value } from './kinds.js';
import type { Literal } from './literals.js';
import type { CallNode, SliceRange, Span } from './syntax.js';

export interface Operand {
  kind: Kind;
  type: FieldType;
  /** Set when the operand is a plain field reference. */
  field?: FieldDef;
  /** How messages name it: the field's abbrev or the text of the expression. */
  label: string;
  read(dissection: Dissection): readonly Value[];
}

export function fieldOperand(field: FieldDef, kind: Kind): Operand {
  return { kind, type: field.type, field, label: field.abbrev, read: (d) => d.valuesOf(field) as readonly Value[] };
}

/** Start and end of a range within `length` bytes, or -1 when the range does not fit (Wireshark drops the value then). */
function rangeBounds(length: number, range: SliceRange, out: Int32Array): boolean {
  let start = range.from;
  if (start < 0) start += length;
  if (start < 0 || start > length) return false;
  let end: number;
  if (range.form === 'length') {
    end = start + range.to;
  } else if (range.form === 'end') {
    let last = range.to;
    if (last < 0) last += length;
    if (last < start) return false;
    end = last + 1;
  } else {
    end = length;
  }
  if (end > length) return false;
  out[0] = start;
  out[1] = end;
  return true;
}

const SLICEABLE: ReadonlySet<Kind> = new Set<Kind>(['bytes', 'protocol', 'ether', 'ipv4', 'ipv6', 'string']);

/** Whether values of the kind have a byte form, so that they compare with slices (`ip.src == frame[26:4]`). */
export function hasBytes(kind: Kind): boolean {
  return SLICEABLE.has(kind);
}

/** The operand's values as byte sequences. */
export function asBytes(operand: Operand): Operand {
  if (operand.kind === 'bytes') return operand;
  const out: Uint8Array[] = [];
  const read = (d: Dissection): readonly Value[] => {
    out.length = 0;
    for (const value of operand.read(d)) out.push(bytesOfValue(operand.kind, value));
    return out;
  };
  return { kind: 'bytes', type: 'bytes', label: operand.label, read };
}

export function sliceOperand(operand: Operand, ranges: readonly SliceRange[], label: string, span: Span): Operand {
  if (!SLICEABLE.has(operand.kind)) {
    throw new FilterError(`"${operand.label}" is a ${TYPE_NAMES[operand.type]} and cannot be sliced into a sequence of bytes.`, span.start, span.end);
  }
  const out: Uint8Array[] = [];
  const bounds = new Int32Array(2);
  const read = (d: Dissection): readonly Value[] => {
    out.length = 0;
    for (const value of operand.read(d)) {
      const bytes = bytesOfValue(operand.kind, value);
      if (ranges.length === 1) {
        if (rangeBounds(bytes.length, ranges[0], bounds)) out.push(bytes.subarray(bounds[0], bounds[1]));
        continue;
      }
      const parts: Uint8Array[] = [];
      for (const range of ranges) {
        if (!rangeBounds(bytes.length, range, bounds)) break;
        parts.push(bytes.subarray(bounds[0], bounds[1]));
      }
      if (parts.length !== ranges.length) continue;
      const joined = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
      let at = 0;
      for (const part of parts) {
        joined.set(part, at);
        at += part.length;
      }
      out.push(joined);
    }
    return out;
  };
  return { kind: 'bytes', type: 'bytes', label, read };
}

const BITWISE: ReadonlySet<Kind> = new Set<Kind>(['integer', 'ipv4', 'bytes', 'ether']);

/** `left & mask`, occurrence by occurrence; the mask is a literal or another operand's first value. */
export function bitwiseAndOperand(left: Operand, mask: Literal | Operand, label: string, span: Span): Operand {
  if (!BITWISE.has(left.kind) || (left.kind === 'bytes' && left.type === 'protocol')) {
    throw new FilterError(`${TYPE_CODES[left.type]} cannot &.`, span.start, span.end);
  }
  const out: Value[] = [];
  const and = (a: Value, b: Value): Value => {
    if (a instanceof Uint8Array) {
      const m = b as Uint8Array;
      const result = new Uint8Array(Math.min(a.length, m.length));
      for (let i = 0; i < result.length; i++) result[i] = a[i] & m[i];
      return result;
    }
    if (typeof a === 'bigint' || typeof b === 'bigint') return BigInt(a) & BigInt(b as number | bigint);
    return ((a as number) & (b as number)) >>> 0;
  };
  const read = (d: Dissection): readonly Value[] => {
    out.length = 0;
    const masks = 'read' in mask ? mask.read(d) : [mask.value];
    if (masks.length === 0) return out;
    for (const value of left.read(d)) out.push(and(value, masks[0]));
    return out;
  };
  return { kind: left.kind, type: left.type, label, read };
}

/** Whether a value is non-zero, which is what a bitwise AND tested on its own asks. */
export function nonZero(value: Value): boolean {
  if (value instanceof Uint8Array) return value.some((byte) => byte !== 0);
  return value !== 0 && value !== 0n;
}

function lengthOf(type: FieldType, value: Value): number {
  if (value instanceof Uint8Array) return value.length;
  if (typeof value === 'string') return utf8Bytes(value).length;
  return TYPE_WIDTHS[type] ?? 0;
}

/** string(): the text Wireshark's filter engine gives a value: integers in decimal whatever their base, addresses as printed. */
function textOf(field: FieldDef, kind: Kind, value: Value): string {
  return kind === 'integer' ? String(value) : formatFieldValue(field, value as FieldValue);
}

type FunctionSpec = {
  /** Argument count: exactly this many, or at least 1 when `variadic`. */
  arity: number;
  variadic?: boolean;
  /** Checks the arguments and gives the result's kind and type, and how to compute it. */
  build(args: readonly Operand[], call: CallNode): { kind: Kind; type: FieldType; map: (d: Dissection, out: Value[]) => void };
};

function failAt(message: string, span: Span): never {
  throw new FilterError(message, span.start, span.end);
}

function onlyFields(name: string, args: readonly Operand[], call: CallNode): void {
  args.forEach((arg, i) => {
    if (arg.field === undefined) failAt(`Only fields can be used as parameter for ${name}()`, call.args[i]);
  });
}

function caseFunction(upper: boolean): FunctionSpec {
  const name = upper ? 'upper' : 'lower';
  return {
    arity: 1,
    build([arg], call) {
      onlyFields(name, [arg], call);
      if (arg.kind !== 'string') failAt(`Only string type fields can be used as parameter for ${name}()`, call.args[0]);
      return { kind: 'string', type: 'string', map: (d, out) => { for (const v of arg.read(d)) out.push(asciiCase(v as string, upper)); } };
    },
  };
}

function extremum(name: string, sign: number): FunctionSpec {
  return {
    arity: 1,
    variadic: true,
    build(args, call) {
      const first = args[0];
      args.forEach((arg, i) => {
        if (arg.kind !== 'integer' && arg.kind !== 'time') failAt(`Argument '${arg.label}' of ${name}() is not a number.`, call.args[i]);
        if (arg.kind !== first.kind) failAt(`Arguments of ${name}() must all have the same type.`, call.args[i]);
      });
      return {
        kind: first.kind,
        type: first.type,
        map: (d, out) => {
          let best: Value | undefined;
          for (const arg of args) for (const v of arg.read(d)) if (best === undefined || compareNumbers(v as number, best as number) * sign > 0) best = v;
          if (best !== undefined) out.push(best);
        },
      };
    },
  };
}

const FUNCTIONS: Readonly<Record<string, FunctionSpec>> = {
  len: {
    arity: 1,
    build([arg], call) {
      onlyFields('len', [arg], call);
      return { kind: 'integer', type: 'uint32', map: (d, out) => { for (const v of arg.read(d)) out.push(lengthOf(arg.type, v)); } };
    },
  },
  count: {
    arity: 1,
    build([arg], call) {
      onlyFields('count', [arg], call);
      return { kind: 'integer', type: 'uint32', map: (d, out) => { const n = arg.read(d).length; if (n > 0) out.push(n); } };
    },
  },
  upper: caseFunction(true),
  lower: caseFunction(false),
  string: {
    arity: 1,
    build([arg], call) {
      onlyFields('string', [arg], call);
      if (arg.type === 'boolean' || arg.kind === 'string' || arg.kind === 'bytes' || arg.kind === 'protocol' || arg.kind === 'time' || arg.kind === 'date' || arg.kind === 'none') {
        failAt(`String conversion for field "${arg.label}" is not supported`, call.args[0]);
      }
      const field = arg.field as FieldDef;
      return { kind: 'string', type: 'string', map: (d, out) => { for (const v of arg.read(d)) out.push(textOf(field, arg.kind, v)); } };
    },
  },
  max: extremum('max', 1),
  min: extremum('min', -1),
  abs: {
    arity: 1,
    build([arg], call) {
      if (arg.kind !== 'integer' && arg.kind !== 'time') failAt(`Only integer or time fields can be used as parameter for abs()`, call.args[0]);
      return { kind: arg.kind, type: arg.type, map: (d, out) => { for (const v of arg.read(d)) out.push((v as number) < 0 ? -(v as number) : v); } };
    },
  },
};

export function functionOperand(call: CallNode, args: readonly Operand[]): Operand {
  const spec = Object.hasOwn(FUNCTIONS, call.name) ? FUNCTIONS[call.name] : undefined;
  if (!spec) failAt(`Function '${call.name}' does not exist`, { start: call.start, end: call.nameEnd });
  if (args.length === 0 || (!spec.variadic && args.length > spec.arity)) {
    failAt(args.length === 0 ? `Function ${call.name} needs at least 1 argument.` : `Function ${call.name} can only accept ${spec.arity} arguments.`, call);
  }
  const { kind, type, map } = spec.build(args, call);
  const out: Value[] = [];
  const label = `${call.name}(${args.map((a) => a.label).join(', ')})`;
  return { kind, type, label, read: (d) => { out.length = 0; map(d, out); return out; } };
}

