// IPv4, RFC 791 §3.1 (header), RFC 6864 (ID); fragments are reassembled (RFC 815) on the last one.
// Wireshark's abbrev for IPv4 is `ip`.
import type { ByteView } from '../byte-view.js';
import { ExpertGroup } from './expert.js';
import { ConversationKind, tapConversation } from '../conversation-tap.js';
import type { Dissector } from '../dissector.js';
import type { Dissection } from '../dissection.js';
import { defineFields, defineProtocol } from '../field.js';
import { formatIPv4, formatIPv4Bytes } from '../address.js';
import { handOffFragment } from '../reassembly.js';
import { IP_PROTOCOL_NAMES } from './ip-protocols.js';

/** Offsets in the header, for the tap model too (packet identity across NAT). */
export const FIELD = { VERSION_IHL: 0, TOS: 1, LENGTH: 2, ID: 4, FLAGS_FRAGMENT: 6, TTL: 8, PROTOCOL: 9, CHECKSUM: 10, SRC: 12, DST: 16 } as const;
export const MIN_HEADER = 20;
export const FLAG_MF = 0x2000;
export const FRAGMENT_MASK = 0x1fff;

const OPTION_NAMES: Readonly<Record<number, string>> = {
  0: 'End of Options List (EOL)', 1: 'No-Operation (NOP)', 7: 'Record Route', 68: 'Time Stamp', 130: 'Security',
  131: 'Loose Source Route', 137: 'Strict Source Route', 136: 'Stream ID', 148: 'Router Alert',
};

const fields = defineFields('ip', {
  version: { name: 'Version', type: 'uint8', base: 'dec' },
  hdr_len: { name: 'Header Length', type: 'uint8', base: 'dec' },
  dsfield: { name: 'Differentiated Services Field', type: 'uint8', base: 'hex' },
  'dsfield.dscp': { name: 'Differentiated Services Codepoint', type: 'uint8', base: 'dec', mask: 0xfc },
  'dsfield.ecn': { name: 'Explicit Congestion Notification', type: 'uint8', base: 'dec', mask: 0x03 },
  len: { name: 'Total Length', type: 'uint16', base: 'dec' },
  id: { name: 'Identification', type: 'uint16', base: 'hex_dec' },
  flags: { name: 'Flags', type: 'uint8', base: 'hex', mask: 0xe0 },
  'flags.rb': { name: 'Reserved bit', type: 'boolean', mask: 0x80 },
  'flags.df': { name: "Don't fragment", type: 'boolean', mask: 0x40 },
  'flags.mf': { name: 'More fragments', type: 'boolean', mask: 0x20 },
  frag_offset: { name: 'Fragment Offset', type: 'uint16', base: 'dec', mask: 0x1fff, blurb: 'Fragment offset (13 bits)' },
  ttl: { name: 'Time to Live', type: 'uint8', base: 'dec' },
  proto: { name: 'Protocol', type: 'uint8', base: 'dec', values: IP_PROTOCOL_NAMES },
  checksum: { name: 'Header Checksum', type: 'uint16', base: 'hex' },
  src: { name: 'Source Address', type: 'ipv4' },
  dst: { name: 'Destination Address', type: 'ipv4' },
  addr: { name: 'Source or Destination Address', type: 'ipv4' },
  'opt.type': { name: 'Type', type: 'uint8', base: 'dec', values: OPTION_NAMES, customNames: true },
  'opt.len': { name: 'Length', type: 'uint8', base: 'dec' },
  'opt.data': { name: 'Data', type: 'bytes' },
  'reassembled.length': { name: 'Reassembled IPv4 length', type: 'uint32', base: 'dec' },
  'fragment.count': { name: 'Fragment count', type: 'uint32', base: 'dec' },
});

const protocol = defineProtocol('ip', 'Internet Protocol Version 4');

function addOptions(view: ByteView, ctx: Dissection, start: number, end: number): void {
  let at = start;
  while (at < end) {
    const type = view.u8(at);
    if (type === 0 || type === 1) {
      ctx.add(fields['opt.type'], at, 1, type);
      at++;
      if (type === 0) return;
      continue;
    }
    const length = view.u8(at + 1);
    if (length < 2 || at + length > end) {
      ctx.expert('warn', ExpertGroup.Malformed, `IPv4 option length ${length} is invalid at offset ${at - start}`, at, 2);
      return;
    }
    ctx.open(fields['opt.type'], at, length, type);
    ctx.add(fields['opt.len'], at + 1, 1, length);
    if (length > 2) ctx.add(fields['opt.data'], at + 2, length - 2);
    ctx.close();
    at += length;
  }
}

const IGMP = 2;
const OSPF = 89;
const PIM = 103;
const VRRP_ADDRESS = 0xe0000012;
const MDNS_ADDRESS = 0xe00000fb;
const ANY_TTL = -1;

/**
 * Wireshark's TTL notes: the Local Network Control Block (224.0.0.0/24) is never routed, so its TTL is 1
 * (VRRP's 255, mDNS's any, RFC 3171); a unicast datagram with a TTL under 5 is about to expire.
 */
function checkTtl(ctx: Dissection, ttl: number, dst: number, proto: number): void {
  if (dst >>> 8 === 0xe00000) {
    const valid = proto === IGMP ? 1 : dst === VRRP_ADDRESS ? 255 : dst === MDNS_ADDRESS ? ANY_TTL : 1;
    if (ttl !== valid && valid !== ANY_TTL) {
      ctx.expert('note', ExpertGroup.Sequence, `"Time To Live" != ${valid} for a packet sent to the Local Network Control Block (see RFC 3171)`);
    }
  } else if (ttl < 5 && dst >>> 28 !== 0xe && proto !== PIM && proto !== OSPF) {
    ctx.expert('note', ExpertGroup.Sequence, `"Time To Live" only ${ttl}`);
  }
}

export const ip: Dissector = {
  protocol,
  short: 'IPv4',
  fields,
  bindings: [
    { table: 'ethertype', key: 0x0800 },
    { table: 'ip.version', key: 4 },
    { table: 'linktype', key: 228 },
    { table: 'ip.proto', key: 4 },
  ],
  dissect(view, offset, ctx) {
    const versionIhl = view.u8(offset + FIELD.VERSION_IHL);
    const version = versionIhl >>> 4;
    const headerLength = (versionIhl & 0x0f) * 4;
    // A raw IPv4 link (the frame starts with the header) that holds IPv6 is handed on unclaimed, as
    // Wireshark's dissect_ip does; after an ethertype, IPv4 shows the bogus version first.
    if (version === 6 && offset === 0) {
      ctx.withdrawLayer();
      ctx.next('ip.version', 6, offset);
      return;
    }
    ctx.add(fields.version, offset, 1, version);
    if (version !== 4) {
      ctx.expert('error', ExpertGroup.Protocol, 'Bogus IPv4 version', offset, 1);
      if (ctx.columns) ctx.cols.info = `Bogus IPv4 version (${version}, must be 4)`;
      if (version === 6) ctx.next('ip.version', 6, offset);
      return;
    }
    ctx.add(fields.hdr_len, offset, 1, headerLength);
    if (headerLength < MIN_HEADER) {
      ctx.expert('error', ExpertGroup.Protocol, `Bogus IP header length (${headerLength}, must be at least ${MIN_HEADER})`, offset, 1);
      if (ctx.columns) ctx.cols.info = `Bogus IPv4 header length (${headerLength}, must be at least ${MIN_HEADER})`;
      return;
    }
    const tos = view.u8(offset + FIELD.TOS);
    ctx.open(fields.dsfield, offset + FIELD.TOS, 1, tos);
    ctx.add(fields['dsfield.dscp'], offset + FIELD.TOS, 1, tos >>> 2);
    ctx.add(fields['dsfield.ecn'], offset + FIELD.TOS, 1, tos & 3);
    ctx.close();
    let totalLength = view.u16(offset + FIELD.LENGTH);
    // TSO frames carry total length 0: the frame's length is the datagram's, as Wireshark presumes.
    if (totalLength === 0) totalLength = view.reportedRemaining(offset);
    ctx.add(fields.len, offset + FIELD.LENGTH, 2, totalLength);
    if (totalLength < headerLength) {
      ctx.expert('error', ExpertGroup.Protocol, 'Bogus IP length', offset + FIELD.LENGTH, 2);
      if (ctx.columns) ctx.cols.info = `Bogus IP length (${totalLength}, less than header length ${headerLength})`;
      return;
    }
    if (totalLength > view.reported - offset && !ctx.inErrorPacket) {
      ctx.expert('error', ExpertGroup.Protocol, `IPv4 total length exceeds packet length (${view.reported - offset} bytes)`, offset + FIELD.LENGTH, 2);
    }
    const id = view.u16(offset + FIELD.ID);
    ctx.add(fields.id, offset + FIELD.ID, 2, id);
    const flagsFragment = view.u16(offset + FIELD.FLAGS_FRAGMENT);
    ctx.open(fields.flags, offset + FIELD.FLAGS_FRAGMENT, 1, flagsFragment >>> 13);
    ctx.add(fields['flags.rb'], offset + FIELD.FLAGS_FRAGMENT, 1, (flagsFragment & 0x8000) !== 0);
    ctx.add(fields['flags.df'], offset + FIELD.FLAGS_FRAGMENT, 1, (flagsFragment & 0x4000) !== 0);
    ctx.add(fields['flags.mf'], offset + FIELD.FLAGS_FRAGMENT, 1, (flagsFragment & FLAG_MF) !== 0);
    ctx.close();
    const fragmentUnits = flagsFragment & FRAGMENT_MASK;
    ctx.add(fields.frag_offset, offset + FIELD.FLAGS_FRAGMENT, 2, fragmentUnits);
    const ttl = view.u8(offset + FIELD.TTL);
    ctx.add(fields.ttl, offset + FIELD.TTL, 1, ttl);
    const proto = view.u8(offset + FIELD.PROTOCOL);
    ctx.add(fields.proto, offset + FIELD.PROTOCOL, 1, proto);
    ctx.add(fields.checksum, offset + FIELD.CHECKSUM, 2, view.u16(offset + FIELD.CHECKSUM));
    const src = view.u32(offset + FIELD.SRC);
    ctx.add(fields.src, offset + FIELD.SRC, 4, src);
    ctx.add(fields.addr, offset + FIELD.SRC, 4, src);
    const dst = view.u32(offset + FIELD.DST);
    ctx.add(fields.dst, offset + FIELD.DST, 4, dst);
    ctx.add(fields.addr, offset + FIELD.DST, 4, dst);
    checkTtl(ctx, ttl, dst, proto);
    if (headerLength > MIN_HEADER) addOptions(view, ctx, offset + MIN_HEADER, offset + headerLength);
    ctx.network = { bytes: view.bytes, srcAt: offset + FIELD.SRC, dstAt: offset + FIELD.DST, length: 4, hopLimit: ttl };
    tapConversation(ctx, ConversationKind.IPV4, view.bytes, offset + FIELD.SRC, offset + FIELD.DST, 4);
    if (ctx.columns) {
      ctx.cols.addresses(formatIPv4Bytes, view.bytes, offset + FIELD.SRC, offset + FIELD.DST);
    }
    if (ctx.tree) ctx.layerSummary(`Internet Protocol Version 4, Src: ${formatIPv4(src)}, Dst: ${formatIPv4(dst)}`, headerLength);
    const payloadAt = offset + headerLength;
    const end = offset + totalLength;
    const more = (flagsFragment & FLAG_MF) !== 0;
    ctx.noteDatagram(4, offset, totalLength, payloadAt, proto, more || fragmentUnits !== 0);
    if (!more && fragmentUnits === 0) {
      ctx.next('ip.proto', proto, payloadAt, end);
      return;
    }
    if (ctx.inErrorPacket) return;
    const fragmentOffset = fragmentUnits * 8;
    const waiting = handOffFragment(view, ctx, protocol, {
      key: () => `${src}>${dst}:${id}:${proto}`,
      offset: fragmentOffset,
      more,
      payloadAt,
      end,
      next: proto,
      sourceName: 'Reassembled IPv4',
      lengthField: fields['reassembled.length'],
    });
    if (waiting && ctx.columns) {
      ctx.cols.protocol = 'IPv4';
      ctx.cols.info = `Fragmented IP protocol (proto=${IP_PROTOCOL_NAMES[proto] ?? 'Unknown'} ${proto}, off=${fragmentOffset}, ID=${id.toString(16).padStart(4, '0')})`;
    }
  },
};
