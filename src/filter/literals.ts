// Turns the text of a literal into a value of the type it is compared with, as Wireshark's ftypes do:
// integers (decimal, 0x, 0 octal, 0b binary, character constants, value-string names), booleans,
// addresses with CIDR prefixes, byte strings, strings and time offsets. Hostnames are not resolved.
import { DEFAULT_TRUTH, MONTHS, type FieldDef, type FieldType } from '../decode/field.js';
import { FilterError } from './filter-error.js';
import { type Kind, TYPE_NAMES, utf8Bytes, type Value } from './kinds.js';
import type { Span, StringNode, WordNode } from './syntax.js';

/** A literal's value; addresses may carry a prefix length that limits the comparison. */
export interface Literal {
  value: Value;
  /** Bits of an IPv4 or IPv6 address that count (32 or 128 without a CIDR suffix). */
  prefix?: number;
}

/** What a literal is converted to: the other side's kind, its field type and, for value strings, its field. */
export interface Target {
  kind: Kind;
  type: FieldType;
  field?: FieldDef;
}

const INTEGER_LIMITS: Partial<Record<FieldType, [bigint, bigint]>> = {
  uint8: [0n, 0xffn],
  uint16: [0n, 0xffffn],
  uint24: [0n, 0xffffffn],
  uint32: [0n, 0xffffffffn],
  framenum: [0n, 0xffffffffn],
  uint64: [0n, 0xffffffffffffffffn],
  int32: [-0x80000000n, 0x7fffffffn],
};

const UINT64_WRAP = 1n << 64n;

function fail(message: string, span: Span): never {
  throw new FilterError(message, span.start, span.end);
}

/** Integer syntax as strtoll with base 0, plus 0b: undefined when the text is not a number. */
export function parseInteger(text: string): bigint | undefined {
  const match = /^([+-]?)(0[xX][0-9a-fA-F]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (!match) return undefined;
  const digits = match[2];
  const magnitude =
    /^0[xXbB]/.test(digits) ? BigInt(digits.toLowerCase())
    : digits.length > 1 && digits[0] === '0' ? BigInt('0o' + digits.slice(1))
    : BigInt(digits);
  return match[1] === '-' ? -magnitude : magnitude;
}

function integer(node: WordNode | StringNode, target: Target): Literal {
  const type = target.type;
  let number: bigint | undefined;
  if (node.kind === 'string') {
    if (node.quoting === 'char') number = BigInt(node.value.charCodeAt(0));
    else return valueString(node.value, node, target, true);
  } else {
    number = parseInteger(node.text);
    if (number === undefined) {
      if (target.field?.values && !target.field.customNames) return valueString(node.text, node, target, false);
      fail(`"${node.text}" is not a valid number.`, node);
    }
  }
  const text = node.kind === 'word' ? node.text : node.value;
  if (number >= UINT64_WRAP || number < -UINT64_WRAP / 2n) fail(`"${text}" causes an integer overflow.`, node);
  const [min, max] = INTEGER_LIMITS[type] ?? [-(1n << 63n), UINT64_WRAP - 1n];
  // Like strtoull, a negative number for an unsigned field wraps around (and then matches nothing).
  if (number < 0n && min === 0n) return { value: number + UINT64_WRAP };
  if (number > max) fail(`"${text}" too big for this field, maximum ${max}.`, node);
  if (number < min) fail(`"${text}" too small for this field, minimum ${min}.`, node);
  return { value: Number(number) };
}

/** A name from the field's value strings, matched without regard to case like Wireshark. */
function valueString(name: string, span: Span, target: Target, quoted: boolean): Literal {
  const values = target.field?.customNames ? undefined : target.field?.values;
  if (!values) {
    if (quoted) fail(`${TYPE_NAMES[target.type]} cannot be converted from a string ("${name}").`, span);
    fail(`"${name}" is not a valid number.`, span);
  }
  const wanted = name.toLowerCase();
  for (const [key, text] of Object.entries(values)) if (text.toLowerCase() === wanted) return { value: Number(key) };
  fail(`"${name}" cannot be found among the possible values for ${target.field?.abbrev}.`, span);
}

const TRUE_WORDS = new Set(['True', 'TRUE', 'true']);
const FALSE_WORDS = new Set(['False', 'FALSE', 'false']);

/** True and false as words, numbers (non-zero is true) or the field's own texts ("Set", "Not set"), as 1 and 0. */
function boolean(node: WordNode | StringNode, target: Target): Literal {
  const text = node.kind === 'word' ? node.text : node.value;
  if (node.kind === 'word' && TRUE_WORDS.has(text)) return { value: 1 };
  if (node.kind === 'word' && FALSE_WORDS.has(text)) return { value: 0 };
  const number = node.kind === 'word' ? parseInteger(text) : undefined;
  if (number !== undefined) return { value: number === 0n ? 0 : 1 };
  const [yes, no] = target.field?.truth ?? DEFAULT_TRUTH;
  if (text.toLowerCase() === yes.toLowerCase()) return { value: 1 };
  if (text.toLowerCase() === no.toLowerCase()) return { value: 0 };
  fail(`"${text}" cannot be found among the possible values for ${target.field?.abbrev ?? 'this field'}.`, node);
}

/** A dotted quad as an unsigned number; undefined when the text is not one. */
function parseIPv4(text: string): number | undefined {
  const octets = text.split('.');
  if (octets.length !== 4 || !octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255)) return undefined;
  return octets.reduce((sum, o) => sum * 256 + Number(o), 0);
}

/** An address literal with an optional `/bits` CIDR suffix, each part checked with Wireshark's messages. */
function addressWithPrefix<T extends Value>(
  text: string,
  span: Span,
  family: { parse: (address: string) => T | undefined; name: string; bits: number; badBits: string; tooManyBits: string },
): Literal {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const value = family.parse(address);
  if (value === undefined) fail(`"${address}" is not a valid ${family.name} address.`, span);
  if (slash < 0) return { value, prefix: family.bits };
  const bits = text.slice(slash + 1);
  if (!/^\d+$/.test(bits)) fail(`"${bits}" is not a valid ${family.badBits}.`, span);
  if (Number(bits) > family.bits) fail(`${family.tooManyBits} should be <= ${family.bits}, not ${bits}`, span);
  return { value, prefix: Number(bits) };
}

const IPV4 = { parse: parseIPv4, name: 'IPv4', bits: 32, badBits: 'number of netmask bits', tooManyBits: 'Netmask bits in a CIDR IPv4 address' };

/** Parses an IPv6 address (RFC 4291 text forms, including a trailing dotted quad) into 16 bytes. */
export function parseIPv6(text: string): Uint8Array | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const words = (part: string): number[] | undefined => {
    if (part === '') return [];
    const result: number[] = [];
    const groups = part.split(':');
    for (let i = 0; i < groups.length; i++) {
      const group = groups[i];
      if (i === groups.length - 1 && group.includes('.')) {
        const quad = parseIPv4(group);
        if (quad === undefined) return undefined;
        result.push(quad >>> 16, quad & 0xffff);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(group)) {
        result.push(parseInt(group, 16));
      } else {
        return undefined;
      }
    }
    return result;
  };
  const head = words(halves[0]);
  const tail = halves.length === 2 ? words(halves[1]) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  all.forEach((word, i) => {
    bytes[2 * i] = word >> 8;
    bytes[2 * i + 1] = word & 0xff;
  });
  return bytes;
}

const IPV6 = { parse: parseIPv6, name: 'IPv6', bits: 128, badBits: 'IPv6 prefix length', tooManyBits: 'Prefix in a IPv6 address' };

/** Hex bytes separated by `:`, `-` or `.` (one or two digits each), or an even run of hex digits. */
export function parseByteString(text: string): Uint8Array | undefined {
  if (/^[0-9a-fA-F]{1,2}([:.-][0-9a-fA-F]{1,2})*$/.test(text)) return Uint8Array.from(text.split(/[:.-]/), (b) => parseInt(b, 16));
  if (/^([0-9a-fA-F]{2})+$/.test(text)) return Uint8Array.from(text.match(/../g) as string[], (b) => parseInt(b, 16));
  return undefined;
}

function ether(text: string, span: Span): Literal {
  // Cisco's dotted form, 0011.2233.4455, is three groups of four digits.
  const bytes = /^[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}$/.test(text) ? parseByteString(text.replace(/\./g, '')) : parseByteString(text);
  if (!bytes) fail(`"${text}" is not a valid Ethernet address.`, span);
  if (bytes.length < 6) fail(`"${text}" contains too few bytes to be a valid Ethernet address.`, span);
  if (bytes.length > 6) fail(`"${text}" contains too many bytes to be a valid Ethernet address.`, span);
  return { value: bytes };
}

function bytes(node: WordNode | StringNode): Literal {
  if (node.kind === 'string') return { value: node.quoting === 'char' ? Uint8Array.of(node.value.charCodeAt(0) & 0xff) : utf8Bytes(node.value) };
  const text = node.text;
  // A hex integer of one byte stands for that byte; longer ones would need a byte order.
  if (/^0[xX][0-9a-fA-F]{1,2}$/.test(text)) return { value: Uint8Array.of(parseInt(text.slice(2), 16)) };
  const value = parseByteString(text);
  if (!value) fail(`"${text}" is not a valid byte string.`, node);
  return { value };
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|UTC|[+-]\d{2}:?\d{2})?$/;
const WIRESHARK_DATE = /^([A-Za-z]{3}) +(\d{1,2}), (\d{4}) (\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?: (UTC))?$/;

/** A date as Wireshark takes it (`"2011-07-04 12:34:56"`, `"Nov 12, 1999 08:55:44.123"`): local time unless it says UTC or an offset. */
function date(text: string, span: Span): Literal {
  const iso = ISO_DATE.exec(text);
  const named = iso ? undefined : WIRESHARK_DATE.exec(text);
  if (!iso && !named) fail(`"${text}" is not a valid absolute time. Example: "Nov 12, 1999 08:55:44.123" or "2011-07-04 12:34:56"`, span);
  const [year, month, day, hours, minutes, seconds, fraction, zone] = iso
    ? [iso[1], Number(iso[2]) - 1, iso[3], iso[4], iso[5], iso[6], iso[7], iso[8]]
    : [named?.[3], MONTHS.findIndex((month) => month.toLowerCase() === (named?.[1] ?? '').toLowerCase()), named?.[2], named?.[4], named?.[5], named?.[6], named?.[7], named?.[8]];
  const parts = [Number(year), Number(month), Number(day), Number(hours ?? 0), Number(minutes ?? 0), Number(seconds ?? 0)] as const;
  let milliseconds: number;
  if (zone === undefined) {
    milliseconds = new Date(...parts).getTime();
  } else {
    milliseconds = Date.UTC(...parts);
    const offset = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
    if (offset) milliseconds -= (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3])) * 60_000;
  }
  if (Number(month) < 0 || !Number.isFinite(milliseconds)) fail(`"${text}" is not a valid absolute time.`, span);
  return { value: BigInt(milliseconds) * 1_000_000n + BigInt(((fraction ?? '') + '000000000').slice(0, 9)) };
}

const TIME = /^(-?)(\d*)(?:\.(\d*))?$/;

function time(text: string, span: Span): Literal {
  const match = TIME.exec(text);
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) fail(`"${text}" is not a valid time.`, span);
  const nanoseconds = BigInt(match[2] || '0') * 1_000_000_000n + BigInt(((match[3] ?? '') + '000000000').slice(0, 9));
  const signed = match[1] === '-' ? -nanoseconds : nanoseconds;
  return { value: signed >= -(1n << 53n) && signed <= 1n << 53n ? Number(signed) : signed };
}

/** The literal `node` as a value of `target`'s type; a FilterError when it is not one. */
export function literalFor(node: WordNode | StringNode, target: Target): Literal {
  const quoted = node.kind === 'string' && node.quoting !== 'char';
  const text = node.kind === 'word' ? node.text : node.value;
  const typeName = TYPE_NAMES[target.type];
  switch (target.kind) {
    case 'integer':
      return integer(node, target);
    case 'boolean':
      return boolean(node, target);
    case 'string':
      return { value: text };
    case 'bytes':
    case 'protocol':
      return bytes(node);
    case 'ipv4':
      if (node.kind === 'string') fail(`${typeName} cannot be converted from a string ("${text}").`, node);
      return addressWithPrefix(text, node, IPV4);
    case 'ipv6':
      if (node.kind === 'string') fail(`${typeName} cannot be converted from a string ("${text}").`, node);
      return addressWithPrefix(text, node, IPV6);
    case 'ether':
      if (quoted || node.kind === 'string') fail(`${typeName} cannot be converted from a string ("${text}").`, node);
      return ether(text, node);
    case 'time':
      if (node.kind === 'string') fail(`${typeName} cannot be converted from a string ("${text}").`, node);
      return time(text, node);
    case 'date':
      return date(text, node);
    case 'none':
      fail(`${target.field?.abbrev ?? 'This field'} is a label and has no value to compare.`, node);
  }
}

/** `text` as a string literal of the filter language: quoted, its backslashes and quotes escaped. */
export function stringLiteral(text: string): string {
  return `"${text.replace(/[\\"]/g, (character) => `\\${character}`)}"`;
}
