// The protocol hierarchy (tshark's `-z io,phs`, Wireshark's Statistics > Protocol Hierarchy): each frame's
// top-level protocols in order make a path (eth, ip, tcp, http, json...), and every node on it counts the
// frame and its bytes. Protocols inside another (the packet an ICMP error quotes) are not on the path.
import type { Dissection } from '../../decode/dissection.js';
import type { FieldDef } from '../../decode/field.js';
import type { DisplayFilter } from '../../filter/display-filter.js';
import type { MergeableStatistic } from './frame-statistics.js';

export interface HierarchyNode {
  name: string;
  frames: number;
  bytes: number;
  /** In the order first seen. */
  children: Map<string, HierarchyNode>;
}

/**
 * Layers the tree shows that tshark 4.0's hierarchy does not: the pseudo-layers that head every frame, and
 * (observed, tshark 4.0.17) an NFLOG record's header.
 */
const NOT_ON_PATH = new Set(['tap', 'frame', 'nflog']);
/** A frame with more top-level protocols than this is cut there (a hostile nesting). */
const MAX_DEPTH = 64;

export class ProtocolHierarchy implements MergeableStatistic<HierarchyNode> {
  readonly fields: readonly FieldDef[] = [];
  readonly conversations = false;
  readonly tree = true;
  readonly root: HierarchyNode = { name: '', frames: 0, bytes: 0, children: new Map() };

  constructor(readonly filter: DisplayFilter | undefined) {}

  add(dissection: Dissection): void {
    let node = this.root;
    let depth = 0;
    for (const top of dissection.roots) {
      const name = top.field.abbrev;
      if (NOT_ON_PATH.has(name)) continue;
      if (depth++ === MAX_DEPTH) break;
      let child = node.children.get(name);
      if (child === undefined) {
        child = { name, frames: 0, bytes: 0, children: new Map() };
        node.children.set(name, child);
      }
      child.frames++;
      child.bytes += dissection.frame.originalLength;
      node = child;
    }
  }

  part(): HierarchyNode {
    return this.root;
  }

  /** Paths first seen in `part` come after this one's: its frames follow. */
  merge(part: HierarchyNode): void {
    mergeNode(this.root, part);
  }
}

function mergeNode(into: HierarchyNode, from: HierarchyNode): void {
  into.frames += from.frames;
  into.bytes += from.bytes;
  for (const [name, child] of from.children) {
    const existing = into.children.get(name);
    if (existing === undefined) into.children.set(name, child);
    else mergeNode(existing, child);
  }
}
