// The packet list's columns as Wireshark's `gui.column.format` preference spells them: pairs of a title
// and a format (`"No.", "%m", "Win", "%Cus:tcp.window_size:0:R"`), read by print mode (tshark -o) and by
// the interface, where columns are added from the tree, hidden, moved and sized. `%tap` is tsshark's own:
// the Tap column (the direction the kernel copied the frame in, and the interface).
import type { Dissection } from './dissection.js';
import { displayFieldValue, formatFieldValue, type FieldDef } from './field.js';
import { tapArrow, tapInterface, verdictMark } from './protocols/tap.js';
import type { TimeFormat } from './time-format.js';

export type ColumnKind = 'number' | 'time' | 'tap' | 'source' | 'destination' | 'srcport' | 'dstport' | 'protocol' | 'length' | 'info' | 'custom';

export interface ColumnSpec {
  title: string;
  /** As written in the preference: `%m`, `%Cus:tcp.window_size:0:R`. */
  format: string;
  kind: ColumnKind;
  /** A time column's own format (`%Rt` is r); undefined for `%t`, which follows -t and the interface's choice. */
  time?: TimeFormat;
  /** A custom column's fields (`ip.src or ip.dst`), or the port fields of a port column. */
  fields: readonly FieldDef[];
  /** A custom column's occurrence: 0 every one, N the Nth, -N the Nth from the end. */
  occurrence: number;
  /** A custom column's values as -T fields writes them (`:U`), not as the tree names them. */
  unresolved: boolean;
}

/** A column of the packet list as the preferences set it: hidden or not, and its width when one was set. */
export interface ListColumn {
  spec: ColumnSpec;
  hidden: boolean;
  /** Terminal columns chosen in the interface; undefined: fitted to what the rows show. */
  width: number | undefined;
}

/** The columns tsshark shows when no preference says otherwise: Wireshark's, with the Tap column. */
export const DEFAULT_COLUMN_FORMAT = '"No.", "%m", "Time", "%t", "Tap", "%tap", "Source", "%s", "Destination", "%d", "Protocol", "%p", "Length", "%L", "Info", "%i"';

/** The default columns, all shown and fitted. */
export function defaultColumns(field: (abbrev: string) => FieldDef | undefined): ListColumn[] {
  const parsed = parseColumnFormat(DEFAULT_COLUMN_FORMAT, field);
  return parsed.ok ? parsed.columns.map((spec) => ({ spec, hidden: false, width: undefined })) : [];
}

/** The fixed formats Wireshark and tsshark share (names as tshark -G column-formats lists them). */
const FIXED_FORMATS: Readonly<Record<string, { kind: ColumnKind; time?: TimeFormat }>> = {
  '%m': { kind: 'number' },
  '%t': { kind: 'time' },
  '%Rt': { kind: 'time', time: 'r' },
  '%At': { kind: 'time', time: 'a' },
  '%Yt': { kind: 'time', time: 'ad' },
  '%YDOYt': { kind: 'time', time: 'adoy' },
  '%Aut': { kind: 'time', time: 'u' },
  '%Yut': { kind: 'time', time: 'ud' },
  '%YDOYut': { kind: 'time', time: 'udoy' },
  '%Tt': { kind: 'time', time: 'd' },
  '%Gt': { kind: 'time', time: 'dd' },
  '%tap': { kind: 'tap' },
  '%s': { kind: 'source' },
  '%rs': { kind: 'source' },
  '%us': { kind: 'source' },
  '%ns': { kind: 'source' },
  '%rns': { kind: 'source' },
  '%uns': { kind: 'source' },
  '%d': { kind: 'destination' },
  '%rd': { kind: 'destination' },
  '%ud': { kind: 'destination' },
  '%nd': { kind: 'destination' },
  '%rnd': { kind: 'destination' },
  '%und': { kind: 'destination' },
  '%S': { kind: 'srcport' },
  '%rS': { kind: 'srcport' },
  '%uS': { kind: 'srcport' },
  '%D': { kind: 'dstport' },
  '%rD': { kind: 'dstport' },
  '%uD': { kind: 'dstport' },
  '%p': { kind: 'protocol' },
  '%L': { kind: 'length' },
  '%i': { kind: 'info' },
};

const PORT_FIELDS: Readonly<Record<'srcport' | 'dstport', readonly string[]>> = {
  srcport: ['tcp.srcport', 'udp.srcport', 'sctp.srcport'],
  dstport: ['tcp.dstport', 'udp.dstport', 'sctp.dstport'],
};

const CUSTOM_PREFIX = '%Cus:';

export type ColumnFormatParse = { ok: true; columns: ColumnSpec[] } | { ok: false; error: string };

/** The quoted strings of a preference's list value (`"a", "b"`), or an error at the character it stopped at. */
export function quotedList(text: string): { ok: true; items: string[] } | { ok: false; error: string } {
  const items: string[] = [];
  let at = 0;
  const skipSpace = () => {
    while (at < text.length && /\s/.test(text[at])) at++;
  };
  skipSpace();
  while (at < text.length) {
    if (text[at] !== '"') return { ok: false, error: `expected a quoted string at character ${at + 1}` };
    let item = '';
    at++;
    while (at < text.length && text[at] !== '"') {
      if (text[at] === '\\' && at + 1 < text.length) at++;
      item += text[at++];
    }
    if (at >= text.length) return { ok: false, error: `a string that starts at character ${text.lastIndexOf('"', at - 1) + 1} is not closed` };
    at++;
    items.push(item);
    skipSpace();
    if (at < text.length) {
      if (text[at] !== ',') return { ok: false, error: `expected "," at character ${at + 1}` };
      at++;
      skipSpace();
    }
  }
  return { ok: true, items };
}

/** One column from its title and format; `field` finds a field by its filter name. */
export function columnSpec(title: string, format: string, field: (abbrev: string) => FieldDef | undefined): ColumnSpec | string {
  const fixed = FIXED_FORMATS[format];
  if (fixed !== undefined) {
    const ports = fixed.kind === 'srcport' || fixed.kind === 'dstport' ? PORT_FIELDS[fixed.kind].map(field).filter((f) => f !== undefined) : [];
    return { title, format, kind: fixed.kind, time: fixed.time, fields: ports, occurrence: 0, unresolved: false };
  }
  if (!format.startsWith(CUSTOM_PREFIX)) return `column "${title}": format "${format}" is not one tsshark shows (${Object.keys(FIXED_FORMATS).join(' ')} %Cus:FIELD)`;
  const [names = '', occurrenceText = '0', resolution = 'R'] = format.slice(CUSTOM_PREFIX.length).split(':');
  const fields: FieldDef[] = [];
  for (const name of names.split(/\s*(?:\|\||\bor\b)\s*/)) {
    const found = field(name.trim());
    if (found === undefined) return `column "${title}": "${name.trim()}" is not a field`;
    fields.push(found);
  }
  const occurrence = Number(occurrenceText);
  if (!Number.isInteger(occurrence)) return `column "${title}": occurrence "${occurrenceText}" is not a whole number`;
  if (resolution !== 'R' && resolution !== 'U') return `column "${title}": "${resolution}" is neither R (resolved) nor U (unresolved)`;
  return { title, format, kind: 'custom', fields, occurrence, unresolved: resolution === 'U' };
}

/** The columns a `gui.column.format` value lists, or what is wrong with it. */
export function parseColumnFormat(text: string, field: (abbrev: string) => FieldDef | undefined): ColumnFormatParse {
  const list = quotedList(text);
  if (!list.ok) return list;
  if (list.items.length === 0 || list.items.length % 2 !== 0) return { ok: false, error: 'expected pairs of a title and a format ("No.", "%m", ...)' };
  const columns: ColumnSpec[] = [];
  for (let i = 0; i < list.items.length; i += 2) {
    const column = columnSpec(list.items[i], list.items[i + 1], field);
    if (typeof column === 'string') return { ok: false, error: column };
    columns.push(column);
  }
  return { ok: true, columns };
}

/** An item of a preference's list, quoted as quotedList reads it back. */
export const quotedItem = (text: string) => `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;

/** The `gui.column.format` value for `columns`. */
export function columnFormatText(columns: readonly ColumnSpec[]): string {
  return columns.map((column) => `${quotedItem(column.title)}, ${quotedItem(column.format)}`).join(', ');
}

/** A custom column for `field`, as Wireshark's "Apply as Column" makes it: titled with the field's name. */
export function customColumn(field: FieldDef): ColumnSpec {
  return { title: field.name, format: `${CUSTOM_PREFIX}${field.abbrev}:0:R`, kind: 'custom', fields: [field], occurrence: 0, unresolved: false };
}

/** The fields the frames must record for these columns' texts. */
export function columnFields(columns: readonly ColumnSpec[]): FieldDef[] {
  return [...new Set(columns.flatMap((column) => column.fields))];
}

/** `↓ eth0`: the direction the kernel copied the frame in, netfilter's ✗, and the interface when named. */
export function tapText(dissection: Dissection): string {
  const arrow = tapArrow(dissection) + verdictMark(dissection);
  const name = tapInterface(dissection);
  return name === undefined ? arrow : `${arrow}${arrow ? ' ' : ''}${name}`;
}

/** A custom column's text: its fields' values (the one asked for), as the tree names them unless `:U`. */
function customText(column: ColumnSpec, dissection: Dissection): string {
  const texts: string[] = [];
  for (const field of column.fields) {
    for (const value of dissection.valuesOf(field)) {
      texts.push(column.unresolved ? formatFieldValue(field, value) : columnValueText(field, displayFieldValue(field, value)));
    }
  }
  if (column.occurrence === 0) return texts.join(',');
  return texts.at(column.occurrence > 0 ? column.occurrence - 1 : column.occurrence) ?? '';
}

/** A named value is shown by its name alone in a column (`TCP`, not `TCP (6)`), a time without its unit. */
function columnValueText(field: FieldDef, display: string): string {
  if (field.type === 'relative_time') return display.replace(/ seconds$/, '');
  const named = /^(.*) \((?:0x[0-9a-f]+|\d+)\)$/.exec(display);
  return named && field.values !== undefined ? named[1] : display;
}

/** A time column's text for a frame (%t in the format chosen, another in its own). */
export type ColumnTime = (column: ColumnSpec, dissection: Dissection) => string;

/** The text of `column` for a frame. */
export function columnText(column: ColumnSpec, dissection: Dissection, timeOf: ColumnTime): string {
  const frame = dissection.frame;
  switch (column.kind) {
    case 'number':
      return String(frame.number);
    case 'time':
      return timeOf(column, dissection);
    case 'tap':
      return tapText(dissection);
    case 'source':
      return dissection.cols.src;
    case 'destination':
      return dissection.cols.dst;
    case 'srcport':
    case 'dstport':
      for (const field of column.fields) {
        const values = dissection.valuesOf(field);
        if (values.length > 0) return String(values[0]);
      }
      return '';
    case 'protocol':
      return dissection.cols.protocol;
    case 'length':
      return String(frame.originalLength);
    case 'info':
      return dissection.cols.info;
    case 'custom':
      return customText(column, dissection);
  }
}
