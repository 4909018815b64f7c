// Read → write → read keeps every frame's bytes, original length and timestamp to the nanosecond:
// pcap → pcapng → pcap over the whole corpus, checked in-process and judged by tshark.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type { Frame } from '../src/capture/frame.js';
import { frameSignature, readAll, tsharkSignatures, writeAll } from './helpers/capture.js';
import { corpusEntries, corpusPresent, CORPUS_ABSENT, repoRoot } from './helpers/corpus.js';
import { tshark, tsharkPresent, TSHARK_ABSENT } from './helpers/tshark.js';

/** Link types whose first bytes tshark's file layer strips as a pseudo-header (SunATM: 4 bytes). */
const PSEUDO_HEADER_LENGTH: Readonly<Record<number, number>> = { 123: 4 };

/** A frame as tshark's reader presents it: without the pseudo-header of its link type. */
function asTsharkSees(frame: Frame): Frame {
  const strip = Math.min(PSEUDO_HEADER_LENGTH[frame.linkType] ?? 0, frame.capturedLength);
  if (strip === 0) return frame;
  return { ...frame, data: frame.data.subarray(strip), capturedLength: frame.capturedLength - strip, originalLength: frame.originalLength - strip };
}

/** tshark shows this file's corrupt timestamps as negative times; its bytes and lengths still count. */
const TSHARK_TIME_UNREADABLE = new Set(['tcpdump-tests/rx_serviceid_oobr.pcap']);

test('the bundled sample survives pcap → pcapng → pcap exactly', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsshark-rt-'));
  try {
    const original = await readAll(join(repoRoot, 'samples/lab.pcap'));
    writeAll(join(dir, 'a.pcapng'), original, 'pcapng');
    const viaPcapng = await readAll(join(dir, 'a.pcapng'));
    writeAll(join(dir, 'b.pcap'), viaPcapng, 'pcap');
    const back = await readAll(join(dir, 'b.pcap'));
    t.true(original.frames.length > 30);
    t.deepEqual(back.frames.map((f) => frameSignature(f.frame)), original.frames.map((f) => frameSignature(f.frame)));
    // Direction survives pcapng's epb_flags only when the source had it there; SLL2 keeps it in the bytes.
    t.deepEqual(viaPcapng.frames.map((f) => f.frame.linkType), original.frames.map((f) => f.frame.linkType));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('nanosecond timestamps, direction flags and comments survive pcapng → pcapng → pcap(ns)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsshark-rt-'));
  try {
    const original = await readAll(join(repoRoot, 'samples/lab.pcap'));
    const iface = { ...original.frames[0].iface, name: 'veth-s', tsUnitsPerSecond: 1_000_000_000n };
    const frames = original.frames.map(({ frame }, index) => ({
      frame: { ...frame, tsNsec: frame.tsNsec + (index % 1000), flags: index % 2 ? 1 : 2, comment: index === 3 ? 'a comment' : undefined },
      iface,
    }));
    writeAll(join(dir, 'a.pcapng'), { frames, nanosecond: true, error: undefined }, 'pcapng');
    const back = await readAll(join(dir, 'a.pcapng'));
    t.deepEqual(back.frames.map((f) => frameSignature(f.frame)), frames.map((f) => frameSignature(f.frame)));
    t.deepEqual(back.frames.map((f) => f.frame.flags), frames.map((f) => f.frame.flags));
    t.is(back.frames[3].frame.comment, 'a comment');
    t.is(back.frames[0].iface.name, 'veth-s');
    writeAll(join(dir, 'b.pcap'), back, 'pcap');
    const pcap = readFileSync(join(dir, 'b.pcap'));
    t.is(pcap.readUInt32LE(0), 0xa1b23c4d, 'nanosecond magic');
    const again = await readAll(join(dir, 'b.pcap'));
    t.deepEqual(again.frames.map((f) => frameSignature(f.frame)), frames.map((f) => frameSignature(f.frame)));
    if (!tsharkPresent) return t.log(TSHARK_ABSENT);
    const judged = await tshark(['-r', join(dir, 'a.pcapng'), '-T', 'fields', '-e', 'frame.comment', '-e', 'frame.interface_name', '-e', 'frame.packet_flags_direction']);
    const rows = judged.stdout.split('\n').slice(0, -1).map((line) => line.split('\t'));
    t.deepEqual(rows[3], ['a comment', 'veth-s', '0x00000001']);
    t.deepEqual(rows[4], ['', 'veth-s', '0x00000002']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every corpus capture survives pcap/pcapng → pcapng → pcap, judged by tshark', async (t) => {
  if (!corpusPresent) return t.pass(CORPUS_ABSENT);
  if (!tsharkPresent) return t.pass(TSHARK_ABSENT);
  const dir = mkdtempSync(join(tmpdir(), 'tsshark-rt-'));
  const failures: string[] = [];
  const sections: Buffer[] = [];
  const expected: string[] = [];
  const pcapCopies: string[] = [];
  const expectedOfPcaps: string[] = [];
  const timeUnreadable = new Set<number>();
  let files = 0;
  let multiLinkType = 0;
  let beyond2106 = 0;
  try {
    for (const entry of corpusEntries().filter((e) => e.tsharkReads)) {
      const base = join(dir, entry.name.replace(/\//g, '_'));
      const original = await readAll(entry.path);
      writeAll(`${base}.pcapng`, original, 'pcapng');
      const viaPcapng = await readAll(`${base}.pcapng`);
      const want = original.frames.map((f) => frameSignature(f.frame));
      if (JSON.stringify(viaPcapng.frames.map((f) => frameSignature(f.frame))) !== JSON.stringify(want)) failures.push(`${entry.name}: pcapng copy differs`);
      const wantByTshark = original.frames.map((f) => frameSignature(asTsharkSees(f.frame)));
      // Sections concatenate: one tshark run judges every pcapng copy at once.
      sections.push(readFileSync(`${base}.pcapng`));
      expected.push(...wantByTshark);
      files++;
      if (new Set(original.frames.map((f) => f.frame.linkType)).size > 1) {
        multiLinkType++;
        continue;
      }
      if (original.frames.some((f) => f.frame.tsSec > 0xffffffff)) {
        beyond2106++;
        t.throws(() => writeAll(`${base}.pcap`, viaPcapng, 'pcap'), { message: /pcap cannot hold the timestamp/ });
        continue;
      }
      writeAll(`${base}.pcap`, viaPcapng, 'pcap');
      pcapCopies.push(`${base}.pcap`);
      if (TSHARK_TIME_UNREADABLE.has(entry.name)) for (let i = 0; i < wantByTshark.length; i++) timeUnreadable.add(expectedOfPcaps.length + i);
      expectedOfPcaps.push(...wantByTshark);
    }
    const unreadable = (s: string) => s.replace(/^\S+ /, '');
    const all = join(dir, 'all.pcapng');
    writeFileSync(all, Buffer.concat(sections));
    const judgedAll = await tsharkSignatures(all);
    t.is(judgedAll.length, expected.length, 'tshark reads every frame of the pcapng copies');
    const mismatched = judgedAll.flatMap((s, i) => (s !== expected[i] && unreadable(s) !== unreadable(expected[i]) ? [`#${i}: tshark ${s}, tsshark ${expected[i]}`] : []));
    t.deepEqual(mismatched, [], 'tshark reads the pcapng copies as tsshark read the originals');
    // The pcap copies reach tshark through mergecap, which reads each with the same file layer (wiretap)
    // tshark's -r uses: one tshark start instead of one per file.
    const merged = join(dir, 'pcaps.pcapng');
    const mergecap = spawnSync('mergecap', ['-a', '-w', merged, ...pcapCopies], { encoding: 'utf8' });
    t.is(mergecap.status, 0, mergecap.stderr);
    const judgedPcaps = await tsharkSignatures(merged);
    t.is(judgedPcaps.length, expectedOfPcaps.length, 'tshark reads every frame of the pcap copies');
    const comparable = (s: string, i: number) => (timeUnreadable.has(i) ? unreadable(s) : s);
    const differing = judgedPcaps.flatMap((s, i) => (comparable(s, i) !== comparable(expectedOfPcaps[i], i) ? [`#${i}: tshark ${s}, tsshark ${expectedOfPcaps[i]}`] : []));
    t.deepEqual(differing.slice(0, 20), [], 'tshark reads the pcap copies as tsshark read the originals');
    t.log(`${files} files, ${expected.length} frames; not copied to pcap, which cannot hold them: ${multiLinkType} with several link types, ${beyond2106} with times past 2106`);
    t.deepEqual(failures, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
