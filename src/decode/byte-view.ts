// Bounds-checked big-endian reads over one frame's bytes (or a reassembled buffer). Reading past the
// captured length throws TRUNCATED; past the length the packet had on the wire, MALFORMED. The engine
// catches both per layer, so a dissector reads fields as if the bytes were there.

export class BoundsError {
  constructor(readonly kind: 'truncated' | 'malformed') {}
}

/** Shared instances: throwing them allocates nothing. */
const TRUNCATED = new BoundsError('truncated');
const MALFORMED = new BoundsError('malformed');

export class ByteView {
  bytes: Uint8Array = new Uint8Array(0);
  /** Bytes present in the capture. */
  captured = 0;
  /** Bytes the packet had on the wire (≥ captured). */
  reported = 0;

  reset(bytes: Uint8Array, reported: number): this {
    this.bytes = bytes;
    this.captured = bytes.length;
    this.reported = Math.max(reported, bytes.length);
    return this;
  }

  /** Throws unless [offset, offset + length) was captured. */
  check(offset: number, length: number): void {
    const end = offset + length;
    if (end > this.captured || offset < 0 || length < 0) throw end > this.reported ? MALFORMED : TRUNCATED;
  }

  u8(offset: number): number {
    if (offset >= this.captured) this.check(offset, 1);
    return this.bytes[offset];
  }

  u16(offset: number): number {
    if (offset + 2 > this.captured) this.check(offset, 2);
    const b = this.bytes;
    return (b[offset] << 8) | b[offset + 1];
  }

  u16le(offset: number): number {
    if (offset + 2 > this.captured) this.check(offset, 2);
    const b = this.bytes;
    return b[offset] | (b[offset + 1] << 8);
  }

  u24(offset: number): number {
    if (offset + 3 > this.captured) this.check(offset, 3);
    const b = this.bytes;
    return (b[offset] << 16) | (b[offset + 1] << 8) | b[offset + 2];
  }

  u32(offset: number): number {
    if (offset + 4 > this.captured) this.check(offset, 4);
    const b = this.bytes;
    return b[offset] * 0x1000000 + ((b[offset + 1] << 16) | (b[offset + 2] << 8) | b[offset + 3]);
  }

  u32le(offset: number): number {
    if (offset + 4 > this.captured) this.check(offset, 4);
    const b = this.bytes;
    return b[offset + 3] * 0x1000000 + ((b[offset + 2] << 16) | (b[offset + 1] << 8) | b[offset]);
  }

  /** Bytes [offset, offset + length), checked; a view, not a copy. */
  slice(offset: number, length: number): Uint8Array {
    this.check(offset, length);
    return this.bytes.subarray(offset, offset + length);
  }

  /** Captured bytes left from `offset` (0 when past the end). */
  remaining(offset: number): number {
    return Math.max(0, this.captured - offset);
  }

  /** Bytes left from `offset` as the packet had them on the wire. */
  reportedRemaining(offset: number): number {
    return Math.max(0, this.reported - offset);
  }
}
