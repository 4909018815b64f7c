// Checksum offload leaves a TCP or UDP checksum "partial" on the way out: the stack writes the folded
// pseudo-header sum and the device (or, on veth, nobody) adds the payload later. A copy made before the
// device holds that value, which no complete checksum would be but by a 1-in-65536 chance.
import type { Datagram } from '../dissection.js';
import { IpProtocol } from '../protocols/ip-protocols.js';
import { FIELD as IPV4 } from '../protocols/ip.js';
import { FIELD as IPV6 } from '../protocols/ipv6.js';
import { FIELD as TCP } from '../protocols/tcp.js';
import { FIELD as UDP } from '../protocols/udp.js';

const CHECKSUM_OFFSET: Readonly<Record<number, number>> = { [IpProtocol.TCP]: TCP.CHECKSUM, [IpProtocol.UDP]: UDP.CHECKSUM };
/** Source and destination, one after the other. */
const ADDRESSES = { 4: { at: IPV4.SRC, length: 8 }, 6: { at: IPV6.SRC, length: 32 } } as const;

function sumWords(bytes: Uint8Array, at: number, length: number): number {
  let sum = 0;
  for (let i = 0; i < length; i += 2) sum += (bytes[at + i] << 8) | bytes[at + i + 1];
  return sum;
}

function fold(sum: number): number {
  let folded = sum;
  while (folded > 0xffff) folded = (folded & 0xffff) + Math.floor(folded / 0x10000);
  return folded;
}

/** Whether the datagram's TCP or UDP checksum is the pseudo-header sum that offload leaves there. */
export function transportChecksumIsPartial(datagram: Datagram): boolean {
  const checksumOffset = CHECKSUM_OFFSET[datagram.protocol];
  if (checksumOffset === undefined) return false;
  const { bytes, headerAt, payloadAt } = datagram;
  const checksumAt = payloadAt + checksumOffset;
  if (checksumAt + 2 > bytes.length) return false;
  const segmentLength = datagram.length - (payloadAt - headerAt);
  if (datagram.version === 0) return false;
  const { at, length } = ADDRESSES[datagram.version];
  const addresses = sumWords(bytes, headerAt + at, length);
  const pseudo = addresses + datagram.protocol + (segmentLength & 0xffff) + Math.floor(segmentLength / 0x10000);
  const stored = (bytes[checksumAt] << 8) | bytes[checksumAt + 1];
  return stored === fold(pseudo);
}
