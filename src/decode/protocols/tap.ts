// Where the kernel copied this frame and what that implies, from what the capture carries: the SLL/SLL2
// packet type, pcapng epb_flags, the NFLOG header, and (live) the running kernel. The facts are in
// shared/docs/kernel-taps.md; src/decode/taps holds the pipeline model this dissector reads.
import type { ByteView } from '../byte-view.js';
import type { Dissector } from '../dissector.js';
import type { Datagram, Dissection } from '../dissection.js';
import { defineFields, defineProtocol, fieldsByAbbrev, type FieldDef } from '../field.js';
import { Direction, directionOf, type BlindSpot } from '../../capture/frame.js';
import { IpProtocol } from './ip-protocols.js';
import { ARPHRD_LOOPBACK, PACKET_TYPE_NAMES, V1, V2 } from './sll.js';
import { HEADER as NFLOG_HEADER, NflogTlv, nflogPrefix, PACKET_HDR, walkNflogTlvs } from './nflog.js';
import {
  isInetFamily,
  joinedStages,
  NfInetHook,
  nfFamilyName,
  nfHookName,
  nfInetDirection,
  nfInetStages,
  pipelineTexts,
} from '../taps/kernel-pipeline.js';
import { transportChecksumIsPartial } from '../taps/checksum.js';
import { DropLinks, dropFields, type LinkedDrop } from '../taps/drop-links.js';
import { identityOf } from '../taps/packet-identity.js';
import { pathFields, PointKind, TAP_POINT, TapPathIndex, type TapPoint } from '../taps/tap-paths.js';
import { NetfilterVerdicts, verdictFields, type TracedPacket } from '../taps/verdicts.js';
import { addProcess, procFields } from './proc.js';
import { addCopies, HOP_FIELDS, hopFields } from '../taps/hop-changes.js';
import { copyFields } from '../taps/copy-fields.js';

const LinkType = { ETHERNET: 1, SLL: 113, NFLOG: 239, SLL2: 276 } as const;
/** Link types whose header says where the frame was copied, whatever the file's flags say. */
export const TAP_LINK_TYPES: ReadonlySet<number> = new Set([LinkType.SLL, LinkType.NFLOG, LinkType.SLL2]);

const PACKET_OUTGOING = 4;
/** pcapng epb_flags bits 2-4, the reception type, as Linux packet types. */
const EPB_RECEPTION_TYPES: Readonly<Record<number, string>> = { 1: 'host', 2: 'multicast', 3: 'broadcast', 4: 'otherhost' };
/** IEEE 802.3's payload limit, taken as the MTU of an Ethernet capture that does not record its own. */
export const ETHERNET_MTU = 1500;

export const tapFields = defineFields('tap', {
  point: { name: 'Tap point', type: 'string', blurb: 'af_packet, nflog or unknown' },
  direction: { name: 'Direction', type: 'string', blurb: 'ingress, egress or unknown' },
  pkttype: { name: 'Packet type', type: 'string', blurb: 'Linux packet type: host, broadcast, multicast, otherhost, outgoing' },
  iface: { name: 'Interface', type: 'string' },
  netns: { name: 'Network namespace', type: 'string', blurb: "The device's network namespace: its ip netns name, container, pod, or pid:PID(command)" },
  container: { name: 'Container', type: 'string', blurb: "The container the device's namespace belongs to: as -i named it, else its id from a process's cgroup" },
  pod: { name: 'Pod', type: 'string', blurb: "The Kubernetes pod the device's namespace belongs to: NAMESPACE/NAME as -i named it, else its uid from a process's cgroup" },
  kernel: { name: 'Kernel', type: 'string', blurb: 'The capturing kernel release, which names the functions' },
  hook: { name: 'Hook', type: 'string', blurb: 'Where the copy was made' },
  family: { name: 'Netfilter family', type: 'string', blurb: 'NFLOG: the family of the rule that copied the packet' },
  group: { name: 'NFLOG group', type: 'uint16', base: 'dec' },
  prefix: { name: 'Log prefix', type: 'string', blurb: 'NFLOG prefix of the rule that copied the packet' },
  before: { name: 'Before the copy', type: 'string', blurb: 'The stages that had run, in order' },
  after: { name: 'After the copy', type: 'string', blurb: 'The stages that had not yet run, in order' },
  implies: { name: 'Implies', type: 'string', blurb: 'What the copy point means for what this frame shows' },
  blind: { name: 'Blind spot', type: 'string', blurb: 'What acts on this device where this tap cannot see (found when the live capture started)' },
});
const fields = tapFields;

const DIRECTION_NAMES = ['unknown', 'ingress', 'egress'] as const;
type TapDirection = (typeof DIRECTION_NAMES)[number];

/**
 * What `dissect` learned that `finish` needs once the later layers ran. Dissection of one frame is
 * synchronous and the tap is never nested, so one record serves every frame.
 */
const current = {
  point: '', direction: 'unknown' as TapDirection, device: undefined as string | undefined, netns: '', peer: undefined as string | undefined, loopback: false, nflogHook: -1, nflogFamily: -1, nflogPrefix: '',
  /** What blinds the device's taps (live captures). */
  spots: undefined as readonly BlindSpot[] | undefined,
};

const NF_POINT_KINDS: readonly PointKind[] = [PointKind.PRE_ROUTING, PointKind.LOCAL_IN, PointKind.FORWARD, PointKind.LOCAL_OUT, PointKind.POST_ROUTING];

function addPacketType(ctx: Dissection, pkttype: number, at: number, length: number): void {
  current.direction = pkttype === PACKET_OUTGOING ? 'egress' : 'ingress';
  ctx.add(fields.direction, at, length, current.direction);
  ctx.add(fields.pkttype, at, length, PACKET_TYPE_NAMES[pkttype] ?? `unknown (${pkttype})`);
}

function addStages(ctx: Dissection, stages: { before: string; after: string }): void {
  if (stages.before !== '') ctx.generated(fields.before, stages.before);
  if (stages.after !== '') ctx.generated(fields.after, stages.after);
}

function addNflog(ctx: Dissection, view: ByteView): void {
  current.point = 'nflog';
  ctx.generated(fields.point, 'nflog');
  const family = view.u8(NFLOG_HEADER.FAMILY);
  current.nflogFamily = family;
  ctx.add(fields.family, NFLOG_HEADER.FAMILY, 1, nfFamilyName(family));
  ctx.add(fields.group, NFLOG_HEADER.RESOURCE_ID, 2, view.u16(NFLOG_HEADER.RESOURCE_ID));
  walkNflogTlvs(view, (type, at, length) => {
    if (type === NflogTlv.PACKET_HDR && length > PACKET_HDR.HOOK) {
      const hook = view.u8(at + PACKET_HDR.HOOK);
      current.nflogHook = hook;
      ctx.add(fields.hook, at + PACKET_HDR.HOOK, 1, nfHookName(family, hook));
      const inet = isInetFamily(family);
      current.direction = inet ? nfInetDirection(hook) : 'unknown';
      ctx.generated(fields.direction, current.direction);
      if (inet && (ctx.wants(fields.before) || ctx.wants(fields.after))) addStages(ctx, joinedStages(nfInetStages(hook)));
    } else if (type === NflogTlv.PREFIX) {
      current.nflogPrefix = nflogPrefix(view, at, length);
      ctx.add(fields.prefix, at, length, current.nflogPrefix);
    }
  });
}

/** An AF_PACKET copy: the hook and stages of its direction on this kernel. */
function addPacketSocketCopy(ctx: Dissection): void {
  const texts = pipelineTexts(ctx.frame.kernel);
  if (current.direction === 'ingress') {
    ctx.generated(fields.hook, texts.ingressHook);
    addStages(ctx, current.loopback ? texts.loopback : texts.ingress);
  } else if (current.direction === 'egress') {
    ctx.generated(fields.hook, texts.egressHook);
    addStages(ctx, texts.egress);
  }
}

const NAT_BY_NFLOG_HOOK: Readonly<Record<number, string>> = {
  [NfInetHook.PRE_ROUTING]: 'addresses are before DNAT if the rule runs ahead of dstnat (priority -100)',
  [NfInetHook.LOCAL_IN]: 'addresses are after DNAT',
  [NfInetHook.FORWARD]: 'addresses are after DNAT and before SNAT',
  [NfInetHook.LOCAL_OUT]: 'addresses are before SNAT',
  [NfInetHook.POST_ROUTING]: 'addresses are after SNAT if the rule runs behind srcnat (priority 100)',
};

/** The consequences of the copy point, chosen by direction and by what the frame shows. */
function addImplications(ctx: Dissection): void {
  const { direction, loopback, point } = current;
  const datagram = ctx.datagram;
  const ip = datagram.version !== 0;
  if (point === 'nflog') {
    if (ip && isInetFamily(current.nflogFamily)) {
      const nat = NAT_BY_NFLOG_HOOK[current.nflogHook];
      if (nat !== undefined) ctx.generated(fields.implies, nat);
    }
    ctx.generated(fields.implies, 'the timestamp is when the record was read (NFLOG batches, about 1 s late), not when the packet passed the hook');
  } else if (loopback) {
    ctx.generated(fields.implies, 'loopback: this is the receive-side copy; libpcap hides the transmit copy');
    if (ip) ctx.generated(fields.implies, 'addresses are after the sender\'s OUTPUT and POSTROUTING NAT, before PREROUTING DNAT');
  } else if (direction === 'ingress') {
    ctx.generated(fields.implies, 'dropped later by tc, netfilter or routing: still shown here');
    if (ip) ctx.generated(fields.implies, 'addresses are before DNAT');
  } else if (direction === 'egress') {
    ctx.generated(fields.implies, 'dropped by OUTPUT, POSTROUTING, tc egress or the qdisc: never shown here');
    if (ip) ctx.generated(fields.implies, 'addresses are after SNAT');
  }
  if (!ip) return;
  const transport = datagram.protocol === IpProtocol.TCP ? 'TCP' : datagram.protocol === IpProtocol.UDP ? 'UDP' : undefined;
  if (transport !== undefined && !datagram.fragment && transportChecksumIsPartial(datagram)) {
    ctx.generated(fields.implies, `${transport} checksum not yet filled (checksum offload)`);
  }
  const knownMtu = ctx.frame.mtu;
  const ethernet = ctx.frame.linkType === LinkType.ETHERNET || ctx.frame.linkType === LinkType.SLL || ctx.frame.linkType === LinkType.SLL2;
  const mtu = knownMtu ?? (ethernet && !loopback ? ETHERNET_MTU : undefined);
  if (mtu !== undefined && datagram.length > mtu) {
    const why = direction === 'egress' ? 'GSO: the device or its peer segments it' : direction === 'ingress' ? 'GRO: segments merged before the copy' : 'GSO/GRO';
    ctx.generated(fields.implies, `frame larger than the MTU (${why}): ${datagram.length}-byte datagram, MTU ${mtu}${knownMtu === undefined ? ' assumed' : ''}`);
  }
}

export const tap: Dissector = {
  protocol: defineProtocol('tap', 'Tap'),
  short: 'Tap',
  // By name: tap.container and proc.container share a key in their tables.
  fields: fieldsByAbbrev(fields, pathFields, hopFields, verdictFields, dropFields, procFields),
  bindings: [],
  dissect(view, _offset, ctx) {
    const frame = ctx.frame;
    current.point = 'af_packet';
    current.direction = 'unknown';
    current.device = frame.device;
    current.loopback = false;
    current.nflogHook = -1;
    current.nflogFamily = -1;
    current.nflogPrefix = '';
    switch (frame.linkType) {
      case LinkType.SLL:
        ctx.generated(fields.point, 'af_packet');
        addPacketType(ctx, view.u16(V1.PKTTYPE), V1.PKTTYPE, 2);
        current.loopback = view.u16(V1.HATYPE) === ARPHRD_LOOPBACK;
        break;
      case LinkType.SLL2:
        ctx.generated(fields.point, 'af_packet');
        addPacketType(ctx, view.u8(V2.PKTTYPE), V2.PKTTYPE, 1);
        current.loopback = view.u16(V2.HATYPE) === ARPHRD_LOOPBACK;
        // An `any` capture: the device the frame came by, from the ifindex its header records.
        current.device = frame.deviceName?.(view.u32(V2.IFINDEX)) ?? current.device;
        break;
      case LinkType.NFLOG:
        addNflog(ctx, view);
        break;
      default: {
        const direction = directionOf(frame.flags);
        current.point = direction === Direction.UNKNOWN ? 'unknown' : 'af_packet';
        current.direction = DIRECTION_NAMES[direction];
        ctx.generated(fields.point, current.point);
        ctx.generated(fields.direction, current.direction);
        const pkttype = direction === Direction.OUTBOUND ? 'outgoing' : EPB_RECEPTION_TYPES[(frame.flags >>> 2) & 7];
        if (pkttype !== undefined) ctx.generated(fields.pkttype, pkttype);
      }
    }
    current.loopback ||= current.device === 'lo';
    const device = current.device;
    current.netns = frame.netns ?? '';
    current.peer = frame.peer;
    // Devices of different namespaces may share a name (every pod's eth0): a point is a device in its namespace.
    current.device = device !== undefined && frame.netns !== undefined ? frame.deviceInNetns : device;
    const spots = current.device === undefined ? undefined : frame.blindSpots?.get(current.device);
    current.spots = spots;
    const point = tapPoint(current.device ?? '');
    if (point !== undefined) ctx.set(TAP_POINT, point);
    if (device !== undefined) ctx.generated(fields.iface, device);
    if (frame.netns !== undefined) ctx.generated(fields.netns, frame.netns);
    if (frame.container !== undefined) ctx.generated(fields.container, frame.container);
    if (frame.pod !== undefined) ctx.generated(fields.pod, frame.pod);
    if (spots !== undefined) for (const spot of spots) if (spot.direction === 'both' || spot.direction === current.direction) ctx.generated(fields.blind, spot.text);
    if (current.point !== 'unknown') ctx.generated(fields.kernel, frame.kernel?.release ?? 'unknown kernel');
    if (current.point === 'af_packet') addPacketSocketCopy(ctx);
    if (ctx.tree) ctx.layerSummary(tapSummary(current.device), 0);
  },
  finish(ctx) {
    if (current.point !== 'unknown' && ctx.wants(fields.implies)) addImplications(ctx);
    // Steps are recalled in the order they were recorded: the path's first, which every thread replays.
    const paths = ctx.memory.findState<TapPathIndex>(TapPathIndex);
    if (paths !== undefined) registerPath(ctx, paths);
    const verdicts = ctx.memory.findState<NetfilterVerdicts>(NetfilterVerdicts);
    const traced = verdicts === undefined ? undefined : linkedFate(ctx, verdicts);
    const drops = ctx.memory.findState<DropLinks>(DropLinks);
    const dropped = drops === undefined ? undefined : linkedFate(ctx, drops);
    if (paths !== undefined) addPath(ctx, paths, traced, dropped);
    if (traced !== undefined) addVerdict(ctx, traced);
    if (dropped !== undefined) {
      ctx.openGenerated(dropFields.drop_reason, dropped.reason);
      ctx.generated(dropFields.drop_location, dropped.location);
      ctx.close();
    }
    const owners = ctx.frame.socketOwners;
    if (owners !== undefined) addProcess(ctx, owners, current.direction);
  },
};

/** A point made and what it was made from. */
interface MadePoint {
  point: string;
  direction: string;
  iface: string;
  nflogHook: number;
  nflogFamily: number;
  nflogPrefix: string;
  made: TapPoint | undefined;
}

/**
 * The points made last, newest first: a capture's frames come in runs at a few points (several sources
 * interleave theirs), and the same point object lets the path index know it without a lookup.
 */
const madePoints: MadePoint[] = [];
const MADE_POINTS_KEPT = 16;

/** The frame's point on a packet's way, for linking: an AF_PACKET copy with a direction, or an NFLOG inet hook. */
function tapPoint(iface: string): TapPoint | undefined {
  for (let at = 0; at < madePoints.length; at++) {
    const made = madePoints[at];
    if (
      made.point === current.point && made.direction === current.direction && made.iface === iface
      && made.nflogHook === current.nflogHook && made.nflogFamily === current.nflogFamily && made.nflogPrefix === current.nflogPrefix
    ) {
      return made.made;
    }
  }
  const { point, direction, nflogHook, nflogFamily, nflogPrefix } = current;
  const made = makeTapPoint(iface);
  madePoints.unshift({ point, direction, iface, nflogHook, nflogFamily, nflogPrefix, made });
  if (madePoints.length > MADE_POINTS_KEPT) madePoints.pop();
  return made;
}

function makeTapPoint(iface: string): TapPoint | undefined {
  if (current.point === 'af_packet' && current.direction !== 'unknown') {
    const kind = current.direction === 'egress' ? PointKind.AF_EGRESS : PointKind.AF_INGRESS;
    const redirect = current.spots?.find((spot) => (spot.direction === current.direction || spot.direction === 'both') && spot.redirectedBy !== undefined)?.redirectedBy;
    return {
      label: `${current.direction} AF_PACKET${iface === '' ? '' : ' ' + iface}`, kind, iface, netns: current.netns,
      ...(current.peer === undefined ? {} : { peer: current.peer }),
      ...(redirect === undefined ? {} : { redirectedBy: `${redirect} on ${iface}` }),
    };
  }
  const hook = current.nflogHook;
  if (current.point !== 'nflog' || !isInetFamily(current.nflogFamily) || hook < 0 || hook >= NF_POINT_KINDS.length) return undefined;
  const name = nfHookName(current.nflogFamily, hook).replace('NF_INET_', '');
  return { label: `NF ${name}${current.nflogPrefix === '' ? '' : ` (${current.nflogPrefix})`}`, kind: NF_POINT_KINDS[hook], iface: '', netns: current.netns };
}

/** What a capture learned of the frame's packet (its trace, its drop): linked when the frame is first decoded, recalled after. */
function linkedFate<Fate>(ctx: Dissection, fates: { link(datagram: Datagram, seconds: number): Fate | undefined }): Fate | undefined {
  const memory = ctx.memory;
  if (memory.remembered) return memory.recall<Fate | undefined>();
  const frame = ctx.frame;
  return memory.record(fates.link(ctx.datagram, frame.tsSec + frame.tsNsec / 1e9));
}

function addVerdict(ctx: Dissection, traced: TracedPacket): void {
  ctx.openGenerated(verdictFields.verdict, traced.verdict);
  if (traced.verdictBy !== '') ctx.generated(verdictFields.verdict_by, traced.verdictBy);
  if (ctx.wants(verdictFields.nft_trace)) for (const step of traced.steps) ctx.generated(verdictFields.nft_trace, step);
  ctx.close();
}

/** Registers the frame at its tap point (first pass only). */
function registerPath(ctx: Dissection, paths: TapPathIndex): void {
  const frame = ctx.frame;
  const memory = ctx.memory;
  if (memory.remembered) memory.recall<number>();
  else {
    const identity = identityOf(ctx.datagram);
    const point = identity === 0 ? undefined : tapPoint(current.device ?? '');
    if (point !== undefined) paths.register(frame.number, identity, point, frame.tsSec, frame.tsNsec, ctx.datagram, frame.linkType);
    memory.record(0);
  }
}

/** The path the frame's packet is on so far, ending at the rule or the kernel function that dropped it. */
function addPath(ctx: Dissection, paths: TapPathIndex, traced: TracedPacket | undefined, drop: LinkedDrop | undefined): void {
  const frame = ctx.frame;
  // TCP's analysis names a segment's first sighting (tap-copies.ts); the path index every other packet's.
  if (ctx.datagram.protocol !== IpProtocol.TCP && ctx.wants(copyFields.copy_of)) {
    const first = paths.copyOf(frame.number);
    if (first !== undefined) ctx.generated(copyFields.copy_of, first);
  }
  const path = ctx.wants(pathFields.path) || ctx.wants(pathFields.last_seen) ? paths.pathOf(frame.number) : undefined;
  if (path !== undefined) {
    // A rule's drop names more than the kernel's NETFILTER_DROP in nf_hook_slow would.
    const dropped = traced?.verdict === 'drop' ? ` → dropped by ${traced.verdictBy}` : drop !== undefined ? ` → dropped: ${drop.reason} in ${drop.location}` : '';
    ctx.generated(pathFields.path, path.path + dropped);
    ctx.generated(pathFields.last_seen, path.lastSeen);
  }
  if (HOP_FIELDS.some((field) => ctx.wants(field))) addCopies(ctx, paths);
}

function tapSummary(iface: string | undefined): string {
  const where = iface === undefined ? '' : ` on ${iface}`;
  if (current.point === 'nflog') return `Tap: NFLOG${where}, ${current.direction}`;
  if (current.point === 'unknown') return 'Tap: not recorded by the capture';
  return `Tap: AF_PACKET${where}, ${current.direction}${current.loopback ? ' (loopback, receive-side copy)' : ''}`;
}

/** The fields a Tap column reads: a dissection that prints or shows the column collects them. */
export const TAP_COLUMN_FIELDS: readonly FieldDef[] = [fields.direction, fields.iface, fields.netns, verdictFields.verdict, dropFields.drop_reason];

const ARROWS: Readonly<Record<string, string>> = { ingress: '↓', egress: '↑' };

/** `↓` or `↑`: the direction the kernel copied the frame in, '' when unknown. */
export function tapArrow(dissection: Dissection): string {
  return ARROWS[String(dissection.valuesOf(fields.direction)[0])] ?? '';
}

/**
 * What the Tap column adds to the arrow for the packet's fate: `✗` for a drop (netfilter's with --trace,
 * the kernel's with --drops), `⤳` for a verdict that takes the packet elsewhere (queue, stolen), '' for
 * accepted packets and those of unknown fate.
 */
export function verdictMark(dissection: Dissection): string {
  if (dissection.valuesOf(dropFields.drop_reason).length > 0) return '✗';
  const verdict = dissection.valuesOf(verdictFields.verdict)[0];
  if (verdict === undefined || verdict === 'accept') return '';
  return verdict === 'drop' ? '✗' : '⤳';
}

/** The capturing interface's name, `eth0@pod-a` in a named namespace, when the capture names it (raw: the caller sanitises it). */
export function tapInterface(dissection: Dissection): string | undefined {
  const name = dissection.valuesOf(fields.iface)[0];
  const netns = dissection.valuesOf(fields.netns)[0];
  return name === undefined ? undefined : netns === undefined ? String(name) : `${String(name)}@${String(netns)}`;
}
