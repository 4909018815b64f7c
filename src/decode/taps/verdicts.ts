// Netfilter's verdicts on the captured packets (--trace): the kernel's nftables trace events, grouped into
// the packets they follow, linked to the captured frames of each packet by the tap identity of
// tap-paths.ts, computed on the headers the events carry (the transport header's first 20 bytes, no more).
//
// An event has no timestamp: it is stamped when read, milliseconds after the packet passed, and linked to
// the frame of its identity nearest within LINK_WINDOW_S. One packet may pass netfilter more than once
// (loopback: sent, then received; a veth into another namespace) under different trace ids; events of one
// identity within the window are one packet's trail, as copies of one identity are one packet's path.
// The capture worker passes events on before the frames read with them, so a frame finds the events of
// the hooks it passed before it was read; a frame decoded before its packet's events came links nothing.
import type { TraceStep } from '../../capture/frame.js';
import type { Datagram } from '../frame-meta.js';
import { defineFields, type FieldDef } from '../field.js';
import { datagramOfHeaders } from './header-datagram.js';
import { identityOf } from './packet-identity.js';
import { LINK_WINDOW_S } from './tap-paths.js';

export const verdictFields = defineFields('tap', {
  verdict: { name: 'Verdict', type: 'string', blurb: "Netfilter's last verdict on the packet (--trace): accept, drop, queue, stolen" },
  verdict_by: { name: 'Verdict by', type: 'string', blurb: 'The rule (family, table, chain, handle: text) or chain policy that gave the verdict' },
  nft_trace: { name: 'nftables trace', type: 'string', blurb: 'A rule, return or policy the packet met, in the order it met them' },
});

/** Whether any of these fields is a verdict's (only the thread that holds the trace can give them). */
export function readsVerdicts(fields: readonly FieldDef[]): boolean {
  return fields.some((field) => field === verdictFields.verdict || field === verdictFields.verdict_by || field === verdictFields.nft_trace);
}

/** The transport bytes a trace event carries at most (NFT_TRACETYPE_TRANSPORT_HSIZE). */
export const TRACE_TRANSPORT_BYTES = 20;
/** Events seen between sweeps of the packets no frame can link to any more. */
const SWEEP_EVERY = 1024;
/** Steps kept per packet: a rule loop (a jump back) must not grow one without bound. */
const MAX_STEPS = 256;

/** enum nft_trace_types. */
const TraceType = { POLICY: 1, RETURN: 2, RULE: 3 } as const;
/** NF_ACCEPT: a chain's policy when the event does not say. */
const NF_ACCEPT = 1;
const NF_QUEUE = 3;
/** A queue verdict's number is in the code's upper bits. */
const NF_VERDICT_MASK = 0xff;
const QUEUE_NUMBER_SHIFT = 16;
/** Netfilter's verdicts (NF_*, 0 and up) and nftables' own (NFT_*, negative), by code. */
const VERDICT_NAMES: Readonly<Record<number, string>> = {
  0: 'drop',
  1: 'accept',
  2: 'stolen',
  3: 'queue',
  4: 'repeat',
  5: 'stop',
  [-1]: 'continue',
  [-2]: 'break',
  [-3]: 'jump',
  [-4]: 'goto',
  [-5]: 'return',
};

/** A verdict as nft names it: `drop`, `accept`, `queue 3`, `jump chain`. */
export function verdictName(code: number, chain = ''): string {
  if (code >= 0) {
    const verdict = code & NF_VERDICT_MASK;
    const name = VERDICT_NAMES[verdict] ?? `verdict ${verdict}`;
    return verdict === NF_QUEUE && code > NF_VERDICT_MASK ? `${name} ${code >>> QUEUE_NUMBER_SHIFT}` : name;
  }
  const name = VERDICT_NAMES[code] ?? `verdict ${code}`;
  return chain === '' ? name : `${name} ${chain}`;
}

/** One packet's way through netfilter, as far as its events told. */
export interface TracedPacket {
  /** Each event, as nft monitor trace prints it (with the rule's handle and text). */
  steps: string[];
  /** The last verdict that ended a chain (accept, drop, queue...); 'accept' when no chain but tsshark's met it. */
  verdict: string;
  verdictBy: string;
  /** When its first and last events were read. */
  firstSeconds: number;
  lastSeconds: number;
}

/** The datagram an event's headers show, for its identity; undefined when they are not IP's. */
function datagramOf(event: TraceStep): Datagram | undefined {
  const { network, transport } = event;
  if (network === undefined || network.length === 0) return undefined;
  const bytes = new Uint8Array(network.length + (transport?.length ?? 0));
  bytes.set(network);
  if (transport !== undefined) bytes.set(transport, network.length);
  return datagramOfHeaders(bytes, network.length);
}

/** The identity a frame's datagram shares with the trace events of its packet (0: none). */
export function traceIdentityOf(datagram: Datagram): number {
  return identityOf(datagram, TRACE_TRANSPORT_BYTES);
}

/** Packets that ended with one verdict from one rule or policy ('' when no chain but tsshark's met them). */
export interface VerdictOutcome {
  verdict: string;
  verdictBy: string;
  packets: number;
}

export class NetfilterVerdicts {
  /** Packets traced, and those whose last verdict was a drop. */
  traced = 0;
  dropped = 0;
  /** Packets by their verdict and the rule that gave it, keyed `verdict\0by`. */
  private readonly outcomeCounts = new Map<string, number>();
  private readonly byTraceId = new Map<number, TracedPacket>();
  private readonly byIdentity = new Map<number, TracedPacket>();
  private sinceSweep = 0;

  /**
   * `ownTables`: tsshark's tracing tables ("family table"), whose steps are left out. `ruleText`: a rule's
   * text by family, table, chain and handle, when it can be read.
   */
  constructor(
    private readonly ownTables: ReadonlySet<string>,
    private readonly ruleText: (event: TraceStep) => string | undefined,
  ) {}

  add(event: TraceStep): void {
    // No IP headers, or a chain's later event whose first was missed: no packet to tell.
    const packet = this.packetOf(event);
    if (packet === undefined) return;
    packet.lastSeconds = event.seconds;
    if (this.ownTables.has(`${event.family} ${event.table}`)) return;
    const where = `${event.family} ${event.table} ${event.chain}`;
    const code = event.type === TraceType.POLICY ? (event.policy ?? NF_ACCEPT) : event.verdict;
    const verdict = code === undefined ? '' : verdictName(code, event.verdictChain);
    let step: string;
    let by = '';
    if (event.type === TraceType.POLICY) {
      by = `${where} policy`;
      step = `${by} ${verdict}`;
    } else if (event.type === TraceType.RETURN) {
      step = `${where} return`;
    } else if (event.handle === 0) {
      // A rule event without a handle (6.18 sends one after the rule that set nftrace): no rule to name.
      step = `${where} (verdict ${verdict})`;
    } else {
      by = `${where} handle ${event.handle}: ${this.ruleText(event) ?? '(rule text not read)'}`;
      step = `${by} (verdict ${verdict})`;
    }
    // A netfilter verdict (accept, drop, queue...) ends the chain; nftables' own (continue, jump) do not.
    if (by !== '' && code !== undefined && code >= 0) {
      if (packet.verdict === 'drop') this.dropped--;
      this.countOutcome(packet, -1);
      packet.verdict = verdict;
      packet.verdictBy = by;
      this.countOutcome(packet, 1);
      if (verdict === 'drop') this.dropped++;
    }
    if (packet.steps.length < MAX_STEPS) packet.steps.push(step);
    if (++this.sinceSweep >= SWEEP_EVERY) this.sweep(event.seconds);
  }

  /** Every verdict and rule, with the packets that ended with it, most first. */
  get outcomes(): VerdictOutcome[] {
    const outcomes = [...this.outcomeCounts].map(([key, packets]) => {
      const [verdict, verdictBy] = key.split('\0');
      return { verdict, verdictBy, packets };
    });
    return outcomes.sort((a, b) => b.packets - a.packets || a.verdictBy.localeCompare(b.verdictBy));
  }

  private countOutcome(packet: TracedPacket, delta: number): void {
    const key = `${packet.verdict}\0${packet.verdictBy}`;
    const packets = (this.outcomeCounts.get(key) ?? 0) + delta;
    if (packets === 0) this.outcomeCounts.delete(key);
    else this.outcomeCounts.set(key, packets);
  }

  /** The packet of a frame decoded for the first time: of its identity, read within LINK_WINDOW_S of it. */
  link(datagram: Datagram, seconds: number): TracedPacket | undefined {
    if (datagram.version === 0) return undefined;
    const packet = this.byIdentity.get(traceIdentityOf(datagram));
    return packet !== undefined && Math.abs(packet.firstSeconds - seconds) <= LINK_WINDOW_S ? packet : undefined;
  }

  private packetOf(event: TraceStep): TracedPacket | undefined {
    const datagram = datagramOf(event);
    if (datagram === undefined) return this.byTraceId.get(event.id);
    const identity = traceIdentityOf(datagram);
    let packet = this.byIdentity.get(identity);
    if (packet === undefined || event.seconds - packet.lastSeconds > LINK_WINDOW_S) {
      packet = { steps: [], verdict: 'accept', verdictBy: '', firstSeconds: event.seconds, lastSeconds: event.seconds };
      this.byIdentity.set(identity, packet);
      this.traced++;
      this.countOutcome(packet, 1);
    }
    this.byTraceId.set(event.id, packet);
    return packet;
  }

  /** Forgets the packets no frame can link to any more (their frames are decoded by then). */
  private sweep(now: number): void {
    this.sinceSweep = 0;
    const before = now - 2 * LINK_WINDOW_S;
    for (const [id, packet] of this.byTraceId) if (packet.lastSeconds < before) this.byTraceId.delete(id);
    for (const [identity, packet] of this.byIdentity) if (packet.lastSeconds < before) this.byIdentity.delete(identity);
  }
}
