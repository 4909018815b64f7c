// A packet's identity, which its copies at different tap points share: the IP version, protocol and
// datagram length; IPv4's identification and fragment offset; TCP's sequence and acknowledgement numbers
// and flags, UDP's length, ICMP's type, code and sequence; then up to IDENTITY_PAYLOAD bytes of the
// transport payload. Left out because the stack or NAT changes them: addresses, ports, TTL, checksums,
// ICMP echo identifiers. A source with a shorter snaplen hashes fewer payload bytes and links nothing;
// tunnels and IPsec change the datagram.
import { FNV_OFFSET, fnvBytes, fnvMix } from '../../util/fnv.js';
import type { Datagram } from '../dissection.js';
import { FIELD as ICMP, HEADER_LENGTH as ICMP_HEADER } from '../protocols/icmp.js';
import { FIELD as IPV4 } from '../protocols/ip.js';
import { IpProtocol } from '../protocols/ip-protocols.js';
import { FIELD as TCP, MIN_HEADER as TCP_MIN_HEADER } from '../protocols/tcp.js';
import { FIELD as UDP, HEADER_LENGTH as UDP_HEADER } from '../protocols/udp.js';

const IDENTITY_PAYLOAD = 128;

/** The transport fields that identify a packet, and where its payload starts. */
function transportIdentity(datagram: Datagram, hash: number, end: number): { hash: number; payloadAt: number } {
  const { bytes, payloadAt } = datagram;
  switch (datagram.protocol) {
    case IpProtocol.TCP: {
      if (payloadAt + TCP_MIN_HEADER > end) break;
      const headerLength = (bytes[payloadAt + TCP.OFFSET_FLAGS] >>> 4) * 4;
      // Sequence and acknowledgement numbers, then the flags byte.
      const numbers = fnvBytes(hash, bytes, payloadAt + TCP.SEQ, payloadAt + TCP.OFFSET_FLAGS);
      return { hash: fnvMix(numbers, bytes[payloadAt + TCP.OFFSET_FLAGS + 1]), payloadAt: payloadAt + Math.max(headerLength, TCP_MIN_HEADER) };
    }
    case IpProtocol.UDP:
      if (payloadAt + UDP_HEADER > end) break;
      return { hash: fnvBytes(hash, bytes, payloadAt + UDP.LENGTH, payloadAt + UDP.CHECKSUM), payloadAt: payloadAt + UDP_HEADER };
    // ICMPv6 echo has ICMP's layout: type, code, checksum, identifier, sequence.
    case IpProtocol.ICMP:
    case IpProtocol.ICMPV6: {
      if (payloadAt + ICMP_HEADER > end) break;
      const typeCode = fnvBytes(hash, bytes, payloadAt + ICMP.TYPE, payloadAt + ICMP.CHECKSUM);
      return { hash: fnvBytes(typeCode, bytes, payloadAt + ICMP.SEQ, payloadAt + ICMP_HEADER), payloadAt: payloadAt + ICMP_HEADER };
    }
  }
  return { hash, payloadAt };
}

/**
 * The packet's identity (see the top of this file); 0 when the frame holds no IP datagram. `transportBytes`:
 * how much of the transport header and payload to read at most (what an nftables trace event carries).
 */
export function identityOf(datagram: Datagram, transportBytes = Number.POSITIVE_INFINITY): number {
  if (datagram.version === 0) return 0;
  const { bytes, headerAt } = datagram;
  const end = Math.min(bytes.length, headerAt + datagram.length, datagram.payloadAt + transportBytes);
  let hash = fnvMix(fnvMix(fnvMix(fnvMix(FNV_OFFSET, datagram.version), datagram.protocol), datagram.length >>> 8), datagram.length & 0xff);
  // IPv4: identification, flags and fragment offset.
  if (datagram.version === 4 && headerAt + IPV4.TTL <= end) hash = fnvBytes(hash, bytes, headerAt + IPV4.ID, headerAt + IPV4.TTL);
  const laterFragment = datagram.version === 4 && ((bytes[headerAt + IPV4.FLAGS_FRAGMENT] & 0x1f) | bytes[headerAt + IPV4.FLAGS_FRAGMENT + 1]) !== 0;
  const transport = datagram.fragment && laterFragment
    ? { hash, payloadAt: datagram.payloadAt }
    : transportIdentity(datagram, hash, end);
  hash = fnvBytes(transport.hash, bytes, Math.min(transport.payloadAt, end), Math.min(transport.payloadAt + IDENTITY_PAYLOAD, end));
  // 0 means "no identity".
  return hash === 0 ? 1 : hash;
}
