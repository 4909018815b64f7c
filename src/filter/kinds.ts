// What the filter engine knows about value types: which family a field type compares within, the names
// Wireshark's messages give types, and the primitive operations on runtime values.
import type { FieldType } from '../decode/field.js';

/** Runtime values: integers and times as number (or bigint), IPv4 as an unsigned number, strings, byte arrays. */
export type Value = number | bigint | string | Uint8Array;

/** Families of mutually comparable types. */
export type Kind = 'integer' | 'boolean' | 'ipv4' | 'ipv6' | 'ether' | 'bytes' | 'protocol' | 'string' | 'time' | 'date' | 'none';

export function kindOf(type: FieldType): Kind {
  switch (type) {
    case 'uint8':
    case 'uint16':
    case 'uint24':
    case 'uint32':
    case 'uint64':
    case 'int32':
    case 'framenum':
      return 'integer';
    case 'relative_time':
      return 'time';
    case 'absolute_time':
      return 'date';
    default:
      return type;
  }
}

/** Wireshark's description of each field type (ftype_pretty_name), for messages. */
export const TYPE_NAMES: Readonly<Record<FieldType, string>> = {
  protocol: 'Protocol',
  none: 'Label',
  uint8: 'Unsigned integer (1 byte)',
  uint16: 'Unsigned integer (2 bytes)',
  uint24: 'Unsigned integer (3 bytes)',
  uint32: 'Unsigned integer (4 bytes)',
  uint64: 'Unsigned integer (8 bytes)',
  int32: 'Signed integer (4 bytes)',
  boolean: 'Boolean',
  ipv4: 'IPv4 address',
  ipv6: 'IPv6 address',
  ether: 'Ethernet or other MAC address',
  bytes: 'Byte sequence',
  string: 'Character string',
  absolute_time: 'Date and time',
  relative_time: 'Time offset',
  framenum: 'Frame number',
};

/** Wireshark's internal type names, which some of its messages use. */
export const TYPE_CODES: Readonly<Record<FieldType, string>> = {
  protocol: 'FT_PROTOCOL',
  none: 'FT_NONE',
  uint8: 'FT_UINT8',
  uint16: 'FT_UINT16',
  uint24: 'FT_UINT24',
  uint32: 'FT_UINT32',
  uint64: 'FT_UINT64',
  int32: 'FT_INT32',
  boolean: 'FT_BOOLEAN',
  ipv4: 'FT_IPv4',
  ipv6: 'FT_IPv6',
  ether: 'FT_ETHER',
  bytes: 'FT_BYTES',
  string: 'FT_STRING',
  absolute_time: 'FT_ABSOLUTE_TIME',
  relative_time: 'FT_RELATIVE_TIME',
  framenum: 'FT_FRAMENUM',
};

/** Bytes a value of the type occupies, which `len()` reports for fields that are not byte sequences. */
export const TYPE_WIDTHS: Partial<Record<FieldType, number>> = {
  uint8: 1, uint16: 2, uint24: 3, uint32: 4, uint64: 8, int32: 4, framenum: 4, ipv4: 4, ipv6: 16, ether: 6, boolean: 1, relative_time: 8, absolute_time: 8,
};

/** Kinds whose values are byte arrays and compare as such. */
export function isByteKind(kind: Kind): boolean {
  return kind === 'bytes' || kind === 'protocol' || kind === 'ether' || kind === 'ipv6';
}

export function compatible(a: Kind, b: Kind): boolean {
  if (a === b) return true;
  if (isByteKind(a) && isByteKind(b)) return true;
  return (a === 'integer' || a === 'boolean') && (b === 'integer' || b === 'boolean');
}

export function compareNumbers(a: number | bigint, b: number | bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Byte sequences order by length first, then content, as Wireshark's FT_BYTES does. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}

/** Compares the first `bits` bits (CIDR prefixes of IPv6 literals). */
export function compareBytesPrefix(a: Uint8Array, b: Uint8Array, bits: number): number {
  for (let i = 0; i < a.length && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    const x = a[i] & mask;
    const y = b[i] & mask;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  if (needle.length === 0) return false;
  const first = needle[0];
  const last = haystack.length - needle.length;
  outer: for (let i = 0; i <= last; i++) {
    if (haystack[i] !== first) continue;
    for (let j = 1; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

const utf8 = new TextEncoder();

export function utf8Bytes(text: string): Uint8Array {
  return utf8.encode(text);
}

/** Bytes as a string of code units 0-255, for regular expressions over byte fields. */
export function latin1(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 4096) text += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return text;
}

export function ipv4Bytes(value: number): Uint8Array {
  return Uint8Array.of(value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
}

/** A value of the kind as a byte sequence, for slices. */
export function bytesOfValue(kind: Kind, value: Value): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (kind === 'ipv4') return ipv4Bytes(value as number);
  return utf8Bytes(String(value));
}

/** Upper and lower case of ASCII letters only, as Wireshark's upper() and lower(). */
export function asciiCase(text: string, upper: boolean): string {
  return upper ? text.replace(/[a-z]+/g, (s) => s.toUpperCase()) : text.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}
