// The export path line's state and commands: Enter writes the marked (else displayed) frames there.
import { useRef } from 'react';
import type { CaptureSession } from '../session/capture-session.js';
import { count } from './numbers.js';
import type { CommandHandlers } from './use-keys.js';
import { useLineEditor, type LineEditor } from './use-line-editor.js';

export interface ExportLineState {
  editor: LineEditor;
  /** Opens the line on the last path written. */
  open(): void;
  commands: CommandHandlers;
}

/** `close`: the line is left; `report`: the outcome, for the message line. */
export function useExportLine(session: CaptureSession, close: () => void, report: (message: string) => void): ExportLineState {
  const editor = useLineEditor();
  const lastPath = useRef('');
  return {
    editor,
    open: () => editor.open(lastPath.current),
    commands: {
      ...editor.commands,
      accept: () => {
        close();
        const path = editor.line.text.trim();
        if (path === '') return;
        lastPath.current = path;
        const result = session.export(path);
        const which = result.marked ? 'marked' : 'displayed';
        report(result.ok ? `Wrote ${count(result.written)} ${which} frame${result.written === 1 ? '' : 's'} to ${path} (${result.format})` : result.error);
      },
      cancel: close,
    },
  };
}
