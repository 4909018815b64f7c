// The protocol tree as the lines the tree pane shows: nodes of collapsed parents left out. A node is
// known by the path of field names to it, so a layer expanded in one frame stays expanded in the next.
import { nodeLabel, type TreeNode } from '../decode/tree.js';

export interface TreeLine {
  node: TreeNode;
  depth: number;
  key: string;
  /** The layer (root node) the line belongs to, whose bytes the hex pane shades. */
  layer: TreeNode;
  expandable: boolean;
  expanded: boolean;
}

function keysOf(nodes: readonly TreeNode[], parent: string): string[] {
  const seen = new Map<string, number>();
  return nodes.map((node) => {
    const occurrence = seen.get(node.field.abbrev) ?? 0;
    seen.set(node.field.abbrev, occurrence + 1);
    return `${parent}/${node.field.abbrev}#${occurrence}`;
  });
}

export function treeLines(roots: readonly TreeNode[], expanded: ReadonlySet<string>): TreeLine[] {
  const lines: TreeLine[] = [];
  const visit = (nodes: readonly TreeNode[], depth: number, parent: string, layer: TreeNode | undefined) => {
    const keys = keysOf(nodes, parent);
    nodes.forEach((node, index) => {
      const key = keys[index];
      const open = expanded.has(key);
      lines.push({ node, depth, key, layer: layer ?? node, expandable: node.children.length > 0, expanded: open });
      if (open) visit(node.children, depth + 1, key, layer ?? node);
    });
  };
  visit(roots, 0, '', undefined);
  return lines;
}

/** Every key of the tree that has children: what `*` expands. */
export function allExpandableKeys(roots: readonly TreeNode[]): string[] {
  const keys: string[] = [];
  const visit = (nodes: readonly TreeNode[], parent: string) => {
    keysOf(nodes, parent).forEach((key, index) => {
      if (nodes[index].children.length === 0) return;
      keys.push(key);
      visit(nodes[index].children, key);
    });
  };
  visit(roots, '');
  return keys;
}

/** The keys from the root down to `target` (its own last), or undefined when it is not in the tree. */
export function keyPathTo(roots: readonly TreeNode[], target: TreeNode): string[] | undefined {
  const visit = (nodes: readonly TreeNode[], parent: string): string[] | undefined => {
    const keys = keysOf(nodes, parent);
    for (let index = 0; index < nodes.length; index++) {
      if (nodes[index] === target) return [keys[index]];
      const below = visit(nodes[index].children, keys[index]);
      if (below) return [keys[index], ...below];
    }
    return undefined;
  };
  return visit(roots, '');
}

export function lineText(line: TreeLine): string {
  const marker = line.expandable ? (line.expanded ? '▾ ' : '▸ ') : '  ';
  return '  '.repeat(line.depth) + marker + nodeLabel(line.node);
}
