// The display filter line's state and commands: editing with field-name completion and history; Enter
// applies a valid filter (or none, when empty) through the session, Esc leaves the applied one.
import { useMemo, useRef, useState } from 'react';
import { compileFilter } from '../filter/display-filter.js';
import type { CaptureSession } from '../session/capture-session.js';
import type { FrameFilter } from '../session/frame-filter.js';
import { complete, History, lineOf } from './line-editor.js';
import type { CommandHandlers } from './use-keys.js';
import { useLineEditor, type LineEditor } from './use-line-editor.js';

export interface FilterBarState {
  editor: LineEditor;
  /** Names that could complete the word at the cursor, after a Tab. */
  candidates: string[];
  /** Opens the line on `text`, else on the applied filter's text (empty while one is being applied). */
  open(text?: string): void;
  commands: CommandHandlers;
}

/** `close`: the line is left; `applied`: a filter was applied (the list keeps its selection). */
export function useFilterBar(session: CaptureSession, close: () => void, applied: (filter: FrameFilter) => void): FilterBarState {
  const [candidates, setCandidates] = useState<string[]>([]);
  const editor = useLineEditor(() => setCandidates([]));
  const history = useRef(new History()).current;
  const registry = session.decoded.registry;
  const fieldNames = useMemo(() => [...registry.fields].map((field) => field.abbrev), [registry]);
  const text = editor.line.text;

  return {
    editor,
    candidates,
    open: (text) => {
      editor.open(text ?? (session.running ? '' : (session.filters.appliedUserText ?? '')));
      setCandidates([]);
      history.reset();
    },
    commands: {
      ...editor.commands,
      accept: () => {
        if (!compileFilter(text, registry).ok && text.trim() !== '') return;
        history.add(text.trim());
        close();
        void session.applyFilter(text).then((filter) => filter && applied(filter));
      },
      cancel: close,
      complete: () => {
        const completion = complete(editor.line, fieldNames);
        editor.setLine(completion.line);
        setCandidates(completion.candidates);
      },
      older: () => {
        const older = history.older(text);
        if (older !== undefined) editor.setLine(lineOf(older));
      },
      newer: () => {
        const newer = history.newer();
        if (newer !== undefined) editor.setLine(lineOf(newer));
      },
    },
  };
}
