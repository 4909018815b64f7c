// A datagram from bare network-layer bytes, as the kernel hands them to tsshark outside a capture (an
// nftables trace event's headers, the drop probe's copy), for the tap identity of tap-paths.ts.
import type { Datagram } from '../frame-meta.js';

const IPV4_LENGTH = 2;
const IPV4_PROTOCOL = 9;
const IPV4_FLAGS_FRAGMENT = 6;
const IPV4_MORE_FRAGMENTS = 0x2000;
const IPV4_OFFSET_MASK = 0x1fff;
const IPV4_MIN_HEADER = 20;
const IPV6_PAYLOAD_LENGTH = 4;
const IPV6_NEXT_HEADER = 6;
const IPV6_HEADER = 40;

function u16(bytes: Uint8Array, at: number): number {
  return (bytes[at] << 8) | bytes[at + 1];
}

/**
 * The IP datagram whose headers start `bytes`; undefined when they are not IP's. `payloadAt`: where the
 * transport header starts, when the caller knows (IPv4's header length otherwise; IPv6's extension
 * headers are not walked).
 */
export function datagramOfHeaders(bytes: Uint8Array, payloadAt?: number): Datagram | undefined {
  const version = bytes.length === 0 ? 0 : bytes[0] >>> 4;
  if (version === 4 && bytes.length >= IPV4_MIN_HEADER) {
    const flags = u16(bytes, IPV4_FLAGS_FRAGMENT);
    return {
      version,
      bytes,
      headerAt: 0,
      payloadAt: payloadAt ?? (bytes[0] & 0x0f) * 4,
      protocol: bytes[IPV4_PROTOCOL],
      length: u16(bytes, IPV4_LENGTH),
      fragment: (flags & (IPV4_MORE_FRAGMENTS | IPV4_OFFSET_MASK)) !== 0,
    };
  }
  if (version === 6 && bytes.length >= IPV6_HEADER) {
    return { version, bytes, headerAt: 0, payloadAt: payloadAt ?? IPV6_HEADER, protocol: bytes[IPV6_NEXT_HEADER], length: IPV6_HEADER + u16(bytes, IPV6_PAYLOAD_LENGTH), fragment: false };
  }
  return undefined;
}
