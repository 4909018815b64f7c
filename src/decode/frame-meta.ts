// What the engine knows of a frame before its bytes are dissected (number, times, interface, kernel), and
// the records of its outer datagram and innermost addresses that transport layers read.
import type { BlindSpot, FlowOwners, RECALLED_OWNERS } from '../capture/frame.js';
import type { KernelVersion } from './taps/kernel-pipeline.js';

export interface FrameMeta {
  number: number;
  tsSec: number;
  tsNsec: number;
  /** Nanoseconds since the first frame, and since the previous one. */
  relativeNs: number | bigint;
  deltaNs: number | bigint;
  capturedLength: number;
  originalLength: number;
  linkType: number;
  interfaceId: number;
  /** Set only where the capture numbers its interfaces (pcapng); then frame.interface_id is shown too. */
  interfaceName: string | undefined;
  /** The capturing device's own name (if_name), without interfaceName's fallback to the description. */
  device: string | undefined;
  /** The device's network namespace, when the capture named one. */
  netns: string | undefined;
  /** `eth0@pod-a`: the device in its namespace (made once an interface, not a frame). */
  deviceInNetns: string | undefined;
  /** The container and pod the device's namespace belongs to, when known. */
  container: string | undefined;
  pod: string | undefined;
  /** A veth's other end, `eth0@pod-a` (a live capture in namespaces). */
  peer: string | undefined;
  /** A live capture's finder of each flow's process (--proc). */
  socketOwners: FlowOwners | typeof RECALLED_OWNERS | undefined;
  /** The interface's snapshot length (0: unknown). */
  snaplen: number;
  /** pcapng epb_flags (direction in bits 0-1). */
  flags: number;
  comment: string | undefined;
  /** The capturing kernel, when the source says (live); undefined is "unknown kernel". */
  kernel: KernelVersion | undefined;
  mtu: number | undefined;
  deviceName: ((ifindex: number) => string | undefined) | undefined;
  blindSpots: ReadonlyMap<string, readonly BlindSpot[]> | undefined;
}

export function blankFrameMeta(): FrameMeta {
  return {
    number: 0,
    tsSec: 0,
    tsNsec: 0,
    relativeNs: 0,
    deltaNs: 0,
    capturedLength: 0,
    originalLength: 0,
    linkType: 0,
    interfaceId: 0,
    interfaceName: undefined,
    device: undefined,
    netns: undefined,
    deviceInNetns: undefined,
    container: undefined,
    pod: undefined,
    socketOwners: undefined,
    peer: undefined,
    snaplen: 0,
    flags: 0,
    comment: undefined,
    kernel: undefined,
    mtu: undefined,
    deviceName: undefined,
    blindSpots: undefined,
  };
}

/**
 * The outermost IP datagram of the frame, as the kernel's hooks see it (NAT, GSO and checksum offload act
 * on it): version 0 when the frame has none. One record per Dissection, rewritten for every frame.
 */
export interface Datagram {
  version: 0 | 4 | 6;
  bytes: Uint8Array;
  headerAt: number;
  /** Where the transport header starts (after IPv6 extension headers) and which protocol it is. */
  payloadAt: number;
  protocol: number;
  /** The IP length field's datagram length, header included. */
  length: number;
  /** Part of a fragmented datagram: the transport header is in the first fragment only. */
  fragment: boolean;
}

/** Where the innermost IP header's addresses are, for transport conversation keys. */
export interface NetworkAddresses {
  bytes: Uint8Array;
  srcAt: number;
  dstAt: number;
  length: number;
  /** TTL or hop limit, which ICMP echo's Info shows. */
  hopLimit: number;
}
