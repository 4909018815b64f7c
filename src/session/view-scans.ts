// The views' statistics of one capture session (protocol hierarchy, expert notes, taps) and a followed
// stream: each computed in the background from the view's first opening on, by the redo pool's workers
// where it can, and kept current as frames are appended.
import type { DecodedStore } from './decoded-store.js';
import type { RedoPool } from './redo-pool.js';
import { runScan, type StoreScan } from './store-scan.js';
import type { ExpertInfo } from './stats/expert-info.js';
import { FollowScan } from './stats/follow-scan.js';
import type { FollowedStream } from './stats/follow-statistic.js';
import type { FrameStatistic, MergeableStatistic } from './stats/frame-statistics.js';
import type { ProtocolHierarchy } from './stats/protocol-hierarchy.js';
import { ViewScan } from './stats/statistics-scan.js';
import type { TapStatistics } from './stats/tap-statistics.js';
import type { ProcessStatistics } from './stats/process-statistics.js';
import { isPooledView, VIEW_STATISTICS, type PooledView, type ViewName } from './stats/view-statistics.js';

/** Frames a followed stream's search looks at before its first screen (later slices are larger). */
const FOLLOW_FIRST_SLICE = 2_000;

/** What the views need of their session. */
export interface ViewsHost {
  decoded(): DecodedStore;
  pool(): RedoPool | undefined;
  /** A worker failed: the session works in its own thread from now on. */
  giveUpPool(error: unknown): void;
  announceSoon(): void;
  update(): void;
}

export class ViewScans {
  private readonly scans = new Map<ViewName, ViewScan<FrameStatistic>>();
  /** Scans running in the background, each cancellable. */
  private readonly running = new Map<StoreScan, AbortController>();
  private followScan: FollowScan | undefined;

  constructor(private readonly host: ViewsHost) {}

  get hierarchy(): ViewScan<ProtocolHierarchy> {
    return this.viewScan('hierarchy') as ViewScan<ProtocolHierarchy>;
  }

  get expert(): ViewScan<ExpertInfo> {
    return this.viewScan('expert') as ViewScan<ExpertInfo>;
  }

  get taps(): ViewScan<TapStatistics> {
    return this.viewScan('taps') as ViewScan<TapStatistics>;
  }

  get processes(): ViewScan<ProcessStatistics> {
    return this.viewScan('processes') as ViewScan<ProcessStatistics>;
  }

  /** Frames appended since each scan looked are examined in the background. */
  keepUp(): void {
    this.keepScanUp(this.followScan);
    for (const scan of this.scans.values()) this.keepScanUp(scan);
  }

  /** Stops every scan and forgets them: the session moved to another store (--keep). */
  reset(): void {
    for (const controller of this.running.values()) controller.abort();
    this.running.clear();
    this.scans.clear();
    this.followScan = undefined;
  }

  private viewScan(name: ViewName): ViewScan<FrameStatistic> {
    let scan = this.scans.get(name);
    if (scan === undefined) {
      const created = new ViewScan<FrameStatistic>(this.host.decoded(), VIEW_STATISTICS[name]);
      this.scans.set(name, created);
      if (isPooledView(name)) this.countInPool(name, created as ViewScan<MergeableStatistic<unknown>>);
      else this.keepScanUp(created);
      scan = created;
    }
    return scan;
  }

  /**
   * A view's statistic over the frames read so far, counted by the pool's workers, then kept up in this
   * thread. A worker's failure is not the user's: the count starts over here.
   */
  private countInPool(view: PooledView, scan: ViewScan<MergeableStatistic<unknown>>): void {
    const pool = this.host.pool();
    const decoded = this.host.decoded();
    if (pool === undefined || decoded.count === decoded.store.first) return this.keepScanUp(scan);
    const controller = new AbortController();
    this.running.set(scan, controller);
    const accept = (part: unknown, upTo: number) => {
      scan.adopt(part, upTo);
      this.host.announceSoon();
    };
    pool
      .statistic(decoded, view, decoded.count, accept, controller.signal)
      .catch((error: unknown) => {
        this.host.giveUpPool(error);
        scan.restart();
      })
      .finally(() => {
        this.running.delete(scan);
        if (controller.signal.aborted) return;
        this.keepScanUp(scan);
        this.host.update();
      });
  }

  /** A TCP or UDP stream (or a TCP stream's HTTP) followed: its chunks, found in the background (a stream followed before is dropped). */
  follow({ protocol, stream }: FollowedStream): FollowScan {
    let scan = this.followScan;
    if (scan?.statistic.protocol !== protocol || scan.statistic.stream !== stream) {
      if (scan) this.running.get(scan)?.abort();
      const decoded = this.host.decoded();
      scan = FollowScan.of(decoded.store, decoded.registry, protocol, stream);
      this.followScan = scan;
      this.keepScanUp(scan, FOLLOW_FIRST_SLICE);
    }
    return scan;
  }

  /** Runs a view's scan over frames it has not seen yet, announcing its progress. */
  private keepScanUp(scan: StoreScan | undefined, firstSliceFrames?: number): void {
    if (!scan || scan.caughtUp || this.running.has(scan)) return;
    const controller = new AbortController();
    this.running.set(scan, controller);
    // The first slice runs at once, maybe while a view is drawn that asked for the scan: its news waits
    // until that drawing is done (a listener's state must not change during a render).
    void runScan(scan, { signal: controller.signal, firstSliceFrames, onProgress: () => queueMicrotask(() => this.host.update()) }).then(() => {
      this.running.delete(scan);
      if (!controller.signal.aborted) this.host.update();
    });
  }
}
