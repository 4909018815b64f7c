// The tap model on frames built here: which hook and stages each source's copy gets, by kernel version,
// and the consequences chosen by direction and by what the frame shows (kernel-taps.md).
import test from 'ava';
import type { Frame, InterfaceInfo } from '../src/capture/frame.js';
import { FrameDecoder } from '../src/decode/decoder.js';
import { fieldDefs, registry } from './helpers/decode.js';

const TAP_FIELDS = ['tap.point', 'tap.direction', 'tap.pkttype', 'tap.iface', 'tap.kernel', 'tap.hook', 'tap.before', 'tap.after', 'tap.implies', 'tap.family', 'tap.group', 'tap.prefix'];

function ipv4Udp(totalLength: number, checksum: number): number[] {
  const header = [0x45, 0, totalLength >> 8, totalLength & 0xff, 0x12, 0x34, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
  const udpLength = totalLength - 20;
  const udp = [0x30, 0x39, 0x23, 0x29, udpLength >> 8, udpLength & 0xff, checksum >> 8, checksum & 0xff];
  return [...header, ...udp, ...new Array<number>(udpLength - 8).fill(0x61)];
}

/** The folded pseudo-header sum of ipv4Udp's addresses, protocol and length: what offload leaves. */
function partialChecksum(totalLength: number): number {
  let sum = 0x0a00 + 0x0001 + 0x0a00 + 0x0002 + 17 + (totalLength - 20);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

function sll2(pkttype: number, hatype: number, payload: number[]): Uint8Array {
  return Uint8Array.from([0x08, 0x00, 0, 0, 0, 0, 0, 2, hatype >> 8, hatype & 0xff, pkttype, 6, 2, 0, 0, 0, 0, 1, 0, 0, ...payload]);
}

function ethernet(payload: number[]): Uint8Array {
  return Uint8Array.from([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00, ...payload]);
}

/** An NFLOG record: header, PACKET_HDR with `hook`, PREFIX, PAYLOAD; TLVs little-endian as on x86. */
function nflog(hook: number, prefix: string, payload: number[]): Uint8Array {
  const tlv = (type: number, value: number[]) => {
    const length = 4 + value.length;
    const padding = new Array<number>((4 - (length % 4)) % 4).fill(0);
    return [length & 0xff, length >> 8, type, 0, ...value, ...padding];
  };
  return Uint8Array.from([
    2, 0, 0, 5,
    ...tlv(1, [0x08, 0x00, hook, 0]),
    ...tlv(10, [...Buffer.from(prefix), 0]),
    ...tlv(9, payload),
  ]);
}

function iface(overrides: Partial<InterfaceInfo>): InterfaceInfo {
  return { linkType: 1, snaplen: 262144, name: 'eth0', description: undefined, numbered: true, filter: undefined, tsUnitsPerSecond: 1_000_000_000n, tsOffsetSec: 0n, ...overrides };
}

function tapOf(data: Uint8Array, linkType: number, info: InterfaceInfo | undefined, flags = 0): Record<string, string> {
  const fields = fieldDefs(TAP_FIELDS);
  const decoder = new FrameDecoder(registry, { tree: false, columns: false, fields });
  const frame: Frame = { tsSec: 1, tsNsec: 0, capturedLength: data.length, originalLength: data.length, linkType, interfaceId: 0, flags, comment: undefined, data, dataOffset: 0 };
  const dissection = decoder.decode(frame, info);
  return Object.fromEntries(fields.map((field) => [field.abbrev, dissection.valuesOf(field).join(' | ')]));
}

test('an egress copy names xmit_one and the nit guard of its kernel', (t) => {
  const frame = ethernet(ipv4Udp(40, 0));
  const egress = (release: string | undefined) => tapOf(frame, 1, iface({ kernelRelease: release }), 2)['tap.hook'];
  t.is(egress('6.18.44-fc-v595'), 'xmit_one → dev_nit_active_rcu → dev_queue_xmit_nit → tpacket_rcv');
  t.is(egress('6.14.0'), 'xmit_one → dev_nit_active → dev_queue_xmit_nit → tpacket_rcv');
  t.is(egress('4.20.1'), 'xmit_one → dev_nit_active → dev_queue_xmit_nit → tpacket_rcv');
  t.is(egress('4.19.0'), 'xmit_one → dev_queue_xmit_nit → tpacket_rcv');
  t.is(egress(undefined), 'xmit_one → dev_queue_xmit_nit → tpacket_rcv');
  t.is(tapOf(frame, 1, iface({}), 2)['tap.kernel'], 'unknown kernel');
});

test('ingress and egress copies list the stages before and after them for their kernel', (t) => {
  const frame = ethernet(ipv4Udp(40, 0));
  const ingress = tapOf(frame, 1, iface({ kernelRelease: '6.18.44' }), 1);
  t.is(ingress['tap.point'], 'af_packet');
  t.is(ingress['tap.direction'], 'ingress');
  t.is(ingress['tap.hook'], '__netif_receive_skb_core → ptype_all → tpacket_rcv');
  t.is(ingress['tap.before'], 'driver, native XDP, GRO, generic XDP');
  t.is(ingress['tap.after'], 'tc ingress (tcx), nf netdev ingress, VLAN demux, rx_handler, PREROUTING, routing, INPUT/FORWARD');
  t.is(ingress['tap.implies'], 'dropped later by tc, netfilter or routing: still shown here | addresses are before DNAT');
  const egress = tapOf(frame, 1, iface({ kernelRelease: '6.18.44' }), 2);
  t.is(egress['tap.pkttype'], 'outgoing');
  t.is(egress['tap.before'], 'OUTPUT, routing, POSTROUTING, neighbour, nf egress, tc egress (tcx), qdisc, GSO/checksum');
  t.is(egress['tap.after'], 'driver ndo_start_xmit');
  t.is(egress['tap.implies'], 'dropped by OUTPUT, POSTROUTING, tc egress or the qdisc: never shown here | addresses are after SNAT');
  // 5.4: no nf egress (5.16), classic tc egress (tcx is 6.6); 4.4: no tc egress at all (clsact is 4.5).
  t.is(tapOf(frame, 1, iface({ kernelRelease: '5.4.0-150-generic' }), 2)['tap.before'], 'OUTPUT, routing, POSTROUTING, neighbour, tc egress, qdisc, GSO/checksum');
  t.is(tapOf(frame, 1, iface({ kernelRelease: '4.4.155' }), 2)['tap.before'], 'OUTPUT, routing, POSTROUTING, neighbour, qdisc, GSO/checksum');
  t.is(tapOf(frame, 1, iface({ kernelRelease: '4.4.155' }), 1)['tap.after'].split(', ')[0], 'tc ingress');
});

test('a capture that records no direction says so and claims nothing', (t) => {
  const tap = tapOf(ethernet(ipv4Udp(40, 0)), 1, undefined);
  t.is(tap['tap.point'], 'unknown');
  t.is(tap['tap.direction'], 'unknown');
  t.is(tap['tap.hook'], '');
  t.is(tap['tap.implies'], '');
});

test('a loopback frame is the receive-side copy, after the whole sending side', (t) => {
  const tap = tapOf(sll2(0, 772, ipv4Udp(40, 0)), 276, iface({ linkType: 276, name: 'any' }));
  t.is(tap['tap.direction'], 'ingress');
  t.true(tap['tap.before'].endsWith('TX tap (copy hidden by libpcap), loopback_xmit'));
  t.is(tap['tap.after'], 'PREROUTING, routing, INPUT');
  t.true(tap['tap.implies'].startsWith('loopback: this is the receive-side copy; libpcap hides the transmit copy'));
});

test('an NFLOG record names its hook, family, group and prefix', (t) => {
  const tap = tapOf(nflog(1, 'in-drop', ipv4Udp(40, 0)), 239, undefined);
  t.is(tap['tap.point'], 'nflog');
  t.is(tap['tap.hook'], 'NF_INET_LOCAL_IN');
  t.is(tap['tap.direction'], 'ingress');
  t.is(tap['tap.family'], 'ipv4');
  t.is(tap['tap.group'], '5');
  t.is(tap['tap.prefix'], 'in-drop');
  t.is(tap['tap.after'], 'socket');
  t.true(tap['tap.implies'].startsWith('addresses are after DNAT | the timestamp is when the record was read'));
  t.is(tapOf(nflog(2, '', ipv4Udp(40, 0)), 239, undefined)['tap.direction'], 'unknown');
  t.is(tapOf(nflog(4, '', ipv4Udp(40, 0)), 239, undefined)['tap.hook'], 'NF_INET_POST_ROUTING');
});

test('a partial checksum and a datagram over the MTU are explained', (t) => {
  const partial = tapOf(ethernet(ipv4Udp(3000, partialChecksum(3000))), 1, iface({ mtu: 1500 }), 2)['tap.implies'].split(' | ');
  t.true(partial.includes('UDP checksum not yet filled (checksum offload)'));
  t.true(partial.includes('frame larger than the MTU (GSO: the device or its peer segments it): 3000-byte datagram, MTU 1500'));
  const complete = tapOf(ethernet(ipv4Udp(1500, partialChecksum(1500) ^ 0x100)), 1, iface({ mtu: 1500 }), 2)['tap.implies'];
  t.false(complete.includes('checksum'));
  t.false(complete.includes('MTU'));
  const gro = tapOf(ethernet(ipv4Udp(3000, 0)), 1, iface({}), 1)['tap.implies'];
  t.true(gro.includes('frame larger than the MTU (GRO: segments merged before the copy): 3000-byte datagram, MTU 1500 assumed'));
});
