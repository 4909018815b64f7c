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

/** Sets `into` to a relative time (nanoseconds), and returns it. */
function instantOf(relativeNs: number | bigint, into: Instant): Instant {
  if (typeof relativeNs === 'bigint') {
    const seconds = relativeNs / 1_000_000_000n;
    into.seconds = Number(seconds);
    into.nanoseconds = Number(relativeNs - seconds * 1_000_000_000n);
    return into;
  }
  into.seconds = Math.trunc(relativeNs / NS_PER_S);
  into.nanoseconds = relativeNs - into.seconds * NS_PER_S;
  return into;
}

/** Whether `length` bytes at `aAt` of `a` equal those at `bAt` of `b`. */
function sameBytes(a: Uint8Array, aAt: number, b: Uint8Array, bAt: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (a[aAt + i] !== b[bAt + i]) return false;
  return true;
}

/**
 * The last layer a table counted (its addresses copied): consecutive frames are mostly of one
 * conversation, found again without building its key.
 */
class LastLayer {
  private readonly addresses = new Uint8Array(32);
  private length = -1;
  private srcPort = 0;
  private dstPort = 0;
  private id = 0;
  index = 0;
  /** The conversation's source sent it. */
  sent = true;

  /** 1: the same as last time, -1: the same reversed, 0: another. */
  match(layer: TappedLayer): number {
    const { bytes, srcAt, dstAt, length } = layer;
    if (length !== this.length || layer.id !== this.id) return 0;
    const last = this.addresses;
    if (layer.srcPort === this.srcPort && layer.dstPort === this.dstPort && sameBytes(bytes, srcAt, last, 0, length) && sameBytes(bytes, dstAt, last, 16, length)) return 1;
    if (layer.srcPort === this.dstPort && layer.dstPort === this.srcPort && sameBytes(bytes, srcAt, last, 16, length) && sameBytes(bytes, dstAt, last, 0, length)) return -1;
    return 0;
  }

  remember(layer: TappedLayer, index: number, sent: boolean): void {
    this.addresses.set(layer.bytes.subarray(layer.srcAt, layer.srcAt + layer.length), 0);
    this.addresses.set(layer.bytes.subarray(layer.dstAt, layer.dstAt + layer.length), 16);
    this.length = layer.length;
    this.srcPort = layer.srcPort;
    this.dstPort = layer.dstPort;
    this.id = layer.id;
    this.index = index;
    this.sent = sent;
  }
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
  private readonly last = new LastLayer();
  private readonly time: Instant = { seconds: 0, nanoseconds: 0 };

  constructor(readonly kind: ConversationKind) {}

  add(layer: TappedLayer, frame: FrameMeta): void {
    const seen = this.last.match(layer);
    if (seen !== 0) {
      this.count(this.items[this.last.index], seen > 0 ? this.last.sent : !this.last.sent, frame);
      return;
    }
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
    if (at === undefined) {
      const time = instantOf(frame.relativeNs, { seconds: 0, nanoseconds: 0 });
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
        stop: { ...time },
        firstFrame: frame.number,
      });
      sent = true;
    }
    this.last.remember(layer, at, sent);
    this.count(this.items[at], sent, frame);
  }

  private count(item: ConversationItem, sent: boolean, frame: FrameMeta): void {
    if (sent) {
      item.txFrames++;
      item.txBytes += frame.originalLength;
    } else {
      item.rxFrames++;
      item.rxBytes += frame.originalLength;
    }
    // As Wireshark: a frame later than the last moves the stop, else one earlier than the first the start.
    const time = instantOf(frame.relativeNs, this.time);
    if (compareInstants(time, item.stop) > 0) instantOf(frame.relativeNs, item.stop);
    else if (compareInstants(time, item.start) < 0) instantOf(frame.relativeNs, item.start);
  }
}

export class EndpointTable implements LayerTable {
  readonly items: EndpointItem[] = [];
  private readonly index = new Map<string, number>();
  private readonly last = new LastLayer();
  /** The last layer's source and destination endpoints. */
  private readonly lastEnds = [0, 0];

  constructor(readonly kind: ConversationKind) {}

  add(layer: TappedLayer, frame: FrameMeta): void {
    const seen = this.last.match(layer);
    const source = seen === 0 ? this.find(layer.bytes, layer.srcAt, layer.length, layer.srcPort) : this.lastEnds[seen > 0 ? 0 : 1];
    const destination = seen === 0 ? this.find(layer.bytes, layer.dstAt, layer.length, layer.dstPort) : this.lastEnds[seen > 0 ? 1 : 0];
    if (seen === 0) {
      this.last.remember(layer, 0, true);
      this.lastEnds[0] = source;
      this.lastEnds[1] = destination;
    }
    this.count(source, true, frame.originalLength);
    this.count(destination, false, frame.originalLength);
  }

  /** The endpoint's index, added when new. */
  private find(bytes: Uint8Array, at: number, length: number, port: number): number {
    const key = `${addressKey(bytes, at, length)}\u0000${port}`;
    let index = this.index.get(key);
    if (index === undefined) {
      index = this.items.length;
      this.index.set(key, index);
      this.items.push({ address: addressText(bytes, at, length), port, txFrames: 0, txBytes: 0, rxFrames: 0, rxBytes: 0 });
    }
    return index;
  }

  private count(index: number, sender: boolean, frameBytes: number): void {
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
