// Checksum offload leaves a TCP or UDP checksum "partial" on the way out: the stack writes the folded
// pseudo-header sum and the device (or, on veth, nobody) adds the payload later. A copy made before the
// device holds that value, which no complete checksum would be but by a 1-in-65536 chance.
import type { Datagram } from '../dissection.js';

const CHECKSUM_OFFSET: Readonly<Record<number, number>> = { 6: 16, 17: 6 };

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
  const v4 = datagram.version === 4;
  const addresses = v4 ? sumWords(bytes, headerAt + 12, 8) : sumWords(bytes, headerAt + 8, 32);
  const pseudo = addresses + datagram.protocol + (segmentLength & 0xffff) + Math.floor(segmentLength / 0x10000);
  const stored = (bytes[checksumAt] << 8) | bytes[checksumAt + 1];
  return stored === fold(pseudo);
}
