// The tap survives export: a pcapng written by tsshark has one IDB per interface and tap point naming
// the tap, the direction in epb_flags and a one-line annotation per frame, as Wireshark reads them; and
// frames that are one packet at several tap points are linked across NAT in kernel order.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type { Frame, InterfaceInfo } from '../src/capture/frame.js';
import { FrameDecoder } from '../src/decode/decoder.js';
import { PointKind, TapPathIndex, type TapPoint } from '../src/decode/taps/tap-paths.js';
import { openCapture } from '../src/capture/capture-reader.js';
import { FrameStore } from '../src/capture/frame-store.js';
import { DecodedStore } from '../src/session/decoded-store.js';
import { exportFrames } from '../src/session/export.js';
import { CORPUS, CORPUS_ABSENT, corpusPresent, repoRoot } from './helpers/corpus.js';
import { fieldDefs, registry, tssharkFields } from './helpers/decode.js';
import { runCli } from './helpers/run.js';
import { tsharkFields, tsharkPresent, TSHARK_ABSENT } from './helpers/tshark.js';

const SAMPLE = join(repoRoot, 'samples/lab.pcap');

test('-w pcapng keeps each frame\'s tap where Wireshark shows it, and writing it again adds nothing', async (t) => {
  if (!tsharkPresent) return t.pass(TSHARK_ABSENT);
  const dir = mkdtempSync(join(tmpdir(), 'tsshark-tap-export-'));
  try {
    const once = join(dir, 'once.pcapng');
    const twice = join(dir, 'twice.pcapng');
    t.is((await runCli(['-r', SAMPLE, '-w', once])).status, 0);
    t.is((await runCli(['-r', once, '-w', twice])).status, 0);
    const ours = await tssharkFields(SAMPLE, ['tap.direction', 'tap.implies']);
    for (const file of [once, twice]) {
      const rows = await tsharkFields(file, ['frame.interface_description', 'frame.packet_flags_direction', 'frame.comment']);
      t.is(rows.length, ours.length);
      rows.forEach(([description, flags, comment], i) => {
        const [direction, implies] = ours[i];
        t.is(description, `tsshark tap: ${direction} AF_PACKET, copied in ${direction === 'egress' ? 'xmit_one → dev_queue_xmit_nit' : '__netif_receive_skb_core → ptype_all'} → tpacket_rcv (unknown kernel)`);
        t.is(flags, direction === 'egress' ? '0x00000002' : '0x00000001');
        // Occurrences are joined by a bare comma; the sentences' own commas are followed by a space.
        t.is(comment, `tap: ${direction} AF_PACKET: ${implies.split(/,(?! )/).join('; ')}`);
      });
    }
    // One IDB per tap point: the sample's ingress and egress copies.
    const interfaces = new Set((await tsharkFields(twice, ['frame.interface_id'])).map(([id]) => id));
    t.deepEqual([...interfaces].sort(), ['0', '1']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// An IPv4/UDP datagram from src to dst with the given TTL: the bytes NAT and forwarding change.
function udp(src: number[], dst: number[], ttl: number, payload: string): number[] {
  const body = [...Buffer.from(payload)];
  const length = 28 + body.length;
  return [0x45, 0, 0, length, 0x43, 0x21, 0x40, 0, ttl, 17, 0x12, 0x34, ...src, ...dst, 0x30, 0x39, 0x23, 0x29, 0, 8 + body.length, 0xab, 0xcd, ...body];
}

function ethernet(payload: number[]): Uint8Array {
  return Uint8Array.from([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00, ...payload]);
}

function nflog(hook: number, payload: number[]): Uint8Array {
  const tlv = (type: number, value: number[]) => [(4 + value.length) & 0xff, (4 + value.length) >> 8, type, 0, ...value, ...new Array<number>((4 - (value.length % 4)) % 4).fill(0)];
  return Uint8Array.from([2, 0, 0, 5, ...tlv(1, [0x08, 0x00, hook, 0]), ...tlv(9, payload)]);
}

function info(name: string, linkType: number): InterfaceInfo {
  return { linkType, snaplen: 262144, name, description: undefined, numbered: true, filter: undefined, tsUnitsPerSecond: 1_000_000_000n, tsOffsetSec: 0n };
}

test('copies of one packet are linked across DNAT and forwarding, in kernel order, not time order', (t) => {
  const fields = fieldDefs(['tap.path', 'tap.last_seen']);
  const decoder = new FrameDecoder(registry, { tree: false, columns: false, fields }, { rememberEveryFrame: true, linkTapPaths: true });
  const interfaces = [info('eth0', 1), info('eth1', 1), info('nflog:5', 239)];
  const client = [10, 0, 0, 1];
  const vip = [10, 0, 1, 1];
  const backend = [10, 0, 2, 7];
  // In capture order: the two interfaces' copies, then the NFLOG records a second late; then another
  // packet that reached only PRE_ROUTING.
  const frames: [number, number, Uint8Array][] = [
    [0, 1, ethernet(udp(client, vip, 64, 'one'))],
    [1, 2, ethernet(udp(client, backend, 63, 'one'))],
    [2, 0, nflog(2, udp(client, backend, 63, 'one'))],
    [2, 0, nflog(0, udp(client, vip, 64, 'one'))],
    [0, 1, ethernet(udp(client, vip, 64, 'two'))],
    [2, 0, nflog(0, udp(client, vip, 64, 'two'))],
  ];
  frames.forEach(([interfaceId, flags, data], i) => {
    const frame: Frame = { tsSec: 100 + (interfaceId === 2 ? 1 : 0), tsNsec: i, capturedLength: data.length, originalLength: data.length, linkType: interfaces[interfaceId].linkType, interfaceId, flags, comment: undefined, data, dataOffset: 0 };
    decoder.decode(frame, interfaces[interfaceId]);
  });
  const into = decoder.createDissection({ tree: false, columns: false, fields });
  const pathOf = (number: number) => {
    const [interfaceId, flags, data] = frames[number - 1];
    const frame: Frame = { tsSec: 100 + (interfaceId === 2 ? 1 : 0), tsNsec: number - 1, capturedLength: data.length, originalLength: data.length, linkType: interfaces[interfaceId].linkType, interfaceId, flags, comment: undefined, data, dataOffset: 0 };
    const dissection = decoder.redo(number, frame, interfaces[interfaceId], { tsSec: 100, tsNsec: 0 }, into);
    return fields.map((field) => String(dissection.valuesOf(field)[0]));
  };
  const one = ['ingress AF_PACKET eth0 → NF PRE_ROUTING → NF FORWARD → egress AF_PACKET eth1', 'egress AF_PACKET eth1'];
  for (const number of [1, 2, 3, 4]) t.deepEqual(pathOf(number), one);
  t.deepEqual(pathOf(5), ['ingress AF_PACKET eth0 → NF PRE_ROUTING → NF FORWARD: not seen', 'NF PRE_ROUTING']);
});

test('the index links every copy when a capture holds thousands of identities, however they hash', (t) => {
  const paths = new TapPathIndex();
  const arriving: TapPoint = { label: 'ingress AF_PACKET eth0', kind: PointKind.AF_INGRESS, iface: 'eth0', netns: '' };
  const leaving: TapPoint = { label: 'egress AF_PACKET eth1', kind: PointKind.AF_EGRESS, iface: 'eth1', netns: '' };
  // 5,000 packets in, then the same 5,000 out, 0.1 ms apart: the table grows past its first size twice.
  // Identities are hashes: spread like these pseudo-random ones, many share a slot.
  const packets = 5000;
  const identities = Array.from({ length: packets }, (_, i) => (Math.imul(i + 1, 0x2c1b3c6d) ^ 0x5bd1e995) >>> 0 || 1);
  t.is(new Set(identities).size, packets);
  for (let number = 1; number <= 2 * packets; number++) {
    paths.register(number, identities[(number - 1) % packets], number <= packets ? arriving : leaving, number / 10_000, 0);
  }
  const wrong: number[] = [];
  for (let number = 1; number <= 2 * packets; number++) {
    if (paths.pathOf(number)?.path !== 'ingress AF_PACKET eth0 → egress AF_PACKET eth1') wrong.push(number);
  }
  t.deepEqual(wrong, []);
});

/** The frames of `out` grouped by frame.packet_id, as tshark reads them, each a copy's number and IP identity. */
async function copiesByPacketId(out: string): Promise<Map<string, string[][]>> {
  const rows = await tsharkFields(out, ['frame.number', 'frame.packet_id', 'ip.id', 'ip.proto', 'ip.len']);
  const groups = new Map<string, string[][]>();
  for (const row of rows) {
    if (row[1] === '') continue;
    groups.set(row[1], [...(groups.get(row[1]) ?? []), row]);
  }
  return groups;
}

test("an export (the interface's, and print mode's -w) gives every copy of one packet at several tap points the same epb_packetid, which tshark reads as frame.packet_id", async (t) => {
  if (!tsharkPresent) return t.pass(TSHARK_ABSENT);
  if (!corpusPresent) return t.pass(CORPUS_ABSENT);
  // The router's recording at two tap points (any device, SLL2): most packets are copied at both.
  const file = join(CORPUS, 'recorded/rtr-any-sll2.pcap');
  const decoded = new DecodedStore(new FrameStore({ file }), registry, []);
  const reader = await openCapture(file);
  await reader.read((frame) => {
    decoded.append(frame, reader.interfaces);
  });
  await reader.close();
  const dir = mkdtempSync(join(tmpdir(), 'tsshark-packet-id-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const exported = join(dir, 'export.pcapng');
  const indexes = Array.from({ length: decoded.count }, (_, index) => index);
  t.like(exportFrames(decoded, indexes, exported, false), { ok: true });
  const written = join(dir, 'written.pcapng');
  const printed = await runCli(['-r', file, '-w', written]);
  t.is(printed.status, 0, printed.stderr);
  const groups = await copiesByPacketId(exported);
  t.true(groups.size > 10, `${groups.size} linked packets`);
  for (const [id, copies] of groups) {
    // The id is the first copy's frame number, and every copy is the same IP packet (the router NATs:
    // its addresses may differ, its identification, protocol and length do not).
    t.is(copies[0][0], id);
    t.true(copies.length >= 2);
    for (const copy of copies) t.deepEqual(copy.slice(2), copies[0].slice(2), `packet ${id}`);
  }
  t.deepEqual(await copiesByPacketId(written), groups);
});

test("copies in several network namespaces: each namespace's points in the stack's order, the namespaces in the order the packet reached them", (t) => {
  const paths = new TapPathIndex();
  const point = (kind: PointKind, iface: string, netns: string): TapPoint => ({ label: `${kind === PointKind.AF_INGRESS ? 'ingress' : 'egress'} AF_PACKET ${iface}@${netns}`, kind, iface: `${iface}@${netns}`, netns });
  // Registered out of order (as merged sources may deliver them), stamped in the order the kernel made them.
  paths.register(1, 77, point(PointKind.AF_INGRESS, 'eth0', 'pod-b'), 10.000004, 0);
  paths.register(2, 77, point(PointKind.AF_EGRESS, 'veth-b', 'router'), 10.000003, 0);
  paths.register(3, 77, point(PointKind.AF_EGRESS, 'eth0', 'pod-a'), 10.000001, 0);
  paths.register(4, 77, point(PointKind.AF_INGRESS, 'veth-a', 'router'), 10.000002, 0);
  const expected = 'egress AF_PACKET eth0@pod-a → ingress AF_PACKET veth-a@router → egress AF_PACKET veth-b@router → ingress AF_PACKET eth0@pod-b';
  for (const number of [1, 2, 3, 4]) t.is(paths.pathOf(number)?.path, expected);
});

test('an index that starts at frame 50 million (a store carried on by --keep) holds only the frames it registers', (t) => {
  const paths = new TapPathIndex();
  const point: TapPoint = { label: 'ingress AF_PACKET eth0', kind: PointKind.AF_INGRESS, iface: 'eth0', netns: '' };
  const before = process.memoryUsage().arrayBuffers;
  const first = 50_000_000;
  for (let offset = 0; offset < 3000; offset++) paths.register(first + offset, 1000 + offset, point, 1 + offset / 1000, 0);
  const grown = process.memoryUsage().arrayBuffers - before;
  // Columns by absolute frame number would hold 50 million slots: some 900 MB.
  t.true(grown < 10_000_000, `${grown} bytes`);
  t.is(paths.pathOf(first + 2999)?.path, 'ingress AF_PACKET eth0');
  t.is(paths.pathOf(first - 1), undefined);
});

test.serial('a windowed index (print mode) keeps a bounded number of frames, and links the newest as before', (t) => {
  const paths = new TapPathIndex(true);
  const arriving: TapPoint = { label: 'ingress AF_PACKET eth0', kind: PointKind.AF_INGRESS, iface: 'eth0', netns: '' };
  const leaving: TapPoint = { label: 'egress AF_PACKET eth1', kind: PointKind.AF_EGRESS, iface: 'eth1', netns: '' };
  const before = process.memoryUsage().arrayBuffers;
  // Two million packets a microsecond apart (within the link window), each seen twice.
  const packets = 2_000_000;
  for (let packet = 0; packet < packets; packet++) {
    paths.register(2 * packet + 1, 1 + packet, arriving, 100, packet * 1000);
    paths.register(2 * packet + 2, 1 + packet, leaving, 100, packet * 1000 + 500);
  }
  // Four million frames in columns of 18 bytes and an identity table of 8 bytes a slot at most half full:
  // over 130 MB unbounded (checked by making it so); the windowed index holds 2^18 to 2^19 of them.
  t.true(process.memoryUsage().arrayBuffers - before < 80e6, `${process.memoryUsage().arrayBuffers - before} bytes`);
  const last = 2 * packets;
  t.is(paths.packetIdOf(last), last - 1);
  t.is(paths.pathOf(last)?.path, 'ingress AF_PACKET eth0 → egress AF_PACKET eth1');
});
