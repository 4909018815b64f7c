// Copy (`y`, as vim and less users expect): a one-key menu of what to copy — the selected field's value,
// its filter expression, the selected row as a line of text, the bytes pane's hex dump — sent to the
// user's clipboard (clipboard.ts). When the terminal cannot take it, the text waits for a file to be named.
import { writeFileSync } from 'node:fs';
import { useRef } from 'react';
import { formatFieldValue } from '../decode/field.js';
import { sanitize } from '../decode/sanitize.js';
import { nodeLabel, type TreeNode } from '../decode/tree.js';
import { matchSelected } from '../filter/match-selected.js';
import { hexLine, BYTES_PER_LINE } from '../util/hex-dump.js';
import type { Clipboard } from './clipboard.js';
import type { PacketRow } from './PacketList.js';
import type { CommandHandlers } from './use-keys.js';

export const COPY_MENU = 'Copy: v value · f filter · s summary line · x hex dump · Esc';

/** What there is to copy: the selected tree node, the selected row, the bytes pane's bytes. */
export interface Copyable {
  node: TreeNode | undefined;
  row: PacketRow | undefined;
  bytes: Uint8Array;
}

export interface CopyState {
  commands: CommandHandlers;
  /** Writes the text the terminal could not take to `path`; what to tell the user. */
  write(path: string): string;
}

/** The row as one line of text, as tshark prints a frame. */
export function summaryLine(row: PacketRow): string {
  const tap = row.tap === '' ? '' : ` ${row.tap}`;
  return `${row.number} ${row.time}${tap} ${row.source} → ${row.destination} ${row.protocol} ${row.length} ${row.info}`;
}

export function hexDump(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let at = 0; at < bytes.length; at += BYTES_PER_LINE) lines.push(hexLine(bytes, at, at));
  return lines.join('\n') + '\n';
}

/** A node's value as `-T fields` gives it; a protocol or a text line, its text. */
function valueOf(node: TreeNode): string {
  return node.field.type === 'protocol' || node.field.type === 'none' || node.value === undefined ? nodeLabel(node) : formatFieldValue(node.field, node.value);
}

/** `close`: the menu is left; `tell`: a message; `askForFile`: the terminal refused, with why: ask for a path. */
export function useCopy(clipboard: Clipboard, copyable: Copyable, close: () => void, tell: (message: string) => void, askForFile: (reason: string) => void): CopyState {
  const pending = useRef('');
  const copy = (what: string, text: string | undefined) => {
    close();
    if (text === undefined) return tell(`No ${what} to copy here`);
    const result = clipboard.copy(text);
    if (result.ok) return tell(`${result.message}: ${what}${text.includes('\n') ? '' : ` "${sanitize(text.length > 60 ? text.slice(0, 59) + '…' : text)}"`}`);
    pending.current = text;
    askForFile(result.reason);
  };
  const { node, row, bytes } = copyable;
  return {
    commands: {
      copyValue: () => copy('value', node && valueOf(node)),
      copyFilter: () => copy('filter', node && matchSelected(node)),
      copySummary: () => copy('summary line', row && summaryLine(row)),
      copyHex: () => copy('hex dump', bytes.length > 0 ? hexDump(bytes) : undefined),
      closeMenu: close,
    },
    write: (path) => {
      try {
        writeFileSync(path, pending.current);
      } catch (error) {
        return `Cannot write ${path}: ${(error as Error).message}`;
      }
      return `Wrote ${Buffer.byteLength(pending.current)} bytes to ${path}`;
    },
  };
}
