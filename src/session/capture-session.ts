// One capture session, as the interactive views see it: a source read into a decoded store in the
// background, the source's status, the applied display filter and the find (display-filters.ts), Decode
// As changed (redecode.ts), --keep's roll to a newer store, marks and export. Views subscribe and redraw on announcements, which
// come at most a few times a second: a busy source must not redraw the screen for every frame (SSH
// bandwidth, CPU). A file being indexed and a live capture look the same here.
import type { CaptureReader } from '../capture/capture-reader.js';
import { CaptureFileError } from '../capture/errors.js';
import type { DropCounts, DropSource } from '../capture/kernel-drops.js';
import { LiveCaptureError } from '../capture/live-capture.js';
import { registryDecodingAs } from '../decode/decoder.js';
import type { DecodedStore } from './decoded-store.js';
import { DropWatch } from './drop-watch.js';
import { exportFrames, type ExportResult } from './export.js';
import { DisplayFilters, type RunningFilter } from './display-filters.js';
import type { FrameFilter } from './frame-filter.js';
import type { RedoPool } from './redo-pool.js';
import { FollowScan } from './stats/follow-scan.js';
import type { FollowedStream } from './stats/follow-statistic.js';
import type { ExpertInfo } from './stats/expert-info.js';
import type { ProtocolHierarchy } from './stats/protocol-hierarchy.js';
import { ViewScan } from './stats/statistics-scan.js';
import type { TapStatistics } from './stats/tap-statistics.js';
import type { ProcessStatistics } from './stats/process-statistics.js';
import { Marks } from './marks.js';
import { TimeReferences } from './time-references.js';
import { StoreRoll, type KeepBound } from './store-roll.js';
import { ViewScans } from './view-scans.js';
import { Announcer } from './announcer.js';
import { Redecode } from './redecode.js';
import type { TrafficTables } from './stats/traffic.js';

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

/** What came of new Decode As rules: a rule refused, the frames decoded anew, or later rules given first. */
export type DecodeAsOutcome = { kind: 'refused'; error: string } | { kind: 'done' } | { kind: 'replaced' };

export class CaptureSession {
  readonly marks = new Marks();
  readonly references = new TimeReferences();
  private statusNow: SourceStatus;
  private readonly announcer = new Announcer(
    () => {
      this.filters.keepUp();
      this.views.keepUp();
    },
    () => this.decodedNow.count,
    () => this.statusNow.running,
  );
  /** The store's count when the display was paused. */
  private pausedAt: number | undefined;
  private readonly host = {
    decoded: () => this.decodedNow,
    pool: () => this.pool,
    giveUpPool: (error: unknown) => this.giveUpPool(error),
    announceSoon: () => this.announceSoon(),
    update: () => this.update(),
    generation: () => this.generation.signal,
  };
  /** The applied display filter and the last find. */
  /** The display filter and its fold, the find (`n` and `N` step through its matches), the I/O graph's filters. */
  readonly filters = new DisplayFilters(this.host);
  /** The views' statistics and a followed stream, each computed from its first opening on and kept current. */
  private readonly views = new ViewScans(this.host);
  private stopReading = false;
  /** --keep's new stores, built when the store holds more than the bound. */
  private roll: StoreRoll | undefined;
  /** The frames being decoded again by new Decode As rules. */
  private redecoding: Redecode | undefined;
  /** Aborted when the session moves to a new store: work on the old one stops. */
  private generation = new AbortController();
  /** The kernel's drops, counted while the capture runs (--drops); undefined when not counted. */
  kernelDrops: DropWatch | undefined;
  /** What the capture's taps cannot see, found when it started (blind-spots.ts). */
  warnings: readonly string[] = [];
  /** Why the worker threads were given up (filters then run in this thread). */
  workerFailure: string | undefined;

  constructor(
    private decodedNow: DecodedStore,
    status: Pick<SourceStatus, 'name' | 'live'>,
    /** The source has sub-microsecond timestamps: the Time column shows 9 places, pcap exports keep them. */
    readonly nanosecond = false,
    /** Worker threads that examine the frames already read when a filter is applied. */
    private pool?: RedoPool,
  ) {
    this.statusNow = { ...status, running: true, progress: undefined, drops: undefined, error: undefined };
  }

  /** The frames and what was decoded of them: a store that carries on from the last replaces it under --keep. */
  get decoded(): DecodedStore {
    return this.decodedNow;
  }

  /** Lets the oldest frames go when the store holds more than `bound` (--keep). */
  keepAtMost(bound: KeepBound): void {
    this.roll = new StoreRoll(bound, (next) => this.carryOn(next));
  }

  /** The frames let go so far (--keep): the first frame held is this one's index. */
  get framesLetGo(): number {
    return this.decodedNow.store.first;
  }

  /**
   * Moves to `next`, which holds the newest of this store's frames under the same indexes: marks, time
   * references, the filter's rows and the find's matches of the frames kept go with it; the views' counts
   * and a followed stream start over on what is kept.
   */
  private carryOn(next: DecodedStore): void {
    const old = this.decodedNow;
    const first = next.store.first;
    this.moveTo(next);
    this.marks.forgetBefore(first);
    this.references.forgetBefore(first);
    this.filters.carriedOnTo(next);
    this.views.reset();
    old.store.close();
    this.update();
  }

  /** Work on the store the session leaves stops (filters keeping up, a decoding anew restarts). */
  private moveTo(next: DecodedStore): void {
    this.generation.abort();
    this.generation = new AbortController();
    this.decodedNow = next;
  }

  // ---- Decode As -------------------------------------------------------------------------------------

  /** The Decode As rules the frames are decoded by (`-d`'s, or the last given in the interface). */
  get decodeAsRules(): readonly string[] {
    return this.redecoding?.rules ?? this.decodedNow.registry.decodeAs.map((rule) => rule.text);
  }

  /** While the frames are decoded again by new rules: how far, 0..1. */
  get redecoded(): number | undefined {
    return this.redecoding?.share(this.decodedNow);
  }

  /**
   * Decodes every frame held again by Decode As `rules` (in place of those before, `-d`'s too): the filter
   * is applied again and a find looks again, the views start over; marks and references stay. Resolves
   * at once when a rule is refused, else once the session has the frames decoded anew or later rules
   * replaced these.
   */
  async decodeAs(rules: readonly string[]): Promise<DecodeAsOutcome> {
    const made = registryDecodingAs(rules);
    if (!made.ok) return { kind: 'refused', error: made.error };
    this.redecoding?.stop();
    const redecoding = new Redecode(rules, this.decodedNow.decodedBy(made.registry));
    this.redecoding = redecoding;
    this.update();
    const next = await redecoding.run(() => this.decodedNow, this.generation.signal, () => this.announceSoon());
    if (this.redecoding !== redecoding) return { kind: 'replaced' };
    this.redecoding = undefined;
    // --keep let the shared frames go meanwhile: the frames it kept are decoded anew instead.
    if (next === undefined) return this.decodeAs(rules);
    // A roll building from the old store would bring its decoding back.
    this.roll?.stop();
    this.moveTo(next);
    this.filters.decodedAnew();
    this.views.reset();
    this.update();
    return { kind: 'done' };
  }

  // ---- the source ------------------------------------------------------------------------------------

  /**
   * Reads the source into the store until its end or `stop`; `size`: a file's length, for progress. A
   * broken file or a failed capture keeps every frame before the fault; the status says where it broke.
   */
  async readFrom(reader: CaptureReader, size: number): Promise<void> {
    try {
      await reader.read((frame) => {
        this.decoded.append(frame, reader.interfaces);
        this.appended(size > 0 ? Math.min(1, (frame.dataOffset + frame.capturedLength) / size) : undefined);
        return !this.stopReading;
      });
      this.update({ running: false, progress: undefined });
      // The workers take their copy of the store now, once, rather than when the first filter waits for it.
      setImmediate(() => {
        try {
          this.pool?.prepare(this.decoded);
        } catch (error) {
          this.giveUpPool(error);
        }
      });
    } catch (error) {
      if (!(error instanceof CaptureFileError) && !(error instanceof LiveCaptureError)) throw error;
      this.update({ running: false, progress: undefined, error: error.message });
    }
  }

  /** Stops reading at the next frame. */
  stop(): void {
    this.stopReading = true;
  }

  /** Counts the kernel's drops from now on, announced as they come; `close` stops it. */
  countKernelDrops(source: DropSource, here?: DropCounts): void {
    this.kernelDrops = new DropWatch(source, () => this.announceSoon(), here);
  }

  /** Stops the worker threads and the drop counting. */
  async close(): Promise<void> {
    this.roll?.stop();
    this.redecoding?.stop();
    this.kernelDrops?.close();
    const pool = this.pool;
    this.pool = undefined;
    await pool?.close();
  }

  get status(): SourceStatus {
    return this.statusNow;
  }

  /** Frames per second over the last second or so. */
  get rate(): number {
    return this.announcer.rate;
  }

  // ---- announcements ---------------------------------------------------------------------------------

  /** Changes with every announcement: what React compares. */
  get version(): number {
    return this.announcer.version;
  }

  subscribe(listener: () => void): () => void {
    return this.announcer.subscribe(listener);
  }

  /** Frames were appended (and a file is read this far, 0..1): announced within a quarter of a second. */
  appended(progress?: number): void {
    this.roll?.check(this.decodedNow);
    if (progress !== undefined) this.statusNow.progress = progress;
    this.announcer.appended();
  }

  private announceSoon(): void {
    this.announcer.soon();
  }

  /** The source's status changed (or the session's state): announced at once, with any appends pending. */
  update(change: Partial<SourceStatus> = {}): void {
    this.statusNow = { ...this.statusNow, ...change };
    this.announcer.now();
  }

  // ---- pause -----------------------------------------------------------------------------------------

  /** Holds the display where it is (live): frames are still captured, and wait. */
  pause(): void {
    this.pausedAt = this.decodedNow.count;
    this.update();
  }

  resume(): void {
    this.pausedAt = undefined;
    this.update();
  }

  get paused(): boolean {
    return this.pausedAt !== undefined;
  }

  /** Frames captured since the display was paused. */
  get waiting(): number {
    return this.pausedAt === undefined ? 0 : this.decodedNow.count - Math.max(this.pausedAt, this.framesLetGo);
  }

  /** The frames before this index may be displayed: all, or those before a pause. */
  private get shownBefore(): number {
    return this.pausedAt === undefined ? this.decodedNow.count : Math.max(this.pausedAt, this.framesLetGo);
  }

  // ---- the display filter ----------------------------------------------------------------------------

  /** The filter whose rows are displayed; undefined: every frame. */
  get applied(): FrameFilter | undefined {
    return this.filters.applied;
  }

  get running(): RunningFilter | undefined {
    return this.filters.running;
  }

  /**
   * Applies a filter (empty text: none) over the whole store, replacing one still running. Resolves with
   * the new filter once applied, undefined when cancelled, invalid or cleared.
   */
  applyFilter(text: string): Promise<FrameFilter | undefined> {
    return this.filters.apply(text);
  }

  /** A worker's failure is an internal error, not the user's: filters run in this thread from now on. */
  private giveUpPool(error: unknown): void {
    this.workerFailure = error instanceof Error ? error.message : String(error);
    void this.pool?.close();
    this.pool = undefined;
  }

  /** Frames displayed: the applied filter's, or all those held (those before a pause). */
  get displayed(): number {
    const before = this.shownBefore;
    return this.filters.applied ? this.filters.applied.rowAtOrAfter(before) : before - this.framesLetGo;
  }

  /** Store index of displayed row `row`. */
  frameAt(row: number): number {
    return this.filters.applied ? this.filters.applied.frameAt(row) : this.framesLetGo + row;
  }

  /** The displayed row of frame `index`, or of the next displayed frame after it (the last row at most). */
  rowOf(index: number): number {
    return Math.min(this.filters.applied ? this.filters.applied.rowAtOrAfter(index) : Math.max(0, index - this.framesLetGo), this.displayed - 1);
  }

  /** Whether frame `index` is displayed (passes the applied filter). */
  isDisplayed(index: number): boolean {
    const applied = this.filters.applied;
    if (index < this.framesLetGo || index >= this.shownBefore) return false;
    if (!applied) return true;
    const row = applied.rowAtOrAfter(index);
    return row < applied.matched && applied.frameAt(row) === index;
  }

  // ---- conversations and endpoints -------------------------------------------------------------------

  /** Every kind's conversations and endpoints, counted as frames are read. */
  get traffic(): TrafficTables {
    return this.decoded.traffic;
  }

  /** The protocol hierarchy of every frame, computed in the background from the first call on. */
  get hierarchy(): ViewScan<ProtocolHierarchy> {
    return this.views.hierarchy;
  }

  /** Every frame's expert notes, grouped (computed as the hierarchy is). */
  get expert(): ViewScan<ExpertInfo> {
    return this.views.expert;
  }

  /** Frames per tap point and the packets' paths across them (computed as the hierarchy is). */
  get taps(): ViewScan<TapStatistics> {
    return this.views.taps;
  }

  /** Frames, bytes and flows per process (a live capture with --proc; computed as the hierarchy is). */
  get processes(): ViewScan<ProcessStatistics> {
    return this.views.processes;
  }

  /** A TCP or UDP stream (or a TCP stream's HTTP) followed: its chunks, found in the background (a stream followed before is dropped). */
  follow(stream: FollowedStream): FollowScan {
    return this.views.follow(stream);
  }

  // ---- export ----------------------------------------------------------------------------------------

  /** Writes the marked frames, or the displayed ones when none is marked. */
  export(path: string): ExportResult & { marked: boolean } {
    const marked = this.marks.count > 0;
    const displayed = this.displayed;
    const indexes = marked
      ? this.marks.indexes()
      : (function* (session: CaptureSession) {
          for (let row = 0; row < displayed; row++) yield session.frameAt(row);
        })(this);
    return { ...exportFrames(this.decoded, indexes, path, this.nanosecond), marked };
  }
}
