// What the kernel did with the captured packets, as a live capture learns it beside the frames: netfilter's
// verdicts (--trace) and the kernel's drops (--drops). Frames link to them as they are first decoded.
import type { FieldDef } from '../field.js';
import { readsDrops, type DropLinks } from './drop-links.js';
import { readsVerdicts, type NetfilterVerdicts } from './verdicts.js';

export interface PacketFates {
  verdicts?: NetfilterVerdicts;
  drops?: DropLinks;
}

/** Whether a filter or printer reads fates, which only the thread that holds them can give. */
export function readsFates(fields: readonly FieldDef[]): boolean {
  return readsVerdicts(fields) || readsDrops(fields);
}
