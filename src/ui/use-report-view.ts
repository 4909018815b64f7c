// A report view's state and commands (Expert information, Taps, Kernel drops): a statistic drawn as lines under a
// column header, some of them headings; Enter on a line that stands for frames filters the list to them.
import type { CaptureSession } from '../session/capture-session.js';
import type { CommandHandlers } from './use-keys.js';
import { useRowSelection } from './use-row-selection.js';

export interface ReportLine {
  text: string;
  /** A display filter for the frames the line stands for; none for headings and totals. */
  filter?: string;
  heading?: boolean;
}

export interface Report {
  title: string;
  /** The column header above the lines. */
  header: string;
  /** What the title line says of Enter; by default that it filters to the line's frames. */
  hint?: string;
  lines: ReportLine[];
}

export interface ReportViewState extends Report {
  /** The lines in view. */
  lines: ReportLine[];
  selectedInView: number;
  progress: string;
  commands: CommandHandlers;
}

/** A statistic as far as it is computed: a view's scan over the store, or counts kept as they come. */
export interface ReportSource<S> {
  readonly statistic: S;
  readonly caughtUp: boolean;
  /** How much of the store is examined, 0..1 (progress while not caught up). */
  readonly share: number;
}

/**
 * `scan`: the view's statistic when the view is open (undefined: closed, nothing computed); `draw` makes
 * its lines from the statistic as far as it got.
 */
export function useReportView<S>(
  session: CaptureSession,
  scan: ReportSource<S> | undefined,
  draw: (statistic: S) => Report,
  height: number,
  close: () => void,
  applyFilter: (text: string) => void,
): ReportViewState {
  const report = scan ? draw(scan.statistic) : { title: '', header: '', lines: [] };
  const { row, top, commands } = useRowSelection(report.lines.length, height);
  return {
    ...report,
    lines: report.lines.slice(top, top + height),
    selectedInView: row - top,
    progress: !scan || scan.caughtUp ? '' : `computing ${Math.floor(100 * scan.share)}%`,
    commands: {
      ...commands,
      applyRow: () => {
        const filter = report.lines[row]?.filter;
        if (filter === undefined) return;
        close();
        applyFilter(filter);
      },
      closeView: close,
    },
  };
}
