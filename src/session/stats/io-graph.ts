// The I/O graph's counts (Wireshark's Statistics > I/O Graph, tshark's -z io,stat): frames and bytes per
// interval of capture time from the first frame, for every frame held and for the frames a display filter
// passes. Read from the frame index alone (times and lengths), nothing dissected.
import type { FrameStore } from '../../capture/frame-store.js';

export interface IoCounts {
  frames: number[];
  bytes: number[];
}

/** The intervals `+` and `-` step through, in nanoseconds: 1 ms to 10 minutes in 1-2-5 steps. */
export const IO_INTERVALS_NS: readonly number[] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000, 120_000, 300_000, 600_000].map((ms) => ms * 1e6);

const time = { tsSec: 0, tsNsec: 0 };

/** Nanoseconds from the capture's first frame (`start`) to frame `index`. */
function sinceStart(store: FrameStore, index: number, start: { tsSec: number; tsNsec: number }): number {
  store.timestampOf(index, time);
  return (time.tsSec - start.tsSec) * 1e9 + (time.tsNsec - start.tsNsec);
}

/**
 * Frames and bytes (on the wire) per interval of `intervalNs` from `start`, over frames `indexes` (store
 * indexes in order: every frame held, or a filter's rows), in `buckets` intervals; frames before the start
 * or after the last interval are left out.
 */
export function countIo(store: FrameStore, indexes: { count: number; at(position: number): number }, start: { tsSec: number; tsNsec: number }, intervalNs: number, buckets: number): IoCounts {
  const counts: IoCounts = { frames: new Array<number>(buckets).fill(0), bytes: new Array<number>(buckets).fill(0) };
  for (let position = 0; position < indexes.count; position++) {
    const index = indexes.at(position);
    const bucket = Math.floor(sinceStart(store, index, start) / intervalNs);
    if (bucket < 0 || bucket >= buckets) continue;
    counts.frames[bucket]++;
    counts.bytes[bucket] += store.originalLengthOf(index);
  }
  return counts;
}

/** Nanoseconds from the first frame held to the last. */
export function spanOf(store: FrameStore): number {
  if (store.count === store.first) return 0;
  const start = { tsSec: 0, tsNsec: 0 };
  store.timestampOf(store.first, start);
  return sinceStart(store, store.count - 1, start);
}

/** The shortest interval that shows a span of `spanNs` in `buckets` bars. */
export function intervalFor(spanNs: number, buckets: number): number {
  return IO_INTERVALS_NS.find((interval) => spanNs < interval * buckets) ?? IO_INTERVALS_NS[IO_INTERVALS_NS.length - 1];
}
