// A display filter applied to a frame store, for the interface: the rows of the frames that pass, kept
// current as frames are appended (store-scan.ts runs it).
import type { Dissection } from '../decode/dissection.js';
import type { DecodedStore } from './decoded-store.js';
import { readsTapPaths } from '../decode/taps/tap-paths.js';
import { readsFates } from '../decode/taps/packet-fates.js';
import type { DisplayFilter } from '../filter/display-filter.js';
import { doubled } from '../util/typed-arrays.js';
import { StoreScan, type ScanProgress } from './store-scan.js';

export interface FilterProgress extends ScanProgress {
  matched: number;
}

/** A display filter, or another test of frames (a find's) that may need the tree or the columns. */
export interface FrameTest extends DisplayFilter {
  readonly tree?: boolean;
  readonly columns?: boolean;
}

export class FrameFilter extends StoreScan {
  /** Store indexes of the frames that pass, in order: the rows of a filtered packet list. */
  private rows = new Uint32Array(1024);
  private count = 0;

  /**
   * The decoded store's frames are read again, as the tree pane shows them, rather than by an in-order
   * pass of the filter's own: a frame then knows what later frames told (the PDU it is reassembled in,
   * the copies of it on its tap path), as in Wireshark once a file is read, and any frame can be examined
   * alone (by the redo pool's workers).
   */
  private readonly again: Dissection;

  constructor(
    private readonly decoded: DecodedStore,
    readonly filter: FrameTest,
  ) {
    const options = { tree: filter.tree ?? false, columns: filter.columns ?? false, fields: filter.fields };
    super(decoded.store, decoded.registry, options);
    this.again = decoded.createDissection(options);
  }

  /**
   * Whether the redo pool's workers can examine frames for it: they compile display filters (not a find's
   * other tests) and hold no tap paths, verdicts or drops.
   */
  get poolable(): boolean {
    return !this.filter.tree && !this.filter.columns && !readsTapPaths(this.filter.fields) && !readsFates(this.filter.fields) && this.examined === this.store.first;
  }

  /** The passing frames among those before `upTo`, examined by the redo pool, in order. */
  adopt(rows: Uint32Array, upTo: number): void {
    while (this.count + rows.length > this.rows.length) this.rows = doubled(this.rows);
    this.rows.set(rows, this.count);
    this.count += rows.length;
    this.examinedElsewhere(upTo);
  }

  /**
   * The filter over `next`, a store that carries on from this one's: its rows from `next`'s first frame on,
   * and what this one examined (the frames kept are the same; what older frames told them is not redone).
   */
  carriedOnTo(next: DecodedStore): FrameFilter {
    const carried = new FrameFilter(next, this.filter);
    const from = this.rowAtOrAfter(next.store.first);
    carried.adopt(this.rows.subarray(from, this.count), Math.max(next.store.first, Math.min(this.examined, next.count)));
    return carried;
  }

  /** Forgets what was examined (the pool failed part way): the scan starts over, reading frames again. */
  restart(): void {
    this.count = 0;
    this.examinedElsewhere(this.store.first);
  }

  protected override dissect(index: number): Dissection {
    return this.decoded.again(index, this.again);
  }

  get matched(): number {
    return this.count;
  }

  /** Store index of the `row`th passing frame. */
  frameAt(row: number): number {
    if (row < 0 || row >= this.count) throw new RangeError(`row ${row} is outside 0..${this.count - 1}`);
    return this.rows[row];
  }

  /** The row of the passing frame at or after store index `index` (for keeping a selection); `matched` when none. */
  rowAtOrAfter(index: number): number {
    let low = 0;
    let high = this.count;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.rows[middle] < index) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  override get progress(): FilterProgress {
    return { ...super.progress, matched: this.count };
  }

  protected visit(index: number, dissection: Dissection): void {
    if (!this.filter.matches(dissection)) return;
    if (this.count === this.rows.length) this.rows = doubled(this.rows);
    this.rows[this.count++] = index;
  }
}
