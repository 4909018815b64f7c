// Conversations and endpoints (Ethernet, IPv4, IPv6, TCP, UDP), counted as Wireshark's conversation
// tables count them (epan/conversation_table.c): a conversation's source is the sender of its first
// frame, "->" is what that side sent and "<-" what it received; TCP conversations are told apart by
// stream, so a port reused after a close is a new one. Each frame is counted once per layer that carries
// the kind's addresses (a tunnel's inner Ethernet too), never inside the packet an ICMP error quotes.
import { formatIPv4Bytes, formatIPv6Bytes, formatMac } from '../../decode/address.js';
import { ConversationKind } from '../../decode/conversation-tap.js';
import type { FrameMeta } from '../../decode/dissection.js';
import type { LayerTable, TappedLayer } from './frame-statistics.js';

export const KIND_NAMES: Readonly<Record<string, ConversationKind>> = {
  eth: ConversationKind.ETH,
  ip: ConversationKind.IPV4,
  ipv6: ConversationKind.IPV6,
  tcp: ConversationKind.TCP,
  udp: ConversationKind.UDP,
};

/** The title tshark gives each kind. */
export const KIND_TITLES: Readonly<Record<ConversationKind, string>> = ['Ethernet', 'IPv4', 'IPv6', 'TCP', 'UDP'];

export function hasPorts(kind: ConversationKind): boolean {
  return kind === ConversationKind.TCP || kind === ConversationKind.UDP;
}

const NS_PER_S = 1_000_000_000;

/** A relative time as seconds and nanoseconds, as Wireshark's nstime_t keeps it. */
export interface Instant {
  seconds: number;
  nanoseconds: number;
}

function instantOf(relativeNs: number | bigint): Instant {
  if (typeof relativeNs === 'bigint') {
    const seconds = relativeNs / 1_000_000_000n;
    return { seconds: Number(seconds), nanoseconds: Number(relativeNs - seconds * 1_000_000_000n) };
  }
  const seconds = Math.trunc(relativeNs / NS_PER_S);
  return { seconds, nanoseconds: relativeNs - seconds * NS_PER_S };
}

export function compareInstants(a: Instant, b: Instant): number {
  return a.seconds !== b.seconds ? a.seconds - b.seconds : a.nanoseconds - b.nanoseconds;
}

/** nstime_to_sec: what the duration is computed from. */
export function instantSeconds(instant: Instant): number {
  return instant.seconds + instant.nanoseconds / NS_PER_S;
}

/** `length` address bytes as text: an Ethernet, IPv4 or IPv6 address. */
export function addressText(bytes: Uint8Array, at: number, length: number): string {
  return length === 6 ? formatMac(bytes, at) : length === 4 ? formatIPv4Bytes(bytes, at) : formatIPv6Bytes(bytes, at);
}

/** A key for `length` address bytes: equal keys, equal addresses. */
function addressKey(bytes: Uint8Array, at: number, length: number): string {
  let key = '';
  for (let i = 0; i < length; i++) key += String.fromCharCode(bytes[at + i]);
  return key;
}

export interface ConversationItem {
  srcAddress: string;
  dstAddress: string;
  srcPort: number;
  dstPort: number;
  /** Frames and bytes the source sent (tx, "->") and received (rx, "<-"). */
  txFrames: number;
  txBytes: number;
  rxFrames: number;
  rxBytes: number;
  start: Instant;
  stop: Instant;
  /** The frames of the conversation in order, for the interface's "filter to this row" and follow. */
  firstFrame: number;
}

export interface EndpointItem {
  address: string;
  port: number;
  txFrames: number;
  txBytes: number;
  rxFrames: number;
  rxBytes: number;
}

export class ConversationTable implements LayerTable {
  /** In the order first seen, as tshark's array: equal frame counts keep this order. */
  readonly items: ConversationItem[] = [];
  private readonly index = new Map<string, number>();

  constructor(readonly kind: ConversationKind) {}

  add(layer: TappedLayer, frame: FrameMeta): void {
    const { bytes, srcAt, dstAt, length, srcPort, dstPort, id } = layer;
    const src = addressKey(bytes, srcAt, length);
    const dst = addressKey(bytes, dstAt, length);
    const forward = `${src}\u0000${dst}\u0000${srcPort}\u0000${dstPort}\u0000${id}`;
    let at = this.index.get(forward);
    let sent = true;
    if (at === undefined) {
      at = this.index.get(`${dst}\u0000${src}\u0000${dstPort}\u0000${srcPort}\u0000${id}`);
      sent = false;
    }
    const time = instantOf(frame.relativeNs);
    if (at === undefined) {
      at = this.items.length;
      this.index.set(forward, at);
      this.items.push({
        srcAddress: addressText(bytes, srcAt, length),
        dstAddress: addressText(bytes, dstAt, length),
        srcPort,
        dstPort,
        txFrames: 0,
        txBytes: 0,
        rxFrames: 0,
        rxBytes: 0,
        start: time,
        stop: time,
        firstFrame: frame.number,
      });
      sent = true;
    }
    const item = this.items[at];
    if (sent) {
      item.txFrames++;
      item.txBytes += frame.originalLength;
    } else {
      item.rxFrames++;
      item.rxBytes += frame.originalLength;
    }
    // As Wireshark: a frame later than the last moves the stop, else one earlier than the first the start.
    if (compareInstants(time, item.stop) > 0) item.stop = time;
    else if (compareInstants(time, item.start) < 0) item.start = time;
  }
}

export class EndpointTable implements LayerTable {
  readonly items: EndpointItem[] = [];
  private readonly index = new Map<string, number>();

  constructor(readonly kind: ConversationKind) {}

  add(layer: TappedLayer, frame: FrameMeta): void {
    this.count(layer.bytes, layer.srcAt, layer.length, layer.srcPort, true, frame.originalLength);
    this.count(layer.bytes, layer.dstAt, layer.length, layer.dstPort, false, frame.originalLength);
  }

  private count(bytes: Uint8Array, at: number, length: number, port: number, sender: boolean, frameBytes: number): void {
    const key = `${addressKey(bytes, at, length)}\u0000${port}`;
    let index = this.index.get(key);
    if (index === undefined) {
      index = this.items.length;
      this.index.set(key, index);
      this.items.push({ address: addressText(bytes, at, length), port, txFrames: 0, txBytes: 0, rxFrames: 0, rxBytes: 0 });
    }
    const item = this.items[index];
    if (sender) {
      item.txFrames++;
      item.txBytes += frameBytes;
    } else {
      item.rxFrames++;
      item.rxBytes += frameBytes;
    }
  }
}

/** Items by total frames, most first; equal totals in the order first seen (tshark's drawing loop). */
export function byFramesDescending<T extends { txFrames: number; rxFrames: number }>(items: readonly T[]): T[] {
  return items
    .map((item, order) => ({ item, order }))
    .sort((a, b) => b.item.txFrames + b.item.rxFrames - (a.item.txFrames + a.item.rxFrames) || a.order - b.order)
    .map(({ item }) => item);
}
