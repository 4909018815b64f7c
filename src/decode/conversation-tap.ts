// What the conversation and endpoint statistics are told of each layer with addresses, as Wireshark's
// protocols queue their taps (eth, ip, ipv6, tcp, udp): not inside the packet an ICMP error quotes,
// which Wireshark's tap listeners do not see either. The session layer's statistics implement it.
import type { Dissection } from './dissection.js';

export const ConversationKind = { ETH: 0, IPV4: 1, IPV6: 2, TCP: 3, UDP: 4 } as const;
export type ConversationKind = (typeof ConversationKind)[keyof typeof ConversationKind];

/** No conversation id: the addresses and ports are the conversation (all but TCP's). */
export const NO_CONVERSATION_ID = -1;

export interface ConversationTap {
  /**
   * One layer's addresses (`length` bytes each at `srcAt` and `dstAt` of `bytes`), ports (0 where the
   * kind has none), and the id that tells apart conversations on the same addresses and ports (TCP's
   * stream: a port reused after a close is a new conversation).
   */
  add(kind: ConversationKind, bytes: Uint8Array, srcAt: number, dstAt: number, length: number, srcPort: number, dstPort: number, id: number): void;
}

/** Tells the dissection's conversation tap, if it has one, of a layer's addresses. */
export function tapConversation(ctx: Dissection, kind: ConversationKind, bytes: Uint8Array, srcAt: number, dstAt: number, length: number, srcPort = 0, dstPort = 0, id = NO_CONVERSATION_ID): void {
  if (ctx.conversationTap === undefined || ctx.inErrorPacket) return;
  ctx.conversationTap.add(kind, bytes, srcAt, dstAt, length, srcPort, dstPort, id);
}

/** A transport layer's tap: its ports, with the addresses of the IP header it is in. */
export function tapTransport(ctx: Dissection, kind: ConversationKind, srcPort: number, dstPort: number, id = NO_CONVERSATION_ID): void {
  const network = ctx.network;
  if (ctx.conversationTap === undefined || network === undefined) return;
  tapConversation(ctx, kind, network.bytes, network.srcAt, network.dstAt, network.length, srcPort, dstPort, id);
}
