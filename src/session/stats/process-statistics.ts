// The processes of a live capture with --proc (the Processes view, `-z proc`): each process with the frames,
// bytes and TCP and UDP flows (streams) attributed to it, most bytes first; the TCP and UDP frames no
// process was found for are counted apart.
import type { Dissection } from '../../decode/dissection.js';
import type { Dissector } from '../../decode/dissector.js';
import type { FieldDef } from '../../decode/field.js';
import { procFields } from '../../decode/protocols/proc.js';
import { tcp } from '../../decode/protocols/tcp.js';
import { udp } from '../../decode/protocols/udp.js';
import type { DisplayFilter } from '../../filter/display-filter.js';
import type { MergeableStatistic } from './frame-statistics.js';

export interface ProcessRow {
  pid: number;
  comm: string;
  container: string | undefined;
  pod: string | undefined;
  frames: number;
  bytes: number;
  /** `tcp 3`, `udp 0`: the streams its frames belong to. */
  flows: string[];
}

/** What a ProcessStatistics counted, for another thread. */
export interface ProcessPart {
  rows: ProcessRow[];
  unattributed: number;
}

/** A dissector's field by its abbreviation (a dissector's table is keyed by abbreviation or by name). */
function fieldOf(dissector: Dissector, abbrev: string): FieldDef {
  const field = Object.values(dissector.fields).find((candidate) => candidate.abbrev === abbrev);
  if (field === undefined) throw new Error(`${dissector.protocol.abbrev} has no field ${abbrev}`);
  return field;
}

const TCP_STREAM = fieldOf(tcp, 'tcp.stream');
const UDP_STREAM = fieldOf(udp, 'udp.stream');

export class ProcessStatistics implements MergeableStatistic<ProcessPart> {
  readonly fields: readonly FieldDef[] = [procFields.pid, procFields.comm, procFields.container, procFields.pod, TCP_STREAM, UDP_STREAM];
  readonly conversations = false;
  private readonly byPid = new Map<number, { row: ProcessRow; flows: Set<string> }>();
  /** TCP and UDP frames whose process was not found. */
  unattributed = 0;

  constructor(readonly filter: DisplayFilter | undefined) {}

  add(dissection: Dissection): void {
    const tcpStream = dissection.valuesOf(TCP_STREAM)[0];
    const udpStream = dissection.valuesOf(UDP_STREAM)[0];
    const flow = tcpStream !== undefined ? `tcp ${String(tcpStream)}` : udpStream !== undefined ? `udp ${String(udpStream)}` : undefined;
    const pid = dissection.valuesOf(procFields.pid)[0];
    if (pid === undefined) {
      if (flow !== undefined) this.unattributed++;
      return;
    }
    const text = (field: FieldDef) => {
      const value = dissection.valuesOf(field)[0];
      return value === undefined ? undefined : String(value);
    };
    this.count(
      { pid: Number(pid), comm: text(procFields.comm) ?? '?', container: text(procFields.container), pod: text(procFields.pod), frames: 1, bytes: dissection.frame.originalLength, flows: flow === undefined ? [] : [flow] },
    );
  }

  /** Each process, most bytes first. */
  get rows(): ProcessRow[] {
    return [...this.byPid.values()].map(({ row, flows }) => ({ ...row, flows: [...flows] })).sort((a, b) => b.bytes - a.bytes || a.pid - b.pid);
  }

  part(): ProcessPart {
    return { rows: this.rows, unattributed: this.unattributed };
  }

  merge(part: ProcessPart): void {
    this.unattributed += part.unattributed;
    for (const row of part.rows) this.count(row);
  }

  private count(counted: ProcessRow): void {
    const known = this.byPid.get(counted.pid);
    if (known === undefined) {
      this.byPid.set(counted.pid, { row: { ...counted, flows: [] }, flows: new Set(counted.flows) });
      return;
    }
    known.row.frames += counted.frames;
    known.row.bytes += counted.bytes;
    for (const flow of counted.flows) known.flows.add(flow);
  }
}

/** The processes as a table: a line each with the display filter of its frames, and the frames no process was found for. */
export function processTable(statistic: ProcessStatistics): { header: string; lines: { text: string; filter: string }[]; unattributed: string } {
  const lines = statistic.rows.map((row) => {
    const where = `${row.container === undefined ? '' : ` [container ${row.container}]`}${row.pod === undefined ? '' : ` [pod ${row.pod}]`}`;
    return { text: `${String(row.frames).padStart(10)}  ${String(row.bytes).padStart(12)}  ${String(row.flows.length).padStart(6)}  ${String(row.pid).padStart(8)}  ${row.comm}${where}`, filter: `proc.pid == ${row.pid}` };
  });
  return {
    header: `${'Frames'.padStart(10)}  ${'Bytes'.padStart(12)}  ${'Flows'.padStart(6)}  ${'PID'.padStart(8)}  Command`,
    lines,
    unattributed: `${String(statistic.unattributed).padStart(10)}  TCP and UDP frames whose flow's socket was not found (closed before it was looked up, or not this host's)`,
  };
}
