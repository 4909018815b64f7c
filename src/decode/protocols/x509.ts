// X.509 certificates in TLS handshakes (RFC 5280 §4.1), read by a small bounded DER reader (X.690 §8, §10):
// version, serial, algorithms, issuer and subject names, validity, SAN DNS names and extension ids, with
// Wireshark's x509af / x509sat / x509ce field names. The structure is walked, never recursed generically.
import type { ByteView } from '../byte-view.js';
import { ExpertGroup } from './expert.js';
import type { Dissection } from '../dissection.js';
import { defineFields, type FieldDef } from '../field.js';

const Tag = {
  BOOLEAN: 0x01, INTEGER: 0x02, BIT_STRING: 0x03, OCTET_STRING: 0x04, OID: 0x06, UTF8_STRING: 0x0c, PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16, UTC_TIME: 0x17, GENERALIZED_TIME: 0x18, SEQUENCE: 0x30, SET: 0x31,
  VERSION: 0xa0, EXTENSIONS: 0xa3, DNS_NAME: 0x82,
} as const;
/** Long-form lengths of more than four bytes would describe more than a certificate can hold. */
const MAX_LENGTH_BYTES = 4;
const OID_SUBJECT_ALT_NAME = '2.5.29.17';
const OID_COUNTRY_NAME = '2.5.4.6';
/** id-ce: the extensions Wireshark's x509ce dissector takes. */
const OID_CERTIFICATE_EXTENSIONS = '2.5.29.';
/**
 * Public key algorithms whose parameters Wireshark hands to its pkcs-1 dissector: id-ecPublicKey's named
 * curve (rsaEncryption's are NULL, and 4.0 leaves its key as bytes).
 */
const PKCS1_KEY_ALGORITHMS = new Set(['1.2.840.10045.2.1']);
const ATTRIBUTE_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'id-at-commonName', '2.5.4.6': 'id-at-countryName', '2.5.4.7': 'id-at-localityName', '2.5.4.8': 'id-at-stateOrProvinceName',
  '2.5.4.10': 'id-at-organizationName', '2.5.4.11': 'id-at-organizationalUnitName',
};

const af = defineFields('x509af', {
  version: { name: 'version', type: 'int32', base: 'dec' },
  serialNumber: { name: 'serialNumber', type: 'bytes' },
  'algorithm.id': { name: 'Algorithm Id', type: 'string' },
  utcTime: { name: 'utcTime', type: 'string' },
  'extension.id': { name: 'Extension Id', type: 'string' },
});
const sat = defineFields('x509sat', {
  uTF8String: { name: 'uTF8String', type: 'string' },
  printableString: { name: 'printableString', type: 'string' },
  IA5String: { name: 'IA5String', type: 'string' },
  CountryName: { name: 'CountryName', type: 'string' },
});
const ce = defineFields('x509ce', { dNSName: { name: 'dNSName', type: 'string' } });

export const x509Fields = { ...af, ...sat, ...ce };

/** One DER element: its tag, where its value starts and ends. */
interface Element {
  tag: number;
  at: number;
  valueAt: number;
  end: number;
}

class DerError extends Error {}

function element(view: ByteView, at: number, limit: number): Element {
  if (at + 2 > limit) throw new DerError(`DER element at byte ${at} is cut short`);
  const tag = view.u8(at);
  let length = view.u8(at + 1);
  let valueAt = at + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > MAX_LENGTH_BYTES) throw new DerError(`DER length of ${count} bytes at byte ${at + 1} is not allowed`);
    if (valueAt + count > limit) throw new DerError(`DER length at byte ${at + 1} is cut short`);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + view.u8(valueAt + i);
    valueAt += count;
  }
  if (valueAt + length > limit) throw new DerError(`DER element at byte ${at} claims ${length} bytes; ${limit - valueAt} remain`);
  return { tag, at, valueAt, end: valueAt + length };
}

function expect(view: ByteView, at: number, limit: number, tag: number): Element {
  const found = element(view, at, limit);
  if (found.tag !== tag) throw new DerError(`DER tag 0x${found.tag.toString(16)} at byte ${at} where 0x${tag.toString(16)} belongs`);
  return found;
}

function oidText(view: ByteView, value: Element): string {
  const parts: number[] = [];
  let current = 0;
  for (let i = value.valueAt; i < value.end; i++) {
    const byte = view.u8(i);
    current = current * 128 + (byte & 0x7f);
    if (byte & 0x80) continue;
    if (parts.length === 0) parts.push(current < 80 ? Math.floor(current / 40) : 2, current < 80 ? current % 40 : current - 80);
    else parts.push(current);
    current = 0;
  }
  return parts.join('.');
}

function text(view: ByteView, value: Element): string {
  return new TextDecoder('utf-8').decode(view.slice(value.valueAt, value.end - value.valueAt));
}

/** UTCTime YYMMDDHHMMSSZ as Wireshark shows it: `2026-11-21 05:20:55 (UTC)`. */
function utcTimeText(raw: string): string {
  const match = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(raw);
  if (!match) return raw;
  const year = Number(match[1]) < 50 ? `20${match[1]}` : `19${match[1]}`;
  return `${year}-${match[2]}-${match[3]} ${match[4]}:${match[5]}:${match[6]} (UTC)`;
}

function algorithm(view: ByteView, ctx: Dissection, at: number, limit: number): Element {
  const sequence = expect(view, at, limit, Tag.SEQUENCE);
  const oid = expect(view, sequence.valueAt, sequence.end, Tag.OID);
  ctx.add(af['algorithm.id'], oid.valueAt, oid.end - oid.valueAt, oidText(view, oid));
  return sequence;
}

/** A Name: RDNs of attribute = value; returns its text (`id-at-commonName=web.lab.test`). */
function name(view: ByteView, ctx: Dissection, at: number, limit: number): { end: number; text: string } {
  const sequence = expect(view, at, limit, Tag.SEQUENCE);
  const parts: string[] = [];
  for (let rdn = sequence.valueAt; rdn < sequence.end; ) {
    const set = expect(view, rdn, sequence.end, Tag.SET);
    for (let item = set.valueAt; item < set.end; ) {
      const attribute = expect(view, item, set.end, Tag.SEQUENCE);
      const oid = oidText(view, expect(view, attribute.valueAt, attribute.end, Tag.OID));
      const value = element(view, element(view, attribute.valueAt, attribute.end).end, attribute.end);
      const shown = text(view, value);
      const field: FieldDef | undefined =
        oid === OID_COUNTRY_NAME ? sat.CountryName
        : value.tag === Tag.UTF8_STRING ? sat.uTF8String
        : value.tag === Tag.PRINTABLE_STRING ? sat.printableString
        : value.tag === Tag.IA5_STRING ? sat.IA5String
        : undefined;
      if (field) ctx.add(field, value.valueAt, value.end - value.valueAt, shown);
      // Wireshark hands each attribute value to x509sat, which frame.protocols lists every time.
      ctx.layers.push('x509sat');
      parts.push(`${ATTRIBUTE_NAMES[oid] ?? oid}=${shown}`);
      item = attribute.end;
    }
    rdn = set.end;
  }
  return { end: sequence.end, text: parts.join(',') };
}

function extensions(view: ByteView, ctx: Dissection, wrapper: Element): void {
  const list = expect(view, wrapper.valueAt, wrapper.end, Tag.SEQUENCE);
  for (let at = list.valueAt; at < list.end; ) {
    const extension = expect(view, at, list.end, Tag.SEQUENCE);
    const oidElement = expect(view, extension.valueAt, extension.end, Tag.OID);
    const oid = oidText(view, oidElement);
    ctx.add(af['extension.id'], oidElement.valueAt, oidElement.end - oidElement.valueAt, oid);
    if (oid.startsWith(OID_CERTIFICATE_EXTENSIONS)) ctx.layers.push('x509ce');
    let next = element(view, oidElement.end, extension.end);
    if (next.tag === Tag.BOOLEAN) next = element(view, next.end, extension.end);
    if (oid === OID_SUBJECT_ALT_NAME && next.tag === Tag.OCTET_STRING) {
      const names = expect(view, next.valueAt, next.end, Tag.SEQUENCE);
      for (let item = names.valueAt; item < names.end; ) {
        const general = element(view, item, names.end);
        if (general.tag === Tag.DNS_NAME) ctx.add(ce.dNSName, general.valueAt, general.end - general.valueAt, text(view, general));
        item = general.end;
      }
    }
    at = extension.end;
  }
}

/** A DER Name on its own (a CertificateRequest's certificate authority) under `field`; DER errors as notes. */
export function addDistinguishedName(view: ByteView, ctx: Dissection, field: FieldDef, at: number, length: number): void {
  ctx.open(field, at, length);
  try {
    const { text } = name(view, ctx, at, Math.min(at + length, view.captured));
    if (ctx.tree) ctx.label(`Distinguished Name: (${text.split(',').reverse().join(',')})`);
  } catch (error) {
    if (!(error instanceof DerError)) throw error;
    ctx.expert('warn', ExpertGroup.Malformed, `Malformed distinguished name: ${error.message}`, at, length);
  }
  ctx.close();
}

/** The certificate's fields under its bytes' node; a DER error is an expert note, never thrown out. */
export function addCertificate(view: ByteView, ctx: Dissection, certificateField: FieldDef, at: number, length: number): void {
  const limit = Math.min(at + length, view.captured);
  ctx.open(certificateField, at, length);
  try {
    const certificate = expect(view, at, limit, Tag.SEQUENCE);
    const tbs = expect(view, certificate.valueAt, certificate.end, Tag.SEQUENCE);
    let offset = tbs.valueAt;
    let next = element(view, offset, tbs.end);
    if (next.tag === Tag.VERSION) {
      const version = expect(view, next.valueAt, next.end, Tag.INTEGER);
      ctx.add(af.version, version.valueAt, version.end - version.valueAt, view.u8(version.end - 1));
      offset = next.end;
    }
    const serial = expect(view, offset, tbs.end, Tag.INTEGER);
    ctx.add(af.serialNumber, serial.valueAt, serial.end - serial.valueAt);
    offset = algorithm(view, ctx, serial.end, tbs.end).end;
    offset = name(view, ctx, offset, tbs.end).end;
    const validity = expect(view, offset, tbs.end, Tag.SEQUENCE);
    for (let time = validity.valueAt; time < validity.end; ) {
      const value = element(view, time, validity.end);
      if (value.tag === Tag.UTC_TIME) ctx.add(af.utcTime, value.valueAt, value.end - value.valueAt, utcTimeText(text(view, value)));
      time = value.end;
    }
    const subject = name(view, ctx, validity.end, tbs.end);
    if (ctx.tree) ctx.label(`Certificate [truncated] (${subject.text})`);
    const publicKey = expect(view, subject.end, tbs.end, Tag.SEQUENCE);
    const keyAlgorithm = algorithm(view, ctx, publicKey.valueAt, publicKey.end);
    if (PKCS1_KEY_ALGORITHMS.has(oidText(view, expect(view, keyAlgorithm.valueAt, keyAlgorithm.end, Tag.OID)))) ctx.layers.push('pkcs-1');
    for (offset = publicKey.end; offset < tbs.end; ) {
      next = element(view, offset, tbs.end);
      if (next.tag === Tag.EXTENSIONS) extensions(view, ctx, next);
      offset = next.end;
    }
    algorithm(view, ctx, tbs.end, certificate.end);
  } catch (error) {
    if (!(error instanceof DerError)) throw error;
    ctx.expert('warn', ExpertGroup.Undecoded, `[Certificate not decoded: ${error.message}]`, at, length);
  }
  ctx.close();
}
