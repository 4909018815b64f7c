// --trace: the nftables table that makes the kernel trace the captured devices' packets, and the rules'
// texts the trace events name by handle. The table is made through libnftables with `flags owner`: the
// kernel deletes it when the netlink socket that made it closes, which it does when tsshark exits however
// it exits (SIGKILL and crashes too). Its only rules set nftrace; its chains' policy is accept, and a
// base chain's accept lets the packet on to the hook's other chains: no packet's fate changes.
import { readFileSync } from 'node:fs';
import { loadPcapAddon, type NftContext, type PcapAddon } from './native/addon.js';

/** Packets traced per second unless the user says otherwise: trace events cost the kernel a netlink message each. */
export const DEFAULT_TRACE_RATE = 1000;
/** NF_IP_PRI_FIRST: tsshark's chains run before every other chain of their hook. */
const FIRST_PRIORITY = -2147483648;
/** libnftables output flags: NFT_CTX_OUTPUT_STATELESS (no counter values) | NFT_CTX_OUTPUT_HANDLE. */
const LIST_FLAGS = (1 << 2) | (1 << 3);
/** A chain whose rule was not known is listed again at most this often. */
const RELIST_MS = 1000;
/** Chains whose rules are kept; past it, the oldest listing is forgotten. */
const MAX_CHAINS = 1024;
/** Legacy x_tables, as the kernel lists the tables that have been loaded in this namespace. */
const LEGACY_TABLE_LISTS: readonly [string, string][] = [
  ['iptables', '/proc/net/ip_tables_names'],
  ['ip6tables', '/proc/net/ip6_tables_names'],
  ['arptables', '/proc/net/arp_tables_names'],
];

/** Why tracing cannot start; the message is for the user. */
export class TraceError extends Error {}

export interface TraceOptions {
  /** The captured devices; empty: every device (`any`, NFLOG). */
  devices: readonly string[];
  /** An nft match expression that narrows what is traced (`udp dport 9101`); '' for everything. */
  match: string;
  /** Packets per second traced at most; 0 for no bound. */
  rate: number;
}

/** A name as an nft string: in double quotes, which it cannot hold itself. */
function nftString(name: string): string {
  return `"${name.replace(/["\\]/g, '')}"`;
}

/** nft's quoting of a name: as it is when it is an identifier, else as a string. */
function nftName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_./-]*$/.test(name) ? name : nftString(name);
}

/** The named limit a table's rules share: the bound is on packets traced, not per hook. */
const RATE_LIMIT = 'tsshark_rate';

/**
 * The commands that make tsshark's tables: one chain per hook the captured devices' packets pass. Packets
 * received on captured devices are marked in a netdev table's ingress chain, the earliest hook, so that
 * other tables' netdev ingress chains are traced too; sent and forwarded ones at output and forward, in
 * an inet table (the netdev egress chains after those see the mark). Each table has its own bound: one
 * on packets received, one on packets sent or forwarded. Every device (`any`, NFLOG): prerouting and
 * output, one bound.
 */
export function tracingCommands(table: string, options: TraceOptions): string[] {
  const quoted = options.devices.map(nftString);
  // One device is compared, not looked up in a set: this rule runs for every packet of the hook.
  const devices = quoted.length === 0 ? undefined : quoted.length === 1 ? quoted[0] : `{ ${quoted.join(', ')} }`;
  const match = options.match.trim() === '' ? '' : `${options.match.trim()} `;
  const limit = options.rate > 0 ? `limit name "${RATE_LIMIT}" ` : '';
  const lines: string[] = [];
  const addTable = (family: string) => {
    lines.push(`add table ${family} ${table} { flags owner; }`);
    if (options.rate > 0) lines.push(`add limit ${family} ${table} ${RATE_LIMIT} { rate ${options.rate}/second; }`);
  };
  const chain = (family: string, name: string, hook: string, condition: string) => {
    lines.push(`add chain ${family} ${table} ${name} { type filter hook ${hook} priority ${FIRST_PRIORITY}; policy accept; }`);
    lines.push(`add rule ${family} ${table} ${name} ${condition}${match}${limit}meta nftrace set 1`);
  };
  if (devices !== undefined) {
    addTable('netdev');
    chain('netdev', 'ingress', `ingress ${quoted.length === 1 ? 'device' : 'devices ='} ${devices}`, '');
  }
  addTable('inet');
  if (devices === undefined) chain('inet', 'prerouting', 'prerouting', '');
  chain('inet', 'output', 'output', devices === undefined ? '' : `oifname ${devices} `);
  // Forwarded out of a captured device after coming in by another, which its ingress chain did not mark.
  if (devices !== undefined) chain('inet', 'forward', 'forward', `iifname != ${devices} oifname ${devices} `);
  return lines;
}

/** The rules of a chain as `nft -a -s list chain` prints them, by handle. */
export function parseChainListing(listing: string): Map<number, string> {
  const rules = new Map<number, string>();
  for (const line of listing.split('\n')) {
    const match = /^\s*(.*?)\s*# handle (\d+)\s*$/.exec(line);
    // The table's and chain's own lines end in `{ # handle N`.
    if (match === null || match[1].endsWith('{') || match[1] === '') continue;
    rules.set(Number(match[2]), match[1]);
  }
  return rules;
}

/** The legacy iptables tables loaded in this namespace ("iptables filter, nat"): nftables cannot trace their rules. */
export function legacyTables(read: (path: string) => string = (path) => readFileSync(path, 'latin1')): string[] {
  const found: string[] = [];
  for (const [tool, path] of LEGACY_TABLE_LISTS) {
    let names: string[];
    try {
      names = read(path).split('\n').filter((name) => name !== '');
    } catch {
      continue;
    }
    if (names.length > 0) found.push(`${tool} ${names.join(', ')}`);
  }
  return found;
}

interface ChainRules {
  rules: Map<number, string>;
  listedAt: number;
}

export class NftTracer {
  /** tsshark's tables, as trace events name them ("inet tsshark_trace_PID"), whose own steps are not shown. */
  readonly ownTables: ReadonlySet<string>;
  private readonly chains = new Map<string, ChainRules>();
  private context: NftContext | undefined;

  private constructor(
    private readonly addon: PcapAddon,
    context: NftContext,
    readonly table: string,
    readonly options: TraceOptions,
  ) {
    this.context = context;
    this.ownTables = new Set([`inet ${table}`, `netdev ${table}`]);
  }

  /** Makes the tracing table (as root). Throws TraceError. */
  static open(options: TraceOptions): NftTracer {
    const addon = loadPcapAddon();
    let context: NftContext;
    try {
      context = addon.nftOpen();
    } catch (error) {
      throw new TraceError(`--trace needs libnftables (Debian's libnftables1, which nft uses): ${(error as Error).message}`);
    }
    const table = `tsshark_trace_${process.pid}`;
    // One command a call: nft's error then quotes the command that failed (over several lines it quotes the first).
    for (const command of tracingCommands(table, options)) {
      const made = addon.nftRun(context, command, 0);
      if (made.ok) continue;
      addon.nftClose(context);
      const said = made.error.trim();
      if (/Operation not permitted/.test(said)) throw new TraceError('--trace makes an nftables table, which needs root (CAP_NET_ADMIN): run tsshark with sudo');
      const what = options.match === '' ? 'could not make its tracing table' : `could not trace "${options.match}"`;
      throw new TraceError(`--trace ${what}; nft said:\n${said}`);
    }
    return new NftTracer(addon, context, table, options);
  }

  /** The text of the rule an event names, read from the kernel (the chain is listed again when the rule is new to it). */
  ruleText(event: { family: string; table: string; chain: string; handle: number }): string | undefined {
    const context = this.context;
    if (context === undefined || event.handle === 0) return undefined;
    const key = `${event.family} ${nftName(event.table)} ${nftName(event.chain)}`;
    let chain = this.chains.get(key);
    const now = performance.now();
    if (chain === undefined || (!chain.rules.has(event.handle) && now - chain.listedAt >= RELIST_MS)) {
      const listed = this.addon.nftRun(context, `list chain ${key}`, LIST_FLAGS);
      if (chain === undefined && this.chains.size >= MAX_CHAINS) this.chains.delete(this.chains.keys().next().value as string);
      chain = { rules: listed.ok ? parseChainListing(listed.output) : new Map(), listedAt: now };
      this.chains.set(key, chain);
    }
    return chain.rules.get(event.handle);
  }

  /** What `--trace` traces, for the user: the devices, the match and the bound. */
  get description(): string {
    const { devices, match, rate } = this.options;
    const where = devices.length === 0 ? 'every device' : devices.join(', ');
    const bound = rate.toLocaleString('en-US');
    const bounds = devices.length === 0 ? `at most ${bound} packets/s` : `at most ${bound} packets/s received and ${bound} sent or forwarded`;
    return `tracing netfilter on ${where}${match === '' ? '' : ` for "${match}"`}, ${rate > 0 ? bounds : 'every packet (no rate bound)'}`;
  }

  /** Deletes the table (closing the socket that owns it). */
  close(): void {
    if (this.context === undefined) return;
    this.addon.nftClose(this.context);
    this.context = undefined;
  }
}
