// The selected row of a table taller than its pane, and the first row in view: the view scrolls as little
// as needed to keep the selection in it.
import { useState } from 'react';
import { movement, type CommandHandlers } from './use-keys.js';

export interface RowSelection {
  /** The selected row, within 0..count-1 (0 when empty). */
  row: number;
  /** The first row in view. */
  top: number;
  /** Back to the first row (a new table). */
  reset(): void;
  /** The moving commands over the rows. */
  commands: CommandHandlers;
}

export function useRowSelection(count: number, height: number): RowSelection {
  const [selected, setSelected] = useState(0);
  const [top, setTop] = useState(0);
  const row = Math.max(0, Math.min(selected, count - 1));
  let listTop = Math.max(0, Math.min(top, count - height));
  if (row < listTop) listTop = row;
  if (row >= listTop + height) listTop = row - height + 1;
  const select = (to: number) => {
    setSelected(Math.max(0, Math.min(count - 1, to)));
    setTop(listTop);
  };
  return {
    row,
    top: listTop,
    reset: () => {
      setSelected(0);
      setTop(0);
    },
    commands: movement(row, height, count - 1, select),
  };
}
