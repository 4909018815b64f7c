// The mouse, in xterm's SGR mode (1006) with button events (1000): a press or release arrives as
// `ESC [ < button ; column ; row M|m`, which Ink hands to input handlers as `[<b;x;yM`. Clicks select and
// wheels scroll the pane under the pointer; Shift held keeps the terminal's own text selection (terminals
// do not report a Shift-drag to the program).
import { useInput } from 'ink';
import type { Layout } from './layout.js';

/** Turns the reports on and off: written when the screen is taken and given back. */
export const MOUSE_ON = '\u001b[?1000h\u001b[?1006h';
export const MOUSE_OFF = '\u001b[?1006l\u001b[?1000l';

export interface MouseEvent {
  kind: 'click' | 'wheelUp' | 'wheelDown';
  /** 0-based screen column and row. */
  x: number;
  y: number;
}

const SGR = /^\u001b?\[<(\d+);(\d+);(\d+)([Mm])$/;
const WHEEL = 64;
/** Shift, Alt and Ctrl held: bits 4, 8, 16 of the button. */
const MODIFIERS = 4 | 8 | 16;

/** Whether `input` is a mouse report (which no key command may take as text). */
export function isMouseReport(input: string): boolean {
  return SGR.test(input);
}

/** A press of the left button or a wheel step; undefined for releases, drags (motion, bit 32), other buttons and anything else. */
export function parseMouse(input: string): MouseEvent | undefined {
  const match = SGR.exec(input);
  if (!match || match[4] === 'm') return undefined;
  const code = Number(match[1]) & ~MODIFIERS;
  const x = Number(match[2]) - 1;
  const y = Number(match[3]) - 1;
  if (code === WHEEL) return { kind: 'wheelUp', x, y };
  if (code === WHEEL + 1) return { kind: 'wheelDown', x, y };
  if (code === 0) return { kind: 'click', x, y };
  return undefined;
}

export type ScreenPart = { pane: 'list' | 'tree' | 'hex'; line: number } | { pane: 'other' };

/**
 * What is at screen row `y` of the panes' layout: a packet row (0: the first in view), a tree line, a hex
 * row, or a title (line -1), as App lays them out: list header and rows, then each pane's title and lines.
 */
export function partAt(layout: Layout, y: number): ScreenPart {
  const treeTitle = 1 + layout.listRows;
  const hexTitle = treeTitle + 1 + layout.treeRows;
  if (y >= 1 && y < treeTitle) return { pane: 'list', line: y - 1 };
  if (y >= treeTitle && y < hexTitle) return { pane: 'tree', line: y - treeTitle - 1 };
  if (y >= hexTitle && y <= hexTitle + layout.hexRows) return { pane: 'hex', line: y - hexTitle - 1 };
  return { pane: 'other' };
}

/** The byte under column `x` of a hex row (the offset, two spaces, 16 bytes with a gap after 8, the ASCII), if any. */
export function byteAtColumn(x: number): number | undefined {
  const HEX_START = 6;
  const ASCII_START = HEX_START + 16 * 3 + 1 + 2;
  if (x >= ASCII_START && x < ASCII_START + 16) return x - ASCII_START;
  const inHex = x - HEX_START - (x >= HEX_START + 8 * 3 ? 1 : 0);
  if (x < HEX_START || inHex < 0 || inHex >= 16 * 3 || inHex % 3 === 2) return undefined;
  return Math.floor(inHex / 3);
}

/** Calls `onEvent` for each click and wheel step while `active`. */
export function useMouse(active: boolean, onEvent: (event: MouseEvent) => void): void {
  useInput(
    (input) => {
      const event = parseMouse(input);
      if (event) onEvent(event);
    },
    { isActive: active },
  );
}
