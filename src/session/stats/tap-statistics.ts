// Where the capture copied its frames (`-z taps`, the Taps view; no other tool has it): frames and bytes
// per tap point (kind, direction, interface, NFLOG hook and prefix), and, for the packets the tap model
// links across points, how many took each path and where those that stopped were last seen.
import type { Dissection } from '../../decode/dissection.js';
import type { FieldDef } from '../../decode/field.js';
import { tapFields } from '../../decode/protocols/tap.js';
import { identityOf } from '../../decode/taps/packet-identity.js';
import { TAP_POINT, TapPathIndex } from '../../decode/taps/tap-paths.js';
import type { DisplayFilter } from '../../filter/display-filter.js';
import { stringLiteral } from '../../filter/literals.js';
import type { FrameStatistic } from './frame-statistics.js';

export interface TapPointRow {
  /** What the tap model calls the point ("ingress AF_PACKET eth0", "NF INPUT (drop)"). */
  label: string;
  /** A display filter for its frames. */
  filter: string;
  frames: number;
  bytes: number;
}

export interface PacketCount {
  text: string;
  packets: number;
}

export interface PacketPaths {
  /** Each path with the packets that took it, most first. */
  paths: PacketCount[];
  /** Each point with the packets last seen there, most first. */
  lastSeen: PacketCount[];
}

const POINT_FIELDS = [tapFields.point, tapFields.direction, tapFields.iface, tapFields.family, tapFields.hook, tapFields.prefix] as const;

export class TapStatistics implements FrameStatistic {
  readonly fields: readonly FieldDef[] = POINT_FIELDS;
  readonly conversations = false;
  /** In the order first seen. */
  readonly points = new Map<string, TapPointRow>();
  private readonly index = new TapPathIndex();
  private linked = 0;
  private counted: PacketPaths | undefined;

  constructor(readonly filter: DisplayFilter | undefined) {}

  add(dissection: Dissection): void {
    const values = POINT_FIELDS.map((field) => dissection.valuesOf(field)[0]);
    const key = values.join('\0');
    let row = this.points.get(key);
    if (row === undefined) {
      row = { ...describePoint(dissection, values), frames: 0, bytes: 0 };
      this.points.set(key, row);
    }
    row.frames++;
    row.bytes += dissection.frame.originalLength;
    const point = dissection.get(TAP_POINT);
    const identity = point === undefined ? 0 : identityOf(dissection.datagram);
    if (point === undefined || identity === 0) return;
    const frame = dissection.frame;
    this.index.register(frame.number, identity, point, frame.tsSec, frame.tsNsec);
    this.linked++;
    this.counted = undefined;
  }

  /** The packets' paths from every frame added so far (counted again only after more were added). */
  packetPaths(): PacketPaths {
    if (this.counted !== undefined) return this.counted;
    const paths = new Map<string, number>();
    const lastSeen = new Map<string, number>();
    if (this.linked > 0) {
      this.index.forEachPacket(({ path, lastSeen: last }) => {
        paths.set(path, (paths.get(path) ?? 0) + 1);
        lastSeen.set(last, (lastSeen.get(last) ?? 0) + 1);
      });
    }
    const counts = (map: Map<string, number>) => [...map].map(([text, packets]) => ({ text, packets })).sort((a, b) => b.packets - a.packets);
    this.counted = { paths: counts(paths), lastSeen: counts(lastSeen) };
    return this.counted;
  }
}

/** A point's label and filter from the tap fields the frame carries. */
function describePoint(dissection: Dissection, values: readonly unknown[]): { label: string; filter: string } {
  const point = dissection.get(TAP_POINT);
  const [kind, direction, iface, family, hook, prefix] = values as (string | number | undefined)[];
  const conditions = POINT_FIELDS.flatMap((field, i) => (values[i] === undefined ? [] : [`${field.abbrev} == ${typeof values[i] === 'string' ? stringLiteral(values[i]) : String(values[i])}`]));
  const filter = conditions.join(' && ');
  // NFLOG's IPv4 and IPv6 hooks are points of their own.
  if (point !== undefined) return { label: family === undefined ? point.label : `${point.label}, ${String(family)}`, filter };
  if (kind === 'unknown' || kind === undefined) return { label: iface === undefined ? 'not recorded by the capture' : `${String(iface)}, direction not recorded`, filter };
  const parts = kind === 'nflog' ? ['NFLOG', family, hook, prefix === undefined ? undefined : `(${String(prefix)})`] : [String(kind).toUpperCase(), direction, iface];
  return { label: parts.filter((part) => part !== undefined && part !== '').join(' '), filter };
}
