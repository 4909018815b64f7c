// The host's own tools (ip, tc, nft) asked once for what they know as JSON, and the kernel's bpf() for the
// tcx programs they do not list: what --explain draws and what a live capture warns about. Never on a
// per-frame path.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { BpfAttach, loadPcapAddon, type AttachedProgram } from './native/addon.js';

const TOOL_LIMIT_MS = 5_000;

export function runJson(command: string, args: readonly string[]): unknown {
  const output = execFileSync(command, args, { encoding: 'utf8', timeout: TOOL_LIMIT_MS, stdio: ['ignore', 'pipe', 'pipe'] });
  return output.trim() === '' ? [] : JSON.parse(output);
}

/** Why a tool gave no answer, in a few words. */
export function describeToolError(error: unknown): string {
  const failure = error as NodeJS.ErrnoException & { stderr?: string };
  if (failure.code === 'ENOENT') return 'not installed';
  const stderr = failure.stderr?.trim().split('\n')[0];
  return stderr !== undefined && stderr !== '' ? stderr : failure.message;
}

/** `nft` as root usually finds it, but sbin is not on every user's PATH. */
export function nftCommand(): string {
  return existsSync('/usr/sbin/nft') ? '/usr/sbin/nft' : 'nft';
}

/** A device as `ip -j -d link` describes it, as far as tsshark reads it. */
export interface IpLink {
  ifname: string;
  qdisc?: string;
  xdp?: { mode?: number; prog?: { id?: number; name?: string } };
  linkinfo?: { info_kind?: string };
}

/** XDP_ATTACHED_* of the netlink answer: where an XDP program runs. */
export const XDP_MODES: Readonly<Record<number, string>> = { 1: 'native XDP', 2: 'generic XDP', 3: 'XDP offloaded to the NIC', 4: 'XDP in several modes' };

/** Every device (or one), from `ip -j -d link show`. */
export function ipLinks(device?: string): IpLink[] {
  return runJson('ip', ['-j', '-d', 'link', 'show', ...(device === undefined ? [] : ['dev', device])]) as IpLink[];
}

/** A tc filter entry, as `tc -j filter show` lists it (one filter can be several entries). */
export interface TcFilter {
  kind?: string;
  /** `prog`: a bpf (cls_bpf) filter's program. */
  options?: { in_hw?: boolean; not_in_hw?: boolean; prog?: { id?: number } };
}

/** The tc filters on a device's ingress or egress; none when it has no clsact or ingress qdisc. */
export function tcFilters(device: string, direction: 'ingress' | 'egress'): TcFilter[] {
  try {
    return runJson('tc', ['-j', 'filter', 'show', 'dev', device, direction]) as TcFilter[];
  } catch {
    return [];
  }
}

/**
 * The tcx programs (Linux 6.6+) on a device's ingress or egress, asked of bpf() through the capture addon.
 * `ifindex`: the device's in the namespace the thread is in (/sys is the namespace's that mounted it).
 * Throws when that cannot be asked (no addon, not root).
 */
export function tcxPrograms(device: string, direction: 'ingress' | 'egress', ifindex = Number(readFileSync(`/sys/class/net/${device}/ifindex`, 'latin1'))): AttachedProgram[] {
  return loadPcapAddon().bpfPrograms(ifindex, direction === 'ingress' ? BpfAttach.TCX_INGRESS : BpfAttach.TCX_EGRESS);
}
