// Linux cooked capture v1 and v2 (https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html, _SLL2.html).
// Wireshark shows both as `sll`, so both dissectors here share one protocol and field table.
import type { ByteView } from '../byte-view.js';
import type { Dissector } from '../dissector.js';
import type { Dissection } from '../dissection.js';
import { defineFields, defineProtocol } from '../field.js';
import { formatMac } from '../address.js';
// Below MIN_ETHERTYPE the protocol field holds a Linux pseudo-type (LINUX_SLL_P_*), not an ethertype.
import { macColumn, MIN_ETHERTYPE } from './eth.js';

export const V1 = { PKTTYPE: 0, HATYPE: 2, HALEN: 4, ADDRESS: 6, PROTOCOL: 14, LENGTH: 16 } as const;
export const V2 = { PROTOCOL: 0, RESERVED: 2, IFINDEX: 4, HATYPE: 8, PKTTYPE: 10, HALEN: 11, ADDRESS: 12, LENGTH: 20 } as const;
const ADDRESS_ROOM = 8;

const ARPHRD_ETHER = 1;
const ARPHRD_IPGRE = 778;
/** The hardware type of frames of `lo`. */
export const ARPHRD_LOOPBACK = 772;

/** Linux PACKET_* packet types, as SLL and SLL2 record them. */
export const PACKET_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'host',
  1: 'broadcast',
  2: 'multicast',
  3: 'otherhost',
  4: 'outgoing',
};

const fields = defineFields('sll', {
  pkttype: { name: 'Packet type', type: 'uint16', base: 'dec', values: {
    0: 'Unicast to us', 1: 'Broadcast', 2: 'Multicast', 3: 'Unicast to another host', 4: 'Sent by us' } },
  hatype: { name: 'Link-layer address type', type: 'uint16', base: 'dec' },
  halen: { name: 'Link-layer address length', type: 'uint16', base: 'dec' },
  'src.eth': { name: 'Source', type: 'ether', blurb: 'Source link-layer address' },
  'src.other': { name: 'Source', type: 'bytes', blurb: 'Source link-layer address' },
  unused: { name: 'Unused', type: 'bytes', blurb: 'Unused bytes' },
  ltype: { name: 'Protocol', type: 'uint16', base: 'hex', blurb: 'Linux protocol type' },
  gretype: { name: 'Protocol', type: 'uint16', base: 'hex', blurb: 'GRE protocol type' },
  etype: { name: 'Protocol', type: 'uint16', base: 'hex', blurb: 'Ethernet protocol type' },
  ifindex: { name: 'Interface index', type: 'uint32', base: 'dec' },
  reserved: { name: 'Reserved', type: 'uint16', base: 'hex' },
});

const protocol = defineProtocol('sll', 'Linux cooked capture');

function addAddress(view: ByteView, ctx: Dissection, hatype: number, halen: number, at: number): void {
  const shown = Math.min(halen, ADDRESS_ROOM);
  if (hatype === ARPHRD_ETHER && halen === 6) {
    ctx.add(fields['src.eth'], at, 6);
    if (ctx.columns) ctx.cols.addresses(macColumn, view.bytes, at);
  } else if (shown > 0) {
    ctx.add(fields['src.other'], at, shown);
  }
  if (shown < ADDRESS_ROOM) ctx.add(fields.unused, at + shown, ADDRESS_ROOM - shown);
}

function protocolNext(ctx: Dissection, hatype: number, type: number, at: number, payload: number): void {
  if (hatype === ARPHRD_IPGRE) ctx.add(fields.gretype, at, 2, type);
  else if (type < MIN_ETHERTYPE) ctx.add(fields.ltype, at, 2, type);
  else ctx.add(fields.etype, at, 2, type);
  if (hatype === ARPHRD_IPGRE) ctx.next('gre.proto', type, payload);
  else ctx.next('ethertype', type >= MIN_ETHERTYPE ? type : -1, payload);
}

function summary(view: ByteView, ctx: Dissection, version: string, pkttype: number, hatype: number, halen: number, addressAt: number, length: number): void {
  if (!ctx.tree) return;
  const source = hatype === ARPHRD_ETHER && halen === 6 ? `, src: ${formatMac(view.bytes, addressAt)}` : '';
  ctx.layerSummary(`Linux cooked capture ${version}${source} (${PACKET_TYPE_NAMES[pkttype] ?? pkttype})`, length);
}

export const sll: Dissector = {
  protocol,
  short: 'SLL',
  fields,
  bindings: [{ table: 'linktype', key: 113 }],
  dissect(view, offset, ctx) {
    view.check(offset, V1.LENGTH);
    const pkttype = view.u16(offset + V1.PKTTYPE);
    const hatype = view.u16(offset + V1.HATYPE);
    const halen = view.u16(offset + V1.HALEN);
    ctx.add(fields.pkttype, offset + V1.PKTTYPE, 2, pkttype);
    ctx.add(fields.hatype, offset + V1.HATYPE, 2, hatype);
    ctx.add(fields.halen, offset + V1.HALEN, 2, halen);
    addAddress(view, ctx, hatype, halen, offset + V1.ADDRESS);
    summary(view, ctx, 'v1', pkttype, hatype, halen, offset + V1.ADDRESS, V1.LENGTH);
    protocolNext(ctx, hatype, view.u16(offset + V1.PROTOCOL), offset + V1.PROTOCOL, offset + V1.LENGTH);
  },
};

export const sll2: Dissector = {
  protocol,
  short: 'SLL',
  fields: {},
  bindings: [{ table: 'linktype', key: 276 }],
  dissect(view, offset, ctx) {
    view.check(offset, V2.LENGTH);
    const hatype = view.u16(offset + V2.HATYPE);
    const pkttype = view.u8(offset + V2.PKTTYPE);
    const halen = view.u8(offset + V2.HALEN);
    const type = view.u16(offset + V2.PROTOCOL);
    protocolNext(ctx, hatype, type, offset + V2.PROTOCOL, offset + V2.LENGTH);
    ctx.add(fields.reserved, offset + V2.RESERVED, 2, view.u16(offset + V2.RESERVED));
    ctx.add(fields.ifindex, offset + V2.IFINDEX, 4, view.u32(offset + V2.IFINDEX));
    ctx.add(fields.hatype, offset + V2.HATYPE, 2, hatype);
    ctx.add(fields.pkttype, offset + V2.PKTTYPE, 1, pkttype);
    ctx.add(fields.halen, offset + V2.HALEN, 1, halen);
    addAddress(view, ctx, hatype, halen, offset + V2.ADDRESS);
    summary(view, ctx, 'v2', pkttype, hatype, halen, offset + V2.ADDRESS, V2.LENGTH);
  },
};
