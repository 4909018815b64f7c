// Print mode: one line per frame as tshark prints it (-T text), chosen fields (-T fields), or one JSON
// object per frame (-T json). Every capture-derived string passes the sanitiser first.
import type { Dissection } from '../decode/dissection.js';
import { formatFieldValue, type FieldDef, type FieldValue } from '../decode/field.js';
import type { Registry } from '../decode/registry.js';
import { sanitize } from '../decode/sanitize.js';
import { TAP_COLUMN_FIELDS } from '../decode/protocols/tap.js';
import { columnFields, columnSpec, columnText, type ColumnKind, type ColumnSpec, type ColumnTime } from '../decode/column-format.js';
import { walkTree } from '../decode/tree.js';
import type { FieldOutputOptions } from './args.js';
import type { FrameOutput } from '../session/print-pass.js';
import type { TextOutput } from './output.js';
import { TimeColumn, type TimeFormat } from '../decode/time-format.js';

const COLUMN_PREFIX = '_ws.col.';
const COLUMNS = ['No.', 'Time', 'Source', 'Destination', 'Protocol', 'Length', 'Info'] as const;
type Column = (typeof COLUMNS)[number];

/** The `_ws.col.NAME` fields' columns, by their names. */
const NAMED_FORMATS: Readonly<Record<Column, string>> = { 'No.': '%m', Time: '%t', Source: '%s', Destination: '%d', Protocol: '%p', Length: '%L', Info: '%i' };
const NAMED_COLUMNS = new Map(COLUMNS.map((name) => [name, columnSpec(name, NAMED_FORMATS[name], () => undefined) as ColumnSpec]));

/** A `_ws.col.NAME` field's text. */
function namedColumnText(column: Column, dissection: Dissection, timeOf: ColumnTime): string {
  return columnText(NAMED_COLUMNS.get(column)!, dissection, timeOf);
}

/** Resolves `-e` names; unknown ones are collected so all can be reported at once, as tshark does. */
export function resolveFields(registry: Registry, names: readonly string[]): { fields: (FieldDef | Column)[]; unknown: string[] } {
  const fields: (FieldDef | Column)[] = [];
  const unknown: string[] = [];
  for (const name of names) {
    const column = name.startsWith(COLUMN_PREFIX) ? COLUMNS.find((c) => c === name.slice(COLUMN_PREFIX.length)) : undefined;
    const field = column ?? registry.field(name);
    if (field === undefined) unknown.push(name);
    else fields.push(field);
  }
  return { fields, unknown };
}

/**
 * tshark's line per frame (print_columns): the number right-aligned in 5, times in 10, a source address
 * in 12, a destination left-aligned in 12; `→` between a source and the destination after it, `←` the
 * other way. The Tap column is left out of a frame no tap annotates.
 */
export class TextPrinter implements FrameOutput {
  readonly columns = true;
  readonly tree = false;
  readonly fields: readonly FieldDef[];
  private readonly times = new Map<TimeFormat, TimeColumn>();

  constructor(
    private readonly out: TextOutput,
    private readonly time: TimeColumn,
    private readonly shown: readonly ColumnSpec[],
    private readonly digits: number,
  ) {
    this.fields = [...TAP_COLUMN_FIELDS, ...columnFields(shown)];
  }

  /** %t in -t's format; a time column of its own format, in that. */
  private readonly timeOf: ColumnTime = (column, dissection) => {
    if (column.time === undefined) return this.time.text(dissection.frame);
    let time = this.times.get(column.time);
    if (time === undefined) this.times.set(column.time, (time = new TimeColumn(column.time, this.digits)));
    return time.text(dissection.frame);
  };

  print(dissection: Dissection): void {
    let line = '';
    let before: ColumnKind | undefined;
    for (const column of this.shown) {
      const text = sanitize(columnText(column, dissection, this.timeOf));
      if (column.kind === 'tap' && text === '') continue;
      if (before !== undefined) line += before === 'source' && column.kind === 'destination' ? ' → ' : before === 'destination' && column.kind === 'source' ? ' ← ' : ' ';
      line += padded(column, text);
      before = column.kind;
    }
    this.out.write(line + '\n');
  }
}

/** tshark's widths: a time in 10 unless the column is a delta one (%Tt, %Gt). */
function padded(column: ColumnSpec, text: string): string {
  switch (column.kind) {
    case 'number':
      return text.padStart(5);
    case 'time':
      return column.time === 'd' || column.time === 'dd' ? text : text.padStart(10);
    case 'source':
      return text.padStart(12);
    case 'destination':
      return text.padEnd(12);
    default:
      return text;
  }
}

export class FieldsPrinter implements FrameOutput {
  readonly tree = false;
  readonly columns: boolean;
  readonly fields: readonly FieldDef[];
  private headerDone = false;

  /** `_ws.col.Time` in -t's format. */
  private readonly timeOf: ColumnTime = (_, dissection) => this.time.text(dissection.frame);

  constructor(
    private readonly out: TextOutput,
    private readonly requested: readonly (FieldDef | Column)[],
    private readonly names: readonly string[],
    private readonly options: FieldOutputOptions,
    private readonly time: TimeColumn,
  ) {
    this.fields = requested.filter((f): f is FieldDef => typeof f !== 'string');
    this.columns = this.fields.length !== requested.length;
  }

  print(dissection: Dissection): void {
    const { separator } = this.options;
    if (this.options.header && !this.headerDone) {
      this.headerDone = true;
      this.out.write(this.names.join(separator) + '\n');
    }
    let line = '';
    for (let i = 0; i < this.requested.length; i++) {
      const field = this.requested[i];
      if (i > 0) line += separator;
      line += typeof field === 'string' ? sanitize(namedColumnText(field, dissection, this.timeOf)) : this.occurrences(field, dissection.valuesOf(field));
    }
    this.out.write(line + '\n');
  }

  private occurrences(field: FieldDef, values: readonly FieldValue[]): string {
    if (values.length === 0) return '';
    const { occurrence, aggregator } = this.options;
    if (occurrence === 'f') return sanitize(formatFieldValue(field, values[0]));
    if (occurrence === 'l') return sanitize(formatFieldValue(field, values[values.length - 1]));
    let text = sanitize(formatFieldValue(field, values[0]));
    for (let i = 1; i < values.length; i++) text += aggregator + sanitize(formatFieldValue(field, values[i]));
    return text;
  }
}

/** One JSON object per frame: the chosen fields, or without -e every field of the tree. */
export class JsonPrinter implements FrameOutput {
  readonly columns: boolean;
  readonly tree: boolean;
  readonly fields: readonly FieldDef[];

  /** `_ws.col.Time` in -t's format. */
  private readonly timeOf: ColumnTime = (_, dissection) => this.time.text(dissection.frame);

  constructor(
    private readonly out: TextOutput,
    private readonly requested: readonly (FieldDef | Column)[],
    private readonly time: TimeColumn,
  ) {
    this.fields = requested.filter((f): f is FieldDef => typeof f !== 'string');
    this.columns = requested.length === 0 || this.fields.length !== requested.length;
    this.tree = requested.length === 0;
  }

  print(dissection: Dissection): void {
    const object: Record<string, string | string[]> = {};
    const put = (name: string, text: string) => {
      const existing = object[name];
      object[name] = existing === undefined ? text : Array.isArray(existing) ? [...existing, text] : [existing, text];
    };
    if (this.tree) {
      for (const column of COLUMNS) put(`${COLUMN_PREFIX}${column}`, sanitize(namedColumnText(column, dissection, this.timeOf)));
      for (const { node } of walkTree(dissection.roots)) {
        if (node.field.type !== 'protocol' && node.field.type !== 'none') put(node.field.abbrev, sanitize(formatFieldValue(node.field, node.value)));
      }
    } else {
      for (const field of this.requested) {
        if (typeof field === 'string') {
          put(`${COLUMN_PREFIX}${field}`, sanitize(namedColumnText(field, dissection, this.timeOf)));
          continue;
        }
        for (const value of dissection.valuesOf(field)) put(field.abbrev, sanitize(formatFieldValue(field, value)));
      }
    }
    this.out.write(JSON.stringify(object) + '\n');
  }
}
