// Statistics computed over a frame store (the interface's views), one dissection per frame for all of them.
import type { FrameStore } from '../../capture/frame-store.js';
import type { Dissection } from '../../decode/dissection.js';
import type { Registry } from '../../decode/registry.js';
import { StoreScan } from '../store-scan.js';
import type { DecodedStore } from '../decoded-store.js';
import { StatisticsPass, type FrameStatistic, type MergeableStatistic } from './frame-statistics.js';

export class StatisticsScan extends StoreScan {
  private readonly pass: StatisticsPass;

  constructor(store: FrameStore, registry: Registry, statistics: readonly FrameStatistic[]) {
    const pass = new StatisticsPass(statistics);
    super(store, registry, pass.dissectOptions);
    this.pass = pass;
  }

  protected override beforeFrame(): void {
    this.pass.begin();
  }

  protected visit(_index: number, dissection: Dissection): void {
    this.pass.add(dissection);
  }
}

/**
 * One statistic of a view (the protocol hierarchy, the expert notes, the taps) over the decoded store's
 * frames read again, as the filter reads them: a frame knows what later frames told, and any frame can be
 * examined alone, so the redo pool's workers can count slices of a mergeable statistic.
 */
export class ViewScan<S extends FrameStatistic> extends StoreScan {
  private current: S;
  private pass: StatisticsPass;
  private again: Dissection;

  constructor(
    private readonly decoded: DecodedStore,
    private readonly create: () => S,
  ) {
    const statistic = create();
    const pass = new StatisticsPass([statistic]);
    super(decoded.store, decoded.registry, pass.dissectOptions);
    this.current = statistic;
    this.pass = pass;
    this.again = decoded.createDissection(pass.dissectOptions);
  }

  get statistic(): S {
    return this.current;
  }

  /** What the redo pool counted over the frames before `upTo` that this scan has not examined. */
  adopt<P>(this: ViewScan<S & MergeableStatistic<P>>, part: P, upTo: number): void {
    this.current.merge(part);
    this.examinedElsewhere(upTo);
  }

  /** Starts over with nothing counted (the pool failed part way): the frames are examined again. */
  restart(): void {
    this.current = this.create();
    this.pass = new StatisticsPass([this.current]);
    this.again = this.decoded.createDissection(this.pass.dissectOptions);
    this.examinedElsewhere(this.store.first);
  }

  protected override beforeFrame(): void {
    this.pass.begin();
  }

  protected override dissect(index: number): Dissection {
    return this.decoded.again(index, this.again);
  }

  protected visit(_index: number, dissection: Dissection): void {
    this.pass.add(dissection);
  }
}
