// The frame store gives back every frame as it was appended, from the file or from memory, and keeps
// doing so after its memory budget spills frames to a temporary pcapng file.
import { join } from 'node:path';
import test from 'ava';
import { openCapture } from '../src/capture/capture-reader.js';
import { FrameStore } from '../src/capture/frame-store.js';
import { frameSignature, readAll } from './helpers/capture.js';
import { repoRoot } from './helpers/corpus.js';

const SAMPLE = join(repoRoot, 'samples/lab.pcap');

async function fill(store: FrameStore, path: string): Promise<void> {
  const reader = await openCapture(path);
  try {
    await reader.read((frame) => {
      store.append(frame, reader.interfaces);
    });
  } finally {
    await reader.close();
  }
}

test('a file-backed store reads each frame again from the file', async (t) => {
  const expected = (await readAll(SAMPLE)).frames.map((f) => frameSignature(f.frame));
  const store = new FrameStore({ file: SAMPLE });
  await fill(store, SAMPLE);
  t.is(store.count, expected.length);
  const scratch = new Uint8Array(65536);
  t.deepEqual(Array.from({ length: store.count }, (_, i) => frameSignature(store.frame(i, scratch))), expected);
  t.is(store.frame(5).linkType, 276);
  t.throws(() => store.frame(store.count), { instanceOf: RangeError });
  store.close();
});

test('a memory-backed store spills to a temporary pcapng past its budget and reads the same frames', async (t) => {
  const expected = (await readAll(SAMPLE)).frames.map((f) => frameSignature(f.frame));
  const roomy = new FrameStore();
  await fill(roomy, SAMPLE);
  t.false(roomy.spilled);
  t.deepEqual(Array.from({ length: roomy.count }, (_, i) => frameSignature(roomy.frame(i))), expected);
  roomy.close();
  // A budget below one chunk spills at once; appending continues in the file.
  const tight = new FrameStore({ memoryBudget: 1024 });
  await fill(tight, SAMPLE);
  await fill(tight, SAMPLE);
  t.true(tight.spilled);
  t.is(tight.count, 2 * expected.length);
  t.deepEqual(Array.from({ length: tight.count }, (_, i) => frameSignature(tight.frame(i))), [...expected, ...expected]);
  tight.close();
});

test('the index costs 34 bytes a frame', (t) => {
  t.is(FrameStore.INDEX_BYTES_PER_FRAME, 34);
});
