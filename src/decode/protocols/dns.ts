// DNS, RFC 1035 §4 (messages, compressed names), RFC 3596 (AAAA), RFC 2782 (SRV), RFC 6891 (OPT);
// over UDP and over TCP (2-byte length prefix, RFC 1035 §4.2.2). mDNS and LLMNR share its fields.
import type { ByteView } from '../byte-view.js';
import { ExpertGroup } from './expert.js';
import type { Dissector } from '../dissector.js';
import type { Dissection } from '../dissection.js';
import { defineFields, defineProtocol, type FieldDef } from '../field.js';
import { formatIPv4Bytes, formatIPv6Bytes } from '../address.js';

const FIELD = { ID: 0, FLAGS: 2, QDCOUNT: 4, ANCOUNT: 6, NSCOUNT: 8, ARCOUNT: 10 } as const;
const HEADER_LENGTH = 12;
/** Pointer hops allowed while reading one name; more means a loop in hostile input. */
const MAX_POINTER_HOPS = 64;
const MAX_NAME_LENGTH = 255;

const Type = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33, OPT: 41 } as const;
const TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 13: 'HINFO', 15: 'MX', 16: 'TXT', 28: 'AAAA', 33: 'SRV', 35: 'NAPTR',
  39: 'DNAME', 41: 'OPT', 43: 'DS', 46: 'RRSIG', 47: 'NSEC', 48: 'DNSKEY', 50: 'NSEC3', 52: 'TLSA', 64: 'SVCB', 65: 'HTTPS',
  99: 'SPF', 251: 'IXFR', 252: 'AXFR', 255: 'ANY', 257: 'CAA',
};
const OPCODE_NAMES: Readonly<Record<number, string>> = {
  0: 'Standard query', 1: 'Inverse query', 2: 'Server status request', 4: 'Zone change notification', 5: 'Dynamic update',
};
const RCODE_NAMES: Readonly<Record<number, string>> = {
  0: 'No error', 1: 'Format error', 2: 'Server failure', 3: 'No such name', 4: 'Not implemented', 5: 'Refused',
  6: 'Name exists', 7: 'RRset exists', 8: 'RRset does not exist', 9: 'Not authoritative', 10: 'Name out of zone',
};

const fields = defineFields('dns', {
  length: { name: 'Length', type: 'uint16', base: 'dec', blurb: 'Length of DNS-over-TCP request or response' },
  id: { name: 'Transaction ID', type: 'uint16', base: 'hex' },
  flags: { name: 'Flags', type: 'uint16', base: 'hex' },
  'flags.response': { name: 'Response', type: 'boolean', truth: ['Message is a response', 'Message is a query'], mask: 0x8000 },
  'flags.opcode': { name: 'Opcode', type: 'uint16', base: 'dec', mask: 0x7800, values: OPCODE_NAMES },
  'flags.authoritative': { name: 'Authoritative', type: 'boolean', truth: ['Server is an authority for domain', 'Server is not an authority for domain'], mask: 0x0400 },
  'flags.truncated': { name: 'Truncated', type: 'boolean', truth: ['Message is truncated', 'Message is not truncated'], mask: 0x0200 },
  'flags.recdesired': { name: 'Recursion desired', type: 'boolean', truth: ['Do query recursively', 'Don\'t do query recursively'], mask: 0x0100 },
  'flags.recavail': { name: 'Recursion available', type: 'boolean', truth: ['Server can do recursive queries', 'Server can\'t do recursive queries'], mask: 0x0080 },
  'flags.z': { name: 'Z', type: 'boolean', truth: ['reserved - incorrect!', 'reserved (0)'], mask: 0x0040 },
  'flags.authenticated': { name: 'Answer authenticated', type: 'boolean', truth: ['Answer/authority portion was authenticated by the server', 'Answer/authority portion was not authenticated by the server'], mask: 0x0020 },
  'flags.checkdisable': { name: 'Non-authenticated data', type: 'boolean', truth: ['Acceptable', 'Unacceptable'], mask: 0x0010 },
  'flags.rcode': { name: 'Reply code', type: 'uint16', base: 'dec', mask: 0x000f, values: RCODE_NAMES },
  'count.queries': { name: 'Questions', type: 'uint16', base: 'dec' },
  'count.answers': { name: 'Answer RRs', type: 'uint16', base: 'dec' },
  'count.auth_rr': { name: 'Authority RRs', type: 'uint16', base: 'dec' },
  'count.add_rr': { name: 'Additional RRs', type: 'uint16', base: 'dec' },
  'qry.name': { name: 'Name', type: 'string' },
  'qry.name.len': { name: 'Name Length', type: 'uint16', base: 'dec' },
  'count.labels': { name: 'Label Count', type: 'uint16', base: 'dec' },
  'qry.type': { name: 'Type', type: 'uint16', base: 'dec', values: TYPE_NAMES },
  'qry.class': { name: 'Class', type: 'uint16', base: 'hex', values: { 1: 'IN', 3: 'CH', 4: 'HS', 255: 'ANY' } },
  'resp.name': { name: 'Name', type: 'string' },
  'resp.type': { name: 'Type', type: 'uint16', base: 'dec', values: TYPE_NAMES },
  'resp.class': { name: 'Class', type: 'uint16', base: 'hex', values: { 1: 'IN', 3: 'CH', 4: 'HS', 255: 'ANY' } },
  'resp.ttl': { name: 'Time to live', type: 'uint32', base: 'dec' },
  'resp.len': { name: 'Data length', type: 'uint16', base: 'dec' },
  a: { name: 'Address', type: 'ipv4' },
  aaaa: { name: 'AAAA Address', type: 'ipv6' },
  cname: { name: 'CNAME', type: 'string' },
  ns: { name: 'Name Server', type: 'string' },
  'ptr.domain_name': { name: 'Domain Name', type: 'string' },
  'mx.preference': { name: 'Preference', type: 'uint16', base: 'dec' },
  'mx.mail_exchange': { name: 'Mail Exchange', type: 'string' },
  'txt.length': { name: 'TXT Length', type: 'uint8', base: 'dec' },
  txt: { name: 'TXT', type: 'string' },
  'soa.mname': { name: 'Primary name server', type: 'string' },
  'soa.rname': { name: 'Responsible authority\'s mailbox', type: 'string' },
  'soa.serial_number': { name: 'Serial Number', type: 'uint32', base: 'dec' },
  'soa.refresh_interval': { name: 'Refresh Interval', type: 'uint32', base: 'dec' },
  'soa.retry_interval': { name: 'Retry Interval', type: 'uint32', base: 'dec' },
  'soa.expire_limit': { name: 'Expire limit', type: 'uint32', base: 'dec' },
  'soa.minimum_ttl': { name: 'Minimum TTL', type: 'uint32', base: 'dec' },
  'srv.priority': { name: 'Priority', type: 'uint16', base: 'dec' },
  'srv.weight': { name: 'Weight', type: 'uint16', base: 'dec' },
  'srv.port': { name: 'Port', type: 'uint16', base: 'dec' },
  'srv.target': { name: 'Target', type: 'string' },
  'rr.udp_payload_size': { name: 'UDP payload size', type: 'uint16', base: 'hex', mask: 0x7fff },
  'resp.ext_rcode': { name: 'Higher bits in extended RCODE', type: 'uint8', base: 'hex' },
  'resp.edns0_version': { name: 'EDNS0 version', type: 'uint8', base: 'dec' },
  'resp.z': { name: 'Z', type: 'uint16', base: 'hex' },
  'resp.z.do': { name: 'DO bit', type: 'boolean', truth: ['Accepts DNSSEC security RRs', 'Cannot handle DNSSEC security RRs'], mask: 0x8000 },
  opt: { name: 'Option', type: 'none' },
  'opt.code': { name: 'Option Code', type: 'uint16', base: 'dec' },
  'opt.len': { name: 'Option Length', type: 'uint16', base: 'dec' },
  'opt.data': { name: 'Option Data', type: 'bytes' },
  query: { name: 'Queries', type: 'none' },
  answer: { name: 'Answers', type: 'none' },
});

interface Name {
  text: string;
  /** Offset just after the name where it was written (not where a pointer led). */
  end: number;
  labels: number;
}

/** Printable ASCII stays; anything else is escaped as \xNN so a name can never carry control bytes. */
function labelText(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += byte > 0x20 && byte < 0x7f ? String.fromCharCode(byte) : byte === 0x20 ? ' ' : `\\x${byte.toString(16).padStart(2, '0')}`;
  return text;
}

/** Reads a possibly compressed name (RFC 1035 §4.1.4) starting at `at`; `message` is the DNS header's offset. */
function readName(view: ByteView, message: number, at: number): Name {
  let text = '';
  let labels = 0;
  let cursor = at;
  let end = -1;
  let wireLength = 0;
  let tooLong = false;
  for (let hops = 0; ; ) {
    const length = view.u8(cursor);
    if (length === 0) break;
    if ((length & 0xc0) === 0xc0) {
      if (++hops > MAX_POINTER_HOPS) throw new DnsNameError('Too many compression pointers (loop?)', cursor);
      const target = message + (view.u16(cursor) & 0x3fff);
      if (end < 0) end = cursor + 2;
      cursor = target;
      continue;
    }
    if ((length & 0xc0) !== 0) throw new DnsNameError(`Unsupported label type 0x${(length & 0xc0).toString(16)}`, cursor);
    wireLength += 1 + length;
    if (wireLength > MAX_NAME_LENGTH) {
      // Wireshark's text for over-long names; a pointer loop ends here too.
      tooLong = true;
      if (end < 0) end = cursor + 1 + length;
      break;
    }
    const label = labelText(view.slice(cursor + 1, length));
    text += text === '' ? label : `.${label}`;
    labels++;
    cursor += 1 + length;
  }
  if (end < 0) end = cursor + 1;
  return { text: tooLong ? '<Name too long>' : text === '' ? '<Root>' : text, end, labels };
}

class DnsNameError extends Error {
  constructor(
    readonly detail: string,
    readonly at: number,
  ) {
    super(detail);
  }
}

/** Adds one resource record; returns its Info text and the offset after it. */
function resourceRecord(view: ByteView, ctx: Dissection, message: number, at: number): { info: string; end: number } {
  const name = readName(view, message, at);
  const type = view.u16(name.end);
  const rrClass = view.u16(name.end + 2);
  const rdLength = view.u16(name.end + 8);
  const rdata = name.end + 10;
  const typeName = TYPE_NAMES[type] ?? `Unknown (${type})`;
  ctx.open(fields.answer, at, rdata + rdLength - at);
  ctx.add(fields['resp.name'], at, name.end - at, name.text);
  ctx.add(fields['resp.type'], name.end, 2, type);
  if (type === Type.OPT) {
    ctx.add(fields['rr.udp_payload_size'], name.end + 2, 2, rrClass);
    ctx.add(fields['resp.ext_rcode'], name.end + 4, 1, view.u8(name.end + 4));
    ctx.add(fields['resp.edns0_version'], name.end + 5, 1, view.u8(name.end + 5));
    const z = view.u16(name.end + 6);
    ctx.open(fields['resp.z'], name.end + 6, 2, z);
    ctx.add(fields['resp.z.do'], name.end + 6, 2, (z & 0x8000) !== 0);
    ctx.close();
  } else {
    ctx.add(fields['resp.class'], name.end + 2, 2, rrClass);
    ctx.add(fields['resp.ttl'], name.end + 4, 4, view.u32(name.end + 4));
  }
  ctx.add(fields['resp.len'], name.end + 8, 2, rdLength);
  view.check(rdata, rdLength);
  let detail = '';
  const addName = (field: FieldDef, from: number): string => {
    const target = readName(view, message, from);
    ctx.add(field, from, target.end - from, target.text);
    return target.text;
  };
  switch (type) {
    case Type.A:
      if (rdLength !== 4) break;
      ctx.add(fields.a, rdata, 4, view.u32(rdata));
      detail = formatIPv4Bytes(view.bytes, rdata);
      break;
    case Type.AAAA:
      if (rdLength !== 16) break;
      ctx.add(fields.aaaa, rdata, 16);
      detail = formatIPv6Bytes(view.bytes, rdata);
      break;
    case Type.CNAME:
      detail = addName(fields.cname, rdata);
      break;
    case Type.NS:
      detail = addName(fields.ns, rdata);
      break;
    case Type.PTR:
      detail = addName(fields['ptr.domain_name'], rdata);
      break;
    case Type.MX: {
      const preference = view.u16(rdata);
      ctx.add(fields['mx.preference'], rdata, 2, preference);
      detail = `${preference} ${addName(fields['mx.mail_exchange'], rdata + 2)}`;
      break;
    }
    case Type.TXT: {
      for (let cursor = rdata; cursor < rdata + rdLength; ) {
        const length = view.u8(cursor);
        ctx.add(fields['txt.length'], cursor, 1, length);
        const text = labelText(view.slice(cursor + 1, length));
        ctx.add(fields.txt, cursor + 1, length, text);
        cursor += 1 + length;
      }
      break;
    }
    case Type.SOA: {
      const primary = readName(view, message, rdata);
      ctx.add(fields['soa.mname'], rdata, primary.end - rdata, primary.text);
      const mailbox = readName(view, message, primary.end);
      ctx.add(fields['soa.rname'], primary.end, mailbox.end - primary.end, mailbox.text);
      const numbers = mailbox.end;
      ctx.add(fields['soa.serial_number'], numbers, 4, view.u32(numbers));
      ctx.add(fields['soa.refresh_interval'], numbers + 4, 4, view.u32(numbers + 4));
      ctx.add(fields['soa.retry_interval'], numbers + 8, 4, view.u32(numbers + 8));
      ctx.add(fields['soa.expire_limit'], numbers + 12, 4, view.u32(numbers + 12));
      ctx.add(fields['soa.minimum_ttl'], numbers + 16, 4, view.u32(numbers + 16));
      detail = primary.text;
      break;
    }
    case Type.SRV: {
      const priority = view.u16(rdata);
      const weight = view.u16(rdata + 2);
      const port = view.u16(rdata + 4);
      ctx.add(fields['srv.priority'], rdata, 2, priority);
      ctx.add(fields['srv.weight'], rdata + 2, 2, weight);
      ctx.add(fields['srv.port'], rdata + 4, 2, port);
      detail = `${priority} ${weight} ${port} ${addName(fields['srv.target'], rdata + 6)}`;
      break;
    }
    case Type.OPT:
      for (let cursor = rdata; cursor + 4 <= rdata + rdLength; ) {
        const length = view.u16(cursor + 2);
        ctx.open(fields.opt, cursor, 4 + length);
        ctx.add(fields['opt.code'], cursor, 2, view.u16(cursor));
        ctx.add(fields['opt.len'], cursor + 2, 2, length);
        if (length > 0) ctx.add(fields['opt.data'], cursor + 4, length);
        ctx.close();
        cursor += 4 + length;
      }
      break;
  }
  if (ctx.tree) ctx.label(`${name.text}: type ${typeName}${type === Type.OPT ? '' : `, class ${rrClass === 1 ? 'IN' : rrClass}`}${detail ? `, ${detail}` : ''}`);
  ctx.close();
  return { info: detail ? `${typeName} ${detail}` : typeName, end: rdata + rdLength };
}

/** Dissects one DNS message at `message`; the caller has claimed the bytes. */
function dissectMessage(view: ByteView, ctx: Dissection, message: number): void {
  const id = view.u16(message + FIELD.ID);
  const flags = view.u16(message + FIELD.FLAGS);
  ctx.add(fields.id, message + FIELD.ID, 2, id);
  ctx.open(fields.flags, message + FIELD.FLAGS, 2, flags);
  const response = (flags & 0x8000) !== 0;
  const opcode = (flags >>> 11) & 0xf;
  const rcode = flags & 0xf;
  ctx.add(fields['flags.response'], message + FIELD.FLAGS, 2, response);
  ctx.add(fields['flags.opcode'], message + FIELD.FLAGS, 2, opcode);
  if (response) ctx.add(fields['flags.authoritative'], message + FIELD.FLAGS, 2, (flags & 0x400) !== 0);
  ctx.add(fields['flags.truncated'], message + FIELD.FLAGS, 2, (flags & 0x200) !== 0);
  ctx.add(fields['flags.recdesired'], message + FIELD.FLAGS, 2, (flags & 0x100) !== 0);
  if (response) ctx.add(fields['flags.recavail'], message + FIELD.FLAGS, 2, (flags & 0x80) !== 0);
  ctx.add(fields['flags.z'], message + FIELD.FLAGS, 2, (flags & 0x40) !== 0);
  if (response) ctx.add(fields['flags.authenticated'], message + FIELD.FLAGS, 2, (flags & 0x20) !== 0);
  ctx.add(fields['flags.checkdisable'], message + FIELD.FLAGS, 2, (flags & 0x10) !== 0);
  if (response) ctx.add(fields['flags.rcode'], message + FIELD.FLAGS, 2, rcode);
  ctx.close();
  const countFields = [fields['count.queries'], fields['count.answers'], fields['count.auth_rr'], fields['count.add_rr']];
  const countOffsets = [FIELD.QDCOUNT, FIELD.ANCOUNT, FIELD.NSCOUNT, FIELD.ARCOUNT];
  const counts = countFields.map((field, i) => {
    const count = view.u16(message + countOffsets[i]);
    ctx.add(field, message + countOffsets[i], 2, count);
    return count;
  });
  let info = `${OPCODE_NAMES[opcode] ?? `Unknown operation (${opcode})`}${response ? ' response' : ''} 0x${id.toString(16).padStart(4, '0')}`;
  if (response && rcode !== 0) info += ` ${RCODE_NAMES[rcode] ?? `Unknown error (${rcode})`}`;
  let at = message + HEADER_LENGTH;
  try {
    for (let i = 0; i < counts[0]; i++) {
      const name = readName(view, message, at);
      const type = view.u16(name.end);
      const qclass = view.u16(name.end + 2);
      const typeName = TYPE_NAMES[type] ?? `Unknown (${type})`;
      ctx.open(fields.query, at, name.end + 4 - at);
      if (ctx.tree) ctx.label(`${name.text}: type ${typeName}, class ${qclass === 1 ? 'IN' : qclass}`);
      ctx.add(fields['qry.name'], at, name.end - at, name.text);
      ctx.generated(fields['qry.name.len'], name.text === '<Root>' ? 6 : name.text.length);
      ctx.generated(fields['count.labels'], name.labels);
      ctx.add(fields['qry.type'], name.end, 2, type);
      ctx.add(fields['qry.class'], name.end + 2, 2, qclass);
      ctx.close();
      info += ` ${typeName} ${name.text}`;
      at = name.end + 4;
    }
    const records = counts[1] + counts[2] + counts[3];
    for (let i = 0; i < records; i++) {
      const record = resourceRecord(view, ctx, message, at);
      info += ` ${record.info}`;
      at = record.end;
    }
  } catch (error) {
    if (!(error instanceof DnsNameError)) throw error;
    ctx.expert('error', ExpertGroup.Malformed, `${error.detail}`, error.at, 1);
  }
  if (ctx.tree) ctx.layerSummary(`Domain Name System (${response ? 'response' : 'query'})`);
  if (ctx.columns) ctx.cols.info = info;
}

const protocol = defineProtocol('dns', 'Domain Name System');

export const dns: Dissector = {
  protocol,
  short: 'DNS',
  fields,
  bindings: [{ table: 'udp.port', key: 53 }],
  dissect(view, offset, ctx) {
    dissectMessage(view, ctx, offset);
  },
};

export const dnsOverTcp: Dissector = {
  protocol,
  short: 'DNS',
  fields: {},
  bindings: [{ table: 'tcp.port', key: 53 }],
  // RFC 1035 §4.2.2: each message is preceded by its length; one split over segments is reassembled.
  accepts(view, offset) {
    return view.reportedRemaining(offset) >= 1;
  },
  dissect(view, offset, ctx) {
    const available = view.remaining(offset);
    const whole = available >= 2 ? 2 + view.u16(offset) : 2;
    if (available < whole && ctx.desegmentable) {
      // As tcp_dissect_pdus: the message is not dissected (nor listed) until TCP has all of it.
      ctx.requestMore(offset, whole - available);
      ctx.unlistLayer();
      return;
    }
    const length = view.u16(offset);
    ctx.add(fields.length, offset, 2, length);
    dissectMessage(view, ctx, offset + 2);
  },
};

/** DNS's message format on another UDP port under another protocol name (mDNS, LLMNR). */
function dnsVariant(abbrev: string, name: string, short: string, port: number): Dissector {
  return {
    protocol: defineProtocol(abbrev, name),
    short,
    fields: {},
    bindings: [{ table: 'udp.port', key: port }],
    dissect(view, offset, ctx) {
      dissectMessage(view, ctx, offset);
    },
  };
}

/** RFC 6762. */
export const mdns = dnsVariant('mdns', 'Multicast Domain Name System', 'MDNS', 5353);
/** RFC 4795. */
export const llmnr = dnsVariant('llmnr', 'Link-local Multicast Name Resolution', 'LLMNR', 5355);
