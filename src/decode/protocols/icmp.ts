// ICMP for IPv4, RFC 792; errors quote the offending IP header and 8+ bytes, decoded as a nested packet.
import type { Dissector } from '../dissector.js';
import { matchEcho } from '../echo-requests.js';
import { defineFields, defineProtocol } from '../field.js';

export const FIELD = { TYPE: 0, CODE: 1, CHECKSUM: 2, IDENT: 4, SEQ: 6 } as const;
export const HEADER_LENGTH = 8;
const Type = { ECHO_REPLY: 0, UNREACHABLE: 3, SOURCE_QUENCH: 4, REDIRECT: 5, ECHO: 8, TIME_EXCEEDED: 11, PARAMETER_PROBLEM: 12 } as const;
/** Messages that carry a 16-bit identifier and sequence number: echo, timestamp, information, address mask. */
const IDENTIFIED_TYPES = new Set<number>([0, 8, 13, 14, 15, 16, 17, 18]);
/** RFC 8335 extended echo: a 16-bit identifier, then an 8-bit sequence number. */
const EXTENDED_ECHO_TYPES = new Set<number>([42, 43]);
const ERROR_TYPES = new Set<number>([Type.UNREACHABLE, Type.SOURCE_QUENCH, Type.REDIRECT, Type.TIME_EXCEEDED, Type.PARAMETER_PROBLEM]);

const TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'Echo (ping) reply', 3: 'Destination unreachable', 4: 'Source quench (flow control)', 5: 'Redirect',
  8: 'Echo (ping) request', 42: 'Extended Echo request', 43: 'Extended Echo reply', 9: 'Router advertisement', 10: 'Router solicitation', 11: 'Time-to-live exceeded',
  12: 'Parameter problem', 13: 'Timestamp request', 14: 'Timestamp reply', 17: 'Address mask request', 18: 'Address mask reply',
};
const CODE_NAMES: Readonly<Record<number, Readonly<Record<number, string>>>> = {
  3: {
    0: 'Network unreachable', 1: 'Host unreachable', 2: 'Protocol unreachable', 3: 'Port unreachable', 4: 'Fragmentation needed',
    5: 'Source route failed', 6: 'Destination network unknown', 7: 'Destination host unknown', 9: 'Network administratively prohibited',
    10: 'Host administratively prohibited', 13: 'Communication administratively filtered',
  },
  5: { 0: 'Redirect for network', 1: 'Redirect for host', 2: 'Redirect for TOS and network', 3: 'Redirect for TOS and host' },
  11: { 0: 'Time to live exceeded in transit', 1: 'Fragment reassembly time exceeded' },
};

const fields = defineFields('icmp', {
  type: { name: 'Type', type: 'uint8', base: 'dec', values: TYPE_NAMES, customNames: true },
  code: { name: 'Code', type: 'uint8', base: 'dec' },
  checksum: { name: 'Checksum', type: 'uint16', base: 'hex' },
  ident: { name: 'Identifier (BE)', type: 'uint16', base: 'dec_hex' },
  ident_le: { name: 'Identifier (LE)', type: 'uint16', base: 'dec_hex' },
  seq: { name: 'Sequence Number (BE)', type: 'uint16', base: 'dec_hex' },
  seq_le: { name: 'Sequence Number (LE)', type: 'uint16', base: 'dec_hex' },
  resp_to: { name: 'Response to', type: 'framenum' },
  'ext_echo.seq': { name: 'Sequence number', type: 'uint8', base: 'dec' },
  unused: { name: 'Unused', type: 'bytes' },
  mtu: { name: 'MTU of next hop', type: 'uint16', base: 'dec' },
  redir_gw: { name: 'Gateway Address', type: 'ipv4' },
});

const protocol = defineProtocol('icmp', 'Internet Control Message Protocol');

function swap16(value: number): number {
  return ((value & 0xff) << 8) | (value >>> 8);
}

export const icmp: Dissector = {
  protocol,
  short: 'ICMP',
  fields,
  bindings: [{ table: 'ip.proto', key: 1 }],
  dissect(view, offset, ctx) {
    const type = view.u8(offset + FIELD.TYPE);
    const code = view.u8(offset + FIELD.CODE);
    ctx.add(fields.type, offset + FIELD.TYPE, 1, type);
    ctx.add(fields.code, offset + FIELD.CODE, 1, code);
    ctx.add(fields.checksum, offset + FIELD.CHECKSUM, 2, view.u16(offset + FIELD.CHECKSUM));
    const codeName = CODE_NAMES[type]?.[code];
    const typeText = `${TYPE_NAMES[type] ?? 'Unknown ICMP (obsolete or malformed?)'}${codeName ? ` (${codeName})` : ''}`;
    if (ctx.tree) ctx.layerSummary('Internet Control Message Protocol', HEADER_LENGTH);
    if (ctx.columns) ctx.cols.info = typeText;
    if (IDENTIFIED_TYPES.has(type)) {
      const ident = view.u16(offset + FIELD.IDENT);
      const seq = view.u16(offset + FIELD.SEQ);
      ctx.add(fields.ident, offset + FIELD.IDENT, 2, ident);
      ctx.add(fields.ident_le, offset + FIELD.IDENT, 2, swap16(ident));
      ctx.add(fields.seq, offset + FIELD.SEQ, 2, seq);
      ctx.add(fields.seq_le, offset + FIELD.SEQ, 2, swap16(seq));
      const request = type === Type.ECHO || type === Type.ECHO_REPLY ? matchEcho(ctx, protocol, type === Type.ECHO, ident, seq) : undefined;
      if (request !== undefined) ctx.generated(fields.resp_to, request);
      if (ctx.columns) {
        ctx.cols.info = `${typeText.padEnd(19)}  id=0x${ident.toString(16).padStart(4, '0')}, seq=${seq}/${swap16(seq)}` +
          (ctx.network ? `, ttl=${ctx.network.hopLimit}` : '') + (request !== undefined ? ` (request in ${request})` : '');
      }
      ctx.nested('ip.proto', -1, offset + HEADER_LENGTH, false);
      return;
    }
    if (EXTENDED_ECHO_TYPES.has(type)) {
      ctx.add(fields.ident, offset + FIELD.IDENT, 2, view.u16(offset + FIELD.IDENT));
      ctx.add(fields['ext_echo.seq'], offset + FIELD.SEQ, 1, view.u8(offset + FIELD.SEQ));
      ctx.next('ip.proto', -1, offset + HEADER_LENGTH);
      return;
    }
    if (ERROR_TYPES.has(type)) {
      if (type === Type.REDIRECT) ctx.add(fields.redir_gw, offset + 4, 4, view.u32(offset + 4));
      else if (type === Type.UNREACHABLE && code === 4) ctx.add(fields.mtu, offset + 6, 2, view.u16(offset + 6));
      else ctx.add(fields.unused, offset + 4, 4);
      if (!ctx.inErrorPacket && view.remaining(offset + HEADER_LENGTH) > 0) ctx.nested('ip.version', 4, offset + HEADER_LENGTH);
      return;
    }
    ctx.next('ip.proto', -1, offset + HEADER_LENGTH);
  },
};
