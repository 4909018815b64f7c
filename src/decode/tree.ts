// The protocol tree of one frame: every node names its field and the bytes it spans, so the hex pane can
// light them; generated nodes (computed, not on the wire) have length 0 and show in brackets.
import { displayFieldValue, type FieldDef, type FieldValue } from './field.js';
import type { ExpertSeverity } from './protocols/expert.js';

export type { ExpertSeverity };

export interface TreeNode {
  field: FieldDef;
  start: number;
  length: number;
  value: FieldValue;
  /** Index of the byte source: 0 is the frame, others are reassembled buffers. */
  source: number;
  generated: boolean;
  /** Overrides the default `Name: value` text. */
  label: string | undefined;
  expert: { severity: ExpertSeverity; message: string } | undefined;
  children: TreeNode[];
}

export interface ByteSource {
  name: string;
  bytes: Uint8Array;
}

export function nodeLabel(node: TreeNode): string {
  if (node.label !== undefined) return node.generated ? `[${node.label}]` : node.label;
  const field = node.field;
  if (field.type === 'protocol' || field.type === 'none') return field.name;
  const text = `${field.name}: ${displayFieldValue(field, node.value)}`;
  return node.generated ? `[${text}]` : text;
}

/** Depth-first visit of every node, for tests and for the `*` (expand all) command. */
export function* walkTree(nodes: readonly TreeNode[], depth = 0): Generator<{ node: TreeNode; depth: number }> {
  for (const node of nodes) {
    yield { node, depth };
    yield* walkTree(node.children, depth + 1);
  }
}

/**
 * The narrowest node over byte `at` of byte source `source` (0: the frame), not generated: a layer's field
 * rather than the Frame node, which spans every byte (what a find or a click on a byte selects).
 */
export function narrowestNodeAt(roots: readonly TreeNode[], source: number, at: number): TreeNode | undefined {
  let best: TreeNode | undefined;
  let bestDepth = -1;
  for (const { node, depth } of walkTree(roots)) {
    if (node.generated || node.source !== source || at < node.start || at >= node.start + node.length) continue;
    if (depth > bestDepth || (depth === bestDepth && best !== undefined && node.length < best.length)) {
      best = node;
      bestDepth = depth;
    }
  }
  return best;
}
