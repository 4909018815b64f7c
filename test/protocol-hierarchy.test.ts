// The hierarchy's path is bounded: a frame with more top-level protocols than the bound is cut there.
import test from 'ava';
import type { Dissection } from '../src/decode/dissection.js';
import { ProtocolHierarchy, type HierarchyNode } from '../src/session/stats/protocol-hierarchy.js';

test('a frame nesting 100 top-level protocols is counted 64 deep, no deeper', (t) => {
  const roots = Array.from({ length: 100 }, () => ({ field: { abbrev: 'ip' } }));
  const hierarchy = new ProtocolHierarchy(undefined);
  hierarchy.add({ roots, frame: { originalLength: 60 } } as unknown as Dissection);
  let depth = 0;
  for (let node: HierarchyNode | undefined = hierarchy.root.children.get('ip'); node; node = node.children.get('ip')) depth++;
  t.is(depth, 64);
});
