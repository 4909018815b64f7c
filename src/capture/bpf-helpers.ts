// Which redirect helpers an attached BPF program calls. The kernel hands back a program's translated
// instructions with each helper call as the helper's address less `__bpf_call_base` (what bpftool's
// disassembler resolves too): /proc/kallsyms names those addresses.
import { KALLSYMS, KernelSymbols } from './kernel-symbols.js';
import type { AttachedProgram } from './native/addon.js';

/**
 * The helpers that send a tc or tcx program's packet somewhere other than the path the taps watch, with
 * what that hides. bpf_redirect_map is XDP's and the sockmap helpers act on sockets, not devices.
 */
export const REDIRECT_HELPERS: Readonly<Record<string, string>> = {
  bpf_redirect_peer: "straight into a veth's peer in another namespace: the host-side veth's taps and the host's netfilter never see them; capture the peer (inside the pod) to see them",
  bpf_redirect_neigh: "to another device's egress past the host's routing and netfilter (no FORWARD, no POSTROUTING, no --trace verdict): they show again only at that device's egress tap",
  bpf_redirect: "to another device past the host's routing and netfilter (no --trace verdict): they show again only at that device's tap",
  bpf_clone_redirect: 'as copies to another device, past the host\'s routing and netfilter',
};

const CALL_BASE = '__bpf_call_base';

/** Per symbol file, helper name by call offset; undefined when the kernel hides its addresses. */
const helperOffsets = new Map<string, Map<number, string> | undefined>();

function readHelperOffsets(kallsyms: string): Map<number, string> | undefined {
  const symbols = KernelSymbols.of(kallsyms);
  const base = symbols?.addressOf(CALL_BASE);
  if (symbols === undefined || base === undefined) return undefined;
  const offsets = new Map<number, string>();
  for (const name of Object.keys(REDIRECT_HELPERS)) {
    const address = symbols.addressOf(name);
    if (address !== undefined) offsets.set(Number(address - base), name);
  }
  return offsets;
}

/**
 * The redirect helpers `program` calls, by name; undefined when that cannot be told (kernel addresses
 * hidden from this process).
 */
export function redirectHelpersOf(program: AttachedProgram, kallsyms = KALLSYMS): string[] | undefined {
  if (program.helperCalls.length === 0) return [];
  if (program.helperCalls.every((call) => call === 0)) return undefined;
  if (!helperOffsets.has(kallsyms)) helperOffsets.set(kallsyms, readHelperOffsets(kallsyms));
  const offsets = helperOffsets.get(kallsyms);
  if (offsets === undefined) return undefined;
  return program.helperCalls.map((call) => offsets.get(call)).filter((name) => name !== undefined);
}
