// A line being edited (the filter, the export path): its text and cursor, and the editing commands.
import { useState } from 'react';
import { editLine, EMPTY_LINE, lineOf, type EditCommand, type LineState } from './line-editor.js';
import type { CommandHandlers } from './use-keys.js';

const EDIT_COMMANDS: readonly EditCommand[] = ['cursorLeft', 'cursorRight', 'lineStart', 'lineEnd', 'deleteBack', 'deleteForward', 'deleteWord', 'killToEnd', 'clearLine', 'insert'];

export interface LineEditor {
  line: LineState;
  setLine(line: LineState): void;
  /** Starts editing `text`, the cursor at its end. */
  open(text: string): void;
  commands: CommandHandlers;
}

/** `edited`: called after each edit (the filter line drops its completion candidates). */
export function useLineEditor(edited?: () => void): LineEditor {
  const [line, setLine] = useState<LineState>(EMPTY_LINE);
  const commands: CommandHandlers = {};
  for (const command of EDIT_COMMANDS) {
    commands[command] = (input) => {
      setLine(editLine(line, command, input));
      edited?.();
    };
  }
  return { line, setLine, open: (text) => setLine(lineOf(text)), commands };
}
