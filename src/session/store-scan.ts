// A pass over a frame store's frames in order, with their own decoder (dissection carries state across
// frames: TCP streams, reassembly), in slices so a screen stays live, with progress and cancellation,
// and continuing over frames appended later (live capture): what a display filter and the statistics of
// the interface are computed by.
import { MAX_CAPLEN } from '../capture/frame.js';
import type { FrameStore } from '../capture/frame-store.js';
import { FrameDecoder, type DecoderOptions } from '../decode/decoder.js';
import type { DissectOptions, Dissection } from '../decode/dissection.js';
import type { Registry } from '../decode/registry.js';

export interface ScanProgress {
  /** Frames of the store examined so far (of those it holds: not those let go before its first). */
  examined: number;
  /** Frames in the store when the progress was reported. */
  total: number;
}

export abstract class StoreScan {
  /** The index of the next frame to examine: a store's first frame may not be 0 (--keep). */
  private examinedFrames: number;
  /** Made on first use: a scan that reads the decoded store's frames again has no pass of its own. */
  private decoder: FrameDecoder | undefined;
  private buffer: Uint8Array | undefined;

  constructor(
    protected readonly store: FrameStore,
    private readonly registry: Registry,
    private readonly options: DissectOptions,
    private readonly decoderOptions: DecoderOptions = {},
  ) {
    this.examinedFrames = store.first;
  }

  /** The index up to which frames were examined. */
  get examined(): number {
    return this.examinedFrames;
  }

  /** Whether every frame the store holds now has been examined. */
  get caughtUp(): boolean {
    return this.examinedFrames >= this.store.count;
  }

  get progress(): ScanProgress {
    return { examined: this.examinedFrames - this.store.first, total: this.store.count - this.store.first };
  }

  /** How much of the store is examined, 0..1. */
  get share(): number {
    const progress = this.progress;
    return progress.total === 0 ? 1 : progress.examined / progress.total;
  }

  /** Examines up to `budget` more frames; returns true when caught up with the store. */
  step(budget: number): boolean {
    const end = Math.min(this.store.count, this.examinedFrames + budget);
    for (let index = this.examinedFrames; index < end; index++) {
      this.beforeFrame();
      this.visit(index, this.dissect(index));
    }
    this.examinedFrames = end;
    return this.caughtUp;
  }

  /** Frames before `end` were examined elsewhere (by the redo pool): the scan goes on from there. */
  protected examinedElsewhere(end: number): void {
    this.examinedFrames = end;
  }

  /** Frame `index` dissected by the scan's own decoder, in order. */
  protected dissect(index: number): Dissection {
    this.decoder ??= new FrameDecoder(this.registry, this.options, this.decoderOptions);
    this.buffer ??= new Uint8Array(MAX_CAPLEN);
    const frame = this.store.frame(index, this.buffer);
    return this.decoder.decode(frame, this.store.interfaces[frame.interfaceId]);
  }

  /** Called before each frame is dissected. */
  protected beforeFrame(): void {}

  /** Frame `index` (0-based) dissected. */
  protected abstract visit(index: number, dissection: Dissection): void;
}

export interface RunOptions<P extends ScanProgress> {
  /** Cancels the run; the scan keeps what it examined and can be resumed. */
  signal?: AbortSignal;
  onProgress?: (progress: P) => void;
  /** Frames per slice between yields to the event loop. */
  sliceFrames?: number;
  /** A smaller first slice, so what is near the start shows sooner (a followed stream's first screen). */
  firstSliceFrames?: number;
}

/** Examines the store's frames in slices, yielding between them; resolves false when cancelled. */
export async function runScan<S extends StoreScan>(scan: S, options: RunOptions<S['progress']> = {}): Promise<boolean> {
  const slice = options.sliceFrames ?? 20_000;
  for (let first = true; ; first = false) {
    if (options.signal?.aborted) return false;
    const done = scan.step(first ? (options.firstSliceFrames ?? slice) : slice);
    options.onProgress?.(scan.progress);
    if (done) return true;
    await new Promise<void>((resume) => setTimeout(resume, 0));
  }
}
