// Marked frames by store index: a bitmap, so marking every frame of a million-frame list stays small.
export class Marks {
  private bits = new Uint8Array(1024);
  private total = 0;

  get count(): number {
    return this.total;
  }

  has(index: number): boolean {
    return index < this.bits.length * 8 && (this.bits[index >> 3] & (1 << (index & 7))) !== 0;
  }

  set(index: number, marked: boolean): void {
    if (this.has(index) === marked) return;
    if (marked) {
      if (index >= this.bits.length * 8) this.grow(index);
      this.bits[index >> 3] |= 1 << (index & 7);
      this.total++;
    } else {
      this.bits[index >> 3] &= ~(1 << (index & 7));
      this.total--;
    }
  }

  clear(): void {
    this.bits.fill(0);
    this.total = 0;
  }

  /** Store indexes of the marked frames, in order. */
  *indexes(): Generator<number> {
    for (let byte = 0; byte < this.bits.length; byte++) {
      const bits = this.bits[byte];
      if (bits === 0) continue;
      for (let bit = 0; bit < 8; bit++) if (bits & (1 << bit)) yield byte * 8 + bit;
    }
  }

  private grow(index: number): void {
    let size = this.bits.length;
    while (size * 8 <= index) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bits);
    this.bits = grown;
  }
}
