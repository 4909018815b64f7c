// The report views' lines: the protocol hierarchy, the expert notes by severity, and the taps' points and
// packet paths, each line with the display filter that lists its frames; and the kernel's drops, which
// stand for no frame.
import { protocolName } from '../capture/kernel-drops.js';
import { expertGroupName } from '../decode/protocols/expert.js';
import type { DropWatch } from '../session/drop-watch.js';
import { stringLiteral } from '../filter/literals.js';
import type { NetfilterVerdicts } from '../decode/taps/verdicts.js';
import { expertFilter, SEVERITIES, SEVERITY_TITLES, type ExpertInfo } from '../session/stats/expert-info.js';
import type { HierarchyNode, ProtocolHierarchy } from '../session/stats/protocol-hierarchy.js';
import type { TapStatistics } from '../session/stats/tap-statistics.js';
import { processTable, type ProcessStatistics } from '../session/stats/process-statistics.js';
import type { Report, ReportLine } from './use-report-view.js';

const NAME_WIDTH = 36;

const hierarchyLine = (name: string, framesShare: string, frames: string, bytesShare: string, bytes: string) =>
  `${name.padEnd(NAME_WIDTH)} ${framesShare.padStart(8)} ${frames.padStart(10)} ${bytesShare.padStart(8)} ${bytes.padStart(13)}`;

/** Each protocol indented under the one it rides on, with its share and count of all frames and bytes. */
export function hierarchyReport(statistic: ProtocolHierarchy): Report {
  let frames = 0;
  let bytes = 0;
  for (const child of statistic.root.children.values()) {
    frames += child.frames;
    bytes += child.bytes;
  }
  const lines: ReportLine[] = [];
  const visit = (node: HierarchyNode, depth: number) => {
    for (const child of node.children.values()) {
      const framesShare = ((100 * child.frames) / Math.max(1, frames)).toFixed(1);
      const bytesShare = ((100 * child.bytes) / Math.max(1, bytes)).toFixed(1);
      lines.push({ text: hierarchyLine('  '.repeat(depth) + child.name, framesShare, String(child.frames), bytesShare, String(child.bytes)), filter: child.name });
      visit(child, depth + 1);
    }
  };
  visit(statistic.root, 0);
  return { title: 'Protocol hierarchy', header: hierarchyLine('Protocol', '% Frames', 'Frames', '% Bytes', 'Bytes'), lines };
}

export function expertReport(statistic: ExpertInfo): Report {
  const lines: ReportLine[] = [];
  for (const severity of SEVERITIES) {
    const entries = statistic.entries[severity];
    if (entries.length === 0) continue;
    lines.push({ text: `${SEVERITY_TITLES[severity]} (${statistic.total(severity)})`, heading: true });
    for (const entry of entries) {
      const text = `${String(entry.frequency).padStart(9)}  ${expertGroupName(entry.group).padEnd(10)}  ${entry.protocol.padEnd(10)}  ${entry.summary}`;
      lines.push({ text, filter: expertFilter(entry) });
    }
  }
  if (lines.length === 0) lines.push({ text: 'No expert notes' });
  if (statistic.dropped > 0) lines.push({ text: `${statistic.dropped} notes not counted: past the distinct notes kept` });
  return { title: 'Expert information', header: `${'Frequency'.padStart(9)}  ${'Group'.padEnd(10)}  ${'Protocol'.padEnd(10)}  Summary`, lines };
}

export function tapsReport(statistic: TapStatistics): Report {
  const lines: ReportLine[] = [{ text: 'Tap points', heading: true }];
  for (const row of statistic.points.values()) {
    lines.push({ text: `${String(row.frames).padStart(10)}  ${String(row.bytes).padStart(12)}  ${row.label}`, filter: row.filter });
  }
  const { paths, lastSeen } = statistic.packetPaths();
  if (paths.length > 0) {
    lines.push({ text: '' }, { text: 'Packets linked across tap points, each once, by path', heading: true });
    for (const { text, packets } of paths) lines.push({ text: `${String(packets).padStart(10)}  ${''.padStart(12)}  ${text}`, filter: `tap.path == ${stringLiteral(text)}` });
    lines.push({ text: '' }, { text: 'Where they were last seen', heading: true });
    for (const { text, packets } of lastSeen) lines.push({ text: `${String(packets).padStart(10)}  ${''.padStart(12)}  ${text}`, filter: `tap.last_seen == ${stringLiteral(text)}` });
  }
  return { title: 'Taps', header: `${'Frames'.padStart(10)}  ${'Bytes'.padStart(12)}  Tap point, or packets and their path`, lines };
}

/** Each process with its frames, bytes and flows (--proc), most bytes first. */
export function processesReport(statistic: ProcessStatistics): Report {
  const table = processTable(statistic);
  const lines: ReportLine[] = table.lines.map(({ text, filter }) => ({ text, filter }));
  if (statistic.unattributed > 0) lines.push({ text: '' }, { text: table.unattributed });
  return { title: 'Processes (--proc)', header: table.header, lines };
}

/** The kernel's drops since the capture started, most first; the tracepoint is the whole host's. */
export function dropsReport(watch: DropWatch): Report {
  const { counts, seconds, here } = watch;
  const inHere = here === undefined ? '' : `; ${here.total} in this network namespace (Here)`;
  const lines: ReportLine[] = [{ text: `${counts.total} in ${seconds.toFixed(0)} s (${(counts.total / Math.max(seconds, 0.001)).toFixed(1)}/s), every namespace of the host${inHere}`, heading: true }];
  const hereColumn = (reason: string, location: string, protocol: number) => (here === undefined ? '' : `${String(here.countOf(reason, location, protocol)).padStart(8)}  `);
  for (const row of counts.rows) lines.push({ text: `${String(row.count).padStart(10)}  ${hereColumn(row.reason, row.location, row.protocol)}${row.reason.padEnd(24)} ${row.location.padEnd(28)} ${protocolName(row.protocol)}` });
  if (counts.others > 0) lines.push({ text: `${String(counts.others).padStart(10)}  (other kinds)` });
  if (counts.lost > 0) lines.push({ text: `${String(counts.lost).padStart(10)}  reports lost (the trace buffer was full): not counted above` });
  const hint = here === undefined ? 'counted, not tied to frames' : 'a dropped frame is marked ✗ in the list';
  return { title: 'Kernel drops (skb:kfree_skb)', hint, header: `${'Drops'.padStart(10)}  ${here === undefined ? '' : `${'Here'.padStart(8)}  `}${'Reason'.padEnd(24)} ${'Function'.padEnd(28)} Protocol`, lines };
}

/** Netfilter's verdicts (--trace): each rule or policy with the packets whose last verdict it gave. */
export function verdictsReport(verdicts: NetfilterVerdicts): Report {
  const lines: ReportLine[] = [{ text: `${verdicts.traced} packets traced, ${verdicts.dropped} dropped by a rule or policy`, heading: true }];
  for (const { verdict, verdictBy, packets } of verdicts.outcomes) {
    const by = verdictBy === '' ? '(no chain but tsshark\'s met it)' : verdictBy;
    const filter = verdictBy === '' ? `tap.verdict == ${stringLiteral(verdict)} && !tap.verdict_by` : `tap.verdict_by == ${stringLiteral(verdictBy)}`;
    lines.push({ text: `${String(packets).padStart(10)}  ${verdict.padEnd(10)} ${by}`, filter });
  }
  return { title: "Netfilter's verdicts (--trace)", header: `${'Packets'.padStart(10)}  ${'Verdict'.padEnd(10)} By`, lines };
}

/** What the live capture's taps cannot see, each finding wrapped to `width` columns. */
export function warningsReport(warnings: readonly string[], width: number): Report {
  const lines: ReportLine[] = [];
  for (const warning of warnings) {
    let line = '';
    for (const word of warning.split(' ')) {
      if (line !== '' && line.length + 1 + word.length > width - 1) {
        lines.push({ text: line });
        line = ' ';
      }
      line = line === '' || line === ' ' ? `${line}${word}` : `${line} ${word}`;
    }
    lines.push({ text: line }, { text: '' });
  }
  return { title: "Warnings: what this capture's taps cannot see", hint: 'found when it started', header: '', lines };
}
