#!/usr/bin/env -S node --max-semi-space-size=2
// bench/netns-link: what linking a packet's copies across network namespaces costs a frame (issue 19's
// target: under 1 µs). The first FRAMES frames of the ~1,000,000-frame capture, each as three copies a
// microsecond apart: egress at a pod's eth0, ingress at the router's veth, egress at the router's other
// veth, each interface in its own namespace, then the same with every interface in one namespace. Each set
// is decoded as the interface decodes (every frame remembered), with and without the tap-path index, and
// with each frame's path described (as `-e tap.path` or the tree shows it); the difference a frame is the
// linking's cost. Runs alternate, ROUNDS times; medians.
// Usage: node bench/netns-link.js [FRAMES] [ROUNDS]
import { openCapture } from '../dist/src/capture/capture-reader.js';
import { createRegistry, FrameDecoder } from '../dist/src/decode/decoder.js';
import { big, build } from './big-capture.js';

const FRAMES = Number(process.argv[2] ?? 100_000);
const ROUNDS = Number(process.argv[3] ?? 3);
const EPB_INBOUND = 1;
const EPB_OUTBOUND = 2;
/** Where each copy is: its interface, namespace and direction. */
const POINTS = [
  { name: 'eth0', netns: 'pod-a', flags: EPB_OUTBOUND },
  { name: 'veth-a', netns: 'router', flags: EPB_INBOUND },
  { name: 'veth-b', netns: 'router', flags: EPB_OUTBOUND },
];

build();
const reader = await openCapture(big);
const originals = [];
let linkType = 1;
await reader.read((frame) => {
  linkType = frame.linkType;
  originals.push({ ...frame, data: frame.data.slice() });
  return originals.length < FRAMES;
});
await reader.close();

/** The interfaces of one run: in three namespaces, or all in the capture's own. */
function interfaces(namespaced) {
  return POINTS.map((point) => ({
    linkType,
    snaplen: 262144,
    name: point.name,
    description: undefined,
    numbered: true,
    filter: undefined,
    tsUnitsPerSecond: 1_000_000_000n,
    tsOffsetSec: 0n,
    ...(namespaced ? { netns: point.netns } : {}),
  }));
}

const copies = originals.flatMap((frame) =>
  POINTS.map((point, index) => ({ ...frame, interfaceId: index, flags: point.flags, tsNsec: Math.min(999_999_999, frame.tsNsec + index * 1000) })),
);
const registry = createRegistry();

const PATH = registry.field('tap.path');

/** Seconds to decode every copy: linked or not, and with each frame's path described (`-e tap.path`). */
function decodeAll(namespaced, linkTapPaths, describe = false) {
  const ifaces = interfaces(namespaced);
  const decoder = new FrameDecoder(registry, { tree: false, columns: false, fields: describe ? [PATH] : [] }, { rememberEveryFrame: true, linkTapPaths });
  const started = performance.now();
  for (const frame of copies) decoder.decode(frame, ifaces[frame.interfaceId]);
  return performance.now() - started;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const runs = { namespaced: { linked: [], unlinked: [], described: [] }, single: { linked: [], unlinked: [], described: [] } };
for (let round = 0; round < ROUNDS; round++) {
  for (const [key, namespaced] of [['namespaced', true], ['single', false]]) {
    runs[key].unlinked.push(decodeAll(namespaced, false));
    runs[key].linked.push(decodeAll(namespaced, true));
    runs[key].described.push(decodeAll(namespaced, true, true));
  }
}
console.log(`${copies.length.toLocaleString('en')} frames (${FRAMES.toLocaleString('en')} packets, 3 copies each), ${ROUNDS} rounds, medians:`);
for (const [key, label] of [['namespaced', 'three namespaces'], ['single', 'one namespace']]) {
  const linked = median(runs[key].linked);
  const unlinked = median(runs[key].unlinked);
  const described = median(runs[key].described);
  const perFrame = (ms) => (((ms - unlinked) * 1000) / copies.length).toFixed(2);
  console.log(`  ${label}: decoded ${(unlinked / 1000).toFixed(2)} s without linking, ${(linked / 1000).toFixed(2)} s linked (${perFrame(linked)} µs a frame), ${(described / 1000).toFixed(2)} s with each path described (${perFrame(described)} µs a frame)`);
}
