// The outer IP datagram of a frame in the shapes a live capture hands over by the hundred thousand a
// second (Ethernet, Linux cooked v1/v2 or raw IP, then IPv4 without options or IPv6 without extension
// headers), read straight from the bytes: a tap annotation's per-frame facts without a dissection pass.
// Any other shape (VLAN tags, tunnels, NFLOG, options, extension headers, a header cut short or bogus)
// is left to the dissectors; for the shapes read here the dissectors find the same datagram, which
// test/tap-annotator.test.ts checks frame by frame.
import type { Frame } from '../../capture/frame.js';
import type { Datagram } from '../dissection.js';
import type { Dissector } from '../dissector.js';
import type { Registry } from '../registry.js';
import { arp } from '../protocols/arp.js';
import { eth, FIELD as ETH, HEADER_LENGTH as ETH_HEADER, MIN_ETHERTYPE } from '../protocols/eth.js';
import { FIELD as IPV4, FLAG_MF, FRAGMENT_MASK, ip, MIN_HEADER as IPV4_HEADER } from '../protocols/ip.js';
import { EXTENSION_HEADERS, FIELD as IPV6, HEADER_LENGTH as IPV6_HEADER, ipv6 } from '../protocols/ipv6.js';
import { raw } from '../protocols/raw.js';
import { sll, sll2, V1, V2 } from '../protocols/sll.js';

const IPV4_VERSION_IHL = 0x45;

function u16(bytes: Uint8Array, at: number): number {
  return (bytes[at] << 8) | bytes[at + 1];
}

/** The protocol an ethertype-like field hands on to (undefined for the 802.3 lengths and Linux pseudo-types below MIN_ETHERTYPE). */
function byEthertype(registry: Registry, type: number): Dissector | undefined {
  return type >= MIN_ETHERTYPE ? registry.lookup('ethertype', type) : undefined;
}

/**
 * Fills `into` with the frame's outer datagram (version 0 for ARP, which holds none); false when the
 * frame has another shape, and the caller must dissect it to know. `link`: the frame's link-type dissector.
 */
export function readPlainDatagram(registry: Registry, link: Dissector | undefined, frame: Frame, into: Datagram): boolean {
  const bytes = frame.data;
  let network: Dissector | undefined;
  let at: number;
  if (link === eth) {
    if (bytes.length < ETH_HEADER) return false;
    network = byEthertype(registry, u16(bytes, ETH.TYPE[0]));
    at = ETH_HEADER;
  } else if (link === sll) {
    if (bytes.length < V1.LENGTH) return false;
    // GRE's protocol table shares the ethertype entries, so a GRE tunnel's hatype changes nothing here.
    network = byEthertype(registry, u16(bytes, V1.PROTOCOL));
    at = V1.LENGTH;
  } else if (link === sll2) {
    if (bytes.length < V2.LENGTH) return false;
    network = byEthertype(registry, u16(bytes, V2.PROTOCOL));
    at = V2.LENGTH;
  } else if (link === raw) {
    if (bytes.length === 0) return false;
    network = registry.lookup('ip.version', bytes[0] >>> 4);
    at = 0;
  } else {
    network = link;
    at = 0;
  }
  if (network === arp) {
    into.version = 0;
    return true;
  }
  if (network === ip) return readIpv4(bytes, at, into);
  if (network === ipv6) return readIpv6(bytes, at, into);
  return false;
}

function readIpv4(bytes: Uint8Array, at: number, into: Datagram): boolean {
  if (bytes.length < at + IPV4_HEADER || bytes[at + IPV4.VERSION_IHL] !== IPV4_VERSION_IHL) return false;
  const length = u16(bytes, at + IPV4.LENGTH);
  // 0 is a TSO frame's length, taken from the frame by the dissector.
  if (length < IPV4_HEADER) return false;
  into.version = 4;
  into.bytes = bytes;
  into.headerAt = at;
  into.length = length;
  into.payloadAt = at + IPV4_HEADER;
  into.protocol = bytes[at + IPV4.PROTOCOL];
  into.fragment = (u16(bytes, at + IPV4.FLAGS_FRAGMENT) & (FLAG_MF | FRAGMENT_MASK)) !== 0;
  return true;
}

function readIpv6(bytes: Uint8Array, at: number, into: Datagram): boolean {
  if (bytes.length < at + IPV6_HEADER || bytes[at + IPV6.VERSION_CLASS_FLOW] >>> 4 !== 6) return false;
  const next = bytes[at + IPV6.NEXT_HEADER];
  if (EXTENSION_HEADERS.has(next)) return false;
  into.version = 6;
  into.bytes = bytes;
  into.headerAt = at;
  into.length = IPV6_HEADER + u16(bytes, at + IPV6.PAYLOAD_LENGTH);
  into.payloadAt = at + IPV6_HEADER;
  into.protocol = next;
  into.fragment = false;
  return true;
}
