// TLS hello extensions: RFC 8446 §4.2 (supported_versions, key_share, signature_algorithms, psk modes),
// RFC 6066 §3 (server_name), RFC 7301 (ALPN), RFC 8422 §5.1 (groups, point formats). Unknown ones as data.
import type { ByteView } from '../byte-view.js';
import { ExpertGroup } from './expert.js';
import type { Dissection } from '../dissection.js';
import { defineFields, type FieldDef } from '../field.js';
import { asciiText } from '../text.js';
import { EC_POINT_FORMATS, EXTENSION_TYPES, GROUPS, PSK_MODES, SERVER_NAME_TYPES, SIGNATURE_ALGORITHMS, VERSIONS } from './tls-values.js';

const Extension = {
  SERVER_NAME: 0, SUPPORTED_GROUPS: 10, EC_POINT_FORMATS: 11, SIGNATURE_ALGORITHMS: 13, ALPN: 16, SUPPORTED_VERSIONS: 43,
  PSK_KEY_EXCHANGE_MODES: 45, KEY_SHARE: 51,
} as const;

/** What the fingerprints need of a hello: every list in wire order, GREASE included. */
export interface HelloSummary {
  extensions: number[];
  groups: number[];
  pointFormats: number[];
  signatureAlgorithms: number[];
  alpn: string[];
  serverName: boolean;
  supportedVersions: number[];
}

const handshake = defineFields('tls.handshake', {
  extensions_length: { name: 'Extensions Length', type: 'uint16', base: 'dec' },
  'extension.type': { name: 'Type', type: 'uint16', base: 'dec', values: EXTENSION_TYPES },
  'extension.len': { name: 'Length', type: 'uint16', base: 'dec' },
  'extension.data': { name: 'Data', type: 'bytes' },
  extensions_server_name_list_len: { name: 'Server Name list length', type: 'uint16', base: 'dec' },
  extensions_server_name_type: { name: 'Server Name Type', type: 'uint8', base: 'dec', values: SERVER_NAME_TYPES },
  extensions_server_name_len: { name: 'Server Name length', type: 'uint16', base: 'dec' },
  extensions_server_name: { name: 'Server Name', type: 'string' },
  extensions_supported_groups_length: { name: 'Supported Groups List Length', type: 'uint16', base: 'dec' },
  extensions_supported_groups: { name: 'Supported Groups List', type: 'none' },
  extensions_supported_group: { name: 'Supported Group', type: 'uint16', base: 'hex', values: GROUPS },
  extensions_ec_point_formats_length: { name: 'EC point formats Length', type: 'uint8', base: 'dec' },
  extensions_ec_point_formats: { name: 'EC point formats', type: 'none' },
  extensions_ec_point_format: { name: 'EC point format', type: 'uint8', base: 'dec', values: EC_POINT_FORMATS },
  sig_hash_alg_len: { name: 'Signature Hash Algorithms Length', type: 'uint16', base: 'dec' },
  sig_hash_algs: { name: 'Signature Algorithms', type: 'none' },
  sig_hash_alg: { name: 'Signature Algorithm', type: 'uint16', base: 'hex', values: SIGNATURE_ALGORITHMS },
  extensions_alpn_len: { name: 'ALPN Extension Length', type: 'uint16', base: 'dec' },
  extensions_alpn_list: { name: 'ALPN Protocol', type: 'none' },
  extensions_alpn_str_len: { name: 'ALPN string length', type: 'uint8', base: 'dec' },
  extensions_alpn_str: { name: 'ALPN Next Protocol', type: 'string' },
  'extensions.supported_versions_len': { name: 'Supported Versions length', type: 'uint8', base: 'dec' },
  'extensions.supported_version': { name: 'Supported Version', type: 'uint16', base: 'hex', values: VERSIONS },
  extensions_key_share_client_length: { name: 'Client Key Share Length', type: 'uint16', base: 'dec' },
  extensions_key_share_group: { name: 'Group', type: 'uint16', base: 'dec', values: GROUPS },
  extensions_key_share_key_exchange_length: { name: 'Key Exchange Length', type: 'uint16', base: 'dec' },
  extensions_key_share_key_exchange: { name: 'Key Exchange', type: 'bytes' },
  extensions_key_share_selected_group: { name: 'Selected Group', type: 'uint16', base: 'dec', values: GROUPS },
});
const extension = defineFields('tls.extension', {
  psk_ke_modes_length: { name: 'PSK Key Exchange Modes Length', type: 'uint8', base: 'dec' },
  psk_ke_mode: { name: 'PSK Key Exchange Mode', type: 'uint8', base: 'dec', values: PSK_MODES },
});

export const extensionFields = { ...handshake, ...extension };

function ascii(view: ByteView, at: number, length: number): string {
  return asciiText(view.slice(at, length));
}

/** A list of 16-bit values after its 16-bit length: each is added and kept in `into`. */
function u16List(view: ByteView, ctx: Dissection, at: number, lengthField: FieldDef, list: FieldDef, item: FieldDef, into?: number[]): void {
  const length = view.u16(at);
  ctx.add(lengthField, at, 2, length);
  ctx.open(list, at + 2, length);
  for (let i = at + 2; i + 2 <= at + 2 + length; i += 2) {
    const value = view.u16(i);
    into?.push(value);
    ctx.add(item, i, 2, value);
  }
  ctx.close();
}

/** A signature_algorithms list (the extension's, or a CertificateRequest's); returns where it ends. */
export function addSignatureAlgorithms(view: ByteView, ctx: Dissection, at: number): number {
  u16List(view, ctx, at, handshake.sig_hash_alg_len, handshake.sig_hash_algs, handshake.sig_hash_alg);
  return at + 2 + view.u16(at);
}

function serverName(view: ByteView, ctx: Dissection, at: number, end: number, hello: HelloSummary): void {
  if (at >= end) return;
  const listLength = view.u16(at);
  ctx.add(handshake.extensions_server_name_list_len, at, 2, listLength);
  let offset = at + 2;
  while (offset + 3 <= Math.min(end, at + 2 + listLength)) {
    ctx.add(handshake.extensions_server_name_type, offset, 1, view.u8(offset));
    const length = view.u16(offset + 1);
    ctx.add(handshake.extensions_server_name_len, offset + 1, 2, length);
    ctx.add(handshake.extensions_server_name, offset + 3, length, ascii(view, offset + 3, length));
    hello.serverName = true;
    offset += 3 + length;
  }
}

function alpn(view: ByteView, ctx: Dissection, at: number, hello: HelloSummary): void {
  const length = view.u16(at);
  ctx.add(handshake.extensions_alpn_len, at, 2, length);
  ctx.open(handshake.extensions_alpn_list, at + 2, length);
  for (let offset = at + 2; offset < at + 2 + length; ) {
    const size = view.u8(offset);
    ctx.add(handshake.extensions_alpn_str_len, offset, 1, size);
    const text = ascii(view, offset + 1, size);
    ctx.add(handshake.extensions_alpn_str, offset + 1, size, text);
    hello.alpn.push(text);
    offset += 1 + size;
  }
  ctx.close();
}

function keyShare(view: ByteView, ctx: Dissection, at: number, end: number, client: boolean): void {
  let offset = at;
  let entriesEnd = end;
  if (client) {
    const length = view.u16(at);
    ctx.add(handshake.extensions_key_share_client_length, at, 2, length);
    offset += 2;
    entriesEnd = Math.min(end, offset + length);
  } else if (end - at === 2) {
    // A HelloRetryRequest names only the group it wants.
    ctx.add(handshake.extensions_key_share_selected_group, at, 2, view.u16(at));
    return;
  }
  while (offset + 4 <= entriesEnd) {
    ctx.add(handshake.extensions_key_share_group, offset, 2, view.u16(offset));
    const length = view.u16(offset + 2);
    ctx.add(handshake.extensions_key_share_key_exchange_length, offset + 2, 2, length);
    ctx.add(handshake.extensions_key_share_key_exchange, offset + 4, length);
    offset += 4 + length;
  }
}

function extensionBody(view: ByteView, ctx: Dissection, type: number, at: number, end: number, hello: HelloSummary, client: boolean): void {
  switch (type) {
    case Extension.SERVER_NAME:
      return serverName(view, ctx, at, end, hello);
    case Extension.SUPPORTED_GROUPS:
      return u16List(view, ctx, at, handshake.extensions_supported_groups_length, handshake.extensions_supported_groups, handshake.extensions_supported_group, hello.groups);
    case Extension.EC_POINT_FORMATS: {
      const length = view.u8(at);
      ctx.add(handshake.extensions_ec_point_formats_length, at, 1, length);
      ctx.open(handshake.extensions_ec_point_formats, at + 1, length);
      for (let i = 0; i < length; i++) {
        const format = view.u8(at + 1 + i);
        hello.pointFormats.push(format);
        ctx.add(handshake.extensions_ec_point_format, at + 1 + i, 1, format);
      }
      ctx.close();
      return;
    }
    case Extension.SIGNATURE_ALGORITHMS:
      return u16List(view, ctx, at, handshake.sig_hash_alg_len, handshake.sig_hash_algs, handshake.sig_hash_alg, hello.signatureAlgorithms);
    case Extension.ALPN:
      return alpn(view, ctx, at, hello);
    case Extension.SUPPORTED_VERSIONS:
      if (!client) {
        const version = view.u16(at);
        hello.supportedVersions.push(version);
        ctx.add(handshake['extensions.supported_version'], at, 2, version);
        return;
      }
      ctx.add(handshake['extensions.supported_versions_len'], at, 1, view.u8(at));
      for (let i = at + 1; i + 2 <= Math.min(end, at + 1 + view.u8(at)); i += 2) {
        const version = view.u16(i);
        hello.supportedVersions.push(version);
        ctx.add(handshake['extensions.supported_version'], i, 2, version);
      }
      return;
    case Extension.PSK_KEY_EXCHANGE_MODES: {
      const length = view.u8(at);
      ctx.add(extension.psk_ke_modes_length, at, 1, length);
      for (let i = 0; i < length; i++) ctx.add(extension.psk_ke_mode, at + 1 + i, 1, view.u8(at + 1 + i));
      return;
    }
    case Extension.KEY_SHARE:
      return keyShare(view, ctx, at, end, client);
    default:
      if (end > at) ctx.add(handshake['extension.data'], at, end - at);
  }
}

/** The extensions block of a hello, from its length field at `at` to the message's `end`. */
export function addExtensions(view: ByteView, ctx: Dissection, at: number, end: number, hello: HelloSummary, client: boolean): void {
  const total = view.u16(at);
  ctx.add(handshake.extensions_length, at, 2, total);
  const blockEnd = Math.min(end, at + 2 + total);
  let offset = at + 2;
  while (offset + 4 <= blockEnd) {
    const type = view.u16(offset);
    const length = view.u16(offset + 2);
    hello.extensions.push(type);
    const bodyEnd = offset + 4 + length;
    ctx.open(handshake['extension.type'], offset, 4 + length, type);
    if (ctx.tree) ctx.label(`Extension: ${EXTENSION_TYPES[type] ?? 'Unknown type ' + type} (len=${length})`);
    ctx.add(handshake['extension.len'], offset + 2, 2, length);
    if (bodyEnd > blockEnd) {
      ctx.expert('error', ExpertGroup.Malformed, `Extension length ${length} runs past the extensions' end`, offset + 2, 2);
      ctx.close();
      return;
    }
    extensionBody(view, ctx, type, offset + 4, bodyEnd, hello, client);
    ctx.close();
    offset = bodyEnd;
  }
}
