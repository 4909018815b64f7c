// The I/O graph's state and commands: the interval (+ and - step through 1 ms to 10 minutes), frames or
// bytes (b), bars or braille lines (l), and which intervals are in view (the newest, unless ← and → move
// back). Its series: every frame held, the frames the applied filter shows, and each graph filter added
// with `a` (Wireshark's several graphs, each its own display filter; `d` removes the one drawn over all).
// Counted from the frame index and the filters' rows as they are drawn.
import { useMemo, useState } from 'react';
import type { Timestamp } from '../decode/decoder.js';
import type { CaptureSession } from '../session/capture-session.js';
import { countIo, intervalFor, IO_INTERVALS_NS, spanOf, type IoCounts } from '../session/stats/io-graph.js';
import { DOTS_PER_COLUMN } from './braille.js';
import type { CommandHandlers } from './use-keys.js';
import { usePromptLine, type PromptLineState } from './use-prompt-line.js';

export type IoUnit = 'frames' | 'bytes';
export type IoStyle = 'bars' | 'braille';

export interface IoSeries {
  /** `all`, `filter: TEXT` (the applied one), or a graph filter's text. */
  name: string;
  counts: IoCounts;
}

export interface IoGraphState {
  intervalNs: number;
  unit: IoUnit;
  style: IoStyle;
  /** Intervals a column: one bar each, or two lines' dots in braille. */
  perColumn: number;
  /** The first interval in view (0: the one starting at the capture's first frame). */
  firstBucket: number;
  /** Every frame's, then the applied filter's (if any), then the graph filters'. */
  series: IoSeries[];
  /** The series bars draw over every frame's (Tab steps through them); 0 when there is none. */
  overlay: number;
  /** A graph filter being typed. */
  line: PromptLineState;
  message: string;
  commands: CommandHandlers;
}

/** `width`: columns the graph has; `editing`: the graph filter's line opens or closes. */
export function useIoGraph(session: CaptureSession, active: boolean, width: number, close: () => void, editing: (open: boolean) => void): IoGraphState {
  const [chosen, setChosen] = useState<number>();
  const [unit, setUnit] = useState<IoUnit>('frames');
  const [style, setStyle] = useState<IoStyle>('bars');
  const [back, setBack] = useState(0);
  const [overlayChoice, setOverlay] = useState(1);
  const [message, setMessage] = useState('');
  const line = usePromptLine(
    () => editing(false),
    (text) => {
      const refused = session.filters.addGraph(text);
      setMessage(refused === undefined ? '' : `✗ ${refused}`);
      if (refused === undefined) setOverlay(series.length);
    },
    false,
  );
  const perColumn = style === 'braille' ? DOTS_PER_COLUMN : 1;
  const intervals = width * perColumn;
  const decoded = session.decoded;
  const store = decoded.store;
  const start: Timestamp = { tsSec: 0, tsNsec: 0 };
  decoded.firstTime(start);
  const held = { tsSec: 0, tsNsec: 0 };
  if (store.count > store.first) store.timestampOf(store.first, held);
  // Intervals from the capture's first frame, so that their bounds are tshark's -z io,stat's.
  const heldFromNs = (held.tsSec - start.tsSec) * 1e9 + (held.tsNsec - start.tsNsec);
  const span = spanOf(store);
  const intervalNs = chosen ?? intervalFor(span, intervals);
  const total = Math.floor((heldFromNs + span) / intervalNs) + 1;
  const firstHeld = Math.floor(heldFromNs / intervalNs);
  const firstBucket = Math.max(firstHeld, total - intervals - back);
  const applied = session.applied;
  const graphs = session.filters.graphFilters;
  const series = useMemo(() => {
    if (!active) return [];
    const from = { tsSec: start.tsSec, tsNsec: start.tsNsec + firstBucket * intervalNs };
    const count = (rows: { count: number; at(position: number): number }) => countIo(store, rows, from, intervalNs, intervals);
    const counted: IoSeries[] = [{ name: 'all', counts: count({ count: store.count - store.first, at: (position) => store.first + position }) }];
    for (const filter of applied ? [applied, ...graphs] : graphs) {
      counted.push({ name: filter === applied ? `filter: ${filter.filter.text}` : filter.filter.text, counts: count({ count: filter.matched, at: (position) => filter.frameAt(position) }) });
    }
    return counted;
    // Recounted when frames arrive or a filter finds more (the session's version), or the view changes.
  }, [active, session.version, store, intervalNs, firstBucket, intervals, applied, graphs.map((graph) => graph.filter.text).join('\n')]);
  const overlay = series.length > 1 ? Math.min(overlayChoice, series.length - 1) : 0;
  const step = (by: number) => {
    const at = IO_INTERVALS_NS.indexOf(intervalNs);
    const next = IO_INTERVALS_NS[Math.max(0, Math.min(IO_INTERVALS_NS.length - 1, (at < 0 ? 9 : at) + by))];
    setChosen(next);
    setBack(0);
  };
  const move = (by: number) => setBack(Math.max(0, Math.min(back + by, total - firstHeld - intervals)));
  const removeGraph = () => {
    const first = applied ? 2 : 1;
    const removed = series[overlay >= first ? overlay : series.length - 1];
    if (series.length <= first || removed === undefined) return setMessage('No graph filter to remove (a adds one; the applied filter is the list’s)');
    session.filters.removeGraph(removed.name);
    setMessage(`Removed the graph of ${removed.name}`);
  };
  return {
    intervalNs,
    unit,
    style,
    perColumn,
    firstBucket,
    series,
    overlay,
    line,
    message,
    commands: {
      longerInterval: () => step(1),
      shorterInterval: () => step(-1),
      toggleUnit: () => setUnit(unit === 'frames' ? 'bytes' : 'frames'),
      toggleGraphStyle: () => {
        setStyle(style === 'bars' ? 'braille' : 'bars');
        setBack(0);
      },
      earlier: () => move(Math.max(1, intervals >> 2)),
      later: () => move(-Math.max(1, intervals >> 2)),
      addGraph: () => {
        setMessage('');
        line.open();
        editing(true);
      },
      removeGraph,
      nextGraph: () => setOverlay(series.length > 1 ? (overlay % (series.length - 1)) + 1 : 1),
      closeView: close,
    },
  };
}
