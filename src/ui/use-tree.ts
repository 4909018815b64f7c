// The protocol tree's state and commands: which nodes are expanded (by path, so a layer open in one
// frame stays open in the next) and the line under the cursor.
import { useState } from 'react';
import type { Dissection } from '../decode/dissection.js';
import type { TreeNode } from '../decode/tree.js';
import { allExpandableKeys, keyPathTo, treeLines, type TreeLine } from './tree-lines.js';
import { movement, type CommandHandlers } from './use-keys.js';

export interface TreeState {
  lines: TreeLine[];
  cursor: number;
  /** First line in view. */
  top: number;
  selected: TreeLine | undefined;
  commands: CommandHandlers;
  expandAll(): void;
  /** A click on line `offset` in view: selects it, and opens or closes it when it was selected already. */
  click(offset: number): void;
  /** Expands the nodes above `node` and puts the cursor on it (a find's match). */
  reveal(node: TreeNode): void;
}

export function useTree(detail: Dissection | undefined, height: number): TreeState {
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());
  const [selectedKey, setSelectedKey] = useState('');
  const lines = detail ? treeLines(detail.roots, expanded) : [];
  const cursor = Math.max(0, lines.findIndex((line) => line.key === selectedKey));
  const selected = lines[cursor];

  const move = (to: number) => {
    const target = lines[Math.max(0, Math.min(lines.length - 1, to))];
    if (target) setSelectedKey(target.key);
  };
  const setOpen = (key: string, open: boolean) => {
    const next = new Set(expanded);
    if (open) next.add(key);
    else next.delete(key);
    setExpanded(next);
  };
  const expandAll = () => {
    if (detail) setExpanded(new Set([...expanded, ...allExpandableKeys(detail.roots)]));
  };

  const reveal = (node: TreeNode) => {
    const path = detail && keyPathTo(detail.roots, node);
    if (!path) return;
    setExpanded(new Set([...expanded, ...path.slice(0, -1)]));
    setSelectedKey(path[path.length - 1]);
  };

  const top = Math.max(0, Math.min(cursor - (height >> 1), lines.length - height));
  return {
    lines,
    reveal,
    click: (offset) => {
      const line = lines[top + offset];
      if (!line) return;
      if (line === selected && line.expandable) setOpen(line.key, !line.expanded);
      else setSelectedKey(line.key);
    },
    cursor,
    top,
    selected,
    expandAll,
    commands: {
      ...movement(cursor, height, lines.length - 1, move),
      expand: () => {
        if (selected?.expandable) setOpen(selected.key, !selected.expanded);
      },
      collapse: () => {
        if (!selected) return;
        if (selected.expanded) return setOpen(selected.key, false);
        let parent = cursor - 1;
        while (parent > 0 && lines[parent].depth >= selected.depth) parent--;
        move(parent);
      },
    },
  };
}
