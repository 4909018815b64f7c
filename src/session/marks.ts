// Marked frames by store index: a bitmap, so marking every frame of a million-frame list stays small. It
// starts at a base that moves up when older frames are let go (--keep), so a capture of days stays small too.
export class Marks {
  private bits = new Uint8Array(1024);
  /** The index of the first bit (a multiple of 8). */
  private base = 0;
  private total = 0;

  get count(): number {
    return this.total;
  }

  has(index: number): boolean {
    const at = index - this.base;
    return at >= 0 && at < this.bits.length * 8 && (this.bits[at >> 3] & (1 << (at & 7))) !== 0;
  }

  set(index: number, marked: boolean): void {
    if (this.has(index) === marked || index < this.base) return;
    const at = index - this.base;
    if (marked) {
      if (at >= this.bits.length * 8) this.grow(at);
      this.bits[at >> 3] |= 1 << (at & 7);
      this.total++;
    } else {
      this.bits[at >> 3] &= ~(1 << (at & 7));
      this.total--;
    }
  }

  clear(): void {
    this.bits.fill(0);
    this.total = 0;
  }

  /** Forgets the marks of frames before `index` (let go), and the bitmap's room for them. */
  forgetBefore(index: number): void {
    const bytes = Math.min(this.bits.length, Math.max(0, (index - this.base) >> 3));
    if (bytes === 0) return;
    for (const marked of this.indexes()) {
      if (marked >= this.base + bytes * 8) break;
      this.total--;
    }
    this.bits.copyWithin(0, bytes);
    this.bits.fill(0, this.bits.length - bytes);
    this.base += bytes * 8;
    for (let marked = this.base; marked < index; marked++) this.set(marked, false);
  }

  /** Store indexes of the marked frames, in order. */
  *indexes(): Generator<number> {
    for (let byte = 0; byte < this.bits.length; byte++) {
      const bits = this.bits[byte];
      if (bits === 0) continue;
      for (let bit = 0; bit < 8; bit++) if (bits & (1 << bit)) yield this.base + byte * 8 + bit;
    }
  }

  private grow(at: number): void {
    let size = this.bits.length;
    while (size * 8 <= at) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bits);
    this.bits = grown;
  }
}
