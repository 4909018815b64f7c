// Readline-style editing of one line (the filter and the export path), as pure functions over the
// text and cursor so the commands are testable without a terminal.
export interface LineState {
  text: string;
  cursor: number;
}

export const EMPTY_LINE: LineState = { text: '', cursor: 0 };

export function lineOf(text: string): LineState {
  return { text, cursor: text.length };
}

const WORD = /[A-Za-z0-9_.-]/;

/** The start of the word that ends at `cursor` (field-name characters). */
export function wordStart(text: string, cursor: number): number {
  let start = cursor;
  while (start > 0 && WORD.test(text[start - 1])) start--;
  return start;
}

/** Commands that edit the line (commands.ts), and what each does. */
export type EditCommand = 'cursorLeft' | 'cursorRight' | 'lineStart' | 'lineEnd' | 'deleteBack' | 'deleteForward' | 'deleteWord' | 'killToEnd' | 'clearLine' | 'insert';

/** The line after an editing command; `input` is the text an `insert` types. */
export function editLine(state: LineState, command: EditCommand, input = ''): LineState {
  const { text, cursor } = state;
  switch (command) {
    case 'cursorLeft':
      return { text, cursor: Math.max(0, cursor - 1) };
    case 'cursorRight':
      return { text, cursor: Math.min(text.length, cursor + 1) };
    case 'lineStart':
      return { text, cursor: 0 };
    case 'lineEnd':
      return { text, cursor: text.length };
    case 'deleteBack':
      return cursor === 0 ? state : { text: text.slice(0, cursor - 1) + text.slice(cursor), cursor: cursor - 1 };
    case 'deleteForward':
      return { text: text.slice(0, cursor) + text.slice(cursor + 1), cursor };
    case 'deleteWord': {
      let start = cursor;
      while (start > 0 && text[start - 1] === ' ') start--;
      while (start > 0 && text[start - 1] !== ' ') start--;
      return { text: text.slice(0, start) + text.slice(cursor), cursor: start };
    }
    case 'killToEnd':
      return { text: text.slice(0, cursor), cursor };
    case 'clearLine':
      return EMPTY_LINE;
    case 'insert': {
      // Typed or pasted text; pasted line breaks and other controls would make a filter nobody can see.
      const typed = input.replace(/[\x00-\x1f\x7f]/g, '');
      return typed === '' ? state : { text: text.slice(0, cursor) + typed + text.slice(cursor), cursor: cursor + typed.length };
    }
  }
}

export interface Completion {
  line: LineState;
  /** Every name that could complete the word, for the user to read (empty when none or already unique). */
  candidates: string[];
}

/** Completes the word before the cursor to the longest prefix all matching `names` share. */
export function complete(state: LineState, names: readonly string[]): Completion {
  const start = wordStart(state.text, state.cursor);
  const word = state.text.slice(start, state.cursor);
  if (word === '') return { line: state, candidates: [] };
  const matches = names.filter((name) => name.startsWith(word));
  if (matches.length === 0) return { line: state, candidates: [] };
  let prefix = matches[0];
  for (const name of matches) {
    let common = 0;
    while (common < prefix.length && common < name.length && prefix[common] === name[common]) common++;
    prefix = prefix.slice(0, common);
  }
  const unique = matches.length === 1;
  const insert = prefix.slice(word.length) + (unique ? ' ' : '');
  const line = { text: state.text.slice(0, state.cursor) + insert + state.text.slice(state.cursor), cursor: state.cursor + insert.length };
  return { line, candidates: unique ? [] : matches.sort() };
}

/** Earlier entries, newest last; Up and Down walk them. */
export class History {
  private readonly entries: string[] = [];
  private position = 0;
  private draft = '';

  constructor(private readonly limit = 100) {}

  add(text: string): void {
    if (text === '') return;
    const existing = this.entries.indexOf(text);
    if (existing >= 0) this.entries.splice(existing, 1);
    this.entries.push(text);
    if (this.entries.length > this.limit) this.entries.shift();
    this.reset();
  }

  /** Starts a new walk from the line being edited. */
  reset(): void {
    this.position = this.entries.length;
  }

  older(current: string): string | undefined {
    if (this.position === 0) return undefined;
    if (this.position === this.entries.length) this.draft = current;
    return this.entries[--this.position];
  }

  newer(): string | undefined {
    if (this.position >= this.entries.length) return undefined;
    this.position++;
    return this.position === this.entries.length ? this.draft : this.entries[this.position];
  }
}
