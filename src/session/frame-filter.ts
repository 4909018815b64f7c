// Applying a display filter to a frame store, for the UI: in slices of frames so the screen stays live,
// with progress and cancellation, and continuing over frames appended later (live capture). Frames are
// decoded in order from the first, with their own decoder, because dissection carries state across
// frames (TCP streams, reassembly) that a filter's fields depend on.
import { MAX_CAPLEN } from '../capture/frame.js';
import type { FrameStore } from '../capture/frame-store.js';
import { doubled } from '../util/typed-arrays.js';
import { FrameDecoder } from '../decode/decoder.js';
import type { Registry } from '../decode/registry.js';
import { readsTapPaths } from '../decode/taps/tap-paths.js';
import type { DisplayFilter } from '../filter/display-filter.js';

export interface FilterProgress {
  /** Frames of the store examined so far. */
  examined: number;
  /** Frames in the store when the progress was reported. */
  total: number;
  matched: number;
}

export class FrameFilter {
  /** Store indexes of the frames that pass, in order: the rows of a filtered packet list. */
  private rows = new Uint32Array(1024);
  private count = 0;
  private examinedFrames = 0;
  private readonly decoder: FrameDecoder;
  private readonly buffer = new Uint8Array(MAX_CAPLEN);

  constructor(
    private readonly store: FrameStore,
    registry: Registry,
    readonly filter: DisplayFilter,
  ) {
    this.decoder = new FrameDecoder(registry, { tree: false, columns: false, fields: filter.fields }, { linkTapPaths: readsTapPaths(filter.fields) });
  }

  get matched(): number {
    return this.count;
  }

  get examined(): number {
    return this.examinedFrames;
  }

  /** Whether every frame the store holds now has been examined. */
  get caughtUp(): boolean {
    return this.examinedFrames >= this.store.count;
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

  /** Examines up to `budget` more frames; returns true when caught up with the store. */
  step(budget: number): boolean {
    const end = Math.min(this.store.count, this.examinedFrames + budget);
    const interfaces = this.store.interfaces;
    for (let index = this.examinedFrames; index < end; index++) {
      const frame = this.store.frame(index, this.buffer);
      const dissection = this.decoder.decode(frame, interfaces[frame.interfaceId]);
      if (this.filter.matches(dissection)) this.keep(index);
    }
    this.examinedFrames = end;
    return this.caughtUp;
  }

  get progress(): FilterProgress {
    return { examined: this.examinedFrames, total: this.store.count, matched: this.count };
  }

  private keep(index: number): void {
    if (this.count === this.rows.length) this.rows = doubled(this.rows);
    this.rows[this.count++] = index;
  }
}

export interface RunOptions {
  /** Cancels the run; the filter keeps what it examined and can be resumed. */
  signal?: AbortSignal;
  onProgress?: (progress: FilterProgress) => void;
  /** Frames per slice between yields to the event loop. */
  sliceFrames?: number;
}

/** Examines the store's frames in slices, yielding between them; resolves false when cancelled. */
export async function runFrameFilter(frameFilter: FrameFilter, options: RunOptions = {}): Promise<boolean> {
  const slice = options.sliceFrames ?? 20_000;
  for (;;) {
    if (options.signal?.aborted) return false;
    const done = frameFilter.step(slice);
    options.onProgress?.(frameFilter.progress);
    if (done) return true;
    await new Promise<void>((resume) => setTimeout(resume, 0));
  }
}
