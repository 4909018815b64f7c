// The kernel's drops linked to frames (--drops): the drop probe's pieces (BTF offsets, reason names from
// the event's format, functions from kallsyms, its records) and the linking by tap identity; then, in the
// namespace lab, each way the kernel drops a received packet that the ingress tap has copied: UDP to a
// closed port (NO_SOCKET), reverse-path filtering (IP_RPFILTER) and a bad TCP checksum (TCP_CSUM). Every
// such frame says why and where, and its path ends there. A packet dropped before any tap copied it (an
// egress program's drop) has no frame: it is counted only.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { DROP_RECORD_BYTES, dropProbeOffsets, DropRecordReader, dropReasonNames } from '../src/capture/drop-probe.js';
import { KernelBtf, VMLINUX_BTF } from '../src/capture/kernel-btf.js';
import { KernelSymbols } from '../src/capture/kernel-symbols.js';
import { datagramOfHeaders } from '../src/decode/taps/header-datagram.js';
import { DropLinks } from '../src/decode/taps/drop-links.js';
import { CLIENT_IF, labFor, liveUnavailable, runIn, sendDatagrams, SERVER_IF, SERVER_IP, tssharkIn } from './helpers/netns.js';
import { tsharkFields, tsharkPresent, TSHARK_ABSENT } from './helpers/tshark.js';
import { captureIn, createTapLab, dropInTcx, Net, tapLabTools } from './lab/tap-lab.js';

// ---- the probe's pieces -----------------------------------------------------------------------------

/** A BTF blob: `struct outer { int a; union { struct { u16 b; u16 c; }; u32 d; }; int *e; }`. */
function syntheticBtf(): Uint8Array {
  const strings = ['', 'outer', 'a', 'b', 'c', 'd', 'e', 'int'];
  const stringOffsets: number[] = [];
  let stringBytes = '';
  for (const name of strings) {
    stringOffsets.push(stringBytes.length);
    stringBytes += `${name}\0`;
  }
  const at = (name: string) => stringOffsets[strings.indexOf(name)];
  const words: number[] = [];
  const type = (name: number, kind: number, vlen: number, sizeOrType: number, kindFlag = 0) => words.push(name, (kindFlag << 31) | (kind << 24) | vlen, sizeOrType);
  // 1: int (INT, 4 bytes, with its encoding word)
  type(at('int'), 1, 0, 4);
  words.push(32);
  // 2: int * (PTR)
  type(0, 2, 0, 1);
  // 3: anonymous struct { u16 b at bit 0; u16 c at bit 16 } (members' types: int, for brevity)
  type(0, 4, 2, 4);
  words.push(at('b'), 1, 0, at('c'), 1, 16);
  // 4: anonymous union { struct 3; u32 d }
  type(0, 5, 2, 4);
  words.push(0, 3, 0, at('d'), 1, 0);
  // 5: struct outer { a at 0; union at bit 32; e at bit 64 } with kind_flag (bitfield sizes in the top byte)
  type(at('outer'), 4, 3, 16, 1);
  words.push(at('a'), 1, 0, 0, 4, 32, at('e'), 2, 64);
  const typeBytes = new Uint8Array(new Uint32Array(words).buffer);
  const header = new DataView(new ArrayBuffer(24));
  header.setUint16(0, 0xeb9f, true);
  header.setUint8(2, 1);
  header.setUint32(4, 24, true);
  header.setUint32(8, 0, true);
  header.setUint32(12, typeBytes.length, true);
  header.setUint32(16, typeBytes.length, true);
  header.setUint32(20, stringBytes.length, true);
  return Buffer.concat([new Uint8Array(header.buffer), typeBytes, Buffer.from(stringBytes, 'latin1')]);
}

test("BTF: a struct's members by byte offset, those of anonymous unions and structs within it included", (t) => {
  const btf = KernelBtf.read(syntheticBtf());
  t.deepEqual(btf.structOffsets('outer', ['a', 'b', 'c', 'd', 'e']), { a: 0, b: 4, c: 6, d: 4, e: 8 });
  t.throws(() => btf.structOffsets('outer', ['f']), { message: 'struct outer has no member f' });
  t.throws(() => btf.structOffsets('inner', ['a']), { message: 'no struct inner' });
  t.throws(() => KernelBtf.read(new Uint8Array(30)), { message: /no 0xeb9f magic/ });
  t.throws(() => KernelBtf.read(syntheticBtf().slice(0, 60)), { message: /runs past the end/ });
});

test("BTF: the running kernel's sk_buff has the members the drop probe reads", (t) => {
  if (!existsSync(VMLINUX_BTF)) return t.pass(`skipped: ${VMLINUX_BTF} is absent (a kernel without CONFIG_DEBUG_INFO_BTF)`);
  const offsets = KernelBtf.read().structOffsets('sk_buff', ['head', 'tail', 'network_header', 'transport_header']);
  // include/linux/skbuff.h keeps the header offsets together and head after tail.
  t.is(offsets.network_header, offsets.transport_header + 2);
  t.true(offsets.head > offsets.tail, JSON.stringify(offsets));
  const probe = dropProbeOffsets();
  t.true(Object.values(probe).every((offset) => Number.isInteger(offset) && offset >= 0), JSON.stringify(probe));
});

/** skb:kfree_skb's format file on 6.18, its reason table cut short. */
const FORMAT = `print fmt: "skbaddr=%p rx_sk=%p protocol=%u location=%pS reason: %s", REC->skbaddr, REC->rx_sk, REC->protocol, REC->location, __print_symbolic(REC->reason, { 2, "NOT_SPECIFIED" }, { 3, "NO_SOCKET" }, { 10, "TCP_CSUM" }, { 16, "IP_RPFILTER" })`;

/** A UDP datagram's IPv4 header and UDP header from `ttl`, with its payload. */
function udpDatagram(ttl: number, payload = 'drop me'): Uint8Array {
  const bytes = new Uint8Array(28 + payload.length);
  bytes.set([0x45, 0, 0, bytes.length, 0x12, 0x34, 0x40, 0, ttl, 17, 0, 0, 10, 66, 0, 1, 10, 66, 0, 2]);
  bytes.set([0x9c, 0x40, 0x23, 0xf9, 0, 8 + payload.length, 0, 0], 20);
  bytes.set(Buffer.from(payload), 28);
  return bytes;
}

test("the probe's records: reasons named from the event's format, functions from kallsyms, the copy cut at the skb's linear end", (t) => {
  t.deepEqual([...dropReasonNames(FORMAT)], [[2, 'NOT_SPECIFIED'], [3, 'NO_SOCKET'], [10, 'TCP_CSUM'], [16, 'IP_RPFILTER']]);
  const dir = mkdtempSync(join(tmpdir(), 'tsshark-kallsyms-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const kallsyms = join(dir, 'kallsyms');
  writeFileSync(kallsyms, ['ffffffff820a7000 T __udp4_lib_rcv', 'ffffffff820a8000 t udp_queue_rcv_skb', 'ffffffff820a0000 D some_data', ''].join('\n'));
  const reader = new DropRecordReader(dropReasonNames(FORMAT), KernelSymbols.of(kallsyms));
  const datagram = udpDatagram(64);
  const records = new Uint8Array(3 * DROP_RECORD_BYTES);
  const view = new DataView(records.buffer);
  const record = (index: number, location: bigint, reason: number, networkHeader: number, tail: number) => {
    const at = index * DROP_RECORD_BYTES;
    view.setBigUint64(at, location, true);
    view.setUint32(at + 16, reason, true);
    view.setUint32(at + 20, tail, true);
    view.setUint16(at + 24, networkHeader, true);
    view.setUint16(at + 26, 0x0800, false);
    view.setUint32(at + 28, 4026531840 + index, true);
    records.set(datagram, at + 32);
  };
  record(0, 0xffffffff820a7f2cn, 3, 16, 16 + datagram.length);
  record(1, 0xffffffff820a8010n, 99, 0xffff, 16);
  record(2, 0xffffffff00000000n, 2, 16, 16 + 20);
  const drops: { reason: string; location: string; length: number; protocol: number; namespace: number }[] = [];
  reader.read(records, records.length, 5, (drop) => drops.push({ reason: drop.reason, location: drop.location, length: drop.network.length, protocol: drop.protocol, namespace: drop.namespace }));
  t.deepEqual(drops, [
    { reason: 'NO_SOCKET', location: '__udp4_lib_rcv', length: datagram.length, protocol: 0x0800, namespace: 4026531840 },
    // No network header yet: nothing to link; an unknown reason by its number.
    { reason: 'reason 99', location: 'udp_queue_rcv_skb', length: 0, protocol: 0x0800, namespace: 4026531841 },
    { reason: 'NOT_SPECIFIED', location: '0xffffffff00000000', length: 20, protocol: 0x0800, namespace: 4026531842 },
  ]);
});

test("a drop links to the frames of its packet, whatever the TTL and addresses since, within the link window", (t) => {
  const links = new DropLinks();
  links.add({ reason: 'NO_SOCKET', location: '__udp4_lib_rcv', protocol: 0x0800, namespace: 1, network: udpDatagram(63), seconds: 100 });
  links.add({ reason: 'NOT_SPECIFIED', location: 'arp_rcv', protocol: 0x0806, namespace: 1, network: new Uint8Array([0, 1, 8, 0, 6, 4]), seconds: 100 });
  const frame = datagramOfHeaders(udpDatagram(64));
  t.truthy(frame);
  if (frame === undefined) return;
  t.is(links.link(frame, 130), undefined);
  t.is(links.link(frame, 100.2)?.reason, 'NO_SOCKET');
  t.is(links.link(frame, 100.2)?.location, '__udp4_lib_rcv');
  const other = datagramOfHeaders(udpDatagram(64, 'other'));
  t.is(other && links.link(other, 100.2), undefined);
  t.deepEqual({ seen: links.seen, ip: links.ip, linked: links.linked }, { seen: 2, ip: 1, linked: 1 });
});

// ---- the namespace lab (root) -------------------------------------------------------------------------

const CLOSED_PORT = 9410;
const RPF_PORT = 9411;
const BAD_CHECKSUM_PORT = 9412;
const EGRESS_DROPPED_PORT = 9413;
const SENT = 10;
/** A client address the server has no route back to: strict reverse-path filtering drops its packets. */
const UNROUTED_SOURCE = '10.99.0.1';
/** TCP SYNs from a raw socket with a checksum that cannot be right. */
const BAD_CHECKSUM_SYNS = `
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
for i in range(${SENT}):
    s.sendto(struct.pack('!HHIIBBHHH', 40000 + i, ${BAD_CHECKSUM_PORT}, i, 0, 5 << 4, 0x02, 65535, 0xdead, 0), ('${SERVER_IP}', 0))
`;

const sendUdp = (ns: string, port: number, source?: string) => sendDatagrams(ns, SERVER_IP, port, SENT, source);

test.serial('--drops: each received packet the kernel drops says why and where on its frame, and its path ends there; an egress drop has no frame', async (t) => {
  const lab = labFor(t, ['ip', 'gcc', 'python3']);
  if (!lab) return;
  runIn(lab.server, ['sysctl', '-q', '-w', 'net.ipv4.conf.all.rp_filter=1', `net.ipv4.conf.${SERVER_IF}.rp_filter=1`]);
  runIn(lab.client, ['ip', 'addr', 'add', `${UNROUTED_SOURCE}/32`, 'dev', CLIENT_IF]);
  const stopTcx = await dropInTcx(lab.client, CLIENT_IF, 'egress', EGRESS_DROPPED_PORT);
  t.teardown(stopTcx);
  const fields = ['udp.dstport', 'tcp.dstport', 'ip.src', 'tap.iface', 'tap.drop_reason', 'tap.drop_location', 'tap.path'];
  const filter = `udp.dstport in {${CLOSED_PORT} ${RPF_PORT} ${EGRESS_DROPPED_PORT}} || tcp.dstport == ${BAD_CHECKSUM_PORT}`;
  const { rows, stderr } = await captureIn(lab.server, [SERVER_IF], fields, filter, 3, () => {
    sendUdp(lab.client, CLOSED_PORT);
    sendUdp(lab.client, RPF_PORT, UNROUTED_SOURCE);
    execFileSync('ip', ['netns', 'exec', lab.client, 'python3', '-c', BAD_CHECKSUM_SYNS], { stdio: 'ignore', timeout: 10_000 });
    sendUdp(lab.client, EGRESS_DROPPED_PORT);
  }, ['--drops']);
  const byPort = (port: number) => rows.filter((row) => row['udp.dstport'] === String(port) || row['tcp.dstport'] === String(port));
  const expect = (port: number, reason: string, location: RegExp) => {
    const frames = byPort(port);
    t.is(frames.length, SENT, `${reason}: ${JSON.stringify(frames)}`);
    for (const frame of frames) {
      t.is(frame['tap.drop_reason'], reason, JSON.stringify(frame));
      t.regex(frame['tap.drop_location'], location);
      t.is(frame['tap.path'], `ingress AF_PACKET ${SERVER_IF} → dropped: ${reason} in ${frame['tap.drop_location']}`);
    }
  };
  expect(CLOSED_PORT, 'NO_SOCKET', /^__udp4_lib_rcv$/);
  expect(RPF_PORT, 'IP_RPFILTER', /^ip_rcv_finish/);
  expect(BAD_CHECKSUM_PORT, 'TCP_CSUM', /^tcp_v4_rcv$/);
  // Dropped in the client's tcx egress program, before any tap: no frame here, nothing to link.
  t.deepEqual(byPort(EGRESS_DROPPED_PORT), []);
  const summary = /^(\d+) drops? copied by the drop probe, (\d+) of IP packets, (\d+) linked to captured frames$/m.exec(stderr);
  t.truthy(summary, stderr);
  // The tracepoint is the host's: other drops may be copied too, never fewer of ours; the egress drops count but do not link.
  t.true(Number(summary?.[2]) >= 4 * SENT, stderr);
  t.is(Number(summary?.[3]), 3 * SENT, stderr);
  t.notRegex(stderr, /not linked to frames/);
});

const FORWARDED_CLOSED_PORT = 9414;

test.serial("-w with --drops on a router: a forwarded packet's two copies share one epb_packetid, and each keeps its drop further on as a comment Wireshark shows", async (t) => {
  const unavailable = liveUnavailable(['ip']) ?? tapLabTools();
  if (unavailable) return t.pass(unavailable);
  if (!tsharkPresent) return t.pass(TSHARK_ABSENT);
  const lab = createTapLab();
  t.teardown(() => lab.remove());
  const dir = mkdtempSync(join(tmpdir(), 'tsshark-fates-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'router.pcapng');
  const capture = tssharkIn(lab.router, ['--drops', '-i', Net.ROUTER_CLIENT_IF, '-i', Net.ROUTER_SERVER_IF, '-f', 'udp', '-a', 'duration:2', '-w', out]);
  await capture.ready;
  sendDatagrams(lab.client, Net.SERVER_IP, FORWARDED_CLOSED_PORT, SENT);
  const result = await capture.done;
  t.is(result.status, 0, result.stderr);
  const rows = (await tsharkFields(out, ['frame.number', 'frame.packet_id', 'frame.interface_name', 'udp.dstport', 'frame.comment'])).filter((row) => row[3] === String(FORWARDED_CLOSED_PORT));
  t.is(rows.length, 2 * SENT, JSON.stringify(rows));
  const byPacket = new Map<string, string[][]>();
  for (const row of rows) byPacket.set(row[1], [...(byPacket.get(row[1]) ?? []), row]);
  t.is(byPacket.size, SENT);
  for (const [id, copies] of byPacket) {
    t.deepEqual(copies.map((copy) => copy[2]), [Net.ROUTER_CLIENT_IF, Net.ROUTER_SERVER_IF]);
    t.is(copies[0][0], id);
    // Dropped in the server's namespace, after both copies: kfree_skb is the host's.
    for (const copy of copies) t.true(copy[4].includes('tsshark kernel drop: NO_SOCKET in __udp4_lib_rcv'), copy[4]);
  }
});
