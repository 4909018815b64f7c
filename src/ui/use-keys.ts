// Keys to commands, one key per redraw. Ink hands over every key of a burst (a paste, keys sent by a
// script, a slow link) before React redraws, and several keys typed fast arrive as one string: each is
// taken alone, one per redraw, so each command sees the state the one before it left (a Tab that moves
// the focus decides which pane the next key reaches). Text pasted into a line stays one insert.
import { useInput, type Key } from 'ink';
import { useEffect, useReducer, useRef } from 'react';
import { commandFor, type CommandName, type Scope } from './commands.js';
import { isMouseReport } from './mouse.js';

/** What each command does in the current scope; a command missing here does nothing there. */
export type CommandHandlers = Partial<Record<CommandName, (input: string) => void>>;

/** A plain character's key: no modifier, no special key. */
const NO_KEY: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
  super: false, hyper: false, capsLock: false, numLock: false,
};

/** One character of a burst as the key Ink would have reported alone. */
function keyOfCharacter(character: string): { input: string; key: Key } {
  const code = character.charCodeAt(0);
  if (character === '\r' || character === '\n') return { input: '', key: { ...NO_KEY, return: true } };
  if (character === '\t') return { input: '', key: { ...NO_KEY, tab: true } };
  if (character === '\x7f' || character === '\b') return { input: '', key: { ...NO_KEY, delete: true } };
  if (code < 0x20) return { input: String.fromCharCode(code + 0x60), key: { ...NO_KEY, ctrl: true } };
  return { input: character, key: NO_KEY };
}

const LINE_SCOPES: readonly Scope[] = ['filter', 'path'];

/** The listener of the scope that is active at the last render. */
interface ActiveListener {
  scope: Scope;
  handle(input: string, key: Key): void;
}

/** Keys of a burst not handled yet, shared by every scope's listener: the next redraw's active one takes the next. */
export interface KeyQueue {
  pending: { input: string; key: Key }[];
  handledSinceRender: boolean;
  /** Renders begun so far, and the one whose handlers took the last key. */
  renders: number;
  handledInRender: number;
  touch: () => void;
  /** Set while rendering by the scope that is active: a key goes to it even before React's effects ran. */
  active: ActiveListener | undefined;
}

/**
 * The one subscription to Ink's input for every scope. Each scope subscribing with `isActive` lost keys: a
 * scope's subscription changes in an effect after the redraw, and a key typed in between (a slow machine,
 * a fast typist) went to the scope given up, or to none.
 */
export function useKeyQueue(): KeyQueue {
  const [, touch] = useReducer((n: number) => n + 1, 0);
  const queue = useRef<KeyQueue>({ pending: [], handledSinceRender: false, renders: 0, handledInRender: -1, touch, active: undefined }).current;
  const render = ++queue.renders;
  useInput((input, key) => {
    // The mouse's reports are the mouse hook's (mouse.ts), never keys or text.
    if (isMouseReport(input)) return;
    if (queue.handledSinceRender || queue.pending.length > 0 || queue.active === undefined) {
      queue.pending.push({ input, key });
      queue.touch();
      return;
    }
    queue.handledSinceRender = true;
    queue.handledInRender = queue.renders;
    queue.active.handle(input, key);
  });
  // Whichever listener is active takes its key after this redraw; a redraw with none active frees the queue.
  // Only a redraw begun after the last key was taken: the effects of the one whose handlers took it can run
  // after it (late, on a loaded machine), and the next key would meet the handlers that key made stale.
  useEffect(() => {
    if (render > queue.handledInRender) queue.handledSinceRender = false;
  });
  return queue;
}

/**
 * A scope's listener (a pane, a line being edited, the help screen): while `active`, runs the command each
 * key means in `scope`, with `handlers` as they are at that redraw.
 */
export function useKeys(queue: KeyQueue, scope: Scope, handlers: CommandHandlers, active: boolean): void {
  const handle = (input: string, key: Key) => {
    if (input.length > 1 && !key.meta && !key.escape && (!LINE_SCOPES.includes(scope) || /[\x00-\x1f\x7f]/.test(input))) {
      queue.pending.unshift(...Array.from(input, keyOfCharacter));
      queue.touch();
      return;
    }
    const command = commandFor(scope, input, key);
    if (command) handlers[command]?.(input);
  };
  if (active) queue.active = { scope, handle };
  else if (queue.active?.scope === scope) queue.active = undefined;

  useEffect(() => {
    if (!active || queue.handledSinceRender) return;
    const next = queue.pending.shift();
    if (next === undefined) return;
    queue.handledSinceRender = true;
    queue.handledInRender = queue.renders;
    handle(next.input, next.key);
    queue.touch();
  });
}

/** Lines a step of the mouse wheel moves. */
const WHEEL_LINES = 3;

/** The moving commands of a pane at `position` with `page` lines a screen; `moveTo` clamps to `last`. */
export function movement(position: number, page: number, last: number, moveTo: (to: number) => void): CommandHandlers {
  return {
    scrollDown: () => moveTo(position + WHEEL_LINES),
    scrollUp: () => moveTo(position - WHEEL_LINES),
    down: () => moveTo(position + 1),
    up: () => moveTo(position - 1),
    pageDown: () => moveTo(position + page),
    pageUp: () => moveTo(position - page),
    first: () => moveTo(0),
    last: () => moveTo(last),
  };
}
