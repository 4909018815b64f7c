// The packet list's columns in the interface: added from the tree (`c`, as Wireshark's "Apply as Column"),
// and in the columns view (O) hidden, moved, sized and removed. Every change is saved at once through
// `save` (the preferences file, preferences.ts), and the summaries record the fields the columns need.
import { useState } from 'react';
import { columnFields, customColumn, type ListColumn } from '../decode/column-format.js';
import type { FieldDef } from '../decode/field.js';
import type { CaptureSession } from '../session/capture-session.js';
import { isNamedColumn } from './PacketList.js';
import { ROW_FIELDS } from './rows.js';
import { movement, type CommandHandlers } from './use-keys.js';

/** Writes the columns where they are kept; what went wrong, or undefined. */
export type SaveColumns = (columns: readonly ListColumn[]) => string | undefined;

export interface ColumnsState {
  all: readonly ListColumn[];
  shown: readonly ListColumn[];
  /** Index in `all` of the column the view's cursor is on. */
  cursor: number;
  /** The view's commands. */
  commands: CommandHandlers;
  /** Adds a column for `field` before Info. */
  add(field: FieldDef): void;
}

/** The narrowest a column is made in the view. */
const MIN_WIDTH = 1;

/** `onScreen`: the width a shown column has in the list now, which + and - start from. */
export function useColumns(session: CaptureSession, initial: readonly ListColumn[], save: SaveColumns | undefined, tell: (message: string) => void, onScreen: (column: ListColumn) => number | undefined): ColumnsState {
  // The rows' summaries record what the columns read, before the rows are made (a store that carries on
  // from this one records the same).
  const record = (columns: readonly ListColumn[]) => session.decoded.recordInSummaries([...ROW_FIELDS, ...columnFields(columns.map((column) => column.spec))]);
  const [all, setAll] = useState<readonly ListColumn[]>(() => {
    record(initial);
    return initial;
  });
  const [cursor, setCursor] = useState(0);
  const shown = all.filter((column) => !column.hidden);

  const change = (next: readonly ListColumn[], done: string) => {
    record(next);
    setAll(next);
    const failed = save?.(next);
    tell(failed === undefined ? done : `${done}; not saved: ${failed}`);
  };
  const at = Math.min(cursor, all.length - 1);
  const current = all[at];
  const replace = (column: ListColumn) => all.map((each, i) => (i === at ? column : each));
  const move = (by: number) => {
    const to = at + by;
    if (to < 0 || to >= all.length) return;
    const next = [...all];
    [next[at], next[to]] = [next[to], next[at]];
    setCursor(to);
    change(next, `Column "${current.spec.title}" moved`);
  };
  const resize = (by: number) => {
    const width = Math.max(MIN_WIDTH, (current.width ?? onScreen(current) ?? Math.max(MIN_WIDTH, current.spec.title.length)) + by);
    change(replace({ ...current, width }), `Column "${current.spec.title}": ${width} wide`);
  };
  const commands: CommandHandlers = {
    ...movement(at, 10, all.length - 1, (to) => setCursor(Math.max(0, Math.min(all.length - 1, to)))),
    toggleColumn: () => {
      if (!current.hidden && shown.length === 1) return tell('The last column shown stays');
      change(replace({ ...current, hidden: !current.hidden }), `Column "${current.spec.title}" ${current.hidden ? 'shown' : 'hidden'}`);
    },
    moveColumnLeft: () => move(-1),
    moveColumnRight: () => move(1),
    widerColumn: () => resize(1),
    narrowerColumn: () => resize(-1),
    fitColumn: () => change(replace({ ...current, width: undefined }), `Column "${current.spec.title}" fitted to its rows`),
    removeColumn: () => {
      if (shown.length === 1 && !current.hidden) return tell('The last column shown stays');
      setCursor(Math.max(0, Math.min(at, all.length - 2)));
      change(all.filter((_, i) => i !== at), `Column "${current.spec.title}" removed`);
    },
  };
  const add = (field: FieldDef) => {
    if (all.some((column) => column.spec.kind === 'custom' && column.spec.fields.length === 1 && column.spec.fields[0] === field)) return tell(`${field.abbrev} is a column already (O to show or move it)`);
    const column: ListColumn = { spec: customColumn(field), hidden: false, width: undefined };
    const info = all.findIndex((each) => each.spec.kind === 'info' && isNamedColumn(each));
    change(info < 0 ? [...all, column] : [...all.slice(0, info), column, ...all.slice(info)], `Column "${field.name}" (${field.abbrev}) added`);
  };
  return { all, shown, cursor: at, commands, add };
}
