// Find, as Wireshark's Edit > Find Packet: the frames that match a display filter, hex bytes, a string in
// the bytes, in the Info column or in the tree's text. A find is a FrameFilter that is not displayed: its
// rows are the matches, computed (by the redo pool where the query is a display filter) as a filter is,
// and `n`/`N` step through those that are displayed. It also says what matched inside a frame, for the
// tree and bytes panes to highlight.
import type { Dissection } from '../decode/dissection.js';
import type { Registry } from '../decode/registry.js';
import { narrowestNodeAt, nodeLabel, walkTree, type TreeNode } from '../decode/tree.js';
import { compileFilter, type DisplayFilter } from '../filter/display-filter.js';
import { parseByteString } from '../filter/literals.js';
import { quoteString } from '../filter/match-selected.js';
import type { FrameFilter, FrameTest } from './frame-filter.js';

export type FindKind = 'filter' | 'hex' | 'bytes' | 'info' | 'tree';

/** In the order Tab goes through them in the find line. */
export const FIND_KINDS: readonly FindKind[] = ['filter', 'hex', 'bytes', 'info', 'tree'];

export const FIND_KIND_NAMES: Readonly<Record<FindKind, string>> = {
  filter: 'display filter',
  hex: 'hex bytes',
  bytes: 'string in the bytes',
  info: 'string in Info',
  tree: "string in the tree's text",
};

/** Where a frame's match lies: bytes of a byte source (0: the frame), for the bytes pane. */
export interface FoundBytes {
  source: number;
  start: number;
  length: number;
}

export interface FindQuery {
  kind: FindKind;
  text: string;
  test: FrameTest;
  /** The tree nodes that hold a match in a frame found, the first to be selected. */
  nodes(dissection: Dissection): TreeNode[];
  bytes(dissection: Dissection): FoundBytes[];
}

export type FindCompilation = { ok: true; query: FindQuery } | { ok: false; error: string };

/** Highlights shown at most in one frame: a short pattern in a jumbo frame must not flood the panes. */
const MOST_HIGHLIGHTS = 256;

export function compileFind(kind: FindKind, text: string, registry: Registry): FindCompilation {
  switch (kind) {
    case 'filter': {
      const compiled = compileFilter(text, registry);
      if (!compiled.ok) return { ok: false, error: `Not a display filter: ${compiled.error.message}` };
      return { ok: true, query: filterQuery(kind, text, compiled.filter) };
    }
    case 'hex': {
      const pattern = parseByteString(text.trim().replace(/\s+/g, ':'));
      if (!pattern) return { ok: false, error: `Not hex bytes: "${text}" (as de:ad:be:ef, de ad be ef or deadbeef)` };
      return byteQuery(kind, text, pattern, Array.from(pattern, (byte) => byte.toString(16).padStart(2, '0')).join(':'), registry);
    }
    case 'bytes':
      return byteQuery(kind, text, new TextEncoder().encode(text), quoteString(text), registry);
    case 'info': {
      const wanted = text.toLowerCase();
      const test: FrameTest = { text, fields: [], columns: true, matches: (dissection) => dissection.cols.info.toLowerCase().includes(wanted) };
      return { ok: true, query: { kind, text, test, nodes: () => [], bytes: () => [] } };
    }
    case 'tree': {
      const wanted = text.toLowerCase();
      const holds = (node: TreeNode) => nodeLabel(node).toLowerCase().includes(wanted);
      const nodes = (dissection: Dissection) => matchingNodes(dissection.roots, holds);
      const test: FrameTest = { text, fields: [], tree: true, matches: (dissection) => nodes(dissection).length > 0 };
      return { ok: true, query: { kind, text, test, nodes, bytes: (dissection) => nodeBytes(nodes(dissection)) } };
    }
  }
}

/** A filter's matches: the nodes of the fields it reads (Wireshark selects the first of them). */
function filterQuery(kind: FindKind, text: string, filter: DisplayFilter): FindQuery {
  const read = new Set(filter.fields.map((field) => field.abbrev));
  const nodes = (dissection: Dissection) => matchingNodes(dissection.roots, (node) => read.has(node.field.abbrev));
  return { kind, text, test: filter, nodes, bytes: (dissection) => nodeBytes(nodes(dissection)) };
}

/** Bytes found in the frame as `frame contains`, which the redo pool runs; the tree shows the deepest node over each. */
function byteQuery(kind: FindKind, text: string, pattern: Uint8Array, literal: string, registry: Registry): FindCompilation {
  if (pattern.length === 0) return { ok: false, error: 'Nothing to find' };
  const compiled = compileFilter(`frame contains ${literal}`, registry);
  if (!compiled.ok) return { ok: false, error: compiled.error.message };
  const bytes = (dissection: Dissection) => occurrences(dissection.frameData, pattern).map((start) => ({ source: 0, start, length: pattern.length }));
  const nodes = (dissection: Dissection) => {
    const found = new Set<TreeNode>();
    for (const { start } of bytes(dissection)) {
      const node = narrowestNodeAt(dissection.roots, 0, start);
      if (node) found.add(node);
    }
    return [...found];
  };
  return { ok: true, query: { kind, text, test: compiled.filter, nodes, bytes } };
}

function matchingNodes(roots: readonly TreeNode[], holds: (node: TreeNode) => boolean): TreeNode[] {
  const found: TreeNode[] = [];
  for (const { node } of walkTree(roots)) {
    if (!holds(node)) continue;
    found.push(node);
    if (found.length === MOST_HIGHLIGHTS) break;
  }
  return found;
}

function nodeBytes(nodes: readonly TreeNode[]): FoundBytes[] {
  return nodes.filter((node) => !node.generated && node.length > 0).map((node) => ({ source: node.source, start: node.start, length: node.length }));
}

/** Where `pattern` starts in `data`, overlapping matches included. */
function occurrences(data: Uint8Array, pattern: Uint8Array): number[] {
  const starts: number[] = [];
  const first = pattern[0];
  for (let at = data.indexOf(first); at >= 0 && at + pattern.length <= data.length; at = data.indexOf(first, at + 1)) {
    let same = 1;
    while (same < pattern.length && data[at + same] === pattern[same]) same++;
    if (same === pattern.length) starts.push(at);
    if (starts.length === MOST_HIGHLIGHTS) break;
  }
  return starts;
}

/** Where `n` or `N` goes: a frame (maybe after wrapping around), none at all, or not known until the find has looked further. */
export type FindStep = { frame: number; wrapped: boolean } | 'searching' | 'none';

/**
 * The next (`step` 1) or previous (-1) displayed match after or before frame `from` (a store index; -1:
 * before the first), wrapping around the capture once every frame has been looked at.
 */
export function stepFound(found: FrameFilter, from: number, step: 1 | -1, displayed: (index: number) => boolean): FindStep {
  const start = found.rowAtOrAfter(from + 1);
  if (step > 0) {
    for (let row = start; row < found.matched; row++) if (displayed(found.frameAt(row))) return { frame: found.frameAt(row), wrapped: false };
    if (!found.caughtUp) return 'searching';
    for (let row = 0; row < start; row++) if (displayed(found.frameAt(row))) return { frame: found.frameAt(row), wrapped: true };
    return 'none';
  }
  const before = found.rowAtOrAfter(from);
  for (let row = before - 1; row >= 0; row--) if (displayed(found.frameAt(row))) return { frame: found.frameAt(row), wrapped: false };
  if (!found.caughtUp) return 'searching';
  for (let row = found.matched - 1; row >= before; row--) if (displayed(found.frameAt(row))) return { frame: found.frameAt(row), wrapped: true };
  return 'none';
}
