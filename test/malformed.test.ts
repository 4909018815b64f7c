// Damaged files: one clear error naming the file and the byte offset, every frame before the damage
// kept, no hang, no allocation sized by a bad length.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { CaptureFileError } from '../src/capture/errors.js';
import { frameSignature, readAll } from './helpers/capture.js';
import { corpusEntries, corpusPresent, CORPUS_ABSENT, repoRoot } from './helpers/corpus.js';
import { pcapngHead, pcapngPacket } from './helpers/pcapng-blocks.js';

const sample = readFileSync(join(repoRoot, 'samples/lab.pcap'));
const dir = mkdtempSync(join(tmpdir(), 'tsshark-bad-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
async function readBytes(bytes: Uint8Array) {
  const path = join(dir, `case-${counter++}`);
  writeFileSync(path, bytes);
  return { path, capture: await readAll(path) };
}

/** A minimal little-endian pcapng: SHB, one Ethernet IDB, then EPBs with `payloads`. */
function pcapng(payloads: readonly Uint8Array[]): Buffer {
  return Buffer.concat([pcapngHead(), ...payloads.map((payload) => pcapngPacket(payload))]);
}

const PAYLOAD = new Uint8Array(60).fill(0xab);
/** Byte offset of the n-th EPB (0-based) in `pcapng([PAYLOAD, ...])`. */
const epbAt = (n: number) => 48 + n * 92;

test('bad magic names the file and byte 0', async (t) => {
  const { path, capture } = await readBytes(Buffer.from('not a capture at all'));
  t.true(capture.error instanceof CaptureFileError);
  t.is(capture.error?.message, `${path}: not a pcap or pcapng file (magic 0x6e6f7420) (at byte 0)`);
});

test('a file shorter than a magic number', async (t) => {
  const { path, capture } = await readBytes(Buffer.from([0xd4, 0xc3]));
  t.is(capture.error?.message, `${path}: file is too short to be a capture (2 bytes) (at byte 2)`);
});

test('truncated pcap file header', async (t) => {
  const { path, capture } = await readBytes(sample.subarray(0, 20));
  t.is(capture.error?.message, `${path}: pcap file header is truncated: 20 of 24 bytes (at byte 20)`);
});

test('a pcap record cut short keeps the frames before it', async (t) => {
  const full = await readAll(join(repoRoot, 'samples/lab.pcap'));
  const third = full.frames[2].frame;
  const cut = third.dataOffset + 10;
  const { path, capture } = await readBytes(sample.subarray(0, cut));
  t.is(capture.frames.length, 2);
  t.is(capture.error?.message, `${path}: record is truncated: header says ${third.capturedLength} captured bytes, the file has 10 (at byte ${third.dataOffset - 16})`);
});

test('a pcap record header cut short', async (t) => {
  const full = await readAll(join(repoRoot, 'samples/lab.pcap'));
  const at = full.frames[1].frame.dataOffset - 16;
  const { path, capture } = await readBytes(sample.subarray(0, at + 7));
  t.is(capture.frames.length, 1);
  t.is(capture.error?.message, `${path}: record header is truncated: 7 of 16 bytes (at byte ${at})`);
});

test('a pcap caplen past 256 KiB is refused before anything is allocated for it', async (t) => {
  const full = await readAll(join(repoRoot, 'samples/lab.pcap'));
  const at = full.frames[4].frame.dataOffset - 16;
  const bytes = Buffer.from(sample);
  bytes.writeUInt32LE(0x7ffffff0, at + 8);
  const { path, capture } = await readBytes(bytes);
  t.is(capture.frames.length, 4);
  t.is(capture.error?.message, `${path}: record captured length 2147483632 exceeds the maximum 262144 (at byte ${at + 8})`);
});

test('a huge snaplen in the file header does not raise the 256 KiB bound', async (t) => {
  const full = await readAll(join(repoRoot, 'samples/lab.pcap'));
  const at = full.frames[1].frame.dataOffset - 16;
  const bytes = Buffer.from(sample);
  bytes.writeUInt32LE(0xffffffff, 16);
  bytes.writeUInt32LE(1 << 20, at + 8);
  const { path, capture } = await readBytes(bytes);
  t.is(capture.frames.length, 1);
  t.is(capture.error?.message, `${path}: record captured length 1048576 exceeds the maximum 262144 (at byte ${at + 8})`);
});

test('a well-formed pcapng reads', async (t) => {
  const { capture } = await readBytes(pcapng([PAYLOAD, PAYLOAD]));
  t.is(capture.error, undefined);
  t.is(capture.frames.length, 2);
});

test('pcapng block length under the minimum', async (t) => {
  const bytes = pcapng([PAYLOAD, PAYLOAD, PAYLOAD]);
  bytes.writeUInt32LE(24, epbAt(1) + 4);
  const { path, capture } = await readBytes(bytes);
  t.is(capture.frames.length, 1);
  t.is(capture.error?.message, `${path}: block length 24 is below the minimum 32 (at byte ${epbAt(1) + 4})`);
});

test('pcapng block length not a multiple of 4', async (t) => {
  const bytes = pcapng([PAYLOAD, PAYLOAD]);
  bytes.writeUInt32LE(93, epbAt(1) + 4);
  const { path, capture } = await readBytes(bytes);
  t.is(capture.frames.length, 1);
  t.is(capture.error?.message, `${path}: block length 93 is not a multiple of 4 (at byte ${epbAt(1) + 4})`);
});

test('pcapng block length beyond the data', async (t) => {
  const bytes = pcapng([PAYLOAD, PAYLOAD]);
  bytes.writeUInt32LE(4096, epbAt(1) + 4);
  const { path, capture } = await readBytes(bytes);
  t.is(capture.frames.length, 1);
  t.is(capture.error?.message, `${path}: block is truncated: length 4096, the file has 92 bytes left (at byte ${epbAt(1)})`);
});

test('pcapng block length past the bound is refused without buffering it', async (t) => {
  const bytes = pcapng([PAYLOAD, PAYLOAD]);
  bytes.writeUInt32LE(0xfffffff0, epbAt(1) + 4);
  const { path, capture } = await readBytes(bytes);
  t.is(capture.frames.length, 1);
  t.is(capture.error?.message, `${path}: block length 4294967280 exceeds the maximum 16777216 (at byte ${epbAt(1) + 4})`);
});

test('pcapng trailer length that disagrees', async (t) => {
  const bytes = pcapng([PAYLOAD, PAYLOAD]);
  bytes.writeUInt32LE(88, epbAt(1) + 88);
  const { path, capture } = await readBytes(bytes);
  t.is(capture.frames.length, 1);
  t.is(capture.error?.message, `${path}: block trailer length 88 disagrees with header length 92 (at byte ${epbAt(1) + 88})`);
});

test('pcapng captured length past its block', async (t) => {
  const bytes = pcapng([PAYLOAD, PAYLOAD]);
  bytes.writeUInt32LE(200, epbAt(1) + 20);
  const { path, capture } = await readBytes(bytes);
  t.is(capture.frames.length, 1);
  t.is(capture.error?.message, `${path}: packet captured length 200 overruns its block (60 bytes of room) (at byte ${epbAt(1) + 20})`);
});

test('pcapng option that overruns its block', async (t) => {
  // An EPB with 8 bytes of options room whose option claims 40 bytes.
  const bytes = pcapng([PAYLOAD, PAYLOAD]);
  const withOption = Buffer.alloc(bytes.length + 8);
  bytes.copy(withOption, 0, 0, epbAt(1) + 88);
  withOption.writeUInt16LE(1, epbAt(1) + 88);
  withOption.writeUInt16LE(40, epbAt(1) + 90);
  withOption.writeUInt32LE(100, epbAt(1) + 4);
  withOption.writeUInt32LE(100, epbAt(1) + 96);
  const { path, capture } = await readBytes(withOption.subarray(0, epbAt(1) + 100));
  t.is(capture.frames.length, 1);
  t.is(capture.error?.message, `${path}: option 1 of length 40 overruns its block by 36 bytes (at byte ${epbAt(1) + 88})`);
});

test('pcapng packet naming an interface that was never described', async (t) => {
  const bytes = pcapng([PAYLOAD]);
  bytes.writeUInt32LE(3, epbAt(0) + 8);
  const { path, capture } = await readBytes(bytes);
  t.is(capture.error?.message, `${path}: packet refers to interface 3, but the section describes 1 (at byte ${epbAt(0) + 8})`);
});

/** Cuts a capture at `cut` bytes and checks what survives against the whole file's frames. */
async function checkCut(t: import('ava').ExecutionContext, file: string, bytes: Buffer, cut: number, whole: string[], ends: number[]) {
  const { capture } = await readBytes(bytes.subarray(0, cut));
  const kept = capture.frames.map((f) => frameSignature(f.frame));
  t.deepEqual(kept, whole.slice(0, kept.length), `${file} cut at ${cut}: frames kept are the file's first`);
  // Every frame whose record ends by the cut is kept, none past it. A pcapng block also needs its
  // options and trailer after the data, so there the last frame whose data ends by the cut may be lost.
  const complete = ends.filter((end) => end <= cut).length;
  const pcapng = bytes.readUInt32BE(0) === 0x0a0d0d0a;
  t.true(kept.length <= complete && kept.length >= (pcapng ? complete - 1 : complete), `${file} cut at ${cut}: kept ${kept.length} of ${complete} complete`);
  if (capture.error) {
    t.true(capture.error instanceof CaptureFileError, `${file} cut at ${cut}: ${capture.error.message}`);
    t.regex(capture.error.message, /\(at byte \d+\)$/);
  }
}

test('every corpus file cut at many lengths keeps its complete frames and fails cleanly', async (t) => {
  if (!corpusPresent) return t.pass(CORPUS_ABSENT);
  const entries = corpusEntries().filter((entry) => entry.tsharkReads && !entry.name.startsWith('recorded/'));
  for (const entry of entries) {
    const bytes = readFileSync(entry.path);
    const full = await readAll(entry.path);
    const whole = full.frames.map((f) => frameSignature(f.frame));
    const ends = full.frames.map((f) => f.frame.dataOffset + f.frame.capturedLength);
    const cuts = new Set<number>([0, 1, 3, 4, 8, 23, 24, 25, 27, 28, 39, 40, 41, 60, bytes.length - 1, bytes.length]);
    for (let i = 1; i <= 8; i++) cuts.add(Math.floor((bytes.length * i) / 9));
    for (const end of ends.slice(0, 4)) for (const delta of [-1, 0, 1, 4]) cuts.add(end + delta);
    for (const cut of cuts) if (cut >= 0 && cut <= bytes.length) await checkCut(t, entry.name, bytes, cut, whole, ends);
  }
});

test('corrupted length fields in corpus files stop at the damage', async (t) => {
  if (!corpusPresent) return t.pass(CORPUS_ABSENT);
  const entries = corpusEntries().filter((entry) => entry.tsharkReads && entry.tsharkFrames >= 3 && entry.path.endsWith('.pcap'));
  let checked = 0;
  for (const entry of entries.slice(0, 200)) {
    const bytes = Buffer.from(readFileSync(entry.path));
    const full = await readAll(entry.path);
    if (full.error) continue;
    const victim = full.frames[2].frame;
    const littleEndian = bytes.readUInt32LE(0) === 0xa1b2c3d4 || bytes.readUInt32LE(0) === 0xa1b23c4d;
    const at = victim.dataOffset - 16 + 8;
    if (littleEndian) bytes.writeUInt32LE(0xfffffff0, at);
    else bytes.writeUInt32BE(0xfffffff0, at);
    const { capture } = await readBytes(bytes);
    t.is(capture.frames.length, 2, entry.name);
    t.regex(capture.error?.message ?? '', new RegExp(`exceeds the maximum \\d+ \\(at byte ${at}\\)$`), entry.name);
    checked++;
  }
  t.true(checked > 50);
});
