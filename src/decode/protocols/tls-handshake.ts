// TLS handshake messages: RFC 8446 §4 (TLS 1.3), RFC 5246 §7.4 (TLS 1.2), with Wireshark's field names.
// Hello messages are dissected to their extensions; JA3/JA3S as tshark 4.0 computes them, JA4 as FoxIO defines it.
import type { ByteView } from '../byte-view.js';
import { ExpertGroup } from './expert.js';
import type { Dissection } from '../dissection.js';
import { defineFields, fieldsByAbbrev } from '../field.js';
import { addExtensions, addSignatureAlgorithms, extensionFields, type HelloSummary } from './tls-extensions.js';
import { ja3Fields, addClientFingerprints, addServerFingerprints } from './tls-fingerprints.js';
import { CERTIFICATE_TYPES, CIPHER_SUITES, COMPRESSION_METHODS, GROUPS, HANDSHAKE_TYPES, VERSIONS } from './tls-values.js';
import { versionShortName, VERSION } from './tls-versions.js';
import { addCertificate, addDistinguishedName, x509Fields } from './x509.js';

/** A TCP stream's TLS session as far as the records tell: its version (0 while unknown) and, per side, whether it changed cipher. */
export interface TlsConversation {
  version: number;
  changedCipher: [boolean, boolean];
}

const HandshakeType = {
  CLIENT_HELLO: 1, SERVER_HELLO: 2, NEW_SESSION_TICKET: 4, ENCRYPTED_EXTENSIONS: 8, CERTIFICATE: 11, SERVER_KEY_EXCHANGE: 12,
  CERTIFICATE_REQUEST: 13, SERVER_HELLO_DONE: 14, CERTIFICATE_VERIFY: 15, CLIENT_KEY_EXCHANGE: 16, FINISHED: 20,
} as const;
const HEADER = 4;
const RANDOM_LENGTH = 32;
/** RFC 8446 §4.1.3: a ServerHello with this random is a HelloRetryRequest. */
const HELLO_RETRY_RANDOM = 'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c';

const messageField = defineFields('tls', { handshake: { name: 'Handshake Protocol', type: 'none' } }).handshake;
const fields = defineFields('tls.handshake', {
  type: { name: 'Handshake Message Type', type: 'uint8', base: 'dec', values: HANDSHAKE_TYPES },
  length: { name: 'Length', type: 'uint24', base: 'dec' },
  version: { name: 'Version', type: 'uint16', base: 'hex', values: VERSIONS },
  random: { name: 'Random', type: 'bytes' },
  session_id_length: { name: 'Session ID Length', type: 'uint16', base: 'dec' },
  session_id: { name: 'Session ID', type: 'bytes' },
  cipher_suites_length: { name: 'Cipher Suites Length', type: 'uint16', base: 'dec' },
  ciphersuites: { name: 'Cipher Suites', type: 'none' },
  ciphersuite: { name: 'Cipher Suite', type: 'uint16', base: 'hex', values: CIPHER_SUITES },
  comp_methods_length: { name: 'Compression Methods Length', type: 'uint8', base: 'dec' },
  comp_methods: { name: 'Compression Methods', type: 'none' },
  comp_method: { name: 'Compression Method', type: 'uint8', base: 'dec', values: COMPRESSION_METHODS },
  certificates_length: { name: 'Certificates Length', type: 'uint24', base: 'dec' },
  certificates: { name: 'Certificates', type: 'none' },
  certificate_length: { name: 'Certificate Length', type: 'uint24', base: 'dec' },
  certificate: { name: 'Certificate', type: 'bytes' },
  'session_ticket_lifetime_hint': { name: 'Session Ticket Lifetime Hint', type: 'uint32', base: 'dec' },
  session_ticket_length: { name: 'Session Ticket Length', type: 'uint16', base: 'dec' },
  session_ticket: { name: 'Session Ticket', type: 'bytes' },
  server_curve_type: { name: 'Curve Type', type: 'uint8', base: 'dec', values: { 1: 'explicit_prime', 2: 'explicit_char2', 3: 'named_curve' } },
  server_named_curve: { name: 'Named Curve', type: 'uint16', base: 'hex', values: GROUPS },
  server_point_len: { name: 'Pubkey Length', type: 'uint8', base: 'dec' },
  server_point: { name: 'Pubkey', type: 'bytes' },
  sig_len: { name: 'Signature Length', type: 'uint16', base: 'dec' },
  sig: { name: 'Signature', type: 'bytes' },
  cert_types_count: { name: 'Certificate types count', type: 'uint8', base: 'dec' },
  cert_types: { name: 'Certificate types', type: 'none' },
  cert_type: { name: 'Certificate type', type: 'uint8', base: 'dec', values: CERTIFICATE_TYPES },
  dnames_len: { name: 'Distinguished Names Length', type: 'uint16', base: 'dec' },
  dnames: { name: 'Distinguished Names', type: 'none' },
  dname_len: { name: 'Distinguished Name Length', type: 'uint16', base: 'dec' },
  dname: { name: 'Distinguished Name', type: 'none' },
});
export const handshakeFields = fieldsByAbbrev(messageField, fields, extensionFields, ja3Fields, x509Fields);

/** RFC 5246 §7.4.4: the certificate types, signature algorithms and authorities a server accepts. */
function certificateRequest(view: ByteView, ctx: Dissection, at: number, end: number): void {
  const count = view.u8(at);
  ctx.add(fields.cert_types_count, at, 1, count);
  ctx.open(fields.cert_types, at + 1, count);
  if (ctx.tree) ctx.label(`Certificate types (${count} type${count === 1 ? '' : 's'})`);
  for (let i = 0; i < count; i++) ctx.add(fields.cert_type, at + 1 + i, 1, view.u8(at + 1 + i));
  ctx.close();
  const namesAt = addSignatureAlgorithms(view, ctx, at + 1 + count);
  if (namesAt + 2 > end) return;
  const namesLength = view.u16(namesAt);
  ctx.add(fields.dnames_len, namesAt, 2, namesLength);
  const namesEnd = Math.min(end, namesAt + 2 + namesLength);
  ctx.open(fields.dnames, namesAt + 2, namesLength);
  if (ctx.tree) ctx.label(`Distinguished Names (${namesLength} byte${namesLength === 1 ? '' : 's'})`);
  for (let offset = namesAt + 2; offset + 2 <= namesEnd; ) {
    const length = view.u16(offset);
    ctx.add(fields.dname_len, offset, 2, length);
    addDistinguishedName(view, ctx, fields.dname, offset + 2, length);
    offset += 2 + length;
  }
  ctx.close();
}

function handshakeName(type: number): string {
  return HANDSHAKE_TYPES[type] ?? `Unknown (${type})`;
}

function hex(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += byte.toString(16).padStart(2, '0');
  return text;
}

/** legacy_session_id: a length byte and up to 32 bytes. */
function addSessionId(view: ByteView, ctx: Dissection, at: number): number {
  const length = view.u8(at);
  ctx.add(fields.session_id_length, at, 1, length);
  if (length > 0) ctx.add(fields.session_id, at + 1, length);
  return at + 1 + length;
}

/** legacy_version, random and legacy_session_id, which both hellos start with; returns the offset after them. */
function helloStart(view: ByteView, ctx: Dissection, at: number): number {
  ctx.add(fields.version, at, 2, view.u16(at));
  ctx.add(fields.random, at + 2, RANDOM_LENGTH);
  return addSessionId(view, ctx, at + 2 + RANDOM_LENGTH);
}

function newHello(): HelloSummary {
  return { extensions: [], groups: [], pointFormats: [], signatureAlgorithms: [], alpn: [], serverName: false, supportedVersions: [] };
}

function clientHello(view: ByteView, ctx: Dissection, at: number, end: number): void {
  const legacyVersion = view.u16(at);
  let offset = helloStart(view, ctx, at);
  const suitesLength = view.u16(offset);
  ctx.add(fields.cipher_suites_length, offset, 2, suitesLength);
  offset += 2;
  const ciphers: number[] = [];
  ctx.open(fields.ciphersuites, offset, suitesLength);
  if (ctx.tree) ctx.label(`Cipher Suites (${suitesLength >> 1} suites)`);
  for (let i = offset; i + 2 <= offset + suitesLength; i += 2) {
    const suite = view.u16(i);
    ciphers.push(suite);
    ctx.add(fields.ciphersuite, i, 2, suite);
  }
  ctx.close();
  offset += suitesLength;
  const methods = view.u8(offset);
  ctx.add(fields.comp_methods_length, offset, 1, methods);
  ctx.open(fields.comp_methods, offset + 1, methods);
  if (ctx.tree) ctx.label(`Compression Methods (${methods} method${methods === 1 ? '' : 's'})`);
  for (let i = 0; i < methods; i++) ctx.add(fields.comp_method, offset + 1 + i, 1, view.u8(offset + 1 + i));
  ctx.close();
  offset += 1 + methods;
  const hello = newHello();
  if (offset < end) addExtensions(view, ctx, offset, end, hello, true);
  addClientFingerprints(ctx, legacyVersion, ciphers, hello);
}

/** Returns the version the server chose (supported_versions, else the legacy field). */
function serverHello(view: ByteView, ctx: Dissection, at: number, end: number): number {
  const legacyVersion = view.u16(at);
  let offset = helloStart(view, ctx, at);
  const suite = view.u16(offset);
  ctx.add(fields.ciphersuite, offset, 2, suite);
  const method = view.u8(offset + 2);
  ctx.add(fields.comp_method, offset + 2, 1, method);
  offset += 3;
  const hello = newHello();
  if (offset < end) addExtensions(view, ctx, offset, end, hello, false);
  addServerFingerprints(ctx, legacyVersion, suite, hello);
  return hello.supportedVersions[0] ?? legacyVersion;
}

function certificates(view: ByteView, ctx: Dissection, at: number, end: number, tls13: boolean): void {
  let offset = at;
  if (tls13) offset += 1 + view.u8(offset);
  const total = view.u24(offset);
  ctx.add(fields.certificates_length, offset, 3, total);
  offset += 3;
  const listEnd = Math.min(end, offset + total);
  ctx.open(fields.certificates, offset, listEnd - offset);
  if (ctx.tree) ctx.label(`Certificates (${total} bytes)`);
  while (offset + 3 <= listEnd) {
    const length = view.u24(offset);
    ctx.add(fields.certificate_length, offset, 3, length);
    offset += 3;
    if (offset + length > listEnd) {
      ctx.expert('error', ExpertGroup.Malformed, `Certificate length ${length} runs past the list's end`, offset - 3, 3);
      break;
    }
    addCertificate(view, ctx, fields.certificate, offset, length);
    offset += length;
    if (tls13 && offset + 2 <= listEnd) offset += 2 + view.u16(offset);
  }
  ctx.close();
}

/**
 * ECDHE parameters (RFC 8422 §5.4): a named curve, the server's point, then the signature (with its
 * algorithm from TLS 1.2). Other key exchanges depend on the cipher suite and are left as bytes.
 */
function serverKeyExchange(view: ByteView, ctx: Dissection, at: number, end: number): void {
  const NAMED_CURVE = 3;
  if (end - at < 4 || view.u8(at) !== NAMED_CURVE) return;
  const pointLength = view.u8(at + 3);
  const signatureAt = at + 4 + pointLength;
  ctx.add(fields.server_curve_type, at, 1, NAMED_CURVE);
  ctx.add(fields.server_named_curve, at + 1, 2, view.u16(at + 1));
  ctx.add(fields.server_point_len, at + 3, 1, pointLength);
  ctx.add(fields.server_point, at + 4, pointLength);
  addSignature(view, ctx, signatureAt, end);
}

/** A digitally-signed struct (RFC 5246 §4.7): with its algorithm in TLS 1.2, told by the lengths adding up. */
function addSignature(view: ByteView, ctx: Dissection, at: number, end: number): void {
  if (at + 4 <= end && at + 4 + view.u16(at + 2) === end) {
    ctx.add(extensionFields.sig_hash_alg, at, 2, view.u16(at));
    ctx.add(fields.sig_len, at + 2, 2, view.u16(at + 2));
    ctx.add(fields.sig, at + 4, end - at - 4);
  } else if (at + 2 <= end) {
    ctx.add(fields.sig_len, at, 2, view.u16(at));
    ctx.add(fields.sig, at + 2, end - at - 2);
  }
}

function newSessionTicket(view: ByteView, ctx: Dissection, at: number, end: number): void {
  ctx.add(fields.session_ticket_lifetime_hint, at, 4, view.u32(at));
  if (at + 6 > end) return;
  const length = view.u16(at + 4);
  ctx.add(fields.session_ticket_length, at + 4, 2, length);
  if (length > 0) ctx.add(fields.session_ticket, at + 6, Math.min(length, end - at - 6));
}

/**
 * The handshake messages of one record. An encrypted one (after ChangeCipherSpec, or whose header cannot
 * be a message of this record) is "Encrypted Handshake Message", as Wireshark decides.
 */
export function dissectHandshakeRecord(
  view: ByteView,
  ctx: Dissection,
  offset: number,
  length: number,
  conversation: TlsConversation,
  sessionVersion: number,
  encrypted: boolean,
): void {
  const end = offset + length;
  let at = offset;
  let first = true;
  while (at + HEADER <= end) {
    const type = view.u8(at);
    const messageLength = view.u24(at + 1);
    if (first && (encrypted || HANDSHAKE_TYPES[type] === undefined || at + HEADER + messageLength > end)) {
      if (ctx.columns) ctx.cols.appendInfo('Encrypted Handshake Message');
      ctx.open(messageField, at, end - at);
      if (ctx.tree) ctx.label('Handshake Protocol: Encrypted Handshake Message');
      ctx.close();
      return;
    }
    first = false;
    const body = at + HEADER;
    const messageEnd = Math.min(end, body + messageLength);
    let name = handshakeName(type);
    if (type === HandshakeType.SERVER_HELLO && view.remaining(body + 2) >= RANDOM_LENGTH && hex(view.slice(body + 2, RANDOM_LENGTH)) === HELLO_RETRY_RANDOM) {
      name = 'Hello Retry Request';
    }
    if (ctx.columns) ctx.cols.appendInfo(name);
    ctx.open(messageField, at, HEADER + messageLength);
    if (ctx.tree) ctx.label(`Handshake Protocol: ${name}`);
    ctx.add(fields.type, at, 1, type);
    ctx.add(fields.length, at + 1, 3, messageLength);
    switch (type) {
      case HandshakeType.CLIENT_HELLO:
        clientHello(view, ctx, body, messageEnd);
        break;
      case HandshakeType.SERVER_HELLO: {
        const chosen = serverHello(view, ctx, body, messageEnd);
        // The server's choice is the session's version from here on (both sides).
        const changed = ctx.memory.once(() => {
          const before = conversation.version;
          if (chosen === VERSION.TLS13) conversation.version = chosen;
          return before !== conversation.version;
        });
        if (changed && ctx.columns) ctx.cols.setProtocol(versionShortName(VERSION.TLS13));
        break;
      }
      case HandshakeType.SERVER_KEY_EXCHANGE:
        serverKeyExchange(view, ctx, body, messageEnd);
        break;
      case HandshakeType.CERTIFICATE:
        certificates(view, ctx, body, messageEnd, sessionVersion === VERSION.TLS13);
        break;
      case HandshakeType.CERTIFICATE_REQUEST:
        if (sessionVersion !== VERSION.TLS13) certificateRequest(view, ctx, body, messageEnd);
        break;
      case HandshakeType.CERTIFICATE_VERIFY:
        if (sessionVersion !== VERSION.TLS13) addSignature(view, ctx, body, messageEnd);
        break;
      case HandshakeType.NEW_SESSION_TICKET:
        if (sessionVersion !== VERSION.TLS13) newSessionTicket(view, ctx, body, messageEnd);
        break;
    }
    ctx.close();
    at = body + messageLength;
  }
}
