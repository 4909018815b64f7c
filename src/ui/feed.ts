// What the UI watches: the decoded store a source appends to, and the source's status. A file being
// indexed and a live capture look the same here, so the UI needs no change for a new kind of source.
// Appends are announced at most a few times a second: a busy source must not redraw the screen for
// every frame (SSH bandwidth, CPU).
import type { DecodedStore } from '../decode/decoded-store.js';

export interface SourceStatus {
  /** The file or interface(s), as the status bar names it. */
  name: string;
  live: boolean;
  /** Still reading: a file being indexed, or a capture running. */
  running: boolean;
  /** How much of a file is read, 0..1; undefined where the end is unknown (live, a pipe). */
  progress: number | undefined;
  /** Packets the kernel dropped, when the source knows. */
  drops: number | undefined;
  /** Why the source stopped early, for the status bar. */
  error: string | undefined;
}

const ANNOUNCE_INTERVAL_MS = 250;
const RATE_WINDOW_MS = 1000;

export class CaptureFeed {
  private statusNow: SourceStatus;
  private versionNow = 0;
  private readonly listeners = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;
  private firstQueued = false;
  private rateStart = Date.now();
  private rateStartCount = 0;
  private rateNow = 0;

  constructor(
    readonly decoded: DecodedStore,
    status: Pick<SourceStatus, 'name' | 'live'>,
  ) {
    this.statusNow = { ...status, running: true, progress: undefined, drops: undefined, error: undefined };
  }

  get status(): SourceStatus {
    return this.statusNow;
  }

  /** Changes with every announcement: what React compares. */
  get version(): number {
    return this.versionNow;
  }

  /** Frames per second over the last second or so. */
  get rate(): number {
    return this.rateNow;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Frames were appended (and a file is read this far, 0..1): announced within ANNOUNCE_INTERVAL_MS. */
  appended(progress?: number): void {
    if (progress !== undefined) this.statusNow.progress = progress;
    if (this.timer !== undefined || this.firstQueued) return;
    // The first frames are shown as soon as the source pauses: a file at the end of its first read. A
    // timer would wait for the event loop, which takes up reads completed meanwhile (a file's next chunks)
    // first. After that, at most every ANNOUNCE_INTERVAL_MS.
    if (this.versionNow === 0) {
      this.firstQueued = true;
      queueMicrotask(() => {
        if (!this.firstQueued) return;
        this.firstQueued = false;
        this.announce();
      });
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.announce();
    }, ANNOUNCE_INTERVAL_MS);
  }

  /** The source's status changed: announced at once (with any appends pending). */
  update(change: Partial<SourceStatus>): void {
    this.statusNow = { ...this.statusNow, ...change };
    clearTimeout(this.timer);
    this.timer = undefined;
    this.firstQueued = false;
    this.announce();
  }

  private announce(): void {
    const now = Date.now();
    if (now - this.rateStart >= RATE_WINDOW_MS || !this.statusNow.running) {
      const count = this.decoded.count;
      this.rateNow = this.statusNow.running ? Math.round(((count - this.rateStartCount) * 1000) / Math.max(1, now - this.rateStart)) : 0;
      this.rateStart = now;
      this.rateStartCount = count;
    }
    this.versionNow++;
    for (const listener of this.listeners) listener();
  }
}
