// Where a packet was last seen: frames that are one packet copied at different tap points (an interface's
// ingress and egress, NFLOG rules at netfilter hooks) are linked by an identity that survives the stack
// and NAT, and put in the order the kernel passes the points, not in timestamp order: NFLOG records are
// stamped when read, about a second late. Frames with one identity (packet-identity.ts) are linked when
// they are at most LINK_WINDOW_S apart. Limits (README "Where a packet was last seen"): identical packets
// within the window (retransmitted UDP with IPv4 id 0) link to the nearest copy.
import { doubled } from '../../util/typed-arrays.js';
import { HeaderColumns, HOP_FIELDS } from './hop-changes.js';
import { LatestByIdentity, NO_FRAME } from './latest-by-identity.js';
import { copyFields } from './copy-fields.js';
import { FrameSlot, type Datagram } from '../dissection.js';
import { defineFields, type FieldDef } from '../field.js';

export const pathFields = defineFields('tap', {
  path: { name: 'Path', type: 'string', blurb: 'The tap points this packet passed, in kernel order, and the next one it did not reach' },
  last_seen: { name: 'Last seen', type: 'string', blurb: 'The last tap point this packet passed' },
});

/** Whether any of these fields needs the frames linked (a decoder with `linkTapPaths`). */
export function readsTapPaths(fields: readonly FieldDef[]): boolean {
  return fields.some((field) => field === pathFields.path || field === pathFields.last_seen || field === copyFields.copy_of || HOP_FIELDS.includes(field));
}

export const LINK_WINDOW_S = 3;
/**
 * Frames of one identity looked at, at most, to link a frame: identical packets (a flood of one datagram,
 * IPv4 id 0) make chains as long as the window holds, which each frame would walk.
 */
const MAX_CHAIN_STEPS = 256;
/**
 * A windowed index keeps the frames of this many seconds before the newest (twice the link window), and
 * at most KEPT_FRAMES of them: print mode holds at most 100,000 frames (held-frames.ts) before it asks.
 */
const KEPT_S = 2 * LINK_WINDOW_S;
const KEPT_FRAMES = 1 << 18;

/** A tap point's place on the way through the stack: points of a lower rank see a packet first. */
export const PointRank = { INGRESS: 0, PRE_ROUTING: 1, MIDDLE: 2, POST_ROUTING: 3, EGRESS: 4 } as const;
export type PointRank = (typeof PointRank)[keyof typeof PointRank];

/** What a point is, for deciding which point a packet should have reached next. */
export const PointKind = { AF_INGRESS: 0, AF_EGRESS: 1, PRE_ROUTING: 2, LOCAL_IN: 3, FORWARD: 4, LOCAL_OUT: 5, POST_ROUTING: 6 } as const;
export type PointKind = (typeof PointKind)[keyof typeof PointKind];

/** An AF_PACKET copy is stamped when made; NFLOG's when read, about a second late. */
function isAfPacket(kind: PointKind): boolean {
  return kind === PointKind.AF_INGRESS || kind === PointKind.AF_EGRESS;
}

const RANK_OF_KIND: readonly PointRank[] = [
  PointRank.INGRESS,
  PointRank.EGRESS,
  PointRank.PRE_ROUTING,
  PointRank.MIDDLE,
  PointRank.MIDDLE,
  PointRank.MIDDLE,
  PointRank.POST_ROUTING,
];

export interface TapPoint {
  label: string;
  kind: PointKind;
  /** The interface, for AF_PACKET points: a forwarded packet does not leave by the one it came in by. */
  iface: string;
  /** The network namespace the point is in ('' for the capture's own): each is a stack of its own. */
  netns: string;
  /** An ingress point's veth peer (`lxc1@host`): a packet arriving here was sent by it, so its egress copy is expected. */
  peer?: string;
  /** A program here that redirects packets past other taps (blind-spots.ts found it), and its device. */
  redirectedBy?: string;
}

/** Where the capture copied the frame being dissected: the tap pseudo-layer leaves it for TCP's analysis. */
export const TAP_POINT = new FrameSlot<TapPoint>();

export interface TapPath {
  path: string;
  lastSeen: string;
}

/** One copy of a packet: its frame's number and tap point. */
export interface PacketCopy {
  number: number;
  label: string;
}

/** From one copy of a packet to the next in kernel order: the time between (AF_PACKET copies) and what changed. */
export interface Hop {
  from: PacketCopy;
  to: PacketCopy;
  nanoseconds: number | undefined;
  changes: string[];
}

/** Every linked frame of a capture, by identity; kept in the decoder's capture memory, filled in frame order. */
export class TapPathIndex {
  /**
   * The index of the first frame registered: the columns hold frames from it on. A decoder that carries on
   * from frame 16 million (--keep) would otherwise grow them to 16 million slots on its first frame.
   */
  private base = -1;
  /** Times are kept as seconds after this one: a double holds nanoseconds only that close. */
  private baseSec = 0;
  private identities = new Uint32Array(1024);
  private pointOf = new Uint16Array(1024);
  private seconds = new Float64Array(1024);
  /** The previous frame (its 0-based index, not its slot) with the same identity, or NO_FRAME. */
  private previousSame = new Int32Array(1024);
  private latestByIdentity = new LatestByIdentity();
  private readonly points: TapPoint[] = [];
  private readonly pointByLabel = new Map<string, number>();
  /** Each point object's id: the same object comes with every frame at its point. */
  private readonly idOfPoint = new WeakMap<TapPoint, number>();
  private frames = 0;
  private readonly headers = new HeaderColumns();
  /** copiesOf's answer: the nearest frame of each point (NO_FRAME: none), and the points that have one. */
  private nearestOfPoint = new Int32Array(64).fill(NO_FRAME);
  private readonly copyPoints: number[] = [];

  /**
   * `windowed` (print mode, which asks only of frames within the link window of the newest): frames more
   * than KEPT_S older than the newest are let go as the columns fill, so a capture that runs for days
   * holds a few seconds of them.
   */
  constructor(private readonly windowed = false) {}

  /**
   * Records frame `number` (1-based, in order; gaps are frames with no identity) copied at `point`, and
   * the headers of its `datagram` (what a hop changes).
   */
  register(number: number, identity: number, point: TapPoint, tsSec: number, tsNsec: number, datagram?: Datagram, linkType = 0): void {
    if (this.base < 0) {
      this.base = number - 1;
      this.baseSec = tsSec;
    }
    const index = number - 1;
    const seconds = tsSec - this.baseSec + tsNsec / 1e9;
    if (this.windowed && index - this.base >= this.identities.length) this.letGoBefore(seconds - KEPT_S);
    const slot = index - this.base;
    while (slot >= this.identities.length) {
      this.identities = doubled(this.identities);
      this.pointOf = doubled(this.pointOf);
      this.seconds = doubled(this.seconds);
      this.previousSame = doubled(this.previousSame);
    }
    this.identities[slot] = identity;
    this.pointOf[slot] = this.pointId(point);
    this.seconds[slot] = seconds;
    this.previousSame[slot] = this.latestByIdentity.replace(identity, index);
    if (datagram !== undefined) this.headers.record(slot, datagram, linkType);
    this.frames = Math.max(this.frames, number);
  }

  /**
   * Lets go of the frames stamped before `oldest` (seconds after baseSec) when they fill a quarter of the
   * columns or more: the others move to the start, their links made again among themselves.
   */
  private letGoBefore(oldest: number): void {
    const used = this.frames - this.base;
    let drop = 0;
    while (drop < used && (this.identities[drop] === 0 || this.seconds[drop] < oldest)) drop++;
    drop = Math.max(drop, used - KEPT_FRAMES);
    if (drop < this.identities.length / 4) return;
    for (const column of [this.identities, this.pointOf, this.seconds]) column.copyWithin(0, drop, used);
    this.headers.moveToStart(drop, used);
    this.base += drop;
    this.latestByIdentity = new LatestByIdentity();
    for (let slot = 0; slot < used - drop; slot++) {
      const identity = this.identities[slot];
      this.previousSame[slot] = identity === 0 ? NO_FRAME : this.latestByIdentity.replace(identity, this.base + slot);
    }
    this.identities.fill(0, used - drop);
  }

  /** Frame `index`'s slot in the columns, or -1 when it is not one of theirs. */
  private slotOf(index: number): number {
    const slot = index - this.base;
    return this.base < 0 || slot < 0 || index >= this.frames || this.identities[slot] === 0 ? -1 : slot;
  }

  /** The path of frame `number`, from every frame registered so far; undefined when it was not registered. */
  pathOf(number: number): TapPath | undefined {
    const index = number - 1;
    if (this.slotOf(index) < 0) return undefined;
    return this.describe(this.copiesOf(index));
  }

  /** Frame `number`'s packet's copies in kernel order and the hops between them; undefined with no other copy. */
  copiesInOrder(number: number): { copies: PacketCopy[]; hops: Hop[] } | undefined {
    const index = number - 1;
    if (this.slotOf(index) < 0) return undefined;
    const seen = this.inKernelOrder(this.copiesOf(index));
    if (seen.length < 2) return undefined;
    const copies = seen.map(([point, frame]) => ({ number: frame + 1, label: this.points[point].label }));
    const hops = copies.slice(1).map((to, at) => {
      const [fromPoint, fromFrame] = seen[at];
      const [toPoint, toFrame] = seen[at + 1];
      const stamped = isAfPacket(this.points[fromPoint].kind) && isAfPacket(this.points[toPoint].kind);
      const nanoseconds = stamped ? Math.round((this.seconds[toFrame - this.base] - this.seconds[fromFrame - this.base]) * 1e9) : undefined;
      return { from: copies[at], to, nanoseconds, changes: this.headers.changes(fromFrame - this.base, toFrame - this.base) };
    });
    return { copies, hops };
  }

  /** The first frame of frame `number`'s packet when it is a later copy of it: what the fold hides. */
  copyOf(number: number): number | undefined {
    const index = number - 1;
    if (this.slotOf(index) < 0) return undefined;
    const first = this.firstCopy(this.copiesOf(index), index);
    return first < index ? first + 1 : undefined;
  }

  /**
   * Every packet once, with its path from every frame registered: a packet is counted at the first of the
   * copies its path links (identical packets within the window may be counted twice, as they may link to
   * either copy).
   */
  forEachPacket(visit: (path: TapPath) => void): void {
    for (let index = Math.max(0, this.base); index < this.frames; index++) {
      if (this.slotOf(index) < 0) continue;
      const copies = this.copiesOf(index);
      if (this.firstCopy(copies, index) === index) visit(this.describe(copies));
    }
  }

  /**
   * The number of the first of frame `number`'s copies, the same for every copy of one packet (pcapng's
   * epb_packetid: Wireshark then lists them with `frame.packet_id == N`); undefined for a frame with no
   * copy at another point.
   */
  packetIdOf(number: number): number | undefined {
    const index = number - 1;
    if (this.slotOf(index) < 0) return undefined;
    const copies = this.copiesOf(index);
    return copies > 1 ? this.firstCopy(copies, index) + 1 : undefined;
  }

  /** The earliest frame (0-based) of `index` and the `count` copies copiesOf found. */
  private firstCopy(count: number, index: number): number {
    let first = index;
    for (let at = 0; at < count; at++) first = Math.min(first, this.nearestOfPoint[this.copyPoints[at]]);
    return first;
  }

  /**
   * The frame (0-based) of each point nearest in time to frame `index` with its identity: how many points
   * have one, in copyPoints and nearestOfPoint (left for the next call to clear: no allocation a frame).
   */
  private copiesOf(index: number): number {
    const { base, copyPoints } = this;
    if (this.nearestOfPoint.length < this.points.length) this.nearestOfPoint = new Int32Array(this.points.length * 2).fill(NO_FRAME);
    const nearest = this.nearestOfPoint;
    for (const point of copyPoints) nearest[point] = NO_FRAME;
    copyPoints.length = 0;
    const identity = this.identities[index - base];
    const at = this.seconds[index - base];
    let steps = 0;
    for (let other = this.latestByIdentity.get(identity); other !== NO_FRAME && steps < MAX_CHAIN_STEPS; other = this.previousSame[other - base], steps++) {
      const seconds = this.seconds[other - base];
      const distance = Math.abs(seconds - at);
      if (seconds < at - LINK_WINDOW_S) break;
      if (distance > LINK_WINDOW_S) continue;
      const point = this.pointOf[other - base];
      const chosen = nearest[point];
      if (chosen === NO_FRAME) copyPoints.push(point);
      if (chosen === NO_FRAME || distance < Math.abs(this.seconds[chosen - base] - at)) nearest[point] = other;
      // The chain goes back in time: past this frame, each point's first is its nearest.
      if (seconds <= at && copyPoints.length === this.points.length) break;
    }
    return copyPoints.length;
  }

  /**
   * The points the copies passed, in kernel order, and the next one they did not reach. Within one network
   * namespace the order is the stack's (NFLOG's times are late); the namespaces a packet crossed are in the
   * order their AF_PACKET copies were stamped (a veth hands the packet on after its egress copy).
   */
  private describe(count: number): TapPath {
    const seen = this.inKernelOrder(count);
    const seenPoints = seen.map(([point]) => this.points[point]);
    const last = seenPoints[seenPoints.length - 1];
    const missing = this.nextExpected(seenPoints.filter((point) => point.netns === last.netns));
    const labels: string[] = [];
    seenPoints.forEach((point, index) => {
      // A packet that arrives at a veth without a copy at its peer's egress went around that tap (bpf_redirect_peer).
      const sender = point.kind === PointKind.AF_INGRESS && point.peer !== undefined ? this.points.find((other) => other.kind === PointKind.AF_EGRESS && other.iface === point.peer) : undefined;
      if (sender !== undefined && index > 0 && !seenPoints.includes(sender)) {
        const redirected = seenPoints[index - 1].redirectedBy;
        labels.push(`${sender.label}: not seen${redirected === undefined ? '' : ` (redirected by ${redirected})`}`);
      }
      labels.push(point.label);
    });
    if (missing.length > 0) labels.push(`${missing.map((point) => point.label).join(' or ')}: not seen`);
    return { path: labels.join(' → '), lastSeen: last.label };
  }

  /** copiesOf's `count` copies as [point, frame] in the order the kernel made them (see describe). */
  private inKernelOrder(count: number): [number, number][] {
    const copies: [number, number][] = this.copyPoints.slice(0, count).map((point) => [point, this.nearestOfPoint[point]]);
    const entered = new Map<string, number>();
    for (const [point, frame] of copies) {
      const { netns, kind } = this.points[point];
      const stamped = isAfPacket(kind) ? this.seconds[frame - this.base] : Number.POSITIVE_INFINITY;
      entered.set(netns, Math.min(entered.get(netns) ?? Number.POSITIVE_INFINITY, stamped));
    }
    return copies.sort(([pointA, frameA], [pointB, frameB]) => {
      const a = this.points[pointA];
      const b = this.points[pointB];
      return (entered.get(a.netns) as number) - (entered.get(b.netns) as number) || a.netns.localeCompare(b.netns)
        || RANK_OF_KIND[a.kind] - RANK_OF_KIND[b.kind] || this.seconds[frameA - this.base] - this.seconds[frameB - this.base];
    });
  }

  /**
   * The points of this capture the packet should have passed next and did not: of the lowest rank after
   * its last point that its way through the stack (arriving, forwarded, sent) can reach.
   */
  private nextExpected(seen: readonly TapPoint[]): TapPoint[] {
    const kinds = new Set(seen.map((point) => point.kind));
    if (kinds.has(PointKind.LOCAL_IN) || kinds.has(PointKind.AF_EGRESS)) return [];
    const lastRank = RANK_OF_KIND[seen[seen.length - 1].kind];
    const leaving = kinds.has(PointKind.FORWARD) || kinds.has(PointKind.LOCAL_OUT) || lastRank >= PointRank.MIDDLE;
    const arrivedBy = seen.find((point) => point.kind === PointKind.AF_INGRESS)?.iface;
    const netns = seen[0].netns;
    const candidates = this.points.filter((point) => {
      const rank = RANK_OF_KIND[point.kind];
      if (point.netns !== netns) return false;
      if (rank <= lastRank) return false;
      // Arriving: whether it is for this host or to be forwarded is not known before the middle hook.
      if (!leaving) return rank <= PointRank.MIDDLE && point.kind !== PointKind.LOCAL_OUT;
      return rank > PointRank.MIDDLE && !(point.kind === PointKind.AF_EGRESS && point.iface === arrivedBy);
    });
    if (candidates.length === 0) return [];
    const nextRank = Math.min(...candidates.map((point) => RANK_OF_KIND[point.kind]));
    return candidates.filter((point) => RANK_OF_KIND[point.kind] === nextRank);
  }

  private pointId(point: TapPoint): number {
    // Frames at one point share its object (tap.ts keeps the points it made): known by it, else by its label.
    let id = this.idOfPoint.get(point);
    if (id !== undefined) return id;
    id = this.pointByLabel.get(point.label);
    if (id === undefined) {
      id = this.points.length;
      this.points.push(point);
      this.pointByLabel.set(point.label, id);
    }
    this.idOfPoint.set(point, id);
    return id;
  }
}
