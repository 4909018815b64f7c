// What each hop of one packet's way changed, from the headers of its copies: a router's TTL, a NAT's
// addresses and ports, a VLAN tag put on or taken off, an IPv6 address (named, not shown); the time
// between AF_PACKET copies in nanoseconds, none where NFLOG (stamped when read) is an end.
import test from 'ava';
import type { Datagram } from '../src/decode/dissection.js';
import { PointKind, TapPathIndex, type TapPoint } from '../src/decode/taps/tap-paths.js';

const ETHERNET = 1;
const IDENTITY = 4242;

/** An Ethernet frame (VLAN-tagged with `vlan`) holding an IPv4 UDP datagram, as the dissector would note it. */
function udpOverIpv4(options: { ttl: number; src: number[]; dst: number[]; srcPort: number; dstPort: number; vlan?: number }): Datagram {
  const tag = options.vlan === undefined ? [] : [0x81, 0x00, options.vlan >> 8, options.vlan & 0xff];
  const ethernet = [...Array(12).fill(0), ...tag, 0x08, 0x00];
  const ip = [0x45, 0, 0, 28, 0, 1, 0, 0, options.ttl, 17, 0, 0, ...options.src, ...options.dst];
  const udp = [options.srcPort >> 8, options.srcPort & 0xff, options.dstPort >> 8, options.dstPort & 0xff, 0, 8, 0, 0];
  const bytes = Uint8Array.from([...ethernet, ...ip, ...udp]);
  return { version: 4, bytes, headerAt: ethernet.length, payloadAt: ethernet.length + ip.length, protocol: 17, length: 28, fragment: false };
}

function ipv6(src: number): Datagram {
  const bytes = new Uint8Array(14 + 40 + 8);
  bytes[14] = 0x60;
  bytes[14 + 6] = 17;
  bytes[14 + 7] = 64;
  bytes[14 + 8 + 15] = src;
  bytes[14 + 24 + 15] = 9;
  return { version: 6, bytes, headerAt: 14, payloadAt: 54, protocol: 17, length: 48, fragment: false };
}

const point = (kind: PointKind, iface: string): TapPoint => ({ label: `${kind === PointKind.AF_INGRESS ? 'ingress' : 'egress'} AF_PACKET ${iface}`, kind, iface, netns: '' });

test('a router that NATs and retags: each hop says what it changed, and the time it took', (t) => {
  const paths = new TapPathIndex();
  const inside = { src: [10, 0, 0, 5], dst: [192, 0, 2, 1], srcPort: 5353, dstPort: 53 };
  // Arriving tagged VLAN 100 on eth0; leaving eth1 untagged, SNATed to 198.51.100.7:40000, TTL decremented.
  paths.register(1, IDENTITY, point(PointKind.AF_INGRESS, 'eth0'), 1_796_000_000, 123_456_789, udpOverIpv4({ ...inside, ttl: 64, vlan: 100 }), ETHERNET);
  paths.register(2, IDENTITY, point(PointKind.AF_EGRESS, 'eth1'), 1_796_000_000, 123_470_001, udpOverIpv4({ ...inside, ttl: 63, src: [198, 51, 100, 7], srcPort: 40000 }), ETHERNET);
  const packet = paths.copiesInOrder(2);
  t.deepEqual(packet?.copies, [{ number: 1, label: 'ingress AF_PACKET eth0' }, { number: 2, label: 'egress AF_PACKET eth1' }]);
  t.is(packet?.hops.length, 1);
  // Kept to the nanosecond though the epoch's seconds are large: 13,212 ns.
  t.is(packet?.hops[0].nanoseconds, 13_212);
  t.deepEqual(packet?.hops[0].changes, ['TTL 64 → 63', 'Source 10.0.0.5 → 198.51.100.7 (NAT)', 'Source port 5353 → 40000 (NAT)', 'VLAN tag 100 removed']);
  // The later copy is folded under the first; the first is no one's copy.
  t.is(paths.copyOf(2), 1);
  t.is(paths.copyOf(1), undefined);
});

test('a tag put on, a tag changed, an IPv6 address changed; no time to or from an NFLOG copy', (t) => {
  const paths = new TapPathIndex();
  const flow = { ttl: 64, src: [10, 0, 0, 5], dst: [10, 0, 0, 6], srcPort: 1, dstPort: 2 };
  paths.register(1, 7, point(PointKind.AF_INGRESS, 'eth0'), 100, 0, udpOverIpv4(flow), ETHERNET);
  paths.register(2, 7, { label: 'NF FORWARD', kind: PointKind.FORWARD, iface: '', netns: '' }, 101, 0, udpOverIpv4(flow), ETHERNET);
  paths.register(3, 7, point(PointKind.AF_EGRESS, 'eth1'), 100, 5_000, udpOverIpv4({ ...flow, vlan: 7 }), ETHERNET);
  const tagged = paths.copiesInOrder(3);
  t.deepEqual(tagged?.hops.map((hop) => [hop.nanoseconds, hop.changes]), [[undefined, []], [undefined, ['VLAN tag 7 added']]]);

  paths.register(4, 8, point(PointKind.AF_INGRESS, 'eth0'), 200, 0, udpOverIpv4({ ...flow, vlan: 7 }), ETHERNET);
  paths.register(5, 8, point(PointKind.AF_EGRESS, 'eth1'), 200, 900, udpOverIpv4({ ...flow, vlan: 8 }), ETHERNET);
  t.deepEqual(paths.copiesInOrder(5)?.hops[0].changes, ['VLAN 7 → 8']);

  paths.register(6, 9, point(PointKind.AF_INGRESS, 'eth0'), 300, 0, ipv6(1), ETHERNET);
  paths.register(7, 9, point(PointKind.AF_EGRESS, 'eth1'), 300, 10, ipv6(2), ETHERNET);
  t.deepEqual(paths.copiesInOrder(7)?.hops[0], { from: { number: 6, label: 'ingress AF_PACKET eth0' }, to: { number: 7, label: 'egress AF_PACKET eth1' }, nanoseconds: 10, changes: ['Source address changed (NAT)'] });
  // A packet seen once has no copies.
  paths.register(8, 10, point(PointKind.AF_INGRESS, 'eth0'), 400, 0, ipv6(1), ETHERNET);
  t.is(paths.copiesInOrder(8), undefined);
});
