// The chunked input reads one chunk ahead of its parser: every byte must still arrive once and in order
// whatever sizes the parser asks for and the source hands out, and a failing source must fail the
// parser's next request, not the process.
import test from 'ava';
import { ChunkedInput, type ByteSource } from '../src/capture/chunked-input.js';

const MAX_REQUEST = 300_000;

/** `total` bytes of a known pattern, handed out at most `largest` at a time; throws once `failAfter` are given. */
function patternSource(total: number, largest: number, failAfter = Infinity): ByteSource & { given: number } {
  let position = 0;
  return {
    get given() {
      return position;
    },
    async read(target, offset, length) {
      if (position >= failAfter) throw new Error('disk on fire');
      const n = Math.min(length, largest, total - position);
      for (let i = 0; i < n; i++) target[offset + i] = (position + i) % 251;
      position += n;
      return n;
    },
    async close() {},
  };
}

/** Requests of varied sizes (a small xorshift, so a failure repeats), checking every byte. */
async function readThrough(input: ChunkedInput, total: number): Promise<number> {
  let seed = 0x9e3779b9;
  let consumed = 0;
  while (consumed < total) {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    const want = Math.min(1 + ((seed >>> 0) % MAX_REQUEST), total - consumed);
    if (!(await input.ensure(want))) throw new Error(`source ended early at ${consumed}`);
    for (let i = 0; i < want; i++) {
      if (input.buf[input.pos + i] !== (consumed + i) % 251) throw new Error(`byte ${consumed + i} is wrong`);
    }
    input.skip(want);
    consumed += want;
  }
  return consumed;
}

test('every byte arrives once, in order, for any request and read sizes', async (t) => {
  // Whole chunks, reads that leave part of a chunk over, small reads, and a trickle (kept short).
  const cases = [
    { total: 9 * (1 << 20) + 12_345, largest: 1 << 20 },
    { total: 9 * (1 << 20) + 12_345, largest: 200_000 },
    { total: 3 * (1 << 20), largest: 4096 },
    { total: 100_000, largest: 7 },
  ];
  for (const { total, largest } of cases) {
    const input = new ChunkedInput(patternSource(total, largest), MAX_REQUEST);
    t.is(await readThrough(input, total), total, `reads of at most ${largest} bytes`);
    t.false(await input.ensure(1), 'nothing after the end');
    t.is(input.offset, total);
  }
});

test('a source that fails mid-file fails the request that reaches the failure, with its error', async (t) => {
  const source = patternSource(8 << 20, 1 << 20, 3 << 20);
  const input = new ChunkedInput(source, MAX_REQUEST);
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    let consumed = 0;
    const error = await t.throwsAsync(async () => {
      for (;;) {
        if (!(await input.ensure(65536))) return;
        input.skip(65536);
        consumed += 65536;
        // A slow parser: the read ahead fails before anyone awaits it.
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    });
    t.is(error?.message, 'disk on fire');
    t.true(source.given >= 3 << 20);
    t.is(consumed, source.given, 'every byte given before the failure reached the parser');
    t.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
