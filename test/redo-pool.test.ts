// The redo pool: worker threads that dissect slices of the store again for a display filter. A worker's
// copy of the decoded store must dissect every frame as the store itself does (tree and columns), and a
// filter applied with 2 workers must select the frames it selects with none, frame for frame.
import { join } from 'node:path';
import test from 'ava';
import { openCapture } from '../src/capture/capture-reader.js';
import { FrameStore } from '../src/capture/frame-store.js';
import type { Dissection } from '../src/decode/dissection.js';
import { nodeLabel, walkTree } from '../src/decode/tree.js';
import { CaptureSession } from '../src/session/capture-session.js';
import { DecodedStore } from '../src/session/decoded-store.js';
import { compileFilter } from '../src/filter/display-filter.js';
import { packSnapshot, RedoPool, unpackSnapshot, WARM_FILTER } from '../src/session/redo-pool.js';
import type { HierarchyNode } from '../src/session/stats/protocol-hierarchy.js';
import type { StoreScan } from '../src/session/store-scan.js';
import { CORPUS, corpusPresent, repoRoot } from './helpers/corpus.js';
import { registry } from './helpers/decode.js';

const SAMPLE = join(repoRoot, 'samples/lab.pcap');
/**
 * The lab's recordings of one exchange (TCP reassembly, TLS, HTTP, DNS, fragments, a reset) at one tap
 * point, at two (copies linked), and with the TLS keys embedded; the other recordings are the same
 * exchange elsewhere.
 */
const RECORDINGS = ['rtr-client-side.pcap', 'rtr-any-sll2.pcap', 'tls-with-secrets.pcapng'];
const FILES = [SAMPLE, ...(corpusPresent ? RECORDINGS.map((name) => join(CORPUS, 'recorded', name)) : [])];

/** Frames kept by the store in memory (a pipe, a live capture) rather than read back from the file. */
async function decodedStore(file: string, inMemory = false): Promise<DecodedStore> {
  const decoded = new DecodedStore(new FrameStore(inMemory ? {} : { file }), registry, []);
  const reader = await openCapture(file);
  await reader.read((frame) => {
    decoded.append(frame, reader.interfaces);
  });
  await reader.close();
  return decoded;
}

/**
 * Tap paths link a frame to copies after it: a worker has no paths (nor the copies and hops they list, nor
 * an ICMP or UDP packet's first copy), and is given no filter on them.
 */
const TAP_PATH = /^ *\[(Path|Last seen|Copies of this packet|Copy|Hop|Hop time|Change): /;
/** TCP's analysis names a segment's first copy in a worker too; the tap paths every other packet's. */
const COPY_OF = /^ *\[Copy of the packet first seen in frame: \d+\]$/;

function frameText(dissection: Dissection): string {
  const cols = dissection.cols;
  const lines = [`${dissection.frame.number} ${cols.src} ${cols.dst} ${cols.protocol} ${cols.info}`];
  for (const { node, depth } of walkTree(dissection.roots)) lines.push(`${' '.repeat(depth)}${nodeLabel(node)}`);
  const tcp = lines.some((line) => line.startsWith('Transmission Control Protocol'));
  return lines.filter((line) => !TAP_PATH.test(line) && (tcp || !COPY_OF.test(line))).join('\n');
}

test("a worker's copy of the decoded store dissects every frame of the lab's recordings as the store does", async (t) => {
  if (!corpusPresent) t.log('skipped the recordings: ../shared/corpus is absent (the bundled sample is checked)');
  for (const [index, file] of FILES.entries()) {
    // Every other file through memory chunks: the bytes a pipe or live capture keeps, shared with the copy.
    const decoded = await decodedStore(file, index % 2 === 1);
    const { snapshot, remembered } = packSnapshot(decoded);
    // What a message does to it on the way to a worker.
    const copy = unpackSnapshot(structuredClone(snapshot), remembered, registry);
    let differing = 0;
    for (let frame = decoded.count - 1; frame >= 0; frame--) {
      const theirs = frameText(decoded.detail(frame));
      const ours = frameText(copy.detail(frame));
      if (ours !== theirs && differing++ === 0) t.is(ours, theirs, `${file} frame ${frame + 1}`);
    }
    t.is(differing, 0, `${file}: ${decoded.count} frames`);
    decoded.store.close();
    copy.store.close();
  }
});

const FILTERS = [
  'tcp', 'udp && !dns', 'tcp.analysis.flags', 'tcp.analysis.retransmission || tcp.analysis.duplicate_ack', 'tcp.stream in {1 3 5}',
  'tcp.seq > 1000 && tcp.len > 0', 'tcp.reassembled_in', 'tcp.segments', 'http.request', 'http.response.code == 200', 'http.file_data',
  'tls.handshake.type == 1', 'tls.record.content_type == 23', 'dns.flags.response == 1', 'http.response_in || http.time > 0.001', 'tcp.analysis.ack_rtt > 0.0001', 'ip.reassembled.length', 'ip.flags.mf == 1 || ip.frag_offset > 0',
  'icmp.resp_to', '_ws.expert', '_ws.expert.severity == 8388608', 'frame.time_delta > 0.01', 'tap.direction', 'nflog', 'frame.len > 1000',
];

test('a filter selects the same frames with 2 workers as without, frame for frame, also over frames appended after it started', async (t) => {
  // Slices of 300 frames: several per capture, finishing out of order.
  const pool = new RedoPool(2, 300);
  t.teardown(() => pool.close());
  for (const [index, file] of FILES.entries()) {
    const inMemory = index % 2 === 1;
    const alone = new CaptureSession(await decodedStore(file, inMemory), { name: file, live: false });
    const pooled = new CaptureSession(await decodedStore(file, inMemory), { name: file, live: false }, false, pool);
    // As after a file is read: the workers take their copy and warm up on it before the first filter.
    if (!inMemory) pool.prepare(pooled.decoded);
    for (const text of FILTERS) {
      const expected = await alone.applyFilter(text);
      const got = await pooled.applyFilter(text);
      t.truthy(expected, text);
      if (!expected || !got) continue;
      const rows = (filter: typeof expected) => Array.from({ length: filter.matched }, (_, row) => filter.frameAt(row));
      t.deepEqual(rows(got), rows(expected), `${file}: ${text}`);
    }
    t.is(pooled.workerFailure, undefined);
  }
});

/** Every path of a hierarchy with its counts, in the order drawn. */
function hierarchyLines(node: HierarchyNode, depth = 0, lines: string[] = []): string[] {
  for (const child of node.children.values()) {
    lines.push(`${' '.repeat(depth)}${child.name} ${child.frames} ${child.bytes}`);
    hierarchyLines(child, depth + 1, lines);
  }
  return lines;
}

/** Resolves once `scan` has examined every frame of the store (bounded: a scan that never ends fails). */
async function counted(scan: StoreScan): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!scan.caughtUp) {
    if (Date.now() > deadline) throw new Error('the view scan did not finish within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('the protocol hierarchy and the expert notes counted by 2 workers are those counted without, in the same order', async (t) => {
  const pool = new RedoPool(2, 300);
  t.teardown(() => pool.close());
  for (const file of FILES) {
    const alone = new CaptureSession(await decodedStore(file), { name: file, live: false });
    const pooled = new CaptureSession(await decodedStore(file), { name: file, live: false }, false, pool);
    await Promise.all([counted(alone.hierarchy), counted(alone.expert), counted(pooled.hierarchy), counted(pooled.expert)]);
    const expected = hierarchyLines(alone.hierarchy.statistic.root);
    t.true(expected.length > 3, file);
    t.deepEqual(hierarchyLines(pooled.hierarchy.statistic.root), expected, file);
    t.true(alone.expert.statistic.entries.note.length + alone.expert.statistic.entries.warn.length > 0, file);
    t.deepEqual(pooled.expert.statistic.entries, alone.expert.statistic.entries, file);
    t.is(pooled.workerFailure, undefined);
  }
});

/**
 * A live session over `file` with 2 workers taking slices of `sliceFrames`, holding the first half of its
 * `count` frames; `appendTheRest` appends the others.
 */
async function halfLive(file: string, count: number, sliceFrames: number) {
  const decoded = new DecodedStore(new FrameStore({}), registry, []);
  const session = new CaptureSession(decoded, { name: file, live: true }, false, new RedoPool(2, sliceFrames));
  const reader = await openCapture(file);
  let read = 0;
  const half = Math.floor(count / 2);
  await reader.read((frame) => {
    decoded.append(frame, reader.interfaces);
    return ++read < half;
  });
  const appendTheRest = async () => {
    await reader.read((frame) => {
      decoded.append(frame, reader.interfaces);
    });
    await reader.close();
  };
  return { session, half, appendTheRest };
}

test('frames appended after a pooled filter was applied are examined in this thread, in order after the workers\' rows', async (t) => {
  const file = FILES[1] ?? SAMPLE;
  const whole = new CaptureSession(await decodedStore(file), { name: file, live: false });
  const expected = await whole.applyFilter('tcp || dns');
  const { session, half, appendTheRest } = await halfLive(file, whole.decoded.count, 300);
  t.teardown(() => session.close());
  const applied = await session.applyFilter('tcp || dns');
  await appendTheRest();
  session.update();
  for (let waited = 0; !applied?.caughtUp && waited < 200; waited++) await new Promise((resolve) => setTimeout(resolve, 25));
  const rows = (filter: typeof expected) => (filter ? Array.from({ length: filter.matched }, (_, row) => filter.frameAt(row)) : []);
  t.true(half > 20 && (expected?.matched ?? 0) > 10);
  t.true(applied?.caughtUp);
  t.deepEqual(rows(applied), rows(expected));
});

test('a view counted by the workers while a live capture grows goes on when a filter makes them take the larger store', async (t) => {
  const file = FILES[1] ?? SAMPLE;
  const whole = new CaptureSession(await decodedStore(file), { name: file, live: false });
  await counted(whole.hierarchy);
  // Slices of 50 frames: the hierarchy is still being counted when the filter starts.
  const { session, appendTheRest } = await halfLive(file, whole.decoded.count, 50);
  t.teardown(() => session.close());
  const hierarchy = session.hierarchy;
  await appendTheRest();
  // The filter syncs the workers to the whole store while the hierarchy's slices are under way.
  t.false(hierarchy.caughtUp);
  await session.applyFilter('tcp');
  session.update();
  await counted(hierarchy);
  t.is(session.workerFailure, undefined);
  t.deepEqual(hierarchyLines(session.hierarchy.statistic.root), hierarchyLines(whole.hierarchy.statistic.root));
});

test('the filter a worker warms up with compiles, and selects frames on the sample', async (t) => {
  const compiled = compileFilter(WARM_FILTER, registry);
  if (!compiled.ok) return t.fail(compiled.error.message);
  const session = new CaptureSession(await decodedStore(SAMPLE), { name: SAMPLE, live: false });
  const applied = await session.applyFilter(WARM_FILTER);
  t.true((applied?.matched ?? 0) > 0);
});

test('a worker that dies is reported, and the filter runs in this thread instead: the same frames, no hang', async (t) => {
  const pool = new RedoPool(2, 300);
  const session = new CaptureSession(await decodedStore(SAMPLE), { name: SAMPLE, live: false }, false, pool);
  t.teardown(() => session.close());
  // As a crash would: the worker ends without the pool's asking.
  const workers = (pool as unknown as { workers: { terminate(): Promise<number> }[] }).workers;
  await workers[0].terminate();
  const alone = new CaptureSession(await decodedStore(SAMPLE), { name: SAMPLE, live: false });
  const expected = await alone.applyFilter('tcp || dns');
  const applied = await session.applyFilter('tcp || dns');
  const rows = (filter: typeof expected) => (filter ? Array.from({ length: filter.matched }, (_, row) => filter.frameAt(row)) : []);
  t.true((expected?.matched ?? 0) > 10);
  t.deepEqual(rows(applied), rows(expected));
  t.regex(session.workerFailure ?? '', /a filter worker exited/);
});
