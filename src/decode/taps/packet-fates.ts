// What the kernel did with the captured packets, as a live capture learns it beside the frames: netfilter's
// verdicts (--trace) and the kernel's drops (--drops). Frames link to them as they are first decoded.
import type { DissectOptions, Dissection } from '../dissection.js';
import type { FieldDef } from '../field.js';
import { dropFields, readsDrops, type DropLinks } from './drop-links.js';
import { readsVerdicts, verdictFields, type NetfilterVerdicts } from './verdicts.js';

export interface PacketFates {
  verdicts?: NetfilterVerdicts;
  drops?: DropLinks;
}

/** Whether a filter or printer reads fates, which only the thread that holds them can give. */
export function readsFates(fields: readonly FieldDef[]): boolean {
  return readsVerdicts(fields) || readsDrops(fields);
}

/** How to dissect a frame for `fateComment`. */
export const FATE_OPTIONS: DissectOptions = {
  tree: false,
  columns: false,
  fields: [verdictFields.verdict, verdictFields.verdict_by, dropFields.drop_reason, dropFields.drop_location],
};

/**
 * The fate of a frame's packet in one line, for an exported frame's comment (Wireshark shows it as
 * frame.comment): `netfilter verdict: drop by inet filter input handle 7: udp dport 9101 drop; kernel
 * drop: NETFILTER_DROP in nf_hook_slow`; undefined when nothing is known of it.
 */
export function fateComment(dissection: Dissection): string | undefined {
  const parts: string[] = [];
  const verdict = dissection.valuesOf(verdictFields.verdict)[0];
  if (verdict !== undefined) {
    const by = dissection.valuesOf(verdictFields.verdict_by)[0];
    parts.push(`netfilter verdict: ${String(verdict)}${by === undefined ? '' : ` by ${String(by)}`}`);
  }
  const reason = dissection.valuesOf(dropFields.drop_reason)[0];
  if (reason !== undefined) parts.push(`kernel drop: ${String(reason)} in ${String(dissection.valuesOf(dropFields.drop_location)[0])}`);
  return parts.length === 0 ? undefined : `tsshark ${parts.join('; ')}`;
}
