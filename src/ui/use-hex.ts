// The hex pane's state and commands: the bytes the selected tree line points into (the frame's or a
// reassembled source's), the field's and its layer's ranges, and the scroll position, which follows the
// selected field until the pane has the focus.
import { useState } from 'react';
import type { Dissection } from '../decode/dissection.js';
import { BYTES_PER_ROW, hexTopFor, type ByteRange } from './HexPane.js';
import type { TreeLine } from './tree-lines.js';
import { movement, type CommandHandlers } from './use-keys.js';

export interface HexState {
  bytes: Uint8Array;
  /** The byte source's name ("Frame", "Reassembled TCP (N bytes)"). */
  sourceName: string;
  /** Which byte source the bytes are: 0 the frame, others reassembled. */
  sourceIndex: number;
  field: ByteRange | undefined;
  layer: ByteRange | undefined;
  top: number;
  commands: CommandHandlers;
  /** The pane takes the focus: it scrolls from where it shows now. */
  focus(): void;
}

const NO_BYTES = new Uint8Array(0);

export function useHex(detail: Dissection | undefined, line: TreeLine | undefined, height: number, focused: boolean): HexState {
  const [scroll, setScroll] = useState(0);
  const node = line?.node;
  const sourceIndex = node?.source ?? 0;
  const bytes = detail?.sources[sourceIndex]?.bytes ?? NO_BYTES;
  const field = node && !node.generated && node.field.type !== 'protocol' ? { start: node.start, length: node.length } : undefined;
  const layer = line?.layer && line.layer.source === sourceIndex ? { start: line.layer.start, length: line.layer.length } : undefined;
  const rowsTotal = Math.ceil(bytes.length / BYTES_PER_ROW);
  const top = focused ? Math.max(0, Math.min(scroll, rowsTotal - height)) : hexTopFor(field ?? layer, height);
  const scrollTo = (row: number) => setScroll(Math.max(0, Math.min(row, rowsTotal - height)));

  return {
    bytes,
    sourceName: detail?.sources[sourceIndex]?.name ?? 'Frame',
    sourceIndex,
    field,
    layer,
    top,
    focus: () => setScroll(top),
    commands: movement(top, height, rowsTotal, scrollTo),
  };
}
