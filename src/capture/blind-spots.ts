// What makes a live capture's tap points blind (../shared/docs/kernel-taps.md): programs and settings on
// the captured devices that act on packets where the AF_PACKET taps do not look. Looked for once, when
// the capture starts, with the host's own tools; each finding is one line saying what acts, where, and
// what the capture therefore cannot show.
import { existsSync } from 'node:fs';
import { REDIRECT_HELPERS, redirectHelpersOf } from './bpf-helpers.js';
import { describeToolError, ipLinks, tcFilters, tcxPrograms, XDP_MODES, type IpLink } from './host-tools.js';
import type { AttachedProgram } from './native/addon.js';

export interface BlindSpots {
  findings: string[];
  /** What could not be looked at (a tool missing or refusing), one line each. */
  unread: string[];
}

/** Devices looked at, at most: each costs two `tc` runs and two bpf() queries. */
const MAX_DEVICES = 32;
/** Where pktgen lists the devices its threads send on. */
const PKTGEN = '/proc/net/pktgen';

/** The blind spots of capturing on `devices` (`any`: every device; `nflog:N` sources have none). */
export function findBlindSpots(devices: readonly string[], pktgen = PKTGEN): BlindSpots {
  const findings: string[] = [];
  const unread: string[] = [];
  const wanted = devices.filter((device) => !device.startsWith('nflog'));
  if (wanted.length === 0) return { findings, unread };
  let links: IpLink[];
  try {
    links = ipLinks();
  } catch (error) {
    return { findings, unread: [`ip: ${describeToolError(error)}`] };
  }
  const every = wanted.includes('any');
  const examined = links.filter((link) => every || wanted.includes(link.ifname));
  // A host with hundreds of devices (pods' veths) would delay the capture's start by a second or more.
  if (examined.length > MAX_DEVICES) unread.push(`${examined.length - MAX_DEVICES} devices past the first ${MAX_DEVICES}`);
  for (const link of examined.slice(0, MAX_DEVICES)) {
    findings.push(...linkFindings(link, pktgen));
    try {
      findings.push(...tcxFindings(link.ifname, unread));
    } catch (error) {
      unread.push(`tcx programs on ${link.ifname}: ${(error as Error).message}`);
    }
  }
  return { findings, unread };
}

/** tcx programs (Linux 6.6+; Cilium's) on the device, which `tc filter` does not list. */
function tcxFindings(device: string, unread: string[]): string[] {
  const named = (programs: readonly AttachedProgram[]) => programs.map(programName).join(', ');
  const findings: string[] = [];
  const egress = tcxPrograms(device, 'egress');
  if (egress.length > 0) findings.push(`${device}: tcx egress programs ${named(egress)} run before the egress tap: what they drop or redirect is never shown as sent`);
  const ingress = tcxPrograms(device, 'ingress');
  if (ingress.length > 0) findings.push(`${device}: tcx ingress programs ${named(ingress)} run after the ingress tap: what they drop is still shown as received`);
  for (const [direction, programs] of [['ingress', ingress], ['egress', egress]] as const) {
    for (const program of programs) {
      const helpers = redirectHelpersOf(program);
      if (helpers === undefined) {
        unread.push(`whether tcx program ${programName(program)} on ${device} redirects: the kernel hides its addresses (kptr_restrict)`);
        continue;
      }
      for (const helper of helpers) {
        findings.push(`${device}: traffic redirected by tcx ${direction} program ${programName(program)} (${helper}) goes ${REDIRECT_HELPERS[helper]}`);
      }
    }
  }
  return findings;
}

function programName(program: AttachedProgram): string {
  return `${program.name || '(unnamed)'} (id ${program.id})`;
}

function linkFindings(link: IpLink, pktgen: string): string[] {
  const device = link.ifname;
  const findings: string[] = [];
  const xdp = link.xdp;
  if (xdp?.mode !== undefined && xdp.mode !== 0) {
    const program = `XDP program ${xdp.prog?.name ?? '(unnamed)'} (id ${xdp.prog?.id ?? '?'}, ${XDP_MODES[xdp.mode] ?? `mode ${xdp.mode}`})`;
    findings.push(`${device}: ${program} runs before the ingress tap: what it drops or redirects is never shown as received, what it rewrites is shown rewritten`);
  }
  if (link.linkinfo?.info_kind === 'netkit') {
    findings.push(`${device}: a netkit device: its BPF programs run inside its transmit, where no tap of either end sees what they drop or redirect`);
  }
  const egress = tcFilters(device, 'egress');
  if (egress.length > 0) {
    const kinds = [...new Set(egress.map((filter) => filter.kind).filter((kind) => kind !== undefined))].join(', ');
    findings.push(`${device}: tc egress filters (${kinds}) run before the egress tap: what they drop or redirect is never shown as sent`);
  }
  const offloaded = [...tcFilters(device, 'ingress'), ...egress].some((filter) => filter.options?.in_hw === true);
  if (offloaded) findings.push(`${device}: tc filters offloaded to the NIC (in_hw) act before the kernel sees the packet: no tap shows what they drop`);
  if (existsSync(`${pktgen}/${device}`)) {
    findings.push(`${device}: pktgen is set up to send on it: its packets go to the driver past the egress tap and are never shown`);
  }
  return findings;
}
