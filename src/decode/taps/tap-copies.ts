// Copies of one TCP segment at several tap points of a capture (a router's two interfaces, `-i any`,
// AF_PACKET and NFLOG): tshark takes each later copy for a retransmission; here it is linked to its first
// sighting by the tap identity of tap-paths.ts, so that sequence analysis runs on first sightings only.
import type { Dissection } from '../dissection.js';
import type { FieldDef } from '../field.js';
import type { SegmentFacts } from '../tcp-analysis.js';
import { identityOf } from './packet-identity.js';
import { LINK_WINDOW_S, TAP_POINT } from './tap-paths.js';


/** Fields that tell tap points apart: a filter on one of them selects tap points. */
const TAP_POINT_FIELDS = /^(tap\.(point|direction|iface|hook)$|frame\.interface_(id|name)$|sll\.ifindex$|nflog\.hook$)/;

/** Whether a filter with these fields selects tap points: TCP is then analysed per tap point. */
export function selectsTapPoints(fields: readonly FieldDef[]): boolean {
  return fields.some((field) => TAP_POINT_FIELDS.test(field.abbrev));
}

/** The pseudo-device of a capture on every interface, which names no device of its own. */
const ANY_DEVICE = 'any';

/**
 * The segments seen in the last LINK_WINDOW_S seconds by tap identity, once the capture has shown a second
 * site: a capture at one site has no copies, and pays nothing for this.
 */
export class Sightings {
  private readonly seen = new Map<number, { frame: number; site: string; stream: object; time: number }>();
  private firstSite: string | undefined;
  private several = false;
  /** The frame at which a second site appeared (0: not yet): frames before it are first sightings. */
  severalSince = 0;
  /** Each site's segments are analysed on their own (no copies): a filter selects tap points. */
  perSite = false;
  private readonly lastAtFirstSite = { frame: 0, stream: undefined as object | undefined, seq: 0, ack: 0, length: 0, flags: 0 };
  /** Each interface's site, made once: the captures of one session number their interfaces alike. */
  private readonly interfaceSites: string[] = [];

  /**
   * Where the capture copied a frame, as a place a packet is seen once: the device (either direction), else
   * the tap point (an `any` capture without device names, an NFLOG hook), else the capture's interface.
   */
  siteOf(ctx: Dissection): string {
    const point = ctx.get(TAP_POINT);
    const id = ctx.frame.interfaceId;
    if (point === undefined) return (this.interfaceSites[id] ??= ctx.frame.device ?? `interface ${id}`);
    if (point.iface !== '' && point.iface !== ANY_DEVICE) return point.iface;
    // No device name (an `any` capture read back from a file): its tap point, on its capture interface
    // (tsshark's own export gives each tap point an interface of its own).
    return point.iface === ANY_DEVICE ? `${point.label} on interface ${id}` : point.label;
  }

  /** The frame this one copies (0: a first sighting). */
  check(ctx: Dissection, site: string, stream: object, facts: SegmentFacts): number {
    const { frame, time } = facts;
    if (!this.several) {
      this.firstSite ??= site;
      if (site === this.firstSite) {
        // Only the last segment is kept, by its numbers (no hashing): the next may be its copy at a second site.
        const last = this.lastAtFirstSite;
        last.frame = frame;
        last.stream = stream;
        last.seq = facts.seq;
        last.ack = facts.ack;
        last.length = facts.length;
        last.flags = facts.flags;
        return 0;
      }
      this.several = true;
      this.severalSince = frame;
      const last = this.lastAtFirstSite;
      if (last.stream === stream && last.seq === facts.seq && last.ack === facts.ack && last.length === facts.length && last.flags === facts.flags) return last.frame;
    }
    const identity = identityOf(ctx.datagram);
    // Read here, not at load: tap-paths.js and this module import each other through tcp.js.
    const window = LINK_WINDOW_S * 1e9;
    const earlier = this.seen.get(identity);
    if (earlier !== undefined && earlier.stream === stream && earlier.site !== site && time - earlier.time <= window) return earlier.frame;
    this.seen.delete(identity);
    this.seen.set(identity, { frame, site, stream, time });
    // Oldest first: entries past the window go as new ones come.
    for (const [key, entry] of this.seen) {
      if (time - entry.time <= window && this.seen.size < 1 << 16) break;
      this.seen.delete(key);
    }
    return 0;
  }
}
