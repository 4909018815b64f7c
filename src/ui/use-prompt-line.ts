// A line that asks for one thing (a path to write, text to search): editing, Enter hands the text over,
// Esc leaves. It remembers the last text given, which it offers the next time.
import { useRef } from 'react';
import type { CommandHandlers } from './use-keys.js';
import { useLineEditor, type LineEditor } from './use-line-editor.js';

export interface PromptLineState {
  editor: LineEditor;
  /** Opens the line on the last text given. */
  open(): void;
  commands: CommandHandlers;
}

/** `close`: the line is left; `accept`: the text given (not empty). */
export function usePromptLine(close: () => void, accept: (text: string) => void): PromptLineState {
  const editor = useLineEditor();
  const last = useRef('');
  return {
    editor,
    open: () => editor.open(last.current),
    commands: {
      ...editor.commands,
      accept: () => {
        close();
        const text = editor.line.text.trim();
        if (text === '') return;
        last.current = text;
        accept(text);
      },
      cancel: close,
    },
  };
}
