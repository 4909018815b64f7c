// The filter API the UI uses: a frame store filtered in slices with progress, cancelled and resumed,
// and kept up to date as frames are appended, with the same result as print mode's -Y.
import { join } from 'node:path';
import test from 'ava';
import { openCapture } from '../src/capture/capture-reader.js';
import type { Frame, InterfaceInfo } from '../src/capture/frame.js';
import { FrameStore } from '../src/capture/frame-store.js';
import { compileFilter, type DisplayFilter } from '../src/filter/display-filter.js';
import { DecodedStore } from '../src/session/decoded-store.js';
import { FrameFilter, type FilterProgress } from '../src/session/frame-filter.js';
import { runScan } from '../src/session/store-scan.js';
import { CORPUS, CORPUS_ABSENT, corpusPresent, repoRoot } from './helpers/corpus.js';
import { registry } from './helpers/decode.js';
import { runCli } from './helpers/run.js';

const SAMPLE = join(repoRoot, 'samples/lab.pcap');
const FILTER = 'icmp || dns.flags.response == 1 || tcp.flags.syn == 1';

function compile(text: string): DisplayFilter {
  const result = compileFilter(text, registry);
  if (!result.ok) throw new Error(result.error.message);
  return result.filter;
}

async function frames(path = SAMPLE): Promise<{ frames: Frame[]; interfaces: readonly InterfaceInfo[] }> {
  const reader = await openCapture(path);
  const all: Frame[] = [];
  await reader.read((frame) => {
    all.push({ ...frame, data: frame.data.slice() });
  });
  await reader.close();
  return { frames: all, interfaces: reader.interfaces };
}

async function expectedRows(): Promise<number[]> {
  const printed = await runCli(['-r', SAMPLE, '-Y', FILTER, '-T', 'fields', '-e', 'frame.number']);
  return printed.stdout.trim().split('\n').map((n) => Number(n) - 1);
}

function rows(filter: FrameFilter): number[] {
  return Array.from({ length: filter.matched }, (_, row) => filter.frameAt(row));
}

test('filtering a store in slices reports progress and finds what -Y finds', async (t) => {
  const { frames: all, interfaces } = await frames();
  const store = new FrameStore();
  const decoded = new DecodedStore(store, registry, []);
  for (const frame of all) decoded.append(frame, interfaces);
  const filter = new FrameFilter(decoded, compile(FILTER));
  const reports: FilterProgress[] = [];
  t.true(await runScan(filter, { sliceFrames: 5, onProgress: (p) => reports.push(p) }));
  t.deepEqual(rows(filter), await expectedRows());
  t.is(reports.length, Math.ceil(all.length / 5));
  t.deepEqual(reports.at(-1), { examined: all.length, total: all.length, matched: filter.matched });
  t.true(reports.every((p, i) => i === 0 || p.examined > reports[i - 1].examined));
  store.close();
});

test('a cancelled run keeps what it examined and resumes to the same result', async (t) => {
  const { frames: all, interfaces } = await frames();
  const store = new FrameStore();
  const decoded = new DecodedStore(store, registry, []);
  for (const frame of all) decoded.append(frame, interfaces);
  const filter = new FrameFilter(decoded, compile(FILTER));
  const cancel = new AbortController();
  const finished = await runScan(filter, { sliceFrames: 4, signal: cancel.signal, onProgress: () => cancel.abort() });
  t.false(finished);
  t.is(filter.examined, 4);
  t.false(filter.caughtUp);
  t.true(await runScan(filter, { sliceFrames: 4 }));
  t.deepEqual(rows(filter), await expectedRows());
  store.close();
});

test('frames appended after the filter caught up are filtered as they arrive', async (t) => {
  const { frames: all, interfaces } = await frames();
  const store = new FrameStore();
  const decoded = new DecodedStore(store, registry, []);
  const filter = new FrameFilter(decoded, compile(FILTER));
  for (const frame of all) {
    decoded.append(frame, interfaces);
    t.true(filter.step(100));
  }
  t.deepEqual(rows(filter), await expectedRows());
  const [first, second] = rows(filter);
  t.is(filter.rowAtOrAfter(first), 0);
  t.is(filter.rowAtOrAfter(first + 1), 1);
  t.is(filter.rowAtOrAfter(second), 1);
  t.is(filter.rowAtOrAfter(all.length), filter.matched);
  t.throws(() => filter.frameAt(filter.matched), { instanceOf: RangeError });
  store.close();
});

test('a filter on the tap paths links each frame to the copies after it too, as -Y does', async (t) => {
  if (!corpusPresent) return t.pass(CORPUS_ABSENT);
  const file = join(CORPUS, 'recorded/rtr-any-sll2.pcap');
  const path = 'tap.path == "ingress AF_PACKET → egress AF_PACKET"';
  const { frames: all, interfaces } = await frames(file);
  const store = new FrameStore();
  const decoded = new DecodedStore(store, registry, []);
  for (const frame of all) decoded.append(frame, interfaces);
  const filter = new FrameFilter(decoded, compile(path));
  t.true(await runScan(filter));
  const printed = await runCli(['-r', file, '-Y', path, '-T', 'fields', '-e', 'frame.number']);
  const expected = printed.stdout.trim().split('\n').map((n) => Number(n) - 1);
  t.true(expected.length > 7000);
  t.deepEqual(rows(filter), expected);
  store.close();
});
