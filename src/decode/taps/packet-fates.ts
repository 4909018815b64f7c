// What the kernel did with the captured packets, as a live capture learns it beside the frames: netfilter's
// verdicts (--trace) and the kernel's drops (--drops). Frames link to them as they are first decoded.
import type { Frame, InterfaceInfo } from '../../capture/frame.js';
import { FrameDecoder } from '../decoder.js';
import type { Datagram, DissectOptions, Dissection } from '../dissection.js';
import type { Dissector } from '../dissector.js';
import type { FieldDef } from '../field.js';
import type { Registry } from '../registry.js';
import { dropFields, readsDrops, type DropLinks, type LinkedDrop } from './drop-links.js';
import { readPlainDatagram } from './plain-datagram.js';
import { readsVerdicts, verdictFields, type NetfilterVerdicts, type TracedPacket } from './verdicts.js';

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
 * frame.comment): `tsshark netfilter verdict: drop by inet filter input handle 7: udp dport 9101 drop;
 * kernel drop: NETFILTER_DROP in nf_hook_slow`; undefined when nothing is known of it.
 */
export function fateComment(dissection: Dissection): string | undefined {
  const verdict = dissection.valuesOf(verdictFields.verdict)[0];
  const by = dissection.valuesOf(verdictFields.verdict_by)[0];
  const reason = dissection.valuesOf(dropFields.drop_reason)[0];
  const location = dissection.valuesOf(dropFields.drop_location)[0];
  return fateText(
    verdict === undefined ? undefined : { verdict: String(verdict), verdictBy: by === undefined ? '' : String(by) },
    reason === undefined ? undefined : { reason: String(reason), location: String(location) },
  );
}

function fateText(traced: Pick<TracedPacket, 'verdict' | 'verdictBy'> | undefined, drop: Pick<LinkedDrop, 'reason' | 'location'> | undefined): string | undefined {
  const parts: string[] = [];
  if (traced !== undefined) parts.push(`netfilter verdict: ${traced.verdict}${traced.verdictBy === '' ? '' : ` by ${traced.verdictBy}`}`);
  if (drop !== undefined) parts.push(`kernel drop: ${drop.reason} in ${drop.location}`);
  return parts.length === 0 ? undefined : `tsshark ${parts.join('; ')}`;
}

/**
 * The fate comments of the frames a live capture writes (print mode's -w without a filter, which
 * dissects nothing): each frame's datagram is read in place and linked, as a dissection would link it;
 * only frames of another shape (VLAN tags, tunnels) are dissected.
 */
export class FateNotes {
  private readonly datagram: Datagram = { version: 0, bytes: new Uint8Array(0), headerAt: 0, payloadAt: 0, protocol: 0, length: 0, fragment: false };
  /** The last frame's link type and its dissector: a capture has one or a few. */
  private linkType = -1;
  private link: Dissector | undefined;
  private decoder: FrameDecoder | undefined;

  constructor(
    private readonly registry: Registry,
    private readonly fates: PacketFates,
  ) {}

  note(frame: Frame, iface: InterfaceInfo | undefined): string | undefined {
    if (frame.linkType !== this.linkType) {
      this.linkType = frame.linkType;
      this.link = this.registry.lookup('linktype', frame.linkType);
    }
    if (!readPlainDatagram(this.registry, this.link, frame, this.datagram)) {
      this.decoder ??= new FrameDecoder(this.registry, FATE_OPTIONS, { fates: this.fates });
      return fateComment(this.decoder.decode(frame, iface));
    }
    if (this.datagram.version === 0) return undefined;
    const seconds = frame.tsSec + frame.tsNsec / 1e9;
    return fateText(this.fates.verdicts?.link(this.datagram, seconds), this.fates.drops?.link(this.datagram, seconds));
  }
}
