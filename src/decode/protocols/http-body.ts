// An HTTP message body: de-chunked (RFC 9112 §7.1), decompressed (gzip, deflate, br; RFC 9110 §8.4.1)
// into byte sources of their own, with an output bound, then handed on by media type as Wireshark does.
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import { ExpertGroup } from './expert.js';
import type { ByteView } from '../byte-view.js';
import type { Dissection } from '../dissection.js';
import type { Dissector } from '../dissector.js';
import { defineFields } from '../field.js';
import { asciiText, latin1Text } from '../text.js';
import { chunkSize, type Headers } from './http.js';
import { json } from './json.js';
import { textLines, urlencodedForm, xml } from './media-types.js';

/** A decompressed body larger than this is not decompressed: a 1 KB gzip may claim a gigabyte. */
export const MAX_UNCOMPRESSED = 16 * 1024 * 1024;

export const bodyFields = defineFields('http', {
  file_data: { name: 'File Data', type: 'string' },
  chunk_size: { name: 'Chunk size', type: 'uint32', base: 'dec' },
  chunk_data: { name: 'Chunk data', type: 'bytes' },
  chunked_trailer_part: { name: 'trailer-part', type: 'string' },
});

const JSON_TYPES = new Set(['application/json', 'application/json-rpc', 'application/jsonrequest', 'application/problem+json', 'application/x-ndjson']);
const XML_TYPES = new Set(['text/xml', 'application/xml', 'application/soap+xml', 'application/xhtml+xml', 'application/atom+xml', 'application/rss+xml']);
const TEXT_TYPES = new Set(['text/plain', 'text/html', 'text/css', 'text/javascript', 'application/javascript', 'application/x-javascript', 'text/csv', 'text/vcard', 'application/x-tia-ims']);
const FORM_TYPE = 'application/x-www-form-urlencoded';

/** The dissector for a media type, and what it adds to the Protocol column and Info. */
function mediaHandler(type: string): { dissector: Dissector | undefined; protocolSuffix: string; info: (type: string) => string } {
  if (JSON_TYPES.has(type) || type.endsWith('+json')) return { dissector: json, protocolSuffix: '/JSON', info: (t) => `, JavaScript Object Notation (${t})` };
  if (XML_TYPES.has(type) || type.endsWith('+xml')) return { dissector: xml, protocolSuffix: '/XML', info: () => '' };
  if (type === FORM_TYPE) return { dissector: urlencodedForm, protocolSuffix: '', info: (t) => ` (${t})` };
  if (TEXT_TYPES.has(type) || type.startsWith('text/')) return { dissector: textLines, protocolSuffix: '', info: (t) => ` (${t})` };
  return { dissector: undefined, protocolSuffix: '', info: () => '' };
}

/** The chunks' data as one body, each chunk's size and data added over the message's bytes. */
function dechunk(view: ByteView, ctx: Dissection, at: number, end: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  let offset = at;
  while (offset < end) {
    let lf = offset;
    while (lf < end && view.bytes[lf] !== 0x0a) lf++;
    const line = latin1Text(view.bytes.subarray(offset, lf)).replace(/\r$/, '');
    const size = chunkSize(line);
    if (size < 0) {
      ctx.expert('warn', ExpertGroup.Malformed, `Chunk size "${line.slice(0, 40)}" is not a hexadecimal size under 2^28`, offset, lf - offset);
      break;
    }
    ctx.add(bodyFields.chunk_size, offset, lf + 1 - offset, size);
    offset = lf + 1;
    if (size === 0) {
      if (offset < end - 2) ctx.add(bodyFields.chunked_trailer_part, offset, end - offset, latin1Text(view.bytes.subarray(offset, end)));
      break;
    }
    const available = Math.min(size, view.captured - offset);
    ctx.add(bodyFields.chunk_data, offset, available);
    if (total + available > MAX_UNCOMPRESSED) {
      ctx.expert('warn', ExpertGroup.Undecoded, `[De-chunked body larger than ${MAX_UNCOMPRESSED} bytes: stopped]`, offset, 0);
      break;
    }
    parts.push(view.bytes.subarray(offset, offset + available));
    total += available;
    offset += size + 2;
  }
  const body = new Uint8Array(total);
  let position = 0;
  for (const part of parts) {
    body.set(part, position);
    position += part.length;
  }
  return body;
}

/** The decoded body, or undefined (with an expert note) when the coding is unknown, corrupt or too large. */
function decompress(ctx: Dissection, coding: string, body: Uint8Array): Uint8Array | undefined {
  const options = { maxOutputLength: MAX_UNCOMPRESSED };
  try {
    if (coding === 'gzip' || coding === 'x-gzip') return gunzipSync(body, options);
    if (coding === 'br') return brotliDecompressSync(body, options);
    if (coding === 'deflate') {
      // RFC 9110 says zlib format; some servers send raw deflate.
      try {
        return inflateSync(body, options);
      } catch {
        return inflateRawSync(body, options);
      }
    }
    return undefined;
  } catch (error) {
    const tooLarge = (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
    ctx.expert('warn', ExpertGroup.Undecoded, tooLarge ? `[Uncompressed body larger than ${MAX_UNCOMPRESSED} bytes: not decompressed]` : `[Body does not decompress as ${coding}]`);
    return undefined;
  }
}

/** The body [at, end) of a message whose headers are `headers`. */
export function addBody(view: ByteView, ctx: Dissection, at: number, end: number, headers: Headers): void {
  const captured = Math.min(end, view.captured);
  let body: Uint8Array = view.bytes.subarray(at, captured);
  let sourceName: string | undefined;
  if (headers.chunked) {
    body = dechunk(view, ctx, at, captured);
    sourceName = `De-chunked entity body (${body.length} bytes)`;
  }
  const coding = headers.contentEncoding;
  let undecoded = false;
  if (coding !== '' && coding !== 'identity' && body.length > 0) {
    const decoded = decompress(ctx, coding, body);
    if (decoded !== undefined) {
      body = decoded;
      sourceName = `Uncompressed entity body (${body.length} bytes)`;
    } else {
      undecoded = true;
    }
  }
  if (body.length === 0) return;
  // As Wireshark's, follow,http is given a body it could decode, not one it could not.
  if (!undecoded) ctx.tapHttp(body);
  if (ctx.wants(bodyFields.file_data)) ctx.generated(bodyFields.file_data, asciiText(body), sourceName ? 0 : at, sourceName ? 0 : captured - at);
  const type = headers.contentType.split(';')[0].trim().toLowerCase();
  const handler = mediaHandler(type);
  if (ctx.columns) {
    ctx.cols.appendInfo(handler.info(type), '');
    if (handler.protocolSuffix !== '') ctx.cols.setProtocol(`HTTP${handler.protocolSuffix}`);
  }
  // A media type Wireshark has no dissector for is data.
  const dissector = handler.dissector ?? ctx.registry.data;
  if (sourceName === undefined) ctx.callDissector(dissector, at, captured);
  else ctx.callDissector(dissector, 0, body.length, { name: sourceName, bytes: body });
}
