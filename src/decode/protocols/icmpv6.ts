// ICMPv6, RFC 4443 (messages, errors quoting the offending packet), RFC 4861 (Neighbor Discovery and its
// options), RFC 3810 (MLDv2 reports).
import type { ByteView } from '../byte-view.js';
import { ExpertGroup } from './expert.js';
import type { Dissector } from '../dissector.js';
import type { Dissection } from '../dissection.js';
import { matchEcho } from '../echo-requests.js';
import { defineFields, defineProtocol } from '../field.js';
import { formatIPv6Bytes, formatMac } from '../address.js';

const FIELD = { TYPE: 0, CODE: 1, CHECKSUM: 2, BODY: 4 } as const;
const HEADER_LENGTH = 8;
const Type = {
  UNREACHABLE: 1, TOO_BIG: 2, TIME_EXCEEDED: 3, PARAMETER_PROBLEM: 4, ECHO_REQUEST: 128, ECHO_REPLY: 129,
  ROUTER_SOLICITATION: 133, ROUTER_ADVERTISEMENT: 134, NEIGHBOR_SOLICITATION: 135, NEIGHBOR_ADVERTISEMENT: 136, REDIRECT: 137,
  MLD_V2_REPORT: 143,
} as const;

const TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'Destination Unreachable', 2: 'Packet Too Big', 3: 'Time Exceeded', 4: 'Parameter Problem', 128: 'Echo (ping) request',
  129: 'Echo (ping) reply', 130: 'Multicast Listener Query', 131: 'Multicast Listener Report', 132: 'Multicast Listener Done',
  133: 'Router Solicitation', 134: 'Router Advertisement', 135: 'Neighbor Solicitation', 136: 'Neighbor Advertisement',
  137: 'Redirect', 143: 'Multicast Listener Report Message v2',
};
const UNREACHABLE_CODES: Readonly<Record<number, string>> = {
  0: 'no route to destination', 1: 'communication with destination administratively prohibited', 2: 'beyond scope of source address',
  3: 'address unreachable', 4: 'Port unreachable', 5: 'source address failed ingress/egress policy', 6: 'reject route to destination',
  7: 'Error in Source Routing Header',
};
const TIME_EXCEEDED_CODES: Readonly<Record<number, string>> = { 0: 'hop limit exceeded in transit', 1: 'fragment reassembly time exceeded' };
const OPTION_NAMES: Readonly<Record<number, string>> = {
  1: 'Source link-layer address', 2: 'Target link-layer address', 3: 'Prefix information', 4: 'Redirected header', 5: 'MTU',
};

const fields = defineFields('icmpv6', {
  type: { name: 'Type', type: 'uint8', base: 'dec', values: TYPE_NAMES },
  code: { name: 'Code', type: 'uint8', base: 'dec' },
  checksum: { name: 'Checksum', type: 'uint16', base: 'hex' },
  reserved: { name: 'Reserved', type: 'bytes' },
  mtu: { name: 'MTU', type: 'uint32', base: 'dec' },
  pointer: { name: 'Pointer', type: 'uint32', base: 'dec' },
  'echo.identifier': { name: 'Identifier', type: 'uint16', base: 'hex' },
  'echo.sequence_number': { name: 'Sequence', type: 'uint16', base: 'dec' },
  resp_to: { name: 'Response To', type: 'framenum' },
  'nd.ra.cur_hop_limit': { name: 'Cur hop limit', type: 'uint8', base: 'dec' },
  'nd.ra.flag': { name: 'Flags', type: 'uint8', base: 'hex' },
  'nd.ra.router_lifetime': { name: 'Router lifetime (s)', type: 'uint16', base: 'dec' },
  'nd.ra.reachable_time': { name: 'Reachable time (ms)', type: 'uint32', base: 'dec' },
  'nd.ra.retrans_timer': { name: 'Retrans timer (ms)', type: 'uint32', base: 'dec' },
  'nd.ns.target_address': { name: 'Target Address', type: 'ipv6' },
  'nd.na.flag': { name: 'Flags', type: 'uint32', base: 'hex' },
  'nd.na.flag.r': { name: 'Router', type: 'boolean', mask: 0x80000000 },
  'nd.na.flag.s': { name: 'Solicited', type: 'boolean', mask: 0x40000000 },
  'nd.na.flag.o': { name: 'Override', type: 'boolean', mask: 0x20000000 },
  'nd.na.target_address': { name: 'Target Address', type: 'ipv6' },
  'nd.rd.target_address': { name: 'Target Address', type: 'ipv6' },
  'nd.rd.destination_address': { name: 'Destination Address', type: 'ipv6' },
  'opt': { name: 'ICMPv6 Option', type: 'none' },
  'opt.type': { name: 'Type', type: 'uint8', base: 'dec', values: OPTION_NAMES },
  'opt.length': { name: 'Length', type: 'uint8', base: 'dec' },
  'opt.linkaddr': { name: 'Link-layer address', type: 'bytes' },
  'opt.src_linkaddr': { name: 'Source Link-layer address', type: 'bytes' },
  'opt.target_linkaddr': { name: 'Target Link-layer address', type: 'bytes' },
  'opt.prefix.length': { name: 'Prefix Length', type: 'uint8', base: 'dec' },
  'opt.prefix': { name: 'Prefix', type: 'ipv6' },
  'opt.mtu': { name: 'MTU', type: 'uint32', base: 'dec' },
  'mldr.nb_mcast_records': { name: 'Number of Multicast Address Records', type: 'uint16', base: 'dec' },
  'mldr.mar.record_type': { name: 'Record Type', type: 'uint8', base: 'dec' },
  'mldr.mar.aux_data_len': { name: 'Aux Data Len', type: 'uint8', base: 'dec' },
  'mldr.mar.nb_sources': { name: 'Number of Sources', type: 'uint16', base: 'dec' },
  'mldr.mar.multicast_address': { name: 'Multicast Address', type: 'ipv6' },
});

/** Neighbor Discovery options: type, length in 8-octet units, value (RFC 4861 §4.6). */
function addOptions(view: ByteView, ctx: Dissection, start: number, end: number): string | undefined {
  let linkAddress: string | undefined;
  let at = start;
  while (at + 2 <= end) {
    const type = view.u8(at);
    const length = view.u8(at + 1) * 8;
    if (length === 0) {
      ctx.expert('error', ExpertGroup.Malformed, 'Invalid option length (Zero)', at + 1, 1);
      return linkAddress;
    }
    ctx.open(fields.opt, at, length);
    if (ctx.tree) ctx.label(`ICMPv6 Option (${OPTION_NAMES[type] ?? `Unknown ${type}`})`);
    ctx.add(fields['opt.type'], at, 1, type);
    ctx.add(fields['opt.length'], at + 1, 1, view.u8(at + 1));
    if (type === 1 || type === 2) {
      const addressLength = Math.min(length - 2, 6);
      ctx.add(fields['opt.linkaddr'], at + 2, addressLength);
      ctx.add(type === 1 ? fields['opt.src_linkaddr'] : fields['opt.target_linkaddr'], at + 2, addressLength);
      if (addressLength === 6) linkAddress = formatMac(view.slice(at + 2, 6));
    } else if (type === 3 && length >= 32) {
      ctx.add(fields['opt.prefix.length'], at + 2, 1, view.u8(at + 2));
      ctx.add(fields['opt.prefix'], at + 16, 16);
    } else if (type === 5 && length >= 8) {
      ctx.add(fields['opt.mtu'], at + 4, 4, view.u32(at + 4));
    }
    ctx.close();
    at += length;
  }
  return linkAddress;
}

function mldv2Report(view: ByteView, ctx: Dissection, offset: number): void {
  const records = view.u16(offset + 6);
  ctx.add(fields['mldr.nb_mcast_records'], offset + 6, 2, records);
  let at = offset + HEADER_LENGTH;
  for (let i = 0; i < records && view.remaining(at) > 0; i++) {
    const auxWords = view.u8(at + 1);
    const sources = view.u16(at + 2);
    ctx.add(fields['mldr.mar.record_type'], at, 1, view.u8(at));
    ctx.add(fields['mldr.mar.aux_data_len'], at + 1, 1, auxWords);
    ctx.add(fields['mldr.mar.nb_sources'], at + 2, 2, sources);
    ctx.add(fields['mldr.mar.multicast_address'], at + 4, 16);
    view.check(at + 4, 16);
    at += 20 + sources * 16 + auxWords * 4;
  }
}

const protocol = defineProtocol('icmpv6', 'Internet Control Message Protocol v6');

export const icmpv6: Dissector = {
  protocol,
  short: 'ICMPv6',
  fields,
  bindings: [{ table: 'ip.proto', key: 58 }],
  dissect(view, offset, ctx) {
    const type = view.u8(offset + FIELD.TYPE);
    const code = view.u8(offset + FIELD.CODE);
    ctx.add(fields.type, offset + FIELD.TYPE, 1, type);
    ctx.add(fields.code, offset + FIELD.CODE, 1, code);
    ctx.add(fields.checksum, offset + FIELD.CHECKSUM, 2, view.u16(offset + FIELD.CHECKSUM));
    const end = offset + view.reportedRemaining(offset);
    const name = TYPE_NAMES[type] ?? `Unknown ICMPv6 type ${type}`;
    const codeName = type === Type.UNREACHABLE ? UNREACHABLE_CODES[code] : type === Type.TIME_EXCEEDED ? TIME_EXCEEDED_CODES[code] : undefined;
    let info = codeName ? `${name} (${codeName})` : name;
    if (ctx.tree) ctx.layerSummary('Internet Control Message Protocol v6');
    const body = offset + FIELD.BODY;
    switch (type) {
      case Type.UNREACHABLE:
      case Type.TOO_BIG:
      case Type.TIME_EXCEEDED:
      case Type.PARAMETER_PROBLEM:
        if (type === Type.TOO_BIG) ctx.add(fields.mtu, body, 4, view.u32(body));
        else if (type === Type.PARAMETER_PROBLEM) ctx.add(fields.pointer, body, 4, view.u32(body));
        else ctx.add(fields.reserved, body, 4);
        if (ctx.columns) ctx.cols.info = info;
        if (!ctx.inErrorPacket && view.remaining(offset + HEADER_LENGTH) > 0) ctx.nested('ip.version', 6, offset + HEADER_LENGTH);
        return;
      case Type.ECHO_REQUEST:
      case Type.ECHO_REPLY: {
        const id = view.u16(body);
        const seq = view.u16(body + 2);
        ctx.add(fields['echo.identifier'], body, 2, id);
        ctx.add(fields['echo.sequence_number'], body + 2, 2, seq);
        const request = matchEcho(ctx, protocol, type === Type.ECHO_REQUEST, id, seq);
        if (request !== undefined) ctx.generated(fields.resp_to, request);
        info = `${name} id=0x${id.toString(16).padStart(4, '0')}, seq=${seq}${ctx.network ? `, hop limit=${ctx.network.hopLimit}` : ''}` +
          (request !== undefined ? ` (request in ${request})` : '');
        if (ctx.columns) ctx.cols.info = info;
        ctx.nested('ip.proto', -1, offset + HEADER_LENGTH, false);
        return;
      }
      case Type.ROUTER_SOLICITATION: {
        ctx.add(fields.reserved, body, 4);
        const from = addOptions(view, ctx, offset + HEADER_LENGTH, end);
        if (from) info += ` from ${from}`;
        break;
      }
      case Type.ROUTER_ADVERTISEMENT: {
        ctx.add(fields['nd.ra.cur_hop_limit'], body, 1, view.u8(body));
        ctx.add(fields['nd.ra.flag'], body + 1, 1, view.u8(body + 1));
        ctx.add(fields['nd.ra.router_lifetime'], body + 2, 2, view.u16(body + 2));
        ctx.add(fields['nd.ra.reachable_time'], body + 4, 4, view.u32(body + 4));
        ctx.add(fields['nd.ra.retrans_timer'], body + 8, 4, view.u32(body + 8));
        const from = addOptions(view, ctx, offset + 16, end);
        if (from) info += ` from ${from}`;
        break;
      }
      case Type.NEIGHBOR_SOLICITATION: {
        ctx.add(fields.reserved, body, 4);
        ctx.add(fields['nd.ns.target_address'], body + 4, 16);
        info += ` for ${formatIPv6Bytes(view.slice(body + 4, 16))}`;
        const from = addOptions(view, ctx, body + 20, end);
        if (from) info += ` from ${from}`;
        break;
      }
      case Type.NEIGHBOR_ADVERTISEMENT: {
        const flags = view.u32(body);
        ctx.open(fields['nd.na.flag'], body, 4, flags);
        ctx.add(fields['nd.na.flag.r'], body, 4, (flags & 0x80000000) !== 0);
        ctx.add(fields['nd.na.flag.s'], body, 4, (flags & 0x40000000) !== 0);
        ctx.add(fields['nd.na.flag.o'], body, 4, (flags & 0x20000000) !== 0);
        ctx.close();
        ctx.add(fields['nd.na.target_address'], body + 4, 16);
        const names = [flags & 0x80000000 ? 'rtr' : '', flags & 0x40000000 ? 'sol' : '', flags & 0x20000000 ? 'ovr' : ''].filter(Boolean);
        info += ` ${formatIPv6Bytes(view.slice(body + 4, 16))}${names.length ? ` (${names.join(', ')})` : ''}`;
        const target = addOptions(view, ctx, body + 20, end);
        if (target) info += ` is at ${target}`;
        break;
      }
      case Type.REDIRECT:
        ctx.add(fields.reserved, body, 4);
        ctx.add(fields['nd.rd.target_address'], body + 4, 16);
        ctx.add(fields['nd.rd.destination_address'], body + 20, 16);
        addOptions(view, ctx, body + 36, end);
        break;
      case Type.MLD_V2_REPORT:
        ctx.add(fields.reserved, body, 2);
        mldv2Report(view, ctx, offset);
        break;
      default:
        if (ctx.columns) ctx.cols.info = info;
        ctx.next('ip.proto', -1, offset + FIELD.BODY);
        return;
    }
    if (ctx.columns) ctx.cols.info = info;
  },
};
