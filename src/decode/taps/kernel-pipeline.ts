// Where in the Linux kernel a capture's copy of a packet is made, and which stages of the packet's way
// through the stack ran before and after that copy, by kernel version. The facts, and the experiments
// that verified them on 6.18, are in shared/docs/kernel-taps.md (sections cited below).

/** A kernel release as `uname -r` starts: 6.18.44-generic is { major: 6, minor: 18 }. */
export interface KernelVersion {
  readonly release: string;
  readonly major: number;
  readonly minor: number;
}

/** undefined for a release that does not start with MAJOR.MINOR (files: "unknown kernel"). */
export function parseKernelRelease(release: string | undefined): KernelVersion | undefined {
  const match = release === undefined ? null : /^(\d+)\.(\d+)/.exec(release);
  if (!match || release === undefined) return undefined;
  return { release, major: Number(match[1]), minor: Number(match[2]) };
}

/** Whether `kernel` is at least major.minor; an unknown kernel is taken to be a current one. */
function since(kernel: KernelVersion | undefined, major: number, minor: number): boolean {
  if (kernel === undefined) return true;
  return kernel.major > major || (kernel.major === major && kernel.minor >= minor);
}

/** libpcap reads through a TPACKET_V3 ring, so the socket's receive function is tpacket_rcv (§5). */
const PACKET_SOCKET_RECEIVE = 'tpacket_rcv';

/** §1, §2.6: every ETH_P_ALL socket gets the skb from the ptype_all walk, before tc and netfilter. */
export function ingressHook(): string {
  return `__netif_receive_skb_core → ptype_all → ${PACKET_SOCKET_RECEIVE}`;
}

/**
 * §3.6 and "dev_nit_active history": xmit_one calls dev_queue_xmit_nit when a tap exists, a check that
 * was inline before 4.20, dev_nit_active() from 4.20 to 6.14 and dev_nit_active_rcu() from 6.15.
 * Without a known kernel the guard is left out rather than guessed.
 */
export function egressHook(kernel: KernelVersion | undefined): string {
  let guard = '';
  if (kernel !== undefined) guard = since(kernel, 6, 15) ? 'dev_nit_active_rcu → ' : since(kernel, 4, 20) ? 'dev_nit_active → ' : '';
  return `xmit_one → ${guard}dev_queue_xmit_nit → ${PACKET_SOCKET_RECEIVE}`;
}

/** The stages of one direction, split at the tap. */
export interface PipelineSplit {
  readonly before: readonly string[];
  readonly after: readonly string[];
}

/** §2 and §9: driver to socket. */
export function ingressStages(kernel: KernelVersion | undefined): PipelineSplit {
  const before = ['driver', 'native XDP', 'GRO'];
  // Generic XDP exists from 4.12 and runs in __netif_receive_skb_core, ahead of the taps, from 5.2.
  if (since(kernel, 4, 12)) before.push('generic XDP');
  return {
    before,
    after: [since(kernel, 6, 6) ? 'tc ingress (tcx)' : 'tc ingress', 'nf netdev ingress', 'VLAN demux', 'rx_handler', 'PREROUTING', 'routing', 'INPUT/FORWARD'],
  };
}

/** §3 and §9: socket to driver. */
export function egressStages(kernel: KernelVersion | undefined): PipelineSplit {
  const before = ['OUTPUT', 'routing', 'POSTROUTING', 'neighbour'];
  if (since(kernel, 5, 16)) before.push('nf egress');
  // clsact (tc egress) arrived in 4.5, tcx in 6.6.
  if (since(kernel, 6, 6)) before.push('tc egress (tcx)');
  else if (since(kernel, 4, 5)) before.push('tc egress');
  before.push('qdisc', 'GSO/checksum');
  return { before, after: ['driver ndo_start_xmit'] };
}

/**
 * §6: a loopback packet is tapped on transmit and again on receive, and libpcap keeps only the receive
 * copy, so everything of the sending side has already run.
 */
export function loopbackStages(kernel: KernelVersion | undefined): PipelineSplit {
  return {
    before: [...egressStages(kernel).before, 'TX tap (copy hidden by libpcap)', 'loopback_xmit'],
    after: ['PREROUTING', 'routing', 'INPUT'],
  };
}

/** Netfilter's inet hooks (NF_INET_*), numbered as NFLOG records them (§7 "Hook numbers"). */
export const NfInetHook = { PRE_ROUTING: 0, LOCAL_IN: 1, FORWARD: 2, LOCAL_OUT: 3, POST_ROUTING: 4 } as const;

/** NFLOG families (nfgen_family, NFPROTO_*). */
export const NfFamily = { IPV4: 2, ARP: 3, NETDEV: 5, BRIDGE: 7, IPV6: 10 } as const;

/** Whether the family's hooks are the NF_INET_* ones (PRE_ROUTING … POST_ROUTING). */
export function isInetFamily(family: number): boolean {
  return family === NfFamily.IPV4 || family === NfFamily.IPV6;
}

/** NFLOG families and their hook names (§7). */
const NF_FAMILIES: Readonly<Record<number, { name: string; hooks: readonly string[] }>> = {
  [NfFamily.IPV4]: { name: 'ipv4', hooks: ['NF_INET_PRE_ROUTING', 'NF_INET_LOCAL_IN', 'NF_INET_FORWARD', 'NF_INET_LOCAL_OUT', 'NF_INET_POST_ROUTING', 'NF_INET_INGRESS'] },
  [NfFamily.IPV6]: { name: 'ipv6', hooks: ['NF_INET_PRE_ROUTING', 'NF_INET_LOCAL_IN', 'NF_INET_FORWARD', 'NF_INET_LOCAL_OUT', 'NF_INET_POST_ROUTING', 'NF_INET_INGRESS'] },
  [NfFamily.NETDEV]: { name: 'netdev', hooks: ['NF_NETDEV_INGRESS', 'NF_NETDEV_EGRESS'] },
  [NfFamily.BRIDGE]: { name: 'bridge', hooks: ['NF_BR_PRE_ROUTING', 'NF_BR_LOCAL_IN', 'NF_BR_FORWARD', 'NF_BR_LOCAL_OUT', 'NF_BR_POST_ROUTING', 'NF_BR_BROUTING'] },
  [NfFamily.ARP]: { name: 'arp', hooks: ['NF_ARP_IN', 'NF_ARP_OUT', 'NF_ARP_FORWARD'] },
};

export function nfFamilyName(family: number): string {
  return NF_FAMILIES[family]?.name ?? `family ${family}`;
}

export function nfHookName(family: number, hook: number): string {
  return NF_FAMILIES[family]?.hooks[hook] ?? `hook ${hook}`;
}

/** Whether an inet family's NFLOG hook sees the packet arriving, leaving, or (FORWARD) both. */
export function nfInetDirection(hook: number): 'ingress' | 'egress' | 'unknown' {
  if (hook === NfInetHook.PRE_ROUTING || hook === NfInetHook.LOCAL_IN) return 'ingress';
  if (hook === NfInetHook.LOCAL_OUT || hook === NfInetHook.POST_ROUTING) return 'egress';
  return 'unknown';
}

/** §2.12 and §3.1-2 for the IP families: the stages around an NFLOG rule at `hook`. */
export function nfInetStages(hook: number): PipelineSplit {
  switch (hook) {
    case NfInetHook.PRE_ROUTING:
      return { before: ['RX tap', 'tc ingress', 'nf netdev ingress'], after: ['routing', 'INPUT/FORWARD'] };
    case NfInetHook.LOCAL_IN:
      return { before: ['RX tap', 'tc ingress', 'PREROUTING', 'routing'], after: ['socket'] };
    case NfInetHook.FORWARD:
      return { before: ['RX tap', 'PREROUTING', 'routing'], after: ['POSTROUTING', 'tc egress', 'qdisc', 'TX tap'] };
    case NfInetHook.LOCAL_OUT:
      return { before: ['socket', 'routing'], after: ['POSTROUTING', 'neighbour', 'tc egress', 'qdisc', 'TX tap'] };
    case NfInetHook.POST_ROUTING:
      return { before: ['OUTPUT or FORWARD', 'routing'], after: ['neighbour', 'tc egress', 'qdisc', 'TX tap'] };
    default:
      return { before: [], after: [] };
  }
}

/** A kernel's hooks and stage lists as the tap fields show them (stages joined by ", "). */
export interface PipelineTexts {
  readonly ingressHook: string;
  readonly egressHook: string;
  readonly ingress: { readonly before: string; readonly after: string };
  readonly egress: { readonly before: string; readonly after: string };
  readonly loopback: { readonly before: string; readonly after: string };
}

const textsByRelease = new Map<string, PipelineTexts>();

/** The stages as the tap fields show them. */
export function joinedStages(split: PipelineSplit): { before: string; after: string } {
  return { before: split.before.join(', '), after: split.after.join(', ') };
}

/** Made once per kernel: every frame of a capture asks for the same texts. */
export function pipelineTexts(kernel: KernelVersion | undefined): PipelineTexts {
  const key = kernel?.release ?? '';
  let texts = textsByRelease.get(key);
  if (texts === undefined) {
    texts = {
      ingressHook: ingressHook(),
      egressHook: egressHook(kernel),
      ingress: joinedStages(ingressStages(kernel)),
      egress: joinedStages(egressStages(kernel)),
      loopback: joinedStages(loopbackStages(kernel)),
    };
    textsByRelease.set(key, texts);
  }
  return texts;
}
