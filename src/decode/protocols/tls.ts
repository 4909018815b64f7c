// TLS record layer, SSL 3.0 to TLS 1.3: RFC 8446 §5 (records), RFC 5246 §6.2, RFC 6520 (heartbeat).
// Records are reassembled over TCP segments; the Protocol column and Info follow tshark 4.0's.
import type { ByteView } from '../byte-view.js';
import { ExpertGroup } from './expert.js';
import type { Dissector } from '../dissector.js';
import type { Dissection } from '../dissection.js';
import { defineFields, defineProtocol, fieldsByAbbrev } from '../field.js';
import { MORE_BYTES_UNKNOWN } from '../tcp-pdu.js';
import { dissectHandshakeRecord, handshakeFields, type TlsConversation } from './tls-handshake.js';
import { ALERT_DESCRIPTIONS, ALERT_LEVELS, CONTENT_TYPES, HEARTBEAT_TYPES, VERSIONS } from './tls-values.js';
import { versionShortName, VERSION, isKnownVersion } from './tls-versions.js';

const RECORD = { TYPE: 0, VERSION: 1, LENGTH: 3, HEADER: 5 } as const;
const ContentType = { CHANGE_CIPHER_SPEC: 20, ALERT: 21, HANDSHAKE: 22, APPLICATION_DATA: 23, HEARTBEAT: 24 } as const;
/** RFC 8446 §5.1: 2^14 plus the expansion a cipher may add; Wireshark warns past 2^14 + 2048. */
const MAX_RECORD_LENGTH = 16384 + 2048;
/** Ports tshark 4.0 binds to TLS (`tshark -G decodes`). */
const TLS_PORTS = [324, 443, 465, 636, 802, 853, 993, 995, 1300, 2221, 2443, 3249, 3250, 3251, 3252, 3496, 5061, 5671, 5684, 5868, 8883, 11207, 19999, 27017];

const fields = defineFields('tls', {
  record: { name: 'Record Layer', type: 'none' },
  'record.content_type': { name: 'Content Type', type: 'uint8', base: 'dec', values: CONTENT_TYPES },
  'record.opaque_type': { name: 'Opaque Type', type: 'uint8', base: 'dec', values: CONTENT_TYPES },
  'record.version': { name: 'Version', type: 'uint16', base: 'hex', values: VERSIONS },
  'record.length': { name: 'Length', type: 'uint16', base: 'dec' },
  app_data: { name: 'Encrypted Application Data', type: 'bytes' },
  change_cipher_spec: { name: 'Change Cipher Spec Message', type: 'none' },
  alert_message: { name: 'Alert Message', type: 'none' },
  'alert_message.level': { name: 'Level', type: 'uint8', base: 'dec', values: ALERT_LEVELS },
  'alert_message.desc': { name: 'Description', type: 'uint8', base: 'dec', values: ALERT_DESCRIPTIONS },
  heartbeat_message: { name: 'Heartbeat Message', type: 'none' },
  'heartbeat_message.type': { name: 'Type', type: 'uint8', base: 'dec', values: HEARTBEAT_TYPES },
  'heartbeat_message.payload_length': { name: 'Payload Length', type: 'uint16', base: 'dec' },
  'record.length.invalid': { name: 'Record fragment length is too small or too large', type: 'none' },
});

const protocol = defineProtocol('tls', 'Transport Layer Security');

/** The conversation's TLS state, per TCP stream: kept while the stream's object lives. */
function conversationOf(ctx: Dissection): TlsConversation {
  const conversations = ctx.memory.stateOf(protocol, () => new WeakMap<object, TlsConversation>());
  const stream = ctx.transport.stream ?? protocol;
  let conversation = conversations.get(stream);
  if (conversation === undefined) {
    conversation = { version: 0, changedCipher: [false, false] };
    conversations.set(stream, conversation);
  }
  return conversation;
}

/** ssl_is_authoritative_version_message: every valid record but a Client Hello says the session's version. */
function setsVersion(type: number, firstByte: number): boolean {
  return type === ContentType.HANDSHAKE ? firstByte !== 1 && firstByte <= 24 : type >= ContentType.CHANGE_CIPHER_SPEC && type <= ContentType.HEARTBEAT;
}

function isContentType(type: number): boolean {
  return type >= ContentType.CHANGE_CIPHER_SPEC && type <= ContentType.HEARTBEAT;
}

/** The session's version before this record, and whether its sender's handshake is encrypted yet: decided once per record. */
function recordState(ctx: Dissection, conversation: TlsConversation, type: number, version: number, firstByte: number): number {
  const memory = ctx.memory;
  if (memory.remembered) return memory.recall<number>();
  const side = ctx.transport.forward ? 0 : 1;
  const state = conversation.version | (conversation.changedCipher[side] ? 0x10000 : 0);
  if (conversation.version === 0 && setsVersion(type, firstByte) && isKnownVersion(version)) conversation.version = version;
  if (type === ContentType.CHANGE_CIPHER_SPEC) conversation.changedCipher[side] = true;
  return memory.record(state);
}

/**
 * Wireshark's TLS heuristic on TCP (is_sslv3_or_tls): a handshake or application data record header of
 * SSL 3.0 to TLS 1.2 (1.3 sends 1.0's) or GM/T, with a length a record can have. The SSL 2.0 Client
 * Hello it also accepts is not dissected here.
 */
function looksLikeRecord(view: ByteView, offset: number): boolean {
  if (view.remaining(offset) < RECORD.HEADER) return false;
  const type = view.u8(offset + RECORD.TYPE);
  const version = view.u16(offset + RECORD.VERSION);
  const length = view.u16(offset + RECORD.LENGTH);
  if (type !== ContentType.HANDSHAKE && type !== ContentType.APPLICATION_DATA) return false;
  if (version !== VERSION.GMTLS && (version < VERSION.SSL3 || version > VERSION.TLS12)) return false;
  return length > 0 && length < MAX_RECORD_LENGTH;
}

/**
 * Wireshark's TLS declines bytes that start with four printable characters: real records never do, so
 * they are taken for plain text (the port's other protocol, or data).
 */
function notText(view: ByteView, offset: number): boolean {
  if (view.remaining(offset) <= 4) return true;
  for (let i = 0; i < 4; i++) {
    const byte = view.u8(offset + i);
    if (byte < 0x20 || byte > 0x7e) return true;
  }
  return false;
}

function dissectAlert(view: ByteView, ctx: Dissection, offset: number, length: number): void {
  ctx.open(fields.alert_message, offset, length);
  if (length !== 2) {
    if (ctx.columns) ctx.cols.appendInfo('Encrypted Alert');
    if (ctx.tree) ctx.label('Alert Message: Encrypted Alert');
    ctx.close();
    return;
  }
  const level = view.u8(offset);
  const description = view.u8(offset + 1);
  ctx.add(fields['alert_message.level'], offset, 1, level);
  ctx.add(fields['alert_message.desc'], offset + 1, 1, description);
  ctx.close();
  if (ctx.columns) ctx.cols.appendInfo(`Alert (Level: ${ALERT_LEVELS[level] ?? 'Unknown'}, Description: ${ALERT_DESCRIPTIONS[description] ?? 'Unknown'})`);
}

function dissectHeartbeat(view: ByteView, ctx: Dissection, offset: number, length: number, encrypted: boolean): void {
  ctx.open(fields.heartbeat_message, offset, length);
  const type = view.u8(offset);
  const payloadLength = view.u16(offset + 1);
  if (encrypted || (type !== 1 && type !== 2) || payloadLength + 3 > length) {
    if (ctx.columns) ctx.cols.appendInfo('Encrypted Heartbeat');
  } else {
    ctx.add(fields['heartbeat_message.type'], offset, 1, type);
    ctx.add(fields['heartbeat_message.payload_length'], offset + 1, 2, payloadLength);
    if (ctx.columns) ctx.cols.appendInfo(type === 1 ? 'Heartbeat Request' : 'Heartbeat Response');
  }
  ctx.close();
}

/** Record versions a session may settle on that Wireshark then reads every record by (dissect_ssl's cases). */
const SETTLED_VERSIONS = new Set<number>([VERSION.SSL3, VERSION.TLS10, VERSION.TLS11, VERSION.TLS12, VERSION.GMTLS]);
/** Sessions that skip a record of unknown type whole (RFC 2246 §6). */
const IGNORING_VERSIONS = new Set<number>([VERSION.TLS10, VERSION.TLS11, VERSION.TLS12, VERSION.GMTLS]);
const SSL2_MESSAGE_TYPES = new Set([0, 1, 2, 4]);
/** SSL 2.0's message types (the first of the two tables tshark lists for tls.handshake.type). */
const SSL2_MESSAGES: Readonly<Record<number, string>> = { 1: 'Client Hello', 2: 'Client Master Key', 4: 'Server Hello' };

/**
 * The next record at `offset` as Wireshark's dissect_ssl dispatches it: by the session's version when it
 * has settled (TLS 1.3 has not, for this purpose), else by what the bytes look like, so that after a lost
 * segment a record's middle may read as SSLv2 or as "Continuation Data". Returns where the next starts, or
 * -1 when TCP was asked for more bytes.
 */
function dissectNext(view: ByteView, ctx: Dissection, offset: number, conversation: TlsConversation, known: number): number {
  const available = view.reportedRemaining(offset);
  if (available < RECORD.HEADER) {
    if (!ctx.desegmentable) return offset + available;
    ctx.requestMore(offset, MORE_BYTES_UNKNOWN);
    return -1;
  }
  const first = view.u8(offset);
  if (SETTLED_VERSIONS.has(known)) {
    if (first === 0x80 && view.u8(offset + 2) === 1) return dissectSsl2Record(view, ctx, offset);
    return dissectRecord(view, ctx, offset, conversation, known);
  }
  if (first >= 0x80 && SSL2_MESSAGE_TYPES.has(view.u8(offset + 2))) return dissectSsl2Record(view, ctx, offset);
  const version = view.u16(offset + RECORD.VERSION);
  if (isContentType(first) && version >= VERSION.SSL3 && version <= VERSION.TLS12) return dissectRecord(view, ctx, offset, conversation, known);
  if (ctx.columns) ctx.cols.appendInfo('Continuation Data');
  return offset + available;
}

/**
 * An SSL 2.0 record (RFC 6101 appendix E.2 framing). Only a v2 Client Hello is real today; what else looks
 * like one is the middle of a TLS record read after a lost segment, which Wireshark shows as encrypted.
 */
function dissectSsl2Record(view: ByteView, ctx: Dissection, offset: number): number {
  const first = view.u8(offset);
  const headerLength = first & 0x80 ? 2 : 3;
  const available = view.reportedRemaining(offset);
  if (available < headerLength) {
    if (!ctx.desegmentable) return offset + available;
    ctx.requestMore(offset, headerLength - available);
    return -1;
  }
  const length = ((first & (headerLength === 2 ? 0x7f : 0x3f)) << 8) | view.u8(offset + 1);
  if (available < headerLength + length && ctx.desegmentable) {
    ctx.requestMore(offset, headerLength + length - available);
    return -1;
  }
  const body = offset + headerLength;
  const type = view.remaining(body) > 0 ? view.u8(body) : -1;
  const message = looksLikeSsl2Handshake(view, body, type, length) ? SSL2_MESSAGES[type] : 'Encrypted Data';
  if (ctx.columns) {
    ctx.cols.setProtocol('SSLv2');
    ctx.cols.appendInfo(message);
  }
  ctx.open(fields.record, offset, headerLength + length);
  if (ctx.tree) ctx.label(`SSLv2 Record Layer: ${message}`);
  ctx.generated(fields['record.version'], 0x0002);
  if (message !== 'Encrypted Data') {
    ctx.add(fields['record.length'], offset, headerLength, length);
    ctx.add(handshakeFields['tls.handshake.type'], body, 1, type);
  }
  ctx.close();
  return offset + headerLength + length;
}

/** ssl_looks_like_valid_v2_handshake: the message's own fields are plausible (a version it names is known). */
function looksLikeSsl2Handshake(view: ByteView, at: number, type: number, length: number): boolean {
  switch (type) {
    case 1:
      return view.remaining(at) >= 3 && VERSIONS[view.u16(at + 1)] !== undefined;
    case 4:
      return view.remaining(at) >= 5 && VERSIONS[view.u16(at + 3)] !== undefined;
    case 2:
      return view.remaining(at) >= 10 && view.u16(at + 4) + view.u16(at + 6) + view.u16(at + 8) <= length;
    default:
      return false;
  }
}

/** One SSL 3.0 / TLS record at `offset`; returns where the next starts, or -1 when TCP was asked for more bytes. */
function dissectRecord(view: ByteView, ctx: Dissection, offset: number, conversation: TlsConversation, known: number): number {
  const available = view.reportedRemaining(offset);
  const type = view.u8(offset + RECORD.TYPE);
  const version = view.u16(offset + RECORD.VERSION);
  const length = view.u16(offset + RECORD.LENGTH);
  if (!isContentType(type) && IGNORING_VERSIONS.has(known)) {
    ctx.expert('warn', ExpertGroup.Protocol, 'Ignored Unknown Record', offset, available);
    if (ctx.columns) ctx.cols.appendInfo('Ignored Unknown Record');
    return offset + available;
  }
  if (!isContentType(type)) {
    if (ctx.columns) ctx.cols.appendInfo('Continuation Data');
    return offset + RECORD.HEADER + length;
  }
  if (available < RECORD.HEADER + length && ctx.desegmentable) {
    ctx.requestMore(offset, RECORD.HEADER + length - available);
    return -1;
  }
  const firstByte = length > 0 && view.remaining(offset + RECORD.HEADER) > 0 ? view.u8(offset + RECORD.HEADER) : 0;
  const state = recordState(ctx, conversation, type, version, firstByte);
  const sessionVersion = state & 0xffff;
  const encrypted = state > 0xffff;
  if (ctx.columns && sessionVersion === 0) ctx.cols.setProtocol(versionShortName(version));
  // A record of a session whose version is not known yet is shown with its own.
  const name = versionShortName(sessionVersion === 0 ? version : sessionVersion);
  ctx.open(fields.record, offset, RECORD.HEADER + length);
  const opaque = sessionVersion === VERSION.TLS13 && type === ContentType.APPLICATION_DATA;
  ctx.add(opaque ? fields['record.opaque_type'] : fields['record.content_type'], offset + RECORD.TYPE, 1, type);
  ctx.add(fields['record.version'], offset + RECORD.VERSION, 2, version);
  ctx.add(fields['record.length'], offset + RECORD.LENGTH, 2, length);
  if (length > MAX_RECORD_LENGTH) ctx.expert('error', ExpertGroup.Malformed, `Record fragment length ${length} exceeds the maximum ${MAX_RECORD_LENGTH}`, offset + RECORD.LENGTH, 2);
  const body = offset + RECORD.HEADER;
  const typeName = CONTENT_TYPES[type] ?? 'Unknown';
  if (ctx.tree) ctx.label(`${name} Record Layer: ${typeName} Protocol`);
  switch (type) {
    case ContentType.CHANGE_CIPHER_SPEC:
      if (ctx.columns) ctx.cols.appendInfo('Change Cipher Spec');
      ctx.add(fields.change_cipher_spec, body, Math.min(length, view.remaining(body)));
      break;
    case ContentType.ALERT:
      dissectAlert(view, ctx, body, length);
      break;
    case ContentType.HANDSHAKE:
      dissectHandshakeRecord(view, ctx, body, length, conversation, sessionVersion, encrypted);
      break;
    case ContentType.APPLICATION_DATA:
      if (ctx.columns) ctx.cols.appendInfo('Application Data');
      if (ctx.tree) ctx.label(`${name} Record Layer: Application Data Protocol: Application Data`);
      ctx.add(fields.app_data, body, Math.min(length, view.remaining(body)));
      break;
    case ContentType.HEARTBEAT:
      dissectHeartbeat(view, ctx, body, length, encrypted);
      break;
  }
  ctx.close();
  return body + length;
}

export const tls: Dissector = {
  protocol,
  short: 'TLS',
  fields: fieldsByAbbrev(fields, handshakeFields),
  bindings: TLS_PORTS.map((key) => ({ table: 'tcp.port', key })),
  heuristicFor: ['tcp.port'],
  recognizes: looksLikeRecord,
  accepts: notText,
  dissect(view, offset, ctx) {
    const conversation = conversationOf(ctx);
    // Wireshark clears Info and names the session's version before the records.
    const memory = ctx.memory;
    const known = memory.remembered ? memory.recall<number>() : memory.record(conversation.version);
    if (ctx.columns) {
      ctx.cols.setInfo('');
      ctx.cols.setProtocol(versionShortName(known));
    }
    let at = offset;
    while (view.reportedRemaining(at) > 0) {
      const next = dissectNext(view, ctx, at, conversation, known);
      if (next < 0) return;
      at = next;
    }
    if (ctx.columns) ctx.cols.fenceInfo();
  },
};
