// A session's display filter, its last find and the I/O graph's filters: each examines the frames read
// when it starts (by the redo pool's workers where it can, then in this thread) and then keeps up with those
// appended. A filter being applied can be cancelled, the one before staying; a find's matches are not
// displayed (`n` and `N` step through them), nor are a graph's (counted per interval). When the session
// moves to another store they carry on to it or run again over it. Folded, the displayed rows are each
// packet's first copy: the filter and `!tap.copy_of` (a later copy names its first, tap-paths.ts).
import { compileFilter } from '../filter/display-filter.js';
import type { DecodedStore } from './decoded-store.js';
import { FrameFilter, type FilterProgress, type FrameTest } from './frame-filter.js';
import { runScan } from './store-scan.js';
import type { ViewsHost } from './view-scans.js';

/** A filter being applied: its progress over the store; Esc cancels it. */
export interface RunningFilter {
  text: string;
  progress: FilterProgress;
}

/** What folding adds to the filter: each packet's later copies at other tap points hidden. */
const FOLD_FILTER = '!tap.copy_of';

/** The filter the rows are chosen by: the user's, with the fold's part when folded. */
function effectiveFilter(text: string, folded: boolean): string {
  if (!folded) return text;
  return text.trim() === '' ? FOLD_FILTER : `(${text}) && ${FOLD_FILTER}`;
}

/** What the filters need of their session: the views' needs, and the signal of work on the current store. */
export interface FiltersHost extends ViewsHost {
  /** Aborted when the session moves to another store. */
  generation(): AbortSignal;
}

/** A filter whose matches are looked for but not displayed (a find's, a graph's): done once caught up. */
interface Examined {
  frameFilter: FrameFilter;
  controller: AbortController;
  done: boolean;
  /** Resolves false when stopped before the end. */
  finished: Promise<boolean>;
}

export class DisplayFilters {
  private appliedFilter: FrameFilter | undefined;
  /** The user's text of the applied filter, without the fold's part. */
  private appliedText = '';
  private runningFilter: { frameFilter: FrameFilter; controller: AbortController; progress: FilterProgress; text: string } | undefined;
  private foldedCopies = false;
  private finding: Examined | undefined;
  /** The I/O graph's filters, by their text, in the order given. */
  private readonly graphs = new Map<string, Examined>();
  /** Filters examining appended frames now. */
  private readonly keepingUp = new Set<FrameFilter>();

  constructor(private readonly host: FiltersHost) {}

  /** The filter whose rows are displayed; undefined: every frame. */
  get applied(): FrameFilter | undefined {
    return this.appliedFilter;
  }

  /** The user's text of the applied filter (without the fold's part); undefined: none applied. */
  get appliedUserText(): string | undefined {
    return this.appliedFilter === undefined ? undefined : this.appliedText;
  }

  get running(): RunningFilter | undefined {
    const running = this.runningFilter;
    return running && { text: running.text, progress: running.progress };
  }

  /** Whether the rows are each packet's first copy only. */
  get folded(): boolean {
    return this.foldedCopies;
  }

  /** Folds each packet's copies under its first, or unfolds them: the filter is applied again with it. */
  fold(folded: boolean): Promise<FrameFilter | undefined> {
    this.foldedCopies = folded;
    return this.apply(this.runningFilter?.text ?? this.appliedUserText ?? '');
  }

  /** The frames the last find matches, while found and after. */
  get found(): FrameFilter | undefined {
    return this.finding?.frameFilter;
  }

  /**
   * Applies a filter (empty text: none) over the whole store, replacing one still running. Resolves with
   * the new filter once applied, undefined when cancelled, invalid or cleared.
   */
  async apply(text: string): Promise<FrameFilter | undefined> {
    this.runningFilter?.controller.abort();
    this.runningFilter = undefined;
    const effective = effectiveFilter(text, this.foldedCopies);
    if (effective.trim() === '') {
      this.appliedFilter = undefined;
      this.host.update();
      return undefined;
    }
    const decoded = this.host.decoded();
    const compiled = compileFilter(effective, decoded.registry);
    if (!compiled.ok) return undefined;
    const frameFilter = new FrameFilter(decoded, compiled.filter);
    const controller = new AbortController();
    const running = { frameFilter, controller, progress: frameFilter.progress, text };
    this.runningFilter = running;
    this.host.update();
    const onProgress = (progress: FilterProgress) => {
      running.progress = progress;
      this.host.announceSoon();
    };
    if (!(await this.examineAll(frameFilter, controller.signal, onProgress))) return undefined;
    this.runningFilter = undefined;
    this.appliedFilter = frameFilter;
    this.appliedText = text;
    this.host.update();
    return frameFilter;
  }

  /** Cancels a filter being applied; the one applied before stays. Whether one was running. */
  cancel(): boolean {
    if (!this.runningFilter) return false;
    this.runningFilter.controller.abort();
    this.runningFilter = undefined;
    this.host.update();
    return true;
  }

  /** Looks for the frames `test` passes, replacing the last find; resolves false when replaced before the end. */
  find(test: FrameTest): Promise<boolean> {
    this.finding?.controller.abort();
    this.finding = this.examine(test);
    this.host.update();
    return this.finding.finished;
  }

  /** The I/O graph's filters, in the order given: their matches so far (all of them once done). */
  get graphFilters(): readonly FrameFilter[] {
    return [...this.graphs.values()].map((graph) => graph.frameFilter);
  }

  /** Counts the frames `text` passes for the I/O graph; why not, when it does not compile. */
  addGraph(text: string): string | undefined {
    const compiled = compileFilter(text, this.host.decoded().registry);
    if (!compiled.ok) return compiled.error.message;
    this.graphs.get(text)?.controller.abort();
    this.graphs.set(text, this.examine(compiled.filter));
    this.host.update();
    return undefined;
  }

  removeGraph(text: string): void {
    this.graphs.get(text)?.controller.abort();
    this.graphs.delete(text);
    this.host.update();
  }

  /** Frames appended since the applied filter (or the find, or a graph's) last looked are examined in the background. */
  keepUp(): void {
    // One still looking at the frames read before it is not kept up yet: the pool is at work on it.
    const examined = [this.finding, ...this.graphs.values()].filter((each) => each?.done).map((each) => each?.frameFilter);
    for (const frameFilter of [this.appliedFilter, ...examined]) {
      if (!frameFilter || frameFilter.caughtUp || this.keepingUp.has(frameFilter)) continue;
      this.keepingUp.add(frameFilter);
      void runScan(frameFilter, { signal: this.host.generation() }).then(() => {
        this.keepingUp.delete(frameFilter);
        // One replaced meanwhile shows nowhere: no redraw for it.
        if (frameFilter === this.appliedFilter || frameFilter === this.finding?.frameFilter || this.graphFilters.includes(frameFilter)) this.host.update();
      });
    }
  }

  /** The session moved to `next`, which carries on with the newest frames (--keep): the kept frames' rows go with it. */
  carriedOnTo(next: DecodedStore): void {
    this.keepingUp.clear();
    this.appliedFilter = this.appliedFilter?.carriedOnTo(next);
    const running = this.runningFilter?.text;
    if (running !== undefined) void this.apply(running);
    this.examineEach((examined) => {
      if (examined.done) return { ...examined, frameFilter: examined.frameFilter.carriedOnTo(next) };
      examined.controller.abort();
      return this.examine(examined.frameFilter.filter);
    });
  }

  /** The session's frames were decoded anew (Decode As): the filter, the find and the graphs' run again over them. */
  decodedAnew(): void {
    this.keepingUp.clear();
    const filter = this.runningFilter?.text ?? this.appliedUserText;
    this.runningFilter?.controller.abort();
    this.runningFilter = undefined;
    this.appliedFilter = undefined;
    if (filter !== undefined) void this.apply(filter);
    this.examineEach((examined) => {
      examined.controller.abort();
      return this.examine(examined.frameFilter.filter);
    });
  }

  /** The find and each graph's filter replaced by what `again` makes of it. */
  private examineEach(again: (examined: Examined) => Examined): void {
    if (this.finding !== undefined) this.finding = again(this.finding);
    for (const [text, graph] of this.graphs) this.graphs.set(text, again(graph));
  }

  /** The frames `test` passes, looked for in the background. */
  private examine(test: FrameTest): Examined {
    const frameFilter = new FrameFilter(this.host.decoded(), test);
    const controller = new AbortController();
    const examined: Examined = { frameFilter, controller, done: false, finished: Promise.resolve(false) };
    examined.finished = this.examineAll(frameFilter, controller.signal, () => this.host.announceSoon()).then((done) => {
      examined.done = done;
      if (done) this.host.update();
      return done;
    });
    return examined;
  }

  /** Every frame read, by the pool's workers where they can, then in this thread; false when cancelled. */
  private async examineAll(frameFilter: FrameFilter, signal: AbortSignal, onProgress: (progress: FilterProgress) => void): Promise<boolean> {
    if (!(await this.filterInPool(frameFilter, signal, onProgress))) return false;
    // Frames appended meanwhile (live), or all of them without a pool, in this thread.
    return runScan(frameFilter, { signal, onProgress });
  }

  /**
   * The frames read so far, examined by the pool's workers; false when cancelled. A worker's failure is
   * an internal error, not the user's: the filter then runs in this thread from the start.
   */
  private async filterInPool(frameFilter: FrameFilter, signal: AbortSignal, onProgress: (progress: FilterProgress) => void): Promise<boolean> {
    const pool = this.host.pool();
    const decoded = this.host.decoded();
    if (pool === undefined || !frameFilter.poolable || decoded.count === 0) return true;
    try {
      return await pool.filter(decoded, frameFilter.filter.text, decoded.count, (rows, upTo) => {
        frameFilter.adopt(rows, upTo);
        onProgress(frameFilter.progress);
      }, signal);
    } catch (error) {
      this.host.giveUpPool(error);
      frameFilter.restart();
      return true;
    }
  }
}
