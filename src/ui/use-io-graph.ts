// The I/O graph's state and commands: the interval (+ and - step through 1 ms to 10 minutes), frames or
// bytes (b), and which intervals are in view (the newest, unless ← and → move back): the counts of every
// frame held and of the frames the applied filter shows, read from the frame index as they are drawn.
import { useMemo, useState } from 'react';
import type { Timestamp } from '../decode/decoder.js';
import type { CaptureSession } from '../session/capture-session.js';
import { countIo, intervalFor, IO_INTERVALS_NS, spanOf, type IoCounts } from '../session/stats/io-graph.js';
import type { CommandHandlers } from './use-keys.js';

export type IoUnit = 'frames' | 'bytes';

export interface IoGraphState {
  intervalNs: number;
  unit: IoUnit;
  /** The first interval in view (0: the one starting at the capture's first frame). */
  firstBucket: number;
  all: IoCounts;
  /** The applied filter's counts, with its text; undefined without a filter. */
  filtered: { text: string; counts: IoCounts } | undefined;
  commands: CommandHandlers;
}

/** `width`: intervals the graph shows (one a column). */
export function useIoGraph(session: CaptureSession, active: boolean, width: number, close: () => void): IoGraphState {
  const [chosen, setChosen] = useState<number>();
  const [unit, setUnit] = useState<IoUnit>('frames');
  const [back, setBack] = useState(0);
  const decoded = session.decoded;
  const store = decoded.store;
  const start: Timestamp = { tsSec: 0, tsNsec: 0 };
  decoded.firstTime(start);
  const held = { tsSec: 0, tsNsec: 0 };
  if (store.count > store.first) store.timestampOf(store.first, held);
  // Intervals from the capture's first frame, so that their bounds are tshark's -z io,stat's.
  const heldFromNs = (held.tsSec - start.tsSec) * 1e9 + (held.tsNsec - start.tsNsec);
  const span = spanOf(store);
  const intervalNs = chosen ?? intervalFor(span, width);
  const total = Math.floor((heldFromNs + span) / intervalNs) + 1;
  const firstHeld = Math.floor(heldFromNs / intervalNs);
  const firstBucket = Math.max(firstHeld, total - width - back);
  const applied = session.applied;
  const { all, filtered } = useMemo(() => {
    if (!active) return { all: { frames: [], bytes: [] }, filtered: undefined };
    const from = { tsSec: start.tsSec, tsNsec: start.tsNsec + firstBucket * intervalNs };
    const everyFrame = { count: store.count - store.first, at: (position: number) => store.first + position };
    const rows = applied && { count: applied.matched, at: (position: number) => applied.frameAt(position) };
    return {
      all: countIo(store, everyFrame, from, intervalNs, width),
      filtered: rows && applied ? { text: applied.filter.text, counts: countIo(store, rows, from, intervalNs, width) } : undefined,
    };
    // Recounted when frames arrive (the session's version) or the view changes.
  }, [active, session.version, store, intervalNs, firstBucket, width, applied]);
  const step = (by: number) => {
    const at = IO_INTERVALS_NS.indexOf(intervalNs);
    const next = IO_INTERVALS_NS[Math.max(0, Math.min(IO_INTERVALS_NS.length - 1, (at < 0 ? 9 : at) + by))];
    setChosen(next);
    setBack(0);
  };
  const move = (by: number) => setBack(Math.max(0, Math.min(back + by, total - firstHeld - width)));
  return {
    intervalNs,
    unit,
    firstBucket,
    all,
    filtered,
    commands: {
      longerInterval: () => step(1),
      shorterInterval: () => step(-1),
      toggleUnit: () => setUnit(unit === 'frames' ? 'bytes' : 'frames'),
      earlier: () => move(Math.max(1, width >> 2)),
      later: () => move(-Math.max(1, width >> 2)),
      closeView: close,
    },
  };
}
