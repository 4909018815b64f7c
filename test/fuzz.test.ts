// Nothing throws out of a frame: randpkt's frames of every type it offers, corpus frames with flipped
// bytes, and the sample's frames cut at every length, each dissected with the tree, the columns and
// fields. A dissector that throws anything but running out of bytes leaves a "Dissector bug" note,
// which fails the test too.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type { Frame, InterfaceInfo } from '../src/capture/frame.js';
import { FrameDecoder } from '../src/decode/decoder.js';
import { walkTree } from '../src/decode/tree.js';
import { readAll } from './helpers/capture.js';
import { corpusEntries, corpusPresent, CORPUS_ABSENT, repoRoot } from './helpers/corpus.js';
import { registry } from './helpers/decode.js';

const RANDPKT_TYPES = [
  'arp', 'bgp', 'bvlc', 'dns', 'eth', 'fddi', 'giop', 'icmp', 'ieee802.15.4', 'ip', 'ipv6', 'llc', 'm2m', 'megaco', 'nbns', 'ncp2222',
  'sctp', 'syslog', 'tds', 'tcp', 'tr', 'udp', 'usb-linux',
];
const FUZZ_SECONDS = 20;

const randpktPresent = (() => {
  try {
    execFileSync('randpkt', ['-h'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    return (error as { status?: number }).status === 1;
  }
})();

/** Dissects with every output at once; returns the "Dissector bug" notes. */
function dissectFrames(frames: readonly { frame: Frame; iface: InterfaceInfo }[]): string[] {
  const allFields = [...registry.fields];
  const decoder = new FrameDecoder(registry, { tree: true, columns: true, fields: allFields });
  const bugs: string[] = [];
  for (const { frame, iface } of frames) {
    const dissection = decoder.decode(frame, iface);
    for (const { node } of walkTree(dissection.roots)) {
      if (node.expert?.message.includes('Dissector bug')) bugs.push(`frame ${dissection.frame.number}: ${node.expert.message}`);
    }
  }
  return bugs;
}

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('randpkt frames of every type dissect without a dissector bug', async (t) => {
  if (!randpktPresent) return t.pass('skipped: randpkt is not installed (wireshark-common; .ci/run installs it)');
  const dir = mkdtempSync(join(tmpdir(), 'tsshark-fuzz-'));
  try {
    let total = 0;
    for (const type of RANDPKT_TYPES) {
      const file = join(dir, `${type}.pcap`);
      execFileSync('randpkt', ['-b', '2000', '-c', '300', '-t', type, file]);
      const capture = await readAll(file);
      total += capture.frames.length;
      t.deepEqual(dissectFrames(capture.frames), [], type);
    }
    t.log(`${total} randpkt frames of ${RANDPKT_TYPES.length} types`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the sample\'s frames cut at every length dissect without a dissector bug', async (t) => {
  const capture = await readAll(join(repoRoot, 'samples/lab.pcap'));
  const cut = capture.frames.flatMap(({ frame, iface }) =>
    Array.from({ length: frame.capturedLength }, (_, length) => ({
      frame: { ...frame, capturedLength: length, data: frame.data.subarray(0, length) },
      iface,
    })),
  );
  t.deepEqual(dissectFrames(cut), []);
  t.log(`${cut.length} cut frames`);
});

test('corpus frames with flipped bytes dissect without a dissector bug (time-bounded)', async (t) => {
  if (!corpusPresent) return t.pass(CORPUS_ABSENT);
  const next = random(0x7553);
  const sources = corpusEntries().filter((entry) => entry.name.startsWith('recorded/') || /dns|tcp|icmp|ipv6|arp|vlan|nflog/.test(entry.name));
  const deadline = Date.now() + FUZZ_SECONDS * 1000;
  let mutated = 0;
  for (const entry of sources) {
    if (Date.now() > deadline) break;
    const capture = await readAll(entry.path);
    const frames = capture.frames.slice(0, 400).map(({ frame, iface }) => {
      const data = frame.data.slice();
      const flips = 1 + Math.floor(next() * 4);
      for (let i = 0; i < flips && data.length > 0; i++) data[Math.floor(next() * data.length)] = Math.floor(next() * 256);
      return { frame: { ...frame, data }, iface };
    });
    mutated += frames.length;
    t.deepEqual(dissectFrames(frames), [], entry.name);
  }
  t.log(`${mutated} mutated frames within ${FUZZ_SECONDS} s`);
  t.true(mutated > 0);
});
