// Time references (Wireshark's Ctrl-T): frames the relative times after them count from, each shown as
// *REF*. A user sets a few, so a sorted array of store indexes is enough.
export class TimeReferences {
  private readonly indexes: number[] = [];

  get count(): number {
    return this.indexes.length;
  }

  has(index: number): boolean {
    const at = this.firstAtOrAfter(index);
    return this.indexes[at] === index;
  }

  /** Sets or clears frame `index` as a reference; whether it is one now. */
  toggle(index: number): boolean {
    const at = this.firstAtOrAfter(index);
    if (this.indexes[at] === index) {
      this.indexes.splice(at, 1);
      return false;
    }
    this.indexes.splice(at, 0, index);
    return true;
  }

  /** Forgets the references before frame `index` (let go). */
  forgetBefore(index: number): void {
    this.indexes.splice(0, this.firstAtOrAfter(index));
  }

  /** The reference at or before frame `index`, if any. */
  atOrBefore(index: number): number | undefined {
    const at = this.firstAtOrAfter(index);
    return this.indexes[at] === index ? index : at > 0 ? this.indexes[at - 1] : undefined;
  }

  private firstAtOrAfter(index: number): number {
    let low = 0;
    let high = this.indexes.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.indexes[middle] < index) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
