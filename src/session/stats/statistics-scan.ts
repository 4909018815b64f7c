// Statistics computed over a frame store (the interface's views), one dissection per frame for all of them.
import type { FrameStore } from '../../capture/frame-store.js';
import type { Dissection } from '../../decode/dissection.js';
import type { Registry } from '../../decode/registry.js';
import { StoreScan } from '../store-scan.js';
import { StatisticsPass, type FrameStatistic } from './frame-statistics.js';

export class StatisticsScan extends StoreScan {
  private readonly pass: StatisticsPass;

  constructor(store: FrameStore, registry: Registry, statistics: readonly FrameStatistic[]) {
    const pass = new StatisticsPass(statistics);
    super(store, registry, { tree: pass.tree, columns: false, fields: pass.fields, conversationTap: pass.tap, expertTap: pass.expertTap, httpTap: pass.httpTap });
    this.pass = pass;
  }

  protected override beforeFrame(): void {
    this.pass.begin();
  }

  protected visit(_index: number, dissection: Dissection): void {
    this.pass.add(dissection);
  }
}

/** One statistic of a view (the protocol hierarchy, the expert notes, the taps), computed over the store. */
export class StatisticScan<S extends FrameStatistic> extends StatisticsScan {
  constructor(
    store: FrameStore,
    registry: Registry,
    readonly statistic: S,
  ) {
    super(store, registry, [statistic]);
  }
}
