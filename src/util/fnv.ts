// FNV-1a, 32 bits: the hash of a packet's identity, of an IPv6 address a hop may change, of a flow's key.
// Fast over a few bytes, which is all each of them hashes.

export const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** `hash` with one more byte in it. */
export function fnvMix(hash: number, byte: number): number {
  return Math.imul(hash ^ byte, FNV_PRIME) >>> 0;
}

/** `hash` with bytes [from, to) in it. */
export function fnvBytes(hash: number, bytes: Uint8Array, from: number, to: number): number {
  let mixed = hash;
  for (let i = from; i < to; i++) mixed = fnvMix(mixed, bytes[i]);
  return mixed;
}
