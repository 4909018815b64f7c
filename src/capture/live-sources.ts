// What `-i` names become: the pcap handles to open for each source. A network interface is opened as two
// handles, one per direction, so that every frame says which way it went while it keeps the interface's
// own link-layer header; `any` says it in its LINUX_SLL2 header; NFLOG has no direction. A device of
// another network namespace (`netns:NAME/IFACE` and the like, netns.ts) is looked up in that namespace's
// links, and its handles are opened there; `all` is every device that is up in every namespace.
import { existsSync, statSync } from 'node:fs';
import { InterfaceFlag, type DeviceDescription, type HandleDirection, type NetnsLink } from './native/addon.js';
import { Direction } from './frame.js';
import { namespacedSpec, vethPeer, type NamespaceReader, type Netns } from './netns.js';

const LINKTYPE_LINUX_SLL2 = 276;

export interface HandlePlan {
  device: string;
  direction: HandleDirection;
  /** The DLT to ask for, or -1 for the device's default. */
  linkType: number;
  interfaceId: number;
  /** The namespace file to open the handle in; absent: the capture's own namespace. */
  netns?: string;
}

export interface SourcePlan {
  /** The device name, as the user will see it in the interface list of a written pcapng file. */
  name: string;
  description: string | undefined;
  handles: HandlePlan[];
  /** The network namespace the device is in, when the spec named one (or `all`). */
  netns?: Netns;
  /** A veth's other end, `eth0@pod-a`: a packet arriving here left by it (the tap paths name it when its copy is missing). */
  peer?: string;
}

export class SourceSpecError extends Error {}

/** `-i 2` means the second interface that `tsshark -D` lists, as with tcpdump. */
function deviceName(spec: string, devices: readonly DeviceDescription[]): string {
  if (!/^\d+$/.test(spec)) return spec;
  const index = Number(spec);
  if (index < 1 || index > devices.length) {
    throw new SourceSpecError(`there is no interface number ${spec}: tsshark -D lists ${devices.length}`);
  }
  return devices[index - 1].name;
}

/** libpcap's pseudo-device of every interface, captured cooked (SLL2, which records each frame's ifindex). */
export const ANY_DEVICE = 'any';

/** `-i all` captures at most this many devices (each two handles): the rest are named in a warning. */
export const ALL_DEVICES_LIMIT = 64;
/** IFF_UP and IFF_LOOPBACK of a link's flags. */
const IFF_UP = 0x1;
const IFF_LOOPBACK = 0x8;
const OWN_NETNS = '/proc/self/ns/net';

/** The namespaces, their links and ids, each read in the namespace (the addon's netnsRun with netnsLinks, netnsId). */
export interface Namespaces extends NamespaceReader {
  list(): Netns[];
}

/** A veth's other end, `eth0@pod-a` (a device of the capture's own namespace by its name alone). */
function peerName(netns: Netns, link: NetnsLink, namespaces: Namespaces): string | undefined {
  const peer = link.kind === 'veth' ? vethPeer(netns, link, namespaces.list(), namespaces) : undefined;
  if (peer === undefined) return undefined;
  return peer.netns.inode === ownNetnsInode() ? peer.link.name : `${peer.link.name}@${peer.netns.name}`;
}

/** What `-i` names, planned; `skipped`: devices `all` found beyond its limit. */
export interface Plan {
  sources: SourcePlan[];
  skipped: number;
}

/** One direction or both of a device: loopback keeps only the received copy (kernel-taps.md §6), so one handle. */
function deviceHandles(handle: (direction: HandleDirection) => HandlePlan, loopback: boolean): HandlePlan[] {
  return loopback ? [handle(Direction.INBOUND)] : [handle(Direction.INBOUND), handle(Direction.OUTBOUND)];
}

let ownInode: number | undefined;

/** The capture's own namespace: its devices are named as `-i eth0` names them, with no namespace. */
function ownNetnsInode(): number {
  ownInode ??= statSync(OWN_NETNS).ino;
  return ownInode;
}

function namespacedSource(netns: Netns, link: NetnsLink, interfaceId: number, namespaces: Namespaces): SourcePlan {
  const other = netns.inode === ownNetnsInode() ? undefined : netns;
  const handle = (direction: HandleDirection): HandlePlan => ({ device: link.name, direction, linkType: -1, interfaceId, ...(other ? { netns: other.path } : {}) });
  return { name: link.name, description: undefined, handles: deviceHandles(handle, (link.flags & IFF_LOOPBACK) !== 0), netns: other, peer: peerName(netns, link, namespaces) };
}

/** Every device that is up in every namespace but loopbacks, the first ALL_DEVICES_LIMIT of them. */
function everyDevice(namespaces: Namespaces, first: number): Plan {
  const found: { netns: Netns; link: NetnsLink }[] = [];
  for (const netns of namespaces.list()) {
    let links: readonly NetnsLink[];
    try {
      links = namespaces.links(netns);
    } catch {
      // A namespace gone while listed.
      continue;
    }
    for (const link of links) if ((link.flags & IFF_UP) !== 0 && (link.flags & IFF_LOOPBACK) === 0) found.push({ netns, link });
  }
  const kept = found.slice(0, ALL_DEVICES_LIMIT);
  return { sources: kept.map(({ netns, link }, index) => namespacedSource(netns, link, first + index, namespaces)), skipped: found.length - kept.length };
}

export function planSources(specs: readonly string[], devices: readonly DeviceDescription[], namespaces: Namespaces, netClassDir = '/sys/class/net'): Plan {
  const sources: SourcePlan[] = [];
  let skipped = 0;
  for (const spec of specs) {
    const interfaceId = sources.length;
    if (spec === 'all') {
      const every = everyDevice(namespaces, interfaceId);
      if (every.sources.length === 0) throw new SourceSpecError('-i all found no device that is up in any network namespace (entering them needs root)');
      sources.push(...every.sources);
      skipped += every.skipped;
      continue;
    }
    const namespaced = namespacedSpec(spec);
    if (namespaced !== undefined) {
      const { netns, device } = namespaced;
      const link = namespaces.links(netns).find((candidate) => candidate.name === device);
      if (link === undefined) throw new SourceSpecError(`${device}: no such device in network namespace ${netns.name} (tsshark -D --all-netns lists them)`);
      sources.push(namespacedSource(netns, link, interfaceId, namespaces));
      continue;
    }
    const name = deviceName(spec, devices);
    const device = devices.find((candidate) => candidate.name === name);
    const handle = (direction: HandleDirection, linkType = -1): HandlePlan => ({ device: name, direction, linkType, interfaceId });
    let handles: HandlePlan[];
    if (name === ANY_DEVICE) handles = [handle(Direction.UNKNOWN, LINKTYPE_LINUX_SLL2)];
    else if (existsSync(`${netClassDir}/${name}`)) handles = deviceHandles(handle, device !== undefined && (device.flags & InterfaceFlag.LOOPBACK) !== 0);
    // nflog:N and other pseudo-devices: not packet sockets, no direction to choose.
    else handles = [handle(Direction.UNKNOWN)];
    sources.push({ name, description: device?.description, handles });
  }
  return { sources, skipped };
}
