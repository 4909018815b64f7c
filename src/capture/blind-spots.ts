// What makes a live capture's tap points blind (../shared/docs/kernel-taps.md): programs and settings on
// the captured devices that act on packets where the AF_PACKET taps do not look. Looked for once, when
// the capture starts, with the host's own tools and bpf(); each finding says what acts, where (device and
// the tap it blinds), and what the capture therefore cannot show.
import { existsSync } from 'node:fs';
import { REDIRECT_HELPERS, redirectHelpersOf } from './bpf-helpers.js';
import type { BlindSpot } from './frame.js';
import { describeToolError, ipLinks, nftCommand, runJson, tcFilters, tcxPrograms, XDP_MODES, type IpLink, type TcFilter } from './host-tools.js';
import { loadPcapAddon, type AttachedProgram } from './native/addon.js';
import type { Netns } from './netns.js';

export interface BlindSpots {
  /** Each finding as one line, `device: text`, for warnings. */
  findings: string[];
  /** The findings by device, for the frames copied there. */
  byDevice: Map<string, BlindSpot[]>;
  /** What could not be looked at (a tool missing or refusing), one line each. */
  unread: string[];
}

/** Devices looked at, at most: each costs two `tc` runs and two bpf() queries. */
const MAX_DEVICES = 32;
/** Where pktgen lists the devices its threads send on (the thread's namespace's: /proc/self is the process's). */
const PKTGEN = '/proc/thread-self/net/pktgen';
/** BPF_MAP_TYPE_XSKMAP: an XDP program that uses one hands packets to AF_XDP sockets. */
const MAP_TYPE_XSKMAP = 17;

class Findings implements BlindSpots {
  readonly findings: string[] = [];
  readonly byDevice = new Map<string, BlindSpot[]>();
  readonly unread: string[] = [];

  /** `netns`: the namespace looked at, when not the capture's own: its devices are named `eth0@netns`. */
  constructor(private readonly netns?: string) {}

  add(name: string, direction: BlindSpot['direction'], text: string, redirectedBy?: string): void {
    const device = this.netns === undefined ? name : `${name}@${this.netns}`;
    this.findings.push(`${device}: ${text}`);
    const spots = this.byDevice.get(device) ?? [];
    spots.push({ device, direction, text, ...(redirectedBy === undefined ? {} : { redirectedBy }) });
    this.byDevice.set(device, spots);
  }
}

/** Where the devices are: another namespace (the caller's thread is in it), with each device's index there. */
export interface OtherNamespace {
  name: string;
  ifindexOf(device: string): number | undefined;
}

/** Namespaces other than the capture's own looked at, at most: each costs its own runs of ip, nft and tc. */
const MAX_NAMESPACES = 16;

/**
 * The blind spots of a capture whose sources are in several namespaces: each namespace's devices looked at
 * with the thread in it (`enter` runs a function there: the addon's netnsRun, which rtnetlink's indexes
 * come from too).
 */
export function findBlindSpotsIn(sources: readonly { name: string; netns?: Netns }[], enter: (netns: Netns, look: () => BlindSpots) => BlindSpots, indexes: () => readonly { name: string; index: number }[]): BlindSpots {
  const found = new Findings();
  const byNamespace = new Map<string, { netns: Netns; devices: string[] }>();
  for (const source of sources) {
    if (source.netns === undefined) continue;
    const entry = byNamespace.get(source.netns.path) ?? { netns: source.netns, devices: [] };
    entry.devices.push(source.name);
    byNamespace.set(source.netns.path, entry);
  }
  const looks = [{ netns: undefined as Netns | undefined, devices: sources.filter((source) => source.netns === undefined).map((source) => source.name) }, ...byNamespace.values()];
  if (looks.length > MAX_NAMESPACES + 1) found.unread.push(`the devices of ${looks.length - 1 - MAX_NAMESPACES} namespaces past the first ${MAX_NAMESPACES}`);
  for (const { netns, devices } of looks.slice(0, MAX_NAMESPACES + 1)) {
    let spots: BlindSpots;
    try {
      spots = netns === undefined ? findBlindSpots(devices) : enter(netns, () => {
        const links = indexes();
        return findBlindSpots(devices, PKTGEN, { name: netns.name, ifindexOf: (device) => links.find((link) => link.name === device)?.index });
      });
    } catch (error) {
      found.unread.push(`network namespace ${netns?.name ?? ''}: ${(error as Error).message}`);
      continue;
    }
    found.findings.push(...spots.findings);
    found.unread.push(...spots.unread);
    for (const [device, each] of spots.byDevice) found.byDevice.set(device, each);
  }
  return found;
}

/** The blind spots of capturing on `devices` (`any`: every device; `nflog:N` sources have none). */
export function findBlindSpots(devices: readonly string[], pktgen = PKTGEN, netns?: OtherNamespace): BlindSpots {
  const found = new Findings(netns?.name);
  const wanted = devices.filter((device) => !device.startsWith('nflog'));
  if (wanted.length === 0) return found;
  let links: IpLink[];
  try {
    links = ipLinks();
  } catch (error) {
    found.unread.push(`ip: ${describeToolError(error)}`);
    return found;
  }
  const every = wanted.includes('any');
  const examined = links.filter((link) => every || wanted.includes(link.ifname));
  // A host with hundreds of devices (pods' veths) would delay the capture's start by a second or more.
  if (examined.length > MAX_DEVICES) found.unread.push(`${examined.length - MAX_DEVICES} devices past the first ${MAX_DEVICES}`);
  const flowtables = flowtableDevices(found);
  for (const link of examined.slice(0, MAX_DEVICES)) {
    linkFindings(link, pktgen, found);
    for (const flowtable of flowtables.get(link.ifname) ?? []) {
      found.add(link.ifname, 'both', `nftables flowtable ${flowtable} offloads forwarded flows: after a flow's first packets they skip FORWARD and POSTROUTING (no NFLOG copy, no --trace verdict); offloaded to the NIC (flags offload), the taps do not see them either`);
    }
    try {
      tcxFindings(link.ifname, found, netns?.ifindexOf(link.ifname));
    } catch (error) {
      found.unread.push(`tcx programs on ${link.ifname}: ${(error as Error).message}`);
    }
  }
  return found;
}

/** A flowtable as `nft -j list flowtables` gives it (libnftables-json(5)). */
interface JsonFlowtable {
  flowtable?: { family?: string; table?: string; name?: string; dev?: string | string[] };
}

/** The devices of each flowtable, from `nft -j list flowtables` output: device → "family table name". */
export function parseFlowtables(json: unknown): Map<string, string[]> {
  const byDevice = new Map<string, string[]>();
  const entries = (json as { nftables?: JsonFlowtable[] })?.nftables;
  for (const entry of Array.isArray(entries) ? entries : []) {
    const flowtable = entry.flowtable;
    if (flowtable === undefined) continue;
    const name = `${flowtable.family ?? '?'} ${flowtable.table ?? '?'} ${flowtable.name ?? '?'}`;
    const devices = typeof flowtable.dev === 'string' ? [flowtable.dev] : Array.isArray(flowtable.dev) ? flowtable.dev : [];
    for (const device of devices) byDevice.set(device, [...(byDevice.get(device) ?? []), name]);
  }
  return byDevice;
}

function flowtableDevices(found: Findings): Map<string, string[]> {
  try {
    return parseFlowtables(runJson(nftCommand(), ['-j', 'list', 'flowtables']));
  } catch (error) {
    // Without nft there is nothing that lists flowtables, and nothing that made one here.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') found.unread.push(`nftables flowtables: ${describeToolError(error)}`);
    return new Map();
  }
}

/** tcx programs (Linux 6.6+; Cilium's) on the device, which `tc filter` does not list. */
function tcxFindings(device: string, found: Findings, ifindex: number | undefined): void {
  const named = (programs: readonly AttachedProgram[]) => programs.map(programName).join(', ');
  const programs = (direction: 'ingress' | 'egress') => (ifindex === undefined ? tcxPrograms(device, direction) : tcxPrograms(device, direction, ifindex));
  const egress = programs('egress');
  if (egress.length > 0) found.add(device, 'egress', `tcx egress programs ${named(egress)} run before the egress tap: what they drop or redirect is never shown as sent`);
  const ingress = programs('ingress');
  if (ingress.length > 0) found.add(device, 'ingress', `tcx ingress programs ${named(ingress)} run after the ingress tap: what they drop is still shown as received`);
  redirectFindings(device, 'ingress', 'tcx', ingress, found);
  redirectFindings(device, 'egress', 'tcx', egress, found);
}

/** The redirect helpers each program calls, one finding each (`kind`: tcx, or tc for cls_bpf filters). */
function redirectFindings(device: string, direction: 'ingress' | 'egress', kind: string, programs: readonly AttachedProgram[], found: Findings): void {
  for (const program of programs) {
    const helpers = redirectHelpersOf(program);
    if (helpers === undefined) {
      found.unread.push(`whether ${kind} program ${programName(program)} on ${device} redirects: the kernel hides its addresses (kptr_restrict)`);
      continue;
    }
    for (const helper of helpers) {
      const by = `${kind} ${direction} program ${programName(program)} (${helper})`;
      found.add(device, direction, `traffic redirected by ${by} goes ${REDIRECT_HELPERS[helper]}`, by);
    }
  }
}

/** The programs of a device's cls_bpf filters (`tc filter ... bpf`), asked of bpf() by the ids tc lists. */
function clsBpfPrograms(filters: readonly TcFilter[], found: Findings): AttachedProgram[] {
  const ids = new Set(filters.map((filter) => filter.options?.prog?.id).filter((id) => id !== undefined));
  const programs: AttachedProgram[] = [];
  for (const id of ids) {
    try {
      programs.push(loadPcapAddon().bpfProgram(id));
    } catch (error) {
      found.unread.push(`tc bpf program ${id}: ${(error as Error).message}`);
    }
  }
  return programs;
}

function programName(program: AttachedProgram): string {
  return `${program.name || '(unnamed)'} (id ${program.id})`;
}

function linkFindings(link: IpLink, pktgen: string, found: Findings): void {
  const device = link.ifname;
  const xdp = link.xdp;
  if (xdp?.mode !== undefined && xdp.mode !== 0) {
    const program = `XDP program ${xdp.prog?.name ?? '(unnamed)'} (id ${xdp.prog?.id ?? '?'}, ${XDP_MODES[xdp.mode] ?? `mode ${xdp.mode}`})`;
    found.add(device, 'ingress', `${program} runs before the ingress tap: what it drops or redirects is never shown as received, what it rewrites is shown rewritten`);
    if (xdp.prog?.id !== undefined && usesXskmap(xdp.prog.id, found)) {
      found.add(device, 'both', `${program} hands packets to AF_XDP sockets (it uses an xskmap): what it redirects there goes to a user-space program unseen, and what AF_XDP sockets send on ${device} skips the egress tap`);
    }
  }
  if (link.linkinfo?.info_kind === 'netkit') {
    found.add(device, 'both', 'a netkit device: its BPF programs run inside its transmit, where no tap of either end sees what they drop or redirect');
  }
  const egress = tcFilters(device, 'egress');
  if (egress.length > 0) {
    const kinds = [...new Set(egress.map((filter) => filter.kind).filter((kind) => kind !== undefined))].join(', ');
    found.add(device, 'egress', `tc egress filters (${kinds}) run before the egress tap: what they drop or redirect is never shown as sent`);
  }
  const ingress = tcFilters(device, 'ingress');
  redirectFindings(device, 'ingress', 'tc', clsBpfPrograms(ingress, found), found);
  redirectFindings(device, 'egress', 'tc', clsBpfPrograms(egress, found), found);
  const offloaded = [...ingress, ...egress].some((filter) => filter.options?.in_hw === true);
  if (offloaded) found.add(device, 'both', 'tc filters offloaded to the NIC (in_hw) act before the kernel sees the packet: no tap shows what they drop');
  if (existsSync(`${pktgen}/${device}`)) {
    found.add(device, 'egress', 'pktgen is set up to send on it: its packets go to the driver past the egress tap and are never shown');
  }
}

/** Whether XDP program `id` uses an xskmap (asked of bpf(); not root or no addon: not known, said once). */
function usesXskmap(id: number, found: Findings): boolean {
  try {
    return loadPcapAddon().bpfProgram(id).mapTypes.includes(MAP_TYPE_XSKMAP);
  } catch (error) {
    found.unread.push(`the maps of XDP program ${id}: ${(error as Error).message}`);
    return false;
  }
}
