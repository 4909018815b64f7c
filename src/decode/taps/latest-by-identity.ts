// The latest frame of each packet identity (tap-paths.ts), for linking a frame to its packet's copies.

/** No frame: an identity not seen, or the end of a chain of frames with one identity. */
export const NO_FRAME = -1;

/**
 * The latest frame of each identity, in an open-addressing table over typed arrays: a capture has about
 * as many identities as frames, which in a Map cost a hashed entry object each. Identities are never 0.
 */
export class LatestByIdentity {
  private identities = new Uint32Array(1 << 12);
  private frames = new Int32Array(1 << 12);
  /** 32 − log2 of the table's size: a slot is the top bits of the Fibonacci hash. */
  private shift = 32 - 12;
  private used = 0;

  get(identity: number): number {
    const slot = this.slotOf(identity);
    return this.identities[slot] === identity ? this.frames[slot] : NO_FRAME;
  }

  /** Makes `frame` the latest of `identity`; returns the one before it, or NO_FRAME. */
  replace(identity: number, frame: number): number {
    const slot = this.slotOf(identity);
    let previous = NO_FRAME;
    if (this.identities[slot] === identity) {
      previous = this.frames[slot];
    } else {
      this.identities[slot] = identity;
      this.used++;
    }
    this.frames[slot] = frame;
    // At most half full, so that probes stay short.
    if (this.used * 2 > this.identities.length) this.grow();
    return previous;
  }

  /** The slot holding `identity`, or the empty one where it would go (linear probing from a Fibonacci hash). */
  private slotOf(identity: number): number {
    const mask = this.identities.length - 1;
    let slot = Math.imul(identity, 0x9e3779b1) >>> this.shift;
    while (this.identities[slot] !== 0 && this.identities[slot] !== identity) slot = (slot + 1) & mask;
    return slot;
  }

  private grow(): void {
    const { identities, frames } = this;
    this.identities = new Uint32Array(identities.length * 2);
    this.frames = new Int32Array(frames.length * 2);
    this.shift--;
    for (let slot = 0; slot < identities.length; slot++) {
      if (identities[slot] === 0) continue;
      const to = this.slotOf(identities[slot]);
      this.identities[to] = identities[slot];
      this.frames[to] = frames[slot];
    }
  }
}
