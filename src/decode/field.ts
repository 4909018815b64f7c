// Fields are data, declared once per protocol with Wireshark's abbrevs, types and display bases, so that
// the tree, `-T fields`, the filter engine and the UI's field help all read the same table.
import { formatHex, formatIPv4, formatIPv6Bytes, formatMac } from './address.js';

export type FieldType =
  | 'protocol'
  | 'none'
  | 'uint8'
  | 'uint16'
  | 'uint24'
  | 'uint32'
  | 'uint64'
  | 'int32'
  | 'boolean'
  | 'ipv4'
  | 'ipv6'
  | 'ether'
  | 'bytes'
  | 'string'
  /** Seconds since the epoch, as a bigint count of nanoseconds. */
  | 'absolute_time'
  /** A duration in nanoseconds: a number, or a bigint where a number would not be exact. */
  | 'relative_time'
  | 'framenum';

/** Display base, as in Wireshark's BASE_DEC, BASE_HEX, BASE_HEX_DEC, BASE_DEC_HEX. */
export type Base = 'dec' | 'hex' | 'hex_dec' | 'dec_hex';

export interface FieldSpec {
  name: string;
  type: FieldType;
  base?: Base;
  /** Bits of the containing word this field occupies (Wireshark's bitmask), for display. */
  mask?: number;
  values?: Readonly<Record<number, string>>;
  /** The names are for display only: Wireshark formats this field itself and its filters take numbers. */
  customNames?: boolean;
  /** A boolean's texts for true and false (Wireshark's true_false_string); "Set" / "Not set" when absent. */
  truth?: readonly [string, string];
  blurb?: string;
}

export const DEFAULT_TRUTH: readonly [string, string] = ['Set', 'Not set'];

export interface FieldDef extends FieldSpec {
  /** Filter name, e.g. `udp.srcport`. */
  readonly abbrev: string;
  /** Dense index over every field of every protocol, for typed-array lookups. */
  readonly id: number;
}

export type FieldValue = number | bigint | string | boolean | Uint8Array | undefined;

const allFields: FieldDef[] = [];

function define(abbrev: string, spec: FieldSpec): FieldDef {
  const field: FieldDef = { ...spec, abbrev, id: allFields.length };
  allFields.push(field);
  return field;
}

/** The protocol itself as a field (`udp`), whose value is the bytes it spans. */
export function defineProtocol(abbrev: string, name: string): FieldDef {
  return define(abbrev, { name, type: 'protocol' });
}

/** `defineFields('udp', { srcport: {...} })` gives `udp.srcport`; keys may hold dots (`'flags.syn'`). */
export function defineFields<K extends string>(prefix: string, specs: Record<K, FieldSpec>): Record<K, FieldDef> {
  // Built in one go: an object filled key by key past a dozen keys falls into V8's dictionary mode, and
  // dissectors read these tables for every field of every frame.
  return Object.fromEntries((Object.keys(specs) as K[]).map((key) => [key, define(`${prefix}.${key}`, specs[key])])) as Record<K, FieldDef>;
}

/** Every field defined so far; the registry narrows this to the dissectors it was built from. */
export function definedFieldCount(): number {
  return allFields.length;
}

const HEX_WIDTH: Partial<Record<FieldType, number>> = { uint8: 2, uint16: 4, uint24: 6, uint32: 8, uint64: 16 };

/**
 * Hex digits as Wireshark gives them: the type's width, or where `shown` (the tree, a column) a bitmask
 * field's bits (tcp.flags: 0x002, -T fields 0x0002).
 */
function hex(field: FieldDef, value: number | bigint, shown = false): string {
  // The mask's bits from its lowest set one to its highest: 0x0fff is 12, three digits.
  const maskBits = shown && field.mask ? field.mask.toString(2).replace(/0+$/, '').length : 0;
  const digits = maskBits > 0 ? Math.ceil(maskBits / 4) : (HEX_WIDTH[field.type] ?? 2);
  return '0x' + value.toString(16).padStart(digits, '0');
}

/** Month abbreviations as Wireshark writes and reads dates. */
export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** Made when a date is first shown: it loads ICU's time-zone data (7 MB resident) that print mode rarely needs. */
let zoneName: Intl.DateTimeFormat | undefined;

/** A date and time in the local time zone as Wireshark shows it: `Nov  1, 2026 06:45:28.264830000 UTC`. */
export function absoluteTimeText(nanoseconds: bigint): string {
  const seconds = nanoseconds / 1_000_000_000n - (nanoseconds < 0n && nanoseconds % 1_000_000_000n !== 0n ? 1n : 0n);
  const fraction = nanoseconds - seconds * 1_000_000_000n;
  const date = new Date(Number(seconds) * 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  zoneName ??= new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' });
  const zone = zoneName.formatToParts(date).find((part) => part.type === 'timeZoneName')?.value ?? '';
  return (
    `${MONTHS[date.getMonth()]} ${String(date.getDate()).padStart(2)}, ${date.getFullYear()} ` +
    `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.${String(fraction).padStart(9, '0')} ${zone}`
  );
}

/** Seconds with nine decimals, as Wireshark shows durations. */
export function nanosecondsText(ns: number | bigint, digits = 9): string {
  const negative = ns < 0;
  const magnitude = typeof ns === 'bigint' ? (negative ? -ns : ns) : Math.abs(ns);
  const whole = typeof magnitude === 'bigint' ? magnitude / 1_000_000_000n : Math.floor(magnitude / 1e9);
  const fraction = typeof magnitude === 'bigint' ? magnitude % 1_000_000_000n : magnitude % 1e9;
  return `${negative ? '-' : ''}${whole}.${String(fraction).padStart(9, '0').slice(0, digits)}`;
}

/** The value as `tshark -T fields` prints it. */
export function formatFieldValue(field: FieldDef, value: FieldValue): string {
  switch (field.type) {
    case 'boolean':
      return value ? '1' : '0';
    case 'ipv4':
      return formatIPv4(value as number);
    case 'ipv6':
      return formatIPv6Bytes(value as Uint8Array);
    case 'ether':
      return formatMac(value as Uint8Array);
    case 'bytes':
      return formatHex(value as Uint8Array);
    case 'absolute_time':
      return absoluteTimeText(value as bigint);
    case 'relative_time':
      return nanosecondsText(value as number | bigint);
    case 'protocol':
      return '';
    // A field with no value is printed as present, as tshark does.
    case 'none':
      return '1';
    case 'string':
      return escapeLineBreaks(value as string);
    default:
      if (field.base === 'hex' || field.base === 'hex_dec') return hex(field, value as number | bigint);
      return String(value);
  }
}


const LINE_BREAKS = /[\t\r\n]/g;
const LINE_BREAK_ESCAPES: Readonly<Record<string, string>> = { '\t': '\\t', '\r': '\\r', '\n': '\\n' };

/** Tabs and line ends as tshark -T fields writes them, so each frame stays one line of tab-separated values. */
function escapeLineBreaks(text: string): string {
  return text.search(LINE_BREAKS) < 0 ? text : text.replace(LINE_BREAKS, (c) => LINE_BREAK_ESCAPES[c]);
}

/** The value as the protocol tree shows it: names from value strings, both bases where asked. */
export function displayFieldValue(field: FieldDef, value: FieldValue): string {
  switch (field.type) {
    case 'boolean':
      return (field.truth ?? DEFAULT_TRUTH)[value ? 0 : 1];
    case 'bytes':
      return formatHex(value as Uint8Array, ':');
    case 'relative_time':
      return `${nanosecondsText(value as number | bigint)} seconds`;
    case 'uint8':
    case 'uint16':
    case 'uint24':
    case 'uint32':
    case 'uint64':
    case 'int32': {
      const n = value as number | bigint;
      let text =
        field.base === 'hex' ? hex(field, n, true)
        : field.base === 'hex_dec' ? `${hex(field, n, true)} (${n})`
        : field.base === 'dec_hex' ? `${n} (${hex(field, n, true)})`
        : String(n);
      const name = field.values?.[Number(n)];
      if (name !== undefined) text = `${name} (${text})`;
      return text;
    }
    default:
      return formatFieldValue(field, value);
  }
}

/** Merges field tables keyed by abbrev, for a dissector that owns several protocols' fields. */
export function fieldsByAbbrev(...groups: readonly (FieldDef | Readonly<Record<string, FieldDef>>)[]): Record<string, FieldDef> {
  const merged: Record<string, FieldDef> = {};
  for (const group of groups) {
    const list = 'abbrev' in group && typeof group.abbrev === 'string' ? [group as FieldDef] : Object.values(group as Record<string, FieldDef>);
    for (const field of list) merged[field.abbrev] = field;
  }
  return merged;
}
