// Ethernet II and IEEE 802.3 framing (IEEE 802.3 §3.2); the type field ≥ 1536 is an ethertype,
// below that a length followed by LLC, which this inspector shows as data.
import { ConversationKind, tapConversation } from '../conversation-tap.js';
import type { Dissector } from '../dissector.js';
import { ExpertGroup } from './expert.js';
import { defineFields, defineProtocol } from '../field.js';
import { formatMac } from '../address.js';

export const FIELD = { DST: [0, 6], SRC: [6, 6], TYPE: [12, 2] } as const;
export const HEADER_LENGTH = 14;
/** Below this the type field holds a length (IEEE 802.3), not an ethertype. */
export const MIN_ETHERTYPE = 1536;
const GROUP_BIT = 0x01;

const fields = defineFields('eth', {
  dst: { name: 'Destination', type: 'ether' },
  src: { name: 'Source', type: 'ether' },
  addr: { name: 'Address', type: 'ether', blurb: 'Source or Destination Hardware Address' },
  type: { name: 'Type', type: 'uint16', base: 'hex' },
  len: { name: 'Length', type: 'uint16', base: 'dec' },
});

/** The column text for a hardware address; Wireshark names the broadcast address. */
export function macColumn(bytes: Uint8Array, at: number): string {
  let all = 0xff;
  for (let i = 0; i < 6; i++) all &= bytes[at + i];
  return all === 0xff ? 'Broadcast' : formatMac(bytes, at);
}

export const eth: Dissector = {
  protocol: defineProtocol('eth', 'Ethernet II'),
  short: 'Ethernet',
  fields,
  bindings: [
    { table: 'linktype', key: 1 },
    // RFC 8986: Ethernet carried directly in IPv6 (SRv6 End.DX2).
    { table: 'ip.proto', key: 143 },
  ],
  dissect(view, offset, ctx) {
    view.check(offset, HEADER_LENGTH);
    const [dstAt, macLength] = FIELD.DST;
    const srcAt = offset + FIELD.SRC[0];
    ctx.add(fields.dst, offset + dstAt, macLength);
    ctx.add(fields.addr, offset + dstAt, macLength);
    ctx.add(fields.src, srcAt, macLength);
    // The individual/group bit: only a destination may be a group.
    if (view.bytes[srcAt] & GROUP_BIT) ctx.expert('warn', ExpertGroup.Protocol, 'Source MAC must not be a group address: IEEE 802.3-2002, Section 3.2.3(b)', srcAt, macLength);
    ctx.add(fields.addr, srcAt, macLength);
    const type = view.u16(offset + FIELD.TYPE[0]);
    tapConversation(ctx, ConversationKind.ETH, view.bytes, srcAt, offset + dstAt, macLength);
    if (ctx.columns) {
      ctx.cols.addresses(macColumn, view.bytes, srcAt, offset + dstAt);
    }
    if (ctx.tree) {
      ctx.layerSummary(`Ethernet II, Src: ${formatMac(view.bytes, srcAt)}, Dst: ${formatMac(view.bytes, offset + dstAt)}`, HEADER_LENGTH);
    }
    if (type >= MIN_ETHERTYPE) {
      ctx.add(fields.type, offset + FIELD.TYPE[0], 2, type);
      ctx.next('ethertype', type, offset + HEADER_LENGTH);
    } else {
      ctx.add(fields.len, offset + FIELD.TYPE[0], 2, type);
      ctx.next('ethertype', -1, offset + HEADER_LENGTH, offset + HEADER_LENGTH + type);
    }
  },
};
