// The statistics of the interface's views, by name: the session makes them, and the redo pool's workers
// make the ones they can count.
import { ExpertInfo } from './expert-info.js';
import { ProcessStatistics } from './process-statistics.js';
import { ProtocolHierarchy } from './protocol-hierarchy.js';
import { TapStatistics } from './tap-statistics.js';

/**
 * Views whose statistic the pool's workers count over slices: mergeable, and needing nothing that only
 * the main thread holds.
 */
export const POOLED_VIEWS = {
  hierarchy: () => new ProtocolHierarchy(undefined),
  expert: () => new ExpertInfo(undefined),
  processes: () => new ProcessStatistics(undefined),
} as const;

export const VIEW_STATISTICS = {
  ...POOLED_VIEWS,
  // The taps read the tap paths, which link a frame to copies after it: only the main thread has them.
  taps: () => new TapStatistics(undefined),
} as const;

export type ViewName = keyof typeof VIEW_STATISTICS;
export type PooledView = keyof typeof POOLED_VIEWS;

export function isPooledView(name: ViewName): name is PooledView {
  return Object.hasOwn(POOLED_VIEWS, name);
}
