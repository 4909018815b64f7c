// IPv6, RFC 8200 §3 (header), §4 (extension headers: hop-by-hop, routing, fragment, destination
// options); fragments are reassembled on the frame that completes the datagram.
import type { ByteView } from '../byte-view.js';
import { ExpertGroup } from './expert.js';
import { ConversationKind, tapConversation } from '../conversation-tap.js';
import type { Dissector } from '../dissector.js';
import type { Dissection } from '../dissection.js';
import { defineFields, defineProtocol, fieldsByAbbrev, type FieldDef } from '../field.js';
import { formatIPv6Bytes } from '../address.js';
import { handOffFragment } from '../reassembly.js';
import { IP_PROTOCOL_NAMES } from './ip-protocols.js';

export const FIELD = { VERSION_CLASS_FLOW: 0, PAYLOAD_LENGTH: 4, NEXT_HEADER: 6, HOP_LIMIT: 7, SRC: 8, DST: 24 } as const;
export const HEADER_LENGTH = 40;
const FRAGMENT_HEADER_LENGTH = 8;
const Next = { HOP_BY_HOP: 0, ROUTING: 43, FRAGMENT: 44, NO_NEXT: 59, DESTINATION: 60 } as const;
/** The next-header values this dissector walks as extension headers before the transport. */
export const EXTENSION_HEADERS: ReadonlySet<number> = new Set([Next.HOP_BY_HOP, Next.ROUTING, Next.FRAGMENT, Next.DESTINATION]);
/** Bounds the walk over a chain of extension headers in hostile input (each is at least 8 bytes anyway). */
const MAX_EXTENSION_HEADERS = 1024;
/** Hop-by-hop option carrying a jumbogram's length (RFC 2675). */
const OPTION_JUMBO_PAYLOAD = 0xc2;

const fields = defineFields('ipv6', {
  version: { name: 'Version', type: 'uint8', base: 'dec' },
  tclass: { name: 'Traffic Class', type: 'uint32', base: 'hex', mask: 0x0ff00000 },
  'tclass.dscp': { name: 'Differentiated Services Codepoint', type: 'uint32', base: 'dec', mask: 0x0fc00000 },
  'tclass.ecn': { name: 'Explicit Congestion Notification', type: 'uint32', base: 'dec', mask: 0x00300000 },
  flow: { name: 'Flow Label', type: 'uint24', base: 'hex', mask: 0xfffff },
  plen: { name: 'Payload Length', type: 'uint16', base: 'dec' },
  nxt: { name: 'Next Header', type: 'uint8', base: 'dec', values: IP_PROTOCOL_NAMES },
  hlim: { name: 'Hop Limit', type: 'uint8', base: 'dec' },
  src: { name: 'Source Address', type: 'ipv6' },
  dst: { name: 'Destination Address', type: 'ipv6' },
  addr: { name: 'Source or Destination Address', type: 'ipv6' },
  'opt.type': { name: 'Type', type: 'uint8', base: 'hex' },
  'opt.length': { name: 'Length', type: 'uint8', base: 'dec' },
  'opt.jumbo': { name: 'Payload Length', type: 'uint32', base: 'dec', blurb: 'Jumbo Payload length' },
  'reassembled.length': { name: 'Reassembled IPv6 length', type: 'uint32', base: 'dec' },
});

/** Hop-by-hop and destination options share a layout; each is its own protocol in Wireshark. */
function optionsHeader(abbrev: string, name: string) {
  return {
    protocol: defineProtocol(abbrev, name),
    fields: defineFields(abbrev, {
      nxt: { name: 'Next Header', type: 'uint8', base: 'dec', values: IP_PROTOCOL_NAMES },
      len: { name: 'Length', type: 'uint8', base: 'dec' },
      len_oct: { name: 'Length', type: 'uint16', base: 'dec', blurb: 'Extension header length in octets' },
    }),
  };
}

const hopopts = optionsHeader('ipv6.hopopts', 'IPv6 Hop-by-Hop Option');
const dstopts = optionsHeader('ipv6.dstopts', 'Destination Options for IPv6');
const routing = {
  protocol: defineProtocol('ipv6.routing', 'Routing Header for IPv6'),
  fields: defineFields('ipv6.routing', {
    nxt: { name: 'Next Header', type: 'uint8', base: 'dec', values: IP_PROTOCOL_NAMES },
    len: { name: 'Length', type: 'uint8', base: 'dec' },
    len_oct: { name: 'Length', type: 'uint16', base: 'dec' },
    type: { name: 'Type', type: 'uint8', base: 'dec' },
    segleft: { name: 'Segments Left', type: 'uint8', base: 'dec' },
  }),
};
const fraghdr = {
  protocol: defineProtocol('ipv6.fraghdr', 'Fragment Header for IPv6'),
  fields: defineFields('ipv6.fraghdr', {
    nxt: { name: 'Next header', type: 'uint8', base: 'dec', values: IP_PROTOCOL_NAMES },
    reserved_octet: { name: 'Reserved octet', type: 'uint8', base: 'hex' },
    offset: { name: 'Offset', type: 'uint16', base: 'dec', mask: 0xfff8 },
    reserved_bits: { name: 'Reserved bits', type: 'uint16', base: 'dec', mask: 0x0006 },
    more: { name: 'More Fragments', type: 'boolean', mask: 0x0001, truth: ['Yes', 'No'] },
    ident: { name: 'Identification', type: 'uint32', base: 'hex' },
  }),
};

const protocol = defineProtocol('ipv6', 'Internet Protocol Version 6');

/**
 * Hop-by-hop and destination options: type, length, data (RFC 8200 §4.2); Pad1 has no length.
 * Returns the Jumbo Payload length when the options carry one, else -1.
 */
function addOptions(view: ByteView, ctx: Dissection, start: number, end: number): number {
  let jumbo = -1;
  let at = start;
  while (at < end) {
    const type = view.u8(at);
    if (type === 0) {
      ctx.add(fields['opt.type'], at, 1, type);
      at++;
      continue;
    }
    const length = view.u8(at + 1);
    ctx.open(fields['opt.type'], at, 2 + length, type);
    ctx.add(fields['opt.length'], at + 1, 1, length);
    if (type === OPTION_JUMBO_PAYLOAD && length === 4) {
      jumbo = view.u32(at + 2);
      ctx.add(fields['opt.jumbo'], at + 2, 4, jumbo);
    }
    ctx.close();
    at += 2 + length;
  }
  return jumbo;
}

/** Opens an extension header's protocol node and lists it in frame.protocols. */
function openExtension(ctx: Dissection, extension: { protocol: FieldDef }, at: number, length: number): void {
  ctx.open(extension.protocol, at, length);
  ctx.layers.push(extension.protocol.abbrev);
}

export const ipv6: Dissector = {
  protocol,
  short: 'IPv6',
  fields: fieldsByAbbrev(
    fields,
    ...[hopopts, dstopts, routing, fraghdr].flatMap((extension) => [extension.protocol, extension.fields]),
  ),
  bindings: [
    { table: 'ethertype', key: 0x86dd },
    { table: 'ip.version', key: 6 },
    { table: 'linktype', key: 229 },
    { table: 'ip.proto', key: 41 },
  ],
  dissect(view, offset, ctx) {
    const first = view.u32(offset);
    const version = first >>> 28;
    ctx.add(fields.version, offset, 1, version);
    if (version !== 6) {
      ctx.expert('error', ExpertGroup.Malformed, 'Bogus IPv6 version', offset, 1);
      return;
    }
    ctx.open(fields.tclass, offset, 4, (first >>> 20) & 0xff);
    ctx.add(fields['tclass.dscp'], offset, 4, (first >>> 22) & 0x3f);
    ctx.add(fields['tclass.ecn'], offset, 4, (first >>> 20) & 3);
    ctx.close();
    ctx.add(fields.flow, offset + 1, 3, first & 0xfffff);
    const payloadLength = view.u16(offset + FIELD.PAYLOAD_LENGTH);
    ctx.add(fields.plen, offset + FIELD.PAYLOAD_LENGTH, 2, payloadLength);
    let next = view.u8(offset + FIELD.NEXT_HEADER);
    ctx.add(fields.nxt, offset + FIELD.NEXT_HEADER, 1, next);
    const hopLimit = view.u8(offset + FIELD.HOP_LIMIT);
    ctx.add(fields.hlim, offset + FIELD.HOP_LIMIT, 1, hopLimit);
    ctx.add(fields.src, offset + FIELD.SRC, 16);
    ctx.add(fields.addr, offset + FIELD.SRC, 16);
    ctx.add(fields.dst, offset + FIELD.DST, 16);
    ctx.add(fields.addr, offset + FIELD.DST, 16);
    ctx.network = { bytes: view.bytes, srcAt: offset + FIELD.SRC, dstAt: offset + FIELD.DST, length: 16, hopLimit };
    if (ctx.columns) {
      ctx.cols.addresses(formatIPv6Bytes, view.bytes, offset + FIELD.SRC, offset + FIELD.DST);
    }
    if (ctx.tree) {
      ctx.layerSummary(
        `Internet Protocol Version 6, Src: ${formatIPv6Bytes(view.bytes, offset + FIELD.SRC)}, Dst: ${formatIPv6Bytes(view.bytes, offset + FIELD.DST)}`,
        HEADER_LENGTH,
      );
    }
    let end = offset + HEADER_LENGTH + payloadLength;
    let jumbogram = false;
    let at = offset + HEADER_LENGTH;
    const outermost = ctx.noteDatagram(6, offset, HEADER_LENGTH + payloadLength, at, next, false);
    for (let count = 0; count < MAX_EXTENSION_HEADERS; count++) {
      if (next === Next.HOP_BY_HOP || next === Next.DESTINATION || next === Next.ROUTING) {
        const extension = next === Next.HOP_BY_HOP ? hopopts : next === Next.DESTINATION ? dstopts : routing;
        const length = (view.u8(at + 1) + 1) * 8;
        openExtension(ctx, extension, at, length);
        const following = view.u8(at);
        ctx.add(extension.fields.nxt, at, 1, following);
        ctx.add(extension.fields.len, at + 1, 1, view.u8(at + 1));
        ctx.generated(extension.fields.len_oct, length);
        if (next === Next.ROUTING) {
          ctx.add(routing.fields.type, at + 2, 1, view.u8(at + 2));
          ctx.add(routing.fields.segleft, at + 3, 1, view.u8(at + 3));
          const finalAt = finalDestinationAt(view, at, length);
          if (finalAt >= 0) {
            // Wireshark's destination (column, conversations, streams) is where the route ends.
            ctx.network = { bytes: view.bytes, srcAt: offset + FIELD.SRC, dstAt: finalAt, length: 16, hopLimit };
            if (ctx.columns) ctx.cols.addresses(formatIPv6Bytes, view.bytes, offset + FIELD.SRC, finalAt);
          }
        } else {
          const jumbo = addOptions(view, ctx, at + 2, at + length);
          // A jumbogram says 0 in the header and its length in the option (RFC 2675 §2).
          if (jumbo >= 0 && payloadLength === 0) {
            end = offset + HEADER_LENGTH + jumbo;
            jumbogram = true;
          }
        }
        ctx.close();
        next = following;
        at += length;
        continue;
      }
      if (next === Next.FRAGMENT) {
        openExtension(ctx, fraghdr, at, FRAGMENT_HEADER_LENGTH);
        const following = view.u8(at);
        const word = view.u16(at + 2);
        const ident = view.u32(at + 4);
        ctx.add(fraghdr.fields.nxt, at, 1, following);
        ctx.add(fraghdr.fields.reserved_octet, at + 1, 1, view.u8(at + 1));
        ctx.add(fraghdr.fields.offset, at + 2, 2, word >>> 3);
        ctx.add(fraghdr.fields.reserved_bits, at + 2, 2, (word >>> 1) & 3);
        ctx.add(fraghdr.fields.more, at + 2, 2, (word & 1) !== 0);
        ctx.add(fraghdr.fields.ident, at + 4, 4, ident);
        ctx.close();
        next = following;
        at += FRAGMENT_HEADER_LENGTH;
        // An atomic fragment (RFC 6946) holds the whole datagram: its headers go on.
        if ((word & 0xfff9) === 0) continue;
        if (outermost) ctx.datagram.fragment = true;
        fragment(view, ctx, offset, at, end, following, word, ident);
        return;
      }
      break;
    }
    // A sender's segmentation offload leaves the length to the NIC: the capture (at the egress tap) saw 0.
    if (payloadLength === 0 && !jumbogram) ctx.expert('chat', ExpertGroup.Protocol, 'IPv6 payload length equals 0 (maybe because of "TCP segmentation offload" (TSO))', offset + FIELD.PAYLOAD_LENGTH, 2);
    if (outermost) {
      ctx.datagram.payloadAt = at;
      ctx.datagram.protocol = next;
      // A jumbogram's length is in its hop-by-hop option.
      ctx.datagram.length = end - offset;
    }
    tapDatagram(ctx, view.bytes, offset);
    ctx.next('ip.proto', next === Next.NO_NEXT ? -1 : next, at, end);
  },
};

const ADDRESSES_AT = 8;
const RoutingType = { SOURCE_ROUTE: 0, MOBILE_IPV6: 2, SEGMENT_ROUTING: 4 } as const;

/**
 * Where the address the route ends at is in a routing header with segments left, or -1: the last of a
 * source route (type 0), the home address (type 2), the first segment of a segment routing header (4).
 */
function finalDestinationAt(view: ByteView, at: number, length: number): number {
  const type = view.u8(at + 2);
  const segmentsLeft = view.u8(at + 3);
  const addresses = Math.floor((length - ADDRESSES_AT) / 16);
  if (segmentsLeft === 0 || addresses === 0) return -1;
  let finalAt = -1;
  if (type === RoutingType.SOURCE_ROUTE) finalAt = at + ADDRESSES_AT + (addresses - 1) * 16;
  else if (type === RoutingType.MOBILE_IPV6 || type === RoutingType.SEGMENT_ROUTING) finalAt = at + ADDRESSES_AT;
  // A route cut by the snapshot length leaves the header's destination.
  return finalAt >= 0 && finalAt + 16 <= view.captured ? finalAt : -1;
}

/** The statistics count an IPv6 datagram where its payload goes on: not a fragment that waits for the rest. */
function tapDatagram(ctx: Dissection, header: Uint8Array, offset: number): void {
  tapConversation(ctx, ConversationKind.IPV6, header, offset + FIELD.SRC, offset + FIELD.DST, 16);
}

function fragment(view: ByteView, ctx: Dissection, offset: number, payloadAt: number, end: number, next: number, word: number, ident: number): void {
  const more = (word & 1) !== 0;
  const fragmentOffset = word & 0xfff8;
  if (ctx.inErrorPacket) return;
  // Reassembly moves the view to the reassembled bytes; the addresses are the header's.
  const header = view.bytes;
  const waiting = handOffFragment(view, ctx, protocol, {
    key: () => `${formatIPv6Bytes(view.bytes, offset + FIELD.SRC)}>${formatIPv6Bytes(view.bytes, offset + FIELD.DST)}:${ident}`,
    offset: fragmentOffset,
    more,
    payloadAt,
    end,
    next,
    sourceName: 'Reassembled IPv6',
    lengthField: fields['reassembled.length'],
  });
  if (!waiting) tapDatagram(ctx, header, offset);
  if (waiting && ctx.columns) {
    ctx.cols.protocol = 'IPv6';
    ctx.cols.info = `IPv6 fragment (off=${fragmentOffset} more=${more ? 'y' : 'n'} ident=0x${ident.toString(16).padStart(8, '0')} nxt=${next})`;
  }
}
