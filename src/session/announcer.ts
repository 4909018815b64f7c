// When a session's views hear of its changes: at most a few times a second, as a busy source must not
// redraw the screen for every frame (SSH bandwidth, CPU), but at once for a change of state; and the
// source's rate over the last second or so, measured at each announcement.
const ANNOUNCE_INTERVAL_MS = 250;
const RATE_WINDOW_MS = 1000;

export class Announcer {
  private versionNow = 0;
  private readonly listeners = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;
  private firstQueued = false;
  private rateStart = Date.now();
  private rateStartCount = 0;
  private rateNow = 0;

  /** `before`: what the session brings up to date before each announcement (scans over appended frames). */
  constructor(
    private readonly before: () => void,
    private readonly frames: () => number,
    private readonly running: () => boolean,
  ) {}

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

  /** Frames were appended: announced within ANNOUNCE_INTERVAL_MS. */
  appended(): void {
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
    this.soon();
  }

  /** Announces within ANNOUNCE_INTERVAL_MS: progress that comes faster than a screen needs it. */
  soon(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.announce();
    }, ANNOUNCE_INTERVAL_MS);
  }

  /** Announces at once, with any appends pending. */
  now(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.firstQueued = false;
    this.announce();
  }

  private announce(): void {
    const now = Date.now();
    const running = this.running();
    if (now - this.rateStart >= RATE_WINDOW_MS || !running) {
      const count = this.frames();
      this.rateNow = running ? Math.round(((count - this.rateStartCount) * 1000) / Math.max(1, now - this.rateStart)) : 0;
      this.rateStart = now;
      this.rateStartCount = count;
    }
    this.before();
    this.versionNow++;
    for (const listener of this.listeners) listener();
  }
}
