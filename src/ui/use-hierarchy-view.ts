// The Protocol Hierarchy view's state and commands: the hierarchy as indented rows with each protocol's
// share of the frames and bytes, the selected row; Enter filters the list to that protocol.
import type { CaptureSession } from '../session/capture-session.js';
import type { HierarchyNode } from '../session/stats/protocol-hierarchy.js';
import type { CommandHandlers } from './use-keys.js';
import { useRowSelection } from './use-row-selection.js';

export interface HierarchyRow {
  name: string;
  depth: number;
  frames: number;
  bytes: number;
  /** Shares of all frames and bytes, in percent. */
  framesShare: number;
  bytesShare: number;
}

export interface HierarchyViewState {
  rows: HierarchyRow[];
  selectedInView: number;
  progress: string;
  commands: CommandHandlers;
}

function flatten(node: HierarchyNode, depth: number, total: { frames: number; bytes: number }, into: HierarchyRow[]): void {
  for (const child of node.children.values()) {
    into.push({
      name: child.name,
      depth,
      frames: child.frames,
      bytes: child.bytes,
      framesShare: (100 * child.frames) / Math.max(1, total.frames),
      bytesShare: (100 * child.bytes) / Math.max(1, total.bytes),
    });
    flatten(child, depth + 1, total, into);
  }
}

/** `active`: the view is open; until it first is, nothing is computed. */
export function useHierarchyView(session: CaptureSession, active: boolean, height: number, close: () => void, applyFilter: (text: string) => void): HierarchyViewState {
  const scan = active ? session.hierarchy : undefined;
  const all: HierarchyRow[] = [];
  if (scan) {
    let frames = 0;
    let bytes = 0;
    for (const child of scan.statistic.root.children.values()) {
      frames += child.frames;
      bytes += child.bytes;
    }
    flatten(scan.statistic.root, 0, { frames, bytes }, all);
  }
  const { row, top, commands } = useRowSelection(all.length, height);
  return {
    rows: all.slice(top, top + height),
    selectedInView: row - top,
    progress: !scan || scan.caughtUp ? '' : `computing ${Math.floor((100 * scan.examined) / Math.max(1, session.decoded.count))}%`,
    commands: {
      ...commands,
      applyRow: () => {
        const chosen = all[row];
        if (chosen === undefined) return;
        close();
        applyFilter(chosen.name);
      },
      closeView: close,
    },
  };
}
