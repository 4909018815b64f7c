// `tsshark --explain [IFACE]`: the receive and transmit pipelines of the running kernel, with the tap
// points marked and, beside each stage, what this host has put there now: nft chains with their
// priorities (`nft -j list ruleset`), XDP programs (`ip -j -d link`), qdiscs and tc filters (`tc -j`),
// tcx programs (bpf(BPF_PROG_QUERY), through the capture addon).
// What a tool cannot tell (it is missing, or we are not root) is said on the stage, never guessed.
import { existsSync } from 'node:fs';
import { release } from 'node:os';
import { findBlindSpots } from '../capture/blind-spots.js';
import { redirectHelpersOf } from '../capture/bpf-helpers.js';
import { describeToolError, ipLinks, nftCommand, runJson, tcFilters, tcxPrograms, type IpLink } from '../capture/host-tools.js';
import { egressHook, egressStages, ingressHook, ingressStages, parseKernelRelease } from '../decode/taps/kernel-pipeline.js';

/** Where a stage's hooks come from: a tool's answer, or why it gave none. */
type Populated = Map<string, string[]>;

function add(populated: Populated, stage: string, line: string): void {
  const lines = populated.get(stage) ?? [];
  lines.push(line);
  populated.set(stage, lines);
}

interface NftChain {
  family: string;
  table: string;
  name: string;
  type?: string;
  hook?: string;
  prio?: number;
  dev?: string | string[];
}

/** The stage each base chain's hook belongs to, by family and hook (kernel-taps.md §8). */
function chainStage(chain: NftChain): string | undefined {
  if (chain.family === 'netdev') return chain.hook === 'ingress' ? 'nf netdev ingress' : chain.hook === 'egress' ? 'nf egress' : undefined;
  if (chain.family !== 'ip' && chain.family !== 'ip6' && chain.family !== 'inet') return undefined;
  switch (chain.hook) {
    case 'ingress':
      return 'nf netdev ingress';
    case 'prerouting':
      return 'PREROUTING';
    case 'input':
    case 'forward':
      return 'INPUT/FORWARD';
    case 'output':
      return 'OUTPUT';
    case 'postrouting':
      return 'POSTROUTING';
  }
  return undefined;
}

function readNft(populated: Populated): string | undefined {
  let ruleset: { nftables?: { chain?: NftChain }[] };
  try {
    ruleset = runJson(nftCommand(), ['-j', 'list', 'ruleset']) as typeof ruleset;
  } catch (error) {
    return `nft: ${describeToolError(error)}`;
  }
  const chains = (ruleset.nftables ?? []).flatMap((entry) => (entry.chain?.hook === undefined ? [] : [entry.chain]));
  chains.sort((a, b) => (a.prio ?? 0) - (b.prio ?? 0));
  for (const chain of chains) {
    const stage = chainStage(chain);
    if (stage === undefined) continue;
    const hook = stage === 'INPUT/FORWARD' ? ` ${chain.hook}` : '';
    add(populated, stage, `nft ${chain.family} ${chain.table} ${chain.name}${hook} (${chain.type ?? 'filter'}, priority ${chain.prio ?? 0})`);
  }
  return undefined;
}

/** The pipeline stage each XDP_ATTACHED_* mode runs in (offloaded programs show with the driver's). */
const XDP_STAGES: Readonly<Record<number, string>> = { 1: 'native XDP', 2: 'generic XDP', 3: 'native XDP' };

function readLinks(populated: Populated, iface: string | undefined): string | undefined {
  let links: IpLink[];
  try {
    links = ipLinks(iface);
  } catch (error) {
    return `ip: ${describeToolError(error)}`;
  }
  for (const link of links) {
    const xdp = link.xdp;
    if (xdp?.mode !== undefined && XDP_STAGES[xdp.mode] !== undefined) {
      const name = xdp.prog?.name === undefined ? '' : ` ${xdp.prog.name}`;
      add(populated, XDP_STAGES[xdp.mode], `${link.ifname}: program${name} id ${xdp.prog?.id ?? '?'}${xdp.mode === 3 ? ' (offloaded to the NIC)' : ''}`);
    }
    if (link.qdisc !== undefined) add(populated, 'qdisc', `${link.ifname}: ${link.qdisc}`);
    for (const direction of ['ingress', 'egress'] as const) {
      const stage = direction === 'ingress' ? 'tc ingress' : 'tc egress';
      const filters = tcFilters(link.ifname, direction);
      if (filters.length > 0) add(populated, stage, `${link.ifname}: ${filters.length} tc filter entries`);
      for (const program of tcxNames(link.ifname, direction)) add(populated, stage, `${link.ifname}: tcx program ${program}`);
    }
  }
  return undefined;
}

/** The tcx programs on a device, named with their ids; none when the addon or the kernel cannot tell. */
function tcxNames(device: string, direction: 'ingress' | 'egress'): string[] {
  try {
    return tcxPrograms(device, direction).map((program) => {
      const redirects = redirectHelpersOf(program) ?? [];
      return `${program.name || '(unnamed)'} id ${program.id}${redirects.length > 0 ? ` (calls ${redirects.join(', ')})` : ''}`;
    });
  } catch {
    // Not root, or no addon: the closing note says tcx is not listed then.
    return [];
  }
}

/** The stage's key in `populated`: tc stages are listed whatever the kernel calls them (tcx). */
function populatedKey(stage: string): string {
  return stage.startsWith('tc ingress') ? 'tc ingress' : stage.startsWith('tc egress') ? 'tc egress' : stage;
}

function pipeline(title: string, before: readonly string[], tap: string, after: readonly string[], populated: Populated): string[] {
  const width = Math.max(...[...before, ...after].map((stage) => stage.length));
  const stageLines = (stages: readonly string[]) =>
    stages.flatMap((stage) => {
      const hooks = populated.get(populatedKey(stage)) ?? [];
      if (hooks.length === 0) return [`  │ ${stage}`];
      return hooks.map((hook, i) => `  │ ${(i === 0 ? stage : '').padEnd(width)}  ${hook}`);
    });
  return [title, ...stageLines(before), `  ◆ TAP (AF_PACKET copy): ${tap}`, ...stageLines(after), ''];
}

/** The text `--explain` prints; `iface` limits the device details (XDP, qdisc, tc) to one interface. */
export function explain(iface: string | undefined): { text: string; error: string | undefined } {
  if (iface !== undefined && !existsSync(`/sys/class/net/${iface}`)) {
    return { text: '', error: `${iface}: no such interface (tsshark -D lists the interfaces)` };
  }
  const kernel = parseKernelRelease(release());
  const populated: Populated = new Map();
  const notes = [readNft(populated), readLinks(populated, iface)].filter((note): note is string => note !== undefined);
  const ingress = ingressStages(kernel);
  const egress = egressStages(kernel);
  const lines = [
    `Linux ${kernel?.release ?? 'unknown kernel'}${iface === undefined ? '' : `, interface ${iface}`}: where tsshark's copies are made, and what runs around them`,
    '',
    ...pipeline('Receive (driver → socket): everything below the tap can still drop or rewrite what it shows', ingress.before, ingressHook(), ingress.after, populated),
    ...pipeline('Transmit (socket → driver): everything above the tap has already run; its drops are never shown', egress.before, egressHook(kernel), egress.after, populated),
    'NFLOG sources (-i nflog:GROUP) copy wherever their rule sits: at the nft chains listed above.',
    'Loopback (lo) shows the receive-side copy only: after the whole transmit side, before PREROUTING.',
    'tcx programs (6.6+) are listed under tc when tsshark runs as root with its capture addon built.',
    ...notes.map((note) => `Not read: ${note}`),
    '',
    ...blindSpotLines(iface),
  ];
  return { text: lines.join('\n') + '\n', error: undefined };
}

/** What a live capture would warn of on these devices (blind-spots.ts), as it would say it. */
function blindSpotLines(iface: string | undefined): string[] {
  const found = findBlindSpots([iface ?? 'any']);
  const findings = found.findings.length === 0 ? ['  none found'] : found.findings.map((finding) => `  ${finding}`);
  return [`Blind spots of ${iface === undefined ? 'every device' : iface}'s taps:`, ...findings, ...found.unread.map((what) => `  Not looked for: ${what}`)];
}
