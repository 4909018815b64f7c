// Print mode: one line per frame as tshark prints it (-T text), chosen fields (-T fields), or one JSON
// object per frame (-T json). Every capture-derived string passes the sanitiser first.
import type { Dissection } from '../decode/dissection.js';
import { formatFieldValue, type FieldDef, type FieldValue } from '../decode/field.js';
import type { Registry } from '../decode/registry.js';
import { sanitize } from '../decode/sanitize.js';
import { TAP_COLUMN_FIELDS, tapArrow, tapInterface, verdictMark } from '../decode/protocols/tap.js';
import { walkTree } from '../decode/tree.js';
import type { FieldOutputOptions } from './args.js';
import type { FrameOutput } from '../session/print-pass.js';
import type { TextOutput } from './output.js';
import type { TimeColumn } from '../decode/time-format.js';

const COLUMN_PREFIX = '_ws.col.';
const COLUMNS = ['No.', 'Time', 'Source', 'Destination', 'Protocol', 'Length', 'Info'] as const;
type Column = (typeof COLUMNS)[number];

function columnText(column: Column, dissection: Dissection, time: TimeColumn): string {
  const frame = dissection.frame;
  switch (column) {
    case 'No.':
      return String(frame.number);
    case 'Time':
      return time.text(frame);
    case 'Source':
      return dissection.cols.src;
    case 'Destination':
      return dissection.cols.dst;
    case 'Protocol':
      return dissection.cols.protocol;
    case 'Length':
      return String(frame.originalLength);
    case 'Info':
      return dissection.cols.info;
  }
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

export class TextPrinter implements FrameOutput {
  readonly columns = true;
  readonly tree = false;
  readonly fields = TAP_COLUMN_FIELDS;

  constructor(
    private readonly out: TextOutput,
    private readonly time: TimeColumn,
  ) {}

  print(dissection: Dissection): void {
    const frame = dissection.frame;
    const cols = dissection.cols;
    const arrow = tapArrow(dissection);
    const iface = tapInterface(dissection);
    const tapColumn = arrow === '' ? '' : ` ${arrow}${verdictMark(dissection)}${iface !== undefined ? ' ' + sanitize(iface) : ''}`;
    this.out.write(
      `${String(frame.number).padStart(5)} ${this.time.text(frame).padStart(10)}${tapColumn} ` +
        `${sanitize(cols.src).padStart(12)} → ${sanitize(cols.dst).padEnd(12)} ${cols.protocol} ${frame.originalLength} ${sanitize(cols.info)}\n`,
    );
  }
}

export class FieldsPrinter implements FrameOutput {
  readonly tree = false;
  readonly columns: boolean;
  readonly fields: readonly FieldDef[];
  private headerDone = false;

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
      line += typeof field === 'string' ? sanitize(columnText(field, dissection, this.time)) : this.occurrences(field, dissection.valuesOf(field));
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
      for (const column of COLUMNS) put(`${COLUMN_PREFIX}${column}`, sanitize(columnText(column, dissection, this.time)));
      for (const { node } of walkTree(dissection.roots)) {
        if (node.field.type !== 'protocol' && node.field.type !== 'none') put(node.field.abbrev, sanitize(formatFieldValue(node.field, node.value)));
      }
    } else {
      for (const field of this.requested) {
        if (typeof field === 'string') {
          put(`${COLUMN_PREFIX}${field}`, sanitize(columnText(field, dissection, this.time)));
          continue;
        }
        for (const value of dissection.valuesOf(field)) put(field.abbrev, sanitize(formatFieldValue(field, value)));
      }
    }
    this.out.write(JSON.stringify(object) + '\n');
  }
}
