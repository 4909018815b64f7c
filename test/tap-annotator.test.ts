// An export's tap annotations are the dissectors' on every frame, although the annotator dissects only
// frames of a shape it has not seen (or cannot read plainly): checked frame by frame against a
// dissection of each, over the corpus as recorded and as if captured live in either direction, and over
// built frames in the shapes that change an annotation (offload's partial checksums, GSO lengths,
// fragments, loopback, cooked packet types).
import test from 'ava';
import { Direction, type Frame, type InterfaceInfo } from '../src/capture/frame.js';
import { FrameDecoder } from '../src/decode/decoder.js';
import { annotationOf, ANNOTATION_OPTIONS, TapAnnotator } from '../src/decode/taps/annotation.js';
import { readAll, type StoredFrame } from './helpers/capture.js';
import { corpusEntries, corpusPresent, CORPUS_ABSENT } from './helpers/corpus.js';
import { registry } from './helpers/decode.js';

/** Enough of each recorded capture (tens of thousands of frames) to meet all its shapes. */
const FRAMES_PER_FILE = 3000;

/** An interface as a live capture describes it; `any` devices by ifindex, one of three unknown. */
function liveInterface(base: InterfaceInfo, name: string, mtu: number): InterfaceInfo {
  return { ...base, name, kernelRelease: '6.18.44-fc-v595', mtu, deviceName: (ifindex) => (ifindex % 3 === 0 ? undefined : `if${ifindex}`) };
}

/** Annotates the frames in order with one annotator and compares each with its own dissection. */
function compare(frames: readonly StoredFrame[], rewrite: (stored: StoredFrame) => StoredFrame): { mismatches: string[]; dissected: number } {
  const annotator = new TapAnnotator(registry);
  const reference = new FrameDecoder(registry, ANNOTATION_OPTIONS);
  const mismatches: string[] = [];
  frames.forEach((stored, i) => {
    const { frame, iface } = rewrite(stored);
    const expected = annotationOf(reference.decode(frame, iface));
    const actual = annotator.annotate(frame, iface);
    if (JSON.stringify(actual) !== JSON.stringify(expected)) mismatches.push(`frame ${i + 1}: ${JSON.stringify(actual)} ≠ ${JSON.stringify(expected)}`);
  });
  return { mismatches, dissected: annotator.framesDissected };
}

test('the corpus, as recorded and as if captured live in each direction: every annotation is the dissectors\'', async (t) => {
  if (!corpusPresent) return t.pass(CORPUS_ABSENT);
  let frames = 0;
  let dissected = 0;
  for (const entry of corpusEntries().filter((e) => e.tsharkReads)) {
    const capture = (await readAll(entry.path)).frames.slice(0, FRAMES_PER_FILE);
    const interfaces = new Map<InterfaceInfo, InterfaceInfo[]>();
    const live = (iface: InterfaceInfo) => {
      if (!interfaces.has(iface)) interfaces.set(iface, [liveInterface(iface, 'eth0', 1500), liveInterface(iface, 'lo', 65536)]);
      return interfaces.get(iface) as InterfaceInfo[];
    };
    const passes: ((stored: StoredFrame) => StoredFrame)[] = [
      (stored) => stored,
      ...[Direction.INBOUND, Direction.OUTBOUND].flatMap((flags) => [0, 1].map((which) => (stored: StoredFrame) => ({
        frame: { ...stored.frame, flags },
        iface: live(stored.iface)[which],
      }))),
    ];
    for (const pass of passes) {
      const result = compare(capture, pass);
      t.deepEqual(result.mismatches.slice(0, 3), [], entry.name);
      frames += capture.length;
      dissected += result.dissected;
    }
  }
  t.log(`${frames} frames annotated, ${dissected} of them dissected`);
  // Most frames are plain Ethernet or cooked IP: the annotator must not be dissecting them all.
  t.true(dissected < frames / 4, `${dissected} of ${frames} dissected`);
});

const ETH_IPV4 = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00];
const ETH_IPV6 = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x86, 0xdd];
const ETH_VLAN = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x81, 0x00, 0, 5, 0x08, 0x00];
const TCP = 6;
const UDP = 17;

function sum(words: number[]): number {
  let total = 0;
  for (let i = 0; i < words.length; i += 2) total += (words[i] << 8) | (words[i + 1] ?? 0);
  while (total > 0xffff) total = (total & 0xffff) + (total >>> 16);
  return total;
}

/** A transport header and payload whose checksum is offload's partial sum, or another value. */
function transport(protocol: number, addresses: number[], payloadLength: number, partial: boolean): number[] {
  const header = protocol === TCP ? [0x30, 0x39, 0x1f, 0x90, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0] : [0x30, 0x39, 0x23, 0x28, 0, 0, 0, 0];
  const segment = [...header, ...new Array<number>(payloadLength).fill(0x61)];
  if (protocol === UDP) segment.splice(4, 2, segment.length >> 8, segment.length & 0xff);
  const checksumAt = protocol === TCP ? 16 : 6;
  const pseudo = sum([...addresses, 0, protocol, segment.length >> 8, segment.length & 0xff]);
  const value = partial ? pseudo : (pseudo + 0x1111) & 0xffff;
  segment.splice(checksumAt, 2, value >> 8, value & 0xff);
  return segment;
}

function ipv4(protocol: number, payloadLength: number, partial: boolean, flagsFragment = 0x4000): number[] {
  const addresses = [10, 0, 0, 1, 10, 0, 0, 2];
  const segment = transport(protocol, addresses, payloadLength, partial);
  const length = 20 + segment.length;
  return [0x45, 0, length >> 8, length & 0xff, 0x12, 0x34, flagsFragment >> 8, flagsFragment & 0xff, 64, protocol, 0, 0, ...addresses, ...segment];
}

function ipv6(protocol: number, payloadLength: number, partial: boolean): number[] {
  const addresses = [0x20, 1, 0xd, 0xb8, ...new Array<number>(11).fill(0), 1, 0x20, 1, 0xd, 0xb8, ...new Array<number>(11).fill(0), 2];
  const segment = transport(protocol, addresses, payloadLength, partial);
  return [0x60, 0, 0, 0, segment.length >> 8, segment.length & 0xff, protocol, 64, ...addresses, ...segment];
}

const ARP = [...ETH_IPV4.slice(0, 12), 0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 1, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2];

/** A cooked v1 header: packet type (4 is outgoing) and hardware type (772 is loopback). */
function sll(pkttype: number, hatype: number, ethertype: number): number[] {
  return [0, pkttype, hatype >> 8, hatype & 0xff, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, ethertype >> 8, ethertype & 0xff];
}

function sll2(pkttype: number, hatype: number, ethertype: number): number[] {
  return [ethertype >> 8, ethertype & 0xff, 0, 0, 0, 0, 0, 3, hatype >> 8, hatype & 0xff, pkttype, 6, 2, 0, 0, 0, 0, 1, 0, 0];
}

const IFACE: InterfaceInfo = {
  linkType: 1, snaplen: 262144, name: 'veth0', description: undefined, numbered: true, filter: undefined,
  tsUnitsPerSecond: 1_000_000_000n, tsOffsetSec: 0n, kernelRelease: '6.18.44-fc-v595', mtu: 1500,
};

/** One interface per link type, as a capture has. */
const interfaces = new Map<number, InterfaceInfo>();

function frame(linkType: number, bytes: number[], flags: number): StoredFrame {
  const data = Uint8Array.from(bytes);
  const built: Frame = { tsSec: 1, tsNsec: 0, capturedLength: data.length, originalLength: data.length, linkType, interfaceId: 0, flags, comment: undefined, data, dataOffset: 0 };
  if (!interfaces.has(linkType)) interfaces.set(linkType, { ...IFACE, linkType });
  return { frame: built, iface: interfaces.get(linkType) as InterfaceInfo };
}

test('built frames in every shape that changes an annotation: each is the dissectors\', and a shape seen before is not dissected again', (t) => {
  const shapes: StoredFrame[] = [];
  for (const flags of [Direction.INBOUND, Direction.OUTBOUND]) {
    for (const protocol of [TCP, UDP]) {
      for (const partial of [false, true]) {
        for (const payload of [10, 2000, 3000]) {
          shapes.push(frame(1, [...ETH_IPV4, ...ipv4(protocol, payload, partial)], flags));
          shapes.push(frame(1, [...ETH_IPV6, ...ipv6(protocol, payload, partial)], flags));
        }
        // A first fragment whose checksum looks partial: fragments are never said to be offloaded.
        shapes.push(frame(1, [...ETH_IPV4, ...ipv4(protocol, 10, partial, 0x2000)], flags));
        shapes.push(frame(1, [...ETH_VLAN, ...ipv4(protocol, 10, partial)], flags));
      }
    }
    shapes.push(frame(1, ARP, flags));
    // Cut short inside the IP header: the dissectors find no datagram.
    shapes.push(frame(1, [...ETH_IPV4, ...ipv4(UDP, 10, true)].slice(0, 30), flags));
    shapes.push(frame(101, ipv4(UDP, 10, true), flags));
  }
  for (const pkttype of [0, 1, 4]) {
    for (const hatype of [1, 772]) {
      shapes.push(frame(113, [...sll(pkttype, hatype, 0x0800), ...ipv4(UDP, 10, true)], 0));
      shapes.push(frame(276, [...sll2(pkttype, hatype, 0x86dd), ...ipv6(TCP, 3000, true)], 0));
    }
  }
  // Each shape twice in a row: the second frame of a plain shape takes the first's annotation.
  const frames = shapes.flatMap((stored) => [stored, { ...stored, frame: { ...stored.frame, tsSec: 2 } }]);
  const { mismatches, dissected } = compare(frames, (stored) => stored);
  t.deepEqual(mismatches, []);
  t.true(dissected < frames.length * 0.7, `${dissected} of ${frames.length} dissected`);

  const many = Array.from({ length: 1000 }, (_, i) => frame(1, [...ETH_IPV4, ...ipv4(UDP, 10 + (i % 50), false)], Direction.INBOUND));
  const run = compare(many, (stored) => stored);
  t.deepEqual(run.mismatches, []);
  t.is(run.dissected, 1, 'frames of one shape are dissected once');
});
