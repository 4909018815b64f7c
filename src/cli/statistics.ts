// `-z` in print mode: the statistics tshark 4.0 offers that tsshark has, parsed from tshark's spelling
// and drawn as tshark draws them (ui/cli/tap-iousers.c, tap-endpoints.c, tap-protohierstat.c; tap-follow.c
// in follow-report.ts), so scripts written for tshark read the same lines. tshark draws them after the
// frames, the last one given first.
import type { Registry } from '../decode/registry.js';
import { compileFilter, describeFilterError, type DisplayFilter } from '../filter/display-filter.js';
import { byFramesDescending, ConversationTable, EndpointTable, hasPorts, instantSeconds, KIND_NAMES, KIND_TITLES } from '../session/stats/conversations.js';
import { FOLLOW_MODES, FollowStatistic, type FollowMode, type FollowProtocol } from '../session/stats/follow-statistic.js';
import { LayerStatistic, StatisticsPass, type FrameStatistic } from '../session/stats/frame-statistics.js';
import { ProtocolHierarchy, type HierarchyNode } from '../session/stats/protocol-hierarchy.js';
import { expertGroupName, type ExpertSeverity } from '../decode/protocols/expert.js';
import { ExpertInfo, SEVERITIES, SEVERITY_TITLES } from '../session/stats/expert-info.js';
import { TapStatistics } from '../session/stats/tap-statistics.js';
import { ProcessStatistics, processTable } from '../session/stats/process-statistics.js';
import { drawFollow } from './follow-report.js';

const RULE = '='.repeat(80);

/** A `-z` argument understood: the statistic to feed and how to draw it once the pass is over. */
interface Requested {
  statistic: FrameStatistic;
  draw(): string;
}

export type StatisticsRequest = { ok: true; pass: StatisticsPass; draw(): string } | { ok: false; error: string };

const SUPPORTED = [
  'conv,eth', 'conv,ip', 'conv,ipv6', 'conv,tcp', 'conv,udp', 'endpoints,eth', 'endpoints,ip', 'endpoints,ipv6', 'endpoints,tcp', 'endpoints,udp',
  'expert[,error|warn|note|chat][,FILTER]', 'follow,tcp|udp|http,ascii|hex|raw,STREAM[,CHUNK[-CHUNK]]', 'io,phs[,FILTER]', 'taps[,FILTER]', 'proc[,FILTER]',
];

/** The statistics whose one argument is an optional filter: `NAME[,FILTER]`. */
const FILTER_ONLY: Readonly<Record<string, (filter: DisplayFilter | undefined, filterText: string) => Requested>> = {
  'io,phs': (filter, filterText) => {
    const statistic = new ProtocolHierarchy(filter);
    return { statistic, draw: () => drawHierarchy(statistic, filterText) };
  },
  taps: (filter, filterText) => {
    const statistic = new TapStatistics(filter);
    return { statistic, draw: () => drawTaps(statistic, filterText) };
  },
  proc: (filter, filterText) => {
    const statistic = new ProcessStatistics(filter);
    return { statistic, draw: () => drawProcesses(statistic, filterText) };
  },
};

/** The statistics `-z` asks for, or what is wrong with one of them. */
export function requestStatistics(specs: readonly string[], registry: Registry): StatisticsRequest {
  const requested: Requested[] = [];
  for (const spec of specs) {
    const named = Object.keys(FILTER_ONLY).find((name) => spec === name || spec.startsWith(`${name},`));
    if (named !== undefined) {
      const filterText = spec.slice(named.length + 1);
      const filter = compileStatisticFilter(spec, filterText, registry);
      if (typeof filter === 'string') return { ok: false, error: filter };
      requested.push(FILTER_ONLY[named](filter, filterText));
      continue;
    }
    if (spec === 'expert' || spec.startsWith('expert,')) {
      const expert = requestExpert(spec, registry);
      if (typeof expert === 'string') return { ok: false, error: expert };
      requested.push(expert);
      continue;
    }
    if (spec.startsWith('follow,')) {
      const follow = requestFollow(spec, registry);
      if (typeof follow === 'string') return { ok: false, error: follow };
      requested.push(follow);
      continue;
    }
    const match = /^(conv|endpoints),([a-z0-9]+)(?:,(.*))?$/s.exec(spec);
    // Own keys only: "constructor" is not a kind.
    const kind = match && Object.hasOwn(KIND_NAMES, match[2]) ? KIND_NAMES[match[2]] : undefined;
    if (!match || kind === undefined) {
      return { ok: false, error: `invalid -z argument "${spec}"; tsshark has: ${SUPPORTED.join(' ')}` };
    }
    const filterText = match[3];
    const filter = compileStatisticFilter(spec, filterText, registry);
    if (typeof filter === 'string') return { ok: false, error: filter };
    if (match[1] === 'conv') {
      const table = new ConversationTable(kind);
      requested.push({ statistic: new LayerStatistic(table, filter), draw: () => drawConversations(table, filterText) });
    } else {
      const table = new EndpointTable(kind);
      requested.push({ statistic: new LayerStatistic(table, filter), draw: () => drawEndpoints(table, filterText) });
    }
  }
  return {
    ok: true,
    pass: new StatisticsPass(requested.map((entry) => entry.statistic)),
    draw: () => [...requested].reverse().map((entry) => entry.draw()).join(''),
  };
}

/** A statistic's own filter (none when empty), or what is wrong with it. */
function compileStatisticFilter(spec: string, text: string | undefined, registry: Registry): DisplayFilter | undefined | string {
  if (text === undefined || text === '') return undefined;
  const compiled = compileFilter(text, registry);
  return compiled.ok ? compiled.filter : `-z ${spec}: ${describeFilterError(text, compiled.error)}`;
}

const PHS_NAME_WIDTH = 40;

/** tap-protohierstat.c's drawing: each node indented two spaces a level, first seen first. */
function drawHierarchy(statistic: ProtocolHierarchy, filter: string): string {
  let text = `\n${'='.repeat(67)}\nProtocol Hierarchy Statistics\nFilter: ${filter}\n\n`;
  const visit = (node: HierarchyNode, depth: number) => {
    for (const child of node.children.values()) {
      text += `${padEnd('  '.repeat(depth) + child.name, PHS_NAME_WIDTH)} frames:${child.frames} bytes:${child.bytes}\n`;
      visit(child, depth + 1);
    }
  };
  visit(statistic.root, 0);
  return text + '='.repeat(67) + '\n';
}

const pad = (text: string | number, width: number) => String(text).padStart(width);
const padEnd = (text: string, width: number) => text.padEnd(width);

/** format_size(bytes, FORMAT_SIZE_UNIT_BYTES, SI): whole units from the largest prefix with ten or more. */
export function formatSize(bytes: number): string {
  for (const [power, unit] of [[1e12, 'TB'], [1e9, 'GB'], [1e6, 'MB'], [1e3, 'kB']] as const) {
    const units = Math.floor(bytes / power);
    if (units >= 10) return `${units} ${unit}`;
  }
  return `${bytes} bytes`;
}

function drawConversations(table: ConversationTable, filter: string | undefined): string {
  const ports = hasPorts(table.kind);
  const indent = ports ? ' '.repeat(12) : '';
  const lines = [
    RULE,
    `${KIND_TITLES[table.kind]} Conversations`,
    `Filter:${filter ?? '<No Filter>'}`,
    `${indent}                                               |       <-      | |       ->      | |     Total     |    Relative    |   Duration   |`,
    `${indent}                                               | Frames  Bytes | | Frames  Bytes | | Frames  Bytes |      Start     |              |`,
  ];
  for (const item of byFramesDescending(table.items)) {
    const ends = ports
      ? `${padEnd(`${item.srcAddress}:${item.srcPort}`, 26)} <-> ${padEnd(`${item.dstAddress}:${item.dstPort}`, 26)}`
      : `${padEnd(item.srcAddress, 20)} <-> ${padEnd(item.dstAddress, 20)}`;
    const counts =
      `  ${pad(item.rxFrames, 6)} ${padEnd(formatSize(item.rxBytes), 9)}` +
      `  ${pad(item.txFrames, 6)} ${padEnd(formatSize(item.txBytes), 9)}` +
      `  ${pad(item.rxFrames + item.txFrames, 6)} ${padEnd(formatSize(item.rxBytes + item.txBytes), 9)}  `;
    const duration = (instantSeconds(item.stop) - instantSeconds(item.start)).toFixed(4);
    lines.push(`${ends}${counts}${pad(instantSeconds(item.start).toFixed(9), 14)}   ${pad(duration, 12)}`);
  }
  lines.push(RULE);
  return lines.map((line) => line + '\n').join('');
}

function drawEndpoints(table: EndpointTable, filter: string | undefined): string {
  const ports = hasPorts(table.kind);
  const lines = [
    RULE,
    `${KIND_TITLES[table.kind]} Endpoints`,
    `Filter:${filter ?? '<No Filter>'}`,
    `                       |  ${ports ? 'Port  ||  ' : ''}Packets  | |  Bytes  | | Tx Packets | | Tx Bytes | | Rx Packets | | Rx Bytes |`,
  ];
  for (const item of byFramesDescending(table.items)) {
    lines.push(
      `${padEnd(item.address, 20)}      ${ports ? `${pad(item.port, 5)}     ` : ''}${pad(item.txFrames + item.rxFrames, 6)}     ${pad(item.txBytes + item.rxBytes, 9)}` +
        `     ${pad(item.txFrames, 6)}       ${pad(item.txBytes, 9)}      ${pad(item.rxFrames, 6)}       ${pad(item.rxBytes, 9)}   `,
    );
  }
  lines.push(RULE);
  return lines.map((line) => line + '\n').join('');
}

/**
 * `expert[,LEVEL][,FILTER]`, read as tap-expert.c reads it: a level is a case-blind prefix (",warning"
 * is ",warn" and then no filter, since what follows does not start with a comma); comments are not noted.
 */
function requestExpert(spec: string, registry: Registry): Requested | string {
  let rest = spec.slice('expert'.length);
  let lowest: ExpertSeverity = 'chat';
  const level = /^,(error|warn|note|chat|comment)/i.exec(rest);
  if (level) {
    const name = level[1].toLowerCase();
    lowest = name === 'comment' ? 'chat' : (name as ExpertSeverity);
    rest = rest.slice(level[0].length);
  }
  const filterText = rest.startsWith(',') ? rest.slice(1) : undefined;
  const filter = compileStatisticFilter(spec, filterText, registry);
  if (typeof filter === 'string') return filter;
  const statistic = new ExpertInfo(filter, lowest);
  return { statistic, draw: () => drawExpert(statistic) };
}

/** tap-expert.c's drawing: each severity with notes, most severe first. */
function drawExpert(statistic: ExpertInfo): string {
  let text = '';
  for (const severity of SEVERITIES) {
    const entries = statistic.entries[severity];
    if (entries.length === 0) continue;
    text += `\n${SEVERITY_TITLES[severity]} (${statistic.total(severity)})\n=============\n   Frequency      Group           Protocol  Summary\n`;
    for (const entry of entries) text += `${pad(entry.frequency, 12)} ${pad(expertGroupName(entry.group), 10)} ${pad(entry.protocol, 18)}  ${entry.summary}\n`;
  }
  return text;
}

/** tsshark's own: the tap points' frames, then the linked packets' paths and last points. */
function drawTaps(statistic: TapStatistics, filter: string): string {
  const lines = [RULE, 'Tap points', `Filter:${filter === '' ? '<No Filter>' : filter}`, '    Frames         Bytes  Point'];
  for (const row of statistic.points.values()) lines.push(`${pad(row.frames, 10)}  ${pad(row.bytes, 12)}  ${row.label}`);
  const { paths, lastSeen } = statistic.packetPaths();
  if (paths.length > 0) {
    lines.push('', 'Packets linked across tap points, each once, by path', '   Packets  Path');
    for (const { text, packets } of paths) lines.push(`${pad(packets, 10)}  ${text}`);
    lines.push('', 'Last seen', '   Packets  Point');
    for (const { text, packets } of lastSeen) lines.push(`${pad(packets, 10)}  ${text}`);
  }
  lines.push(RULE);
  return lines.map((line) => line + '\n').join('');
}

function drawProcesses(statistic: ProcessStatistics, filter: string): string {
  const table = processTable(statistic);
  const lines = [RULE, 'Processes (--proc)', `Filter:${filter === '' ? '<No Filter>' : filter}`, table.header, ...table.lines.map(({ text }) => text), '', table.unattributed, RULE];
  return lines.map((line) => line + '\n').join('');
}

/** `follow,tcp|udp|http,MODE,STREAM[,FIRST[-LAST]]`, or what is wrong with it (tshark's words). */
function requestFollow(spec: string, registry: Registry): Requested | string {
  const match = /^follow,(tcp|udp|http),([a-z]+),(\d+)(?:,(\d+)(?:-(\d+))?)?$/.exec(spec);
  if (!match) {
    return /^follow,(tcp|udp|http),/.test(spec) ? `follow - invalid parameters "${spec}": expected follow,tcp|udp|http,ascii|hex|raw,STREAM[,CHUNK[-CHUNK]]` : `invalid -z argument "${spec}"; tsshark follows tcp, udp and http`;
  }
  const protocol = match[1] as FollowProtocol;
  const mode = match[2] as FollowMode;
  if (!FOLLOW_MODES.includes(mode)) return `follow - invalid display mode "${match[2]}": ascii, hex or raw`;
  const first = match[4] === undefined ? 1 : Number(match[4]);
  const last = match[5] === undefined ? (match[4] === undefined ? Infinity : first) : Number(match[5]);
  if (first < 1 || first > last) return `follow - invalid range value in "${spec}"`;
  const statistic = new FollowStatistic(registry, protocol, Number(match[3]), true);
  return { statistic, draw: () => drawFollow(statistic, mode, first, last) };
}
