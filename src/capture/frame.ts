// The unit every capture source produces and every consumer (store, dissector, writer) takes.
// Timestamps are whole seconds plus nanoseconds as two numbers rather than one bigint: pcap stores them
// that way, both fit a double exactly, and a million frames then cost no bigint allocations.

/** libpcap's and Wireshark's limit on one frame's captured bytes (MAXIMUM_SNAPLEN), for every source. */
export const MAX_CAPLEN = 262144;

export interface Frame {
  tsSec: number;
  tsNsec: number;
  capturedLength: number;
  originalLength: number;
  linkType: number;
  /** Index into the reader's interface list (unique across pcapng sections). */
  interfaceId: number;
  /** pcapng epb_flags word; 0 when the source says nothing. */
  flags: number;
  comment: string | undefined;
  /** Valid only until the reader's callback returns (readers reuse the Frame too): consumers that keep it copy it. */
  data: Uint8Array;
  /** Byte offset of `data` in the source, so a file-backed store can read it again. */
  dataOffset: number;
}

/** A Frame for a reader to fill in and hand out again for every frame it reads. */
export function blankFrame(linkType = 0): Frame {
  return {
    tsSec: 0,
    tsNsec: 0,
    capturedLength: 0,
    originalLength: 0,
    linkType,
    interfaceId: 0,
    flags: 0,
    comment: undefined,
    data: new Uint8Array(0),
    dataOffset: 0,
  };
}

export interface InterfaceInfo {
  linkType: number;
  snaplen: number;
  name: string | undefined;
  description: string | undefined;
  /** The file numbers its interfaces (pcapng): frames then have an interface id and name, like Wireshark's. */
  numbered: boolean;
  filter: string | undefined;
  /** Timestamp units per second: 1e6 for µs pcap, 1e9 for ns, any power of 2 or 10 for pcapng. */
  tsUnitsPerSecond: bigint;
  tsOffsetSec: bigint;
  /** `uname -r` of the kernel that captured (live sources); the tap annotations name its functions. */
  kernelRelease?: string;
  /** The interface's MTU when the source knows it (live), for "frame larger than the MTU". */
  mtu?: number;
  /** A live `any` capture's device names by ifindex (its cooked header records the index), for the tap. */
  deviceName?: (ifindex: number) => string | undefined;
  /** The network namespace the device is in, when the capture named one (pcapng: in if_description). */
  netns?: string;
  /** The container and Kubernetes pod that namespace belongs to, when known (their runtime, or a process's cgroup). */
  container?: string;
  pod?: string;
  /** A veth's other end (`eth0@pod-a`, a live capture in namespaces): what a packet arriving here left by. */
  peer?: string;
  /** A live capture's finder of the process of each flow (--proc), for proc.*; in a worker's copy, RECALLED_OWNERS. */
  socketOwners?: FlowOwners | typeof RECALLED_OWNERS;
  /** What blinds the taps of each captured device (found when a live capture started), for tap.blind. */
  blindSpots?: ReadonlyMap<string, readonly BlindSpot[]>;
}

/** One blind spot of a device's taps: the tap it concerns and why (blind-spots.ts finds them). */
export interface BlindSpot {
  device: string;
  direction: 'ingress' | 'egress' | 'both';
  text: string;
  /** A program that redirects packets from this tap past others: `tcx ingress program cil_from_netdev (id 42) (bpf_redirect_peer)`. */
  redirectedBy?: string;
}

/** pcapng epb_flags bits 0-1 (RFC draft-ietf-opsawg-pcapng §4.3.1). */
export const Direction = { UNKNOWN: 0, INBOUND: 1, OUTBOUND: 2 } as const;
export type Direction = (typeof Direction)[keyof typeof Direction];

export function directionOf(flags: number): Direction {
  return (flags & 3) as Direction;
}

/** Where the kernel copied a frame, as a pcapng export keeps it (decode/taps/annotation.ts makes it). */
export interface TapAnnotation {
  /** The tap point, e.g. `ingress AF_PACKET eth0`: each interface and tap point gets its own IDB. */
  point: string;
  /** The IDB's if_description. */
  description: string;
  /** One line for the frame's opt_comment. */
  comment: string;
  /** For epb_flags when the source's flags say nothing (SLL2, NFLOG). */
  direction: Direction;
  /** For epb_packetid: the number of the first frame that is a copy of the same packet (tap-paths.ts). */
  packetId?: number;
  /** A second opt_comment: what became of the packet (netfilter's verdict, the kernel's drop). */
  fate?: string;
}

/** What an nftables trace event says (nft-trace-events.ts reads them from the kernel; a frame links to its packet's). */
export interface TraceStep {
  /** The kernel's trace id: one packet's pass through one namespace's hooks. */
  id: number;
  /** The table's family (inet, ip, ip6, netdev, bridge, arp). */
  family: string;
  /** enum nft_trace_types: 1 policy, 2 return, 3 rule. */
  type: number;
  table: string;
  chain: string;
  /** The rule's handle; 0 for a policy. */
  handle: number;
  /** A rule's verdict: netfilter's (NF_DROP 0, NF_ACCEPT 1...) or nftables' (negative); undefined when the event has none. */
  verdict: number | undefined;
  /** A policy event's: the chain's policy (NF_DROP or NF_ACCEPT). */
  policy: number | undefined;
  /** The chain of a jump or goto. */
  verdictChain: string;
  /** Input and output interface indexes, 0 when none. */
  iif: number;
  oif: number;
  /** The packet's network and transport headers (at most 40 and 20 bytes); the first event of each chain has them. */
  network: Uint8Array | undefined;
  transport: Uint8Array | undefined;
  /** When it was read, in seconds since the epoch. */
  seconds: number;
}

/** A packet the kernel freed as dropped, as the drop probe copied it (--drops). */
export interface KernelDrop {
  /** The kernel's reason name (NO_SOCKET, IP_RPFILTER...). */
  reason: string;
  /** The function that dropped it. */
  location: string;
  /** Its EtherType. */
  protocol: number;
  /** The inode of its network namespace (its device's or its socket's; 0: neither known). */
  namespace: number;
  /** The bytes from its network header on, as far as the skb's linear part and the copy reach. */
  network: Uint8Array;
  /** When it was read: milliseconds after the drop. */
  seconds: number;
}

/** An interface as the user names it: `eth0`, or `eth0@pod-a` in another network namespace. */
export function interfaceLabel(iface: InterfaceInfo): string {
  const name = iface.name ?? iface.description ?? 'unknown';
  return iface.netns === undefined ? name : `${name}@${iface.netns}`;
}

// ---- which process a flow belongs to (--proc: socket-owners.ts finds it, proc.ts shows it) ----------------

export interface ProcessInfo {
  pid: number;
  comm: string;
  uid: number;
  /** The container's id (12 hex digits), from the process's cgroup. */
  container: string | undefined;
  /** The Kubernetes pod's uid, from the process's cgroup. */
  pod: string | undefined;
}

/**
 * What a flow's frame says of it: the transport, the addresses (4 or 16 bytes each, where they are in the
 * frame's `bytes`: nothing is copied for a frame whose flow is known) and ports, the copy's direction.
 */
export interface FlowQuery {
  protocol: number;
  family: 4 | 6;
  bytes: Uint8Array;
  srcAt: number;
  srcPort: number;
  dstAt: number;
  dstPort: number;
  /** Which end is local: 'src' for an egress copy, 'dst' for an ingress one, undefined when unknown. */
  local: 'src' | 'dst' | undefined;
}

/** The owners of flows, by whichever way they are found (SocketOwners, a test's own). */
export interface FlowOwners {
  ownerOf(query: FlowQuery): ProcessInfo | undefined;
}

/**
 * In place of the owners, in a thread that replays recorded frames (a worker's copy of the store): every
 * frame's owner is recalled from the decoder's memory. A string, which a message to a worker carries.
 */
export const RECALLED_OWNERS = 'recalled';
