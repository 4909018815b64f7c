// Expert information (tshark's `-z expert`, Wireshark's Analyze > Expert Information): every note the
// dissectors added, grouped by severity, then by protocol and summary in the order first seen, with how
// many frames carried it (ui/cli/tap-expert.c's rules: the group is the first note's).
import type { Dissection } from '../../decode/dissection.js';
import type { FieldDef } from '../../decode/field.js';
import { type ExpertGroup, type ExpertSeverity } from '../../decode/protocols/expert.js';
import type { DisplayFilter } from '../../filter/display-filter.js';
import { stringLiteral } from '../../filter/literals.js';
import type { MergeableStatistic, TappedFrame } from './frame-statistics.js';

export interface ExpertEntry {
  severity: ExpertSeverity;
  group: ExpertGroup;
  protocol: string;
  summary: string;
  frequency: number;
}

/** Most severe first, as tshark draws them. */
export const SEVERITIES: readonly ExpertSeverity[] = ['error', 'warn', 'note', 'chat'];
export const SEVERITY_TITLES: Readonly<Record<ExpertSeverity, string>> = { error: 'Errors', warn: 'Warns', note: 'Notes', chat: 'Chats' };

/** Bounds the distinct summaries kept (notes that quote packet data are nearly all distinct). */
const MAX_ENTRIES = 100_000;

/** What an ExpertInfo counted, for another thread: every note in the order first seen. */
export interface ExpertPart {
  entries: ExpertEntry[];
  dropped: number;
}

export class ExpertInfo implements MergeableStatistic<ExpertPart> {
  readonly fields: readonly FieldDef[] = [];
  readonly conversations = false;
  readonly experts = true;
  /** Per severity, in the order first seen. */
  readonly entries: Readonly<Record<ExpertSeverity, ExpertEntry[]>> = { error: [], warn: [], note: [], chat: [] };
  /** Notes not kept once MAX_ENTRIES distinct ones are. */
  dropped = 0;
  private readonly byKey = new Map<string, ExpertEntry>();
  private readonly lowestRank: number;

  /** `lowest`: notes less severe are not counted (`-z expert,warn`). */
  constructor(
    readonly filter: DisplayFilter | undefined,
    lowest: ExpertSeverity = 'chat',
  ) {
    this.lowestRank = SEVERITIES.indexOf(lowest);
  }

  add(_dissection: Dissection, { notes }: TappedFrame): void {
    for (let i = 0; i < notes.count; i++) {
      const { severity, group, protocol, message } = notes.at(i);
      if (SEVERITIES.indexOf(severity) > this.lowestRank) continue;
      this.count(severity, group, protocol, message, 1);
    }
  }

  part(): ExpertPart {
    return { entries: [...this.byKey.values()], dropped: this.dropped };
  }

  /** Notes first seen in `part` come after this one's (its frames follow), as long as MAX_ENTRIES allows. */
  merge(part: ExpertPart): void {
    this.dropped += part.dropped;
    for (const entry of part.entries) this.count(entry.severity, entry.group, entry.protocol, entry.summary, entry.frequency);
  }

  private count(severity: ExpertSeverity, group: ExpertGroup, protocol: string, message: string, times: number): void {
    const key = `${severity}\0${protocol}\0${message}`;
    const entry = this.byKey.get(key);
    if (entry !== undefined) {
      entry.frequency += times;
    } else if (this.byKey.size === MAX_ENTRIES) {
      this.dropped += times;
    } else {
      const created = { severity, group, protocol, summary: message, frequency: times };
      this.byKey.set(key, created);
      this.entries[severity].push(created);
    }
  }

  /** The notes of one severity, counted. */
  total(severity: ExpertSeverity): number {
    let sum = 0;
    for (const entry of this.entries[severity]) sum += entry.frequency;
    return sum;
  }
}

/** A display filter for the frames that carry an entry's note. */
export function expertFilter(entry: ExpertEntry): string {
  return `_ws.expert.message == ${stringLiteral(entry.summary)}`;
}
