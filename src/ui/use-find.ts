// Find (Ctrl-F, then n and N): the find line with its kind (Tab goes through display filter, hex bytes,
// string in the bytes, in Info, in the tree), the step waiting for the session's find to reach a match,
// and what matched in the selected frame, for the tree and bytes panes to highlight.
import { useEffect, useMemo, useState } from 'react';
import type { Dissection } from '../decode/dissection.js';
import type { TreeNode } from '../decode/tree.js';
import type { CaptureSession } from '../session/capture-session.js';
import { compileFind, FIND_KIND_NAMES, FIND_KINDS, stepFound, type FindKind, type FindQuery, type FoundBytes } from '../session/frame-find.js';
import { usePromptLine, type PromptLineState } from './use-prompt-line.js';
import type { CommandHandlers } from './use-keys.js';
import type { TreeState } from './use-tree.js';

export interface FindState {
  line: PromptLineState;
  prompt: string;
  /** The find line's commands: the prompt line's, and Tab for the next kind. */
  commands: CommandHandlers;
  /** Goes to the next (1) or previous (-1) match from the selected frame. */
  step(direction: 1 | -1): void;
  /** Stops waiting for a match; whether a step was waiting. */
  cancel(): boolean;
  /** What the find is doing while a step waits for it, for the message line. */
  progress: string | undefined;
  foundNodes: ReadonlySet<TreeNode>;
  foundBytes: readonly FoundBytes[];
}

interface Pending {
  from: number;
  direction: 1 | -1;
}

const NOTHING: ReadonlySet<TreeNode> = new Set();

/** `goTo`: selects a store index; `currentFrame`: the selected one (-1: none). */
export function useFind(session: CaptureSession, currentFrame: number, detail: Dissection | undefined, tree: TreeState, goTo: (index: number) => void, close: () => void, tell: (message: string) => void): FindState {
  const [kind, setKind] = useState<FindKind>('filter');
  const [query, setQuery] = useState<FindQuery>();
  const [pending, setPending] = useState<Pending>();
  const [revealing, setRevealing] = useState(false);

  const line = usePromptLine(close, (text) => {
    const compiled = compileFind(kind, text, session.decoded.registry);
    if (!compiled.ok) return tell(compiled.error);
    setQuery(compiled.query);
    void session.filters.find(compiled.query.test);
    setPending({ from: currentFrame, direction: 1 });
  });

  // A step waits until the find has looked far enough to know where it lands.
  useEffect(() => {
    const found = session.filters.found;
    if (!pending || !found || !query) return;
    const landing = stepFound(found, pending.from, pending.direction, (index) => session.isDisplayed(index));
    if (landing === 'searching') return;
    setPending(undefined);
    if (landing === 'none') return tell(`No displayed frame has ${FIND_KIND_NAMES[query.kind]} "${query.text}"`);
    goTo(landing.frame);
    setRevealing(true);
    tell(landing.wrapped ? (pending.direction > 0 ? 'Passed the last frame: found from the first' : 'Passed the first frame: found from the last') : '');
  });

  const { nodes, bytes } = useMemo(() => {
    if (!query || !detail) return { nodes: [], bytes: [] };
    return { nodes: query.nodes(detail), bytes: query.bytes(detail) };
    // The detail dissection is one object, refilled for each selected frame.
  }, [query, detail, currentFrame]);

  // The tree opens on the first match once the frame found is the one shown.
  useEffect(() => {
    if (!revealing || pending) return;
    setRevealing(false);
    if (nodes.length > 0) tree.reveal(nodes[0]);
  }, [revealing, pending, nodes]);

  const found = session.filters.found;
  return {
    line,
    prompt: `Find ${FIND_KIND_NAMES[kind]} (Tab: other kinds): `,
    commands: {
      ...line.commands,
      nextFindKind: () => setKind(FIND_KINDS[(FIND_KINDS.indexOf(kind) + 1) % FIND_KINDS.length]),
    },
    step: (direction) => {
      if (!query) return tell('Nothing to find yet: Ctrl-F first');
      setPending({ from: currentFrame, direction });
    },
    cancel: () => {
      const waiting = pending !== undefined;
      setPending(undefined);
      return waiting;
    },
    progress: pending && found && query ? `Finding ${FIND_KIND_NAMES[query.kind]} "${query.text}": ${Math.floor(100 * found.share)}% of frames looked at (Esc stops)` : undefined,
    foundNodes: nodes.length > 0 ? new Set(nodes) : NOTHING,
    foundBytes: bytes,
  };
}
