// A line that asks for one thing (a path to write, text to search, a command): editing, Enter hands the
// text over, Esc leaves. It can offer the last text given the next time (a path, a search).
import { useRef } from 'react';
import type { CommandHandlers } from './use-keys.js';
import { useLineEditor, type LineEditor } from './use-line-editor.js';

export interface PromptLineState {
  editor: LineEditor;
  /** Opens the line on `text`, or else on the last text given (when offered). */
  open(text?: string): void;
  commands: CommandHandlers;
}

/** `close`: the line is left; `accept`: the text given (not empty); `offerLast`: open on the last text given. */
export function usePromptLine(close: () => void, accept: (text: string) => void, offerLast = true): PromptLineState {
  const editor = useLineEditor();
  const last = useRef('');
  return {
    editor,
    open: (text) => editor.open(text ?? (offerLast ? last.current : '')),
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
