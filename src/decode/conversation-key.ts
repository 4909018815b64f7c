// A transport conversation's key, the same for both directions (Wireshark's conversations are found by
// either endpoint pair): TCP's streams and UDP's are numbered by it.
import type { NetworkAddresses } from './frame-meta.js';

/** Whether endpoint a (address bytes, then port) sorts before or equal to endpoint b. */
export function endpointFirst(bytes: Uint8Array, length: number, aAt: number, aPort: number, bAt: number, bPort: number): boolean {
  for (let i = 0; i < length; i++) if (bytes[aAt + i] !== bytes[bAt + i]) return bytes[aAt + i] < bytes[bAt + i];
  return aPort <= bPort;
}

/** Both endpoints as one short string of 16-bit units (a cheap map key), the first endpoint first. */
export function conversationKey(bytes: Uint8Array, length: number, firstAt: number, firstPort: number, secondAt: number, secondPort: number): string {
  const word = (at: number) => (bytes[at] << 8) | bytes[at + 1];
  if (length === 4) return String.fromCharCode(word(firstAt), word(firstAt + 2), firstPort, word(secondAt), word(secondAt + 2), secondPort);
  let key = '';
  for (let i = 0; i < length; i += 2) key += String.fromCharCode(word(firstAt + i));
  key += String.fromCharCode(firstPort);
  for (let i = 0; i < length; i += 2) key += String.fromCharCode(word(secondAt + i));
  return key + String.fromCharCode(secondPort);
}

/** The key of the conversation a datagram from `srcPort` to `dstPort` belongs to, whichever way it goes. */
export function datagramKey(network: NetworkAddresses, srcPort: number, dstPort: number): string {
  const { bytes, length, srcAt, dstAt } = network;
  return endpointFirst(bytes, length, srcAt, srcPort, dstAt, dstPort)
    ? conversationKey(bytes, length, srcAt, srcPort, dstAt, dstPort)
    : conversationKey(bytes, length, dstAt, dstPort, srcAt, srcPort);
}
