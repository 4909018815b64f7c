// Print mode's held frames (the link window): every frame comes out once, in order, with its own bytes and
// fields, however its bytes wrap around the ring or grow it, and with the frame before it's time.
import test from 'ava';
import type { Frame, InterfaceInfo } from '../src/capture/frame.js';
import type { Timestamp } from '../src/decode/decoder.js';
import { HeldFrames } from '../src/session/held-frames.js';

const FRAMES = 20_000;

/** Frame `n`'s bytes: a length from 0 to ~3000 and a pattern that names it. */
function bytesOf(n: number): Uint8Array {
  const length = (n * 7919) % 3001;
  return Uint8Array.from({ length }, (_, i) => (n + i) & 0xff);
}

test('frames of every size come out in order with their bytes, across wraps and growth of the ring', (t) => {
  let decoded = 0;
  const iface = { name: 'eth0' } as InterfaceInfo;
  const out: { number: number; frame: Frame; previous: Timestamp }[] = [];
  const held = new HeldFrames(() => ++decoded, (number, frame, _iface, previous) => {
    out.push({ number, frame: { ...frame, data: frame.data.slice() }, previous: { ...previous } });
  });
  // Sent a millisecond apart: the 3 s window holds 3,000 frames (several MB), released as later ones come.
  const reused: Frame = { tsSec: 0, tsNsec: 0, capturedLength: 0, originalLength: 0, linkType: 1, interfaceId: 0, flags: 0, comment: undefined, data: new Uint8Array(0), dataOffset: 0 };
  for (let n = 1; n <= FRAMES; n++) {
    const data = bytesOf(n);
    Object.assign(reused, { tsSec: 1000 + Math.floor(n / 1000), tsNsec: (n % 1000) * 1_000_000, capturedLength: data.length, originalLength: data.length + 4, interfaceId: n % 3, flags: n % 2, comment: n % 1000 === 0 ? `frame ${n}` : undefined, data, dataOffset: n * 10 });
    held.add(reused, iface);
    // The reader reuses its buffer.
    data.fill(0);
  }
  t.true(out.length < FRAMES, 'frames inside the window are still held');
  held.flush();
  t.is(out.length, FRAMES);
  let wrong = 0;
  for (const [index, { number, frame, previous }] of out.entries()) {
    const n = index + 1;
    const expected = bytesOf(n);
    const same = number === n && frame.capturedLength === expected.length && frame.originalLength === expected.length + 4 && frame.interfaceId === n % 3 && frame.flags === n % 2
      && frame.comment === (n % 1000 === 0 ? `frame ${n}` : undefined) && frame.dataOffset === n * 10 && Buffer.compare(frame.data, expected) === 0
      && previous.tsSec === (n === 1 ? 1000 : 1000 + Math.floor((n - 1) / 1000)) && previous.tsNsec === (n === 1 ? 1_000_000 : ((n - 1) % 1000) * 1_000_000);
    if (!same && wrong++ === 0) t.fail(`frame ${n} came out as ${number}, ${frame.capturedLength} bytes`);
  }
  t.is(wrong, 0);
});
