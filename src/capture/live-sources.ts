// What `-i` names become: the pcap handles to open for each source. A network interface is opened as two
// handles, one per direction, so that every frame says which way it went while it keeps the interface's
// own link-layer header; `any` says it in its LINUX_SLL2 header; NFLOG has no direction.
import { existsSync } from 'node:fs';
import { InterfaceFlag, type DeviceDescription, type HandleDirection } from './native/addon.js';
import { Direction } from './frame.js';

const LINKTYPE_LINUX_SLL2 = 276;

export interface HandlePlan {
  device: string;
  direction: HandleDirection;
  /** The DLT to ask for, or -1 for the device's default. */
  linkType: number;
  interfaceId: number;
}

export interface SourcePlan {
  /** The device name, as the user will see it in the interface list of a written pcapng file. */
  name: string;
  description: string | undefined;
  handles: HandlePlan[];
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

export function planSources(specs: readonly string[], devices: readonly DeviceDescription[], netClassDir = '/sys/class/net'): SourcePlan[] {
  const names = specs.map((spec) => deviceName(spec, devices));
  return names.map((name, interfaceId) => {
    const device = devices.find((candidate) => candidate.name === name);
    const handle = (direction: HandleDirection, linkType = -1): HandlePlan => ({ device: name, direction, linkType, interfaceId });
    let handles: HandlePlan[];
    if (name === ANY_DEVICE) handles = [handle(Direction.UNKNOWN, LINKTYPE_LINUX_SLL2)];
    // Loopback: libpcap keeps only the received copy of each packet (kernel-taps.md §6), so one handle.
    else if (device !== undefined && (device.flags & InterfaceFlag.LOOPBACK) !== 0) handles = [handle(Direction.INBOUND)];
    else if (existsSync(`${netClassDir}/${name}`)) handles = [handle(Direction.INBOUND), handle(Direction.OUTBOUND)];
    // nflog:N and other pseudo-devices: not packet sockets, no direction to choose.
    else handles = [handle(Direction.UNKNOWN)];
    return { name, description: device?.description, handles };
  });
}
