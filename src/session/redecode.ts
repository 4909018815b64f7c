// Decode As changed in the interface: every frame is decoded again by the new rules' registry, over the
// same frame store (no frame is copied), a slice between two turns of the event loop so that the interface
// stays live, chasing a live capture's appends; the session moves to the new store once it has them all.
import type { DecodedStore } from './decoded-store.js';

/** Frames decoded between two turns of the event loop (some 10-30 ms of a key's wait). */
const SLICE_FRAMES = 5_000;

export class Redecode {
  private readonly controller = new AbortController();

  /** `next`: a store made by `decodedBy` with the rules' registry. */
  constructor(
    readonly rules: readonly string[],
    private readonly next: DecodedStore,
  ) {}

  /** How far it is, 0..1, of the frames the session holds now. */
  share(current: DecodedStore): number {
    const first = current.store.first;
    return (this.next.decodedSoFar - first) / Math.max(1, current.count - first);
  }

  /**
   * Decodes until the new store has every frame `current()` (the store taking the appends) has; resolves
   * with it, or undefined when stopped or when `moved` aborts (the session let the shared frames go).
   */
  async run(current: () => DecodedStore, moved: AbortSignal, onProgress: () => void): Promise<DecodedStore | undefined> {
    const signal = this.controller.signal;
    while (!signal.aborted && !moved.aborted) {
      const end = current().count;
      this.next.decodeStored(Math.min(end, this.next.decodedSoFar + SLICE_FRAMES));
      if (this.next.decodedSoFar === end) return this.next;
      onProgress();
      await new Promise((resume) => setImmediate(resume));
    }
    return undefined;
  }

  stop(): void {
    this.controller.abort();
  }
}
