// HTTP/1.x, RFC 9112: request and status lines, header fields (§5), message bodies by Content-Length or
// chunked transfer coding (§6, §7.1), reassembled over TCP; requests matched to responses in order (§9.3.2).
import type { ByteView } from '../byte-view.js';
import { ExpertGroup } from './expert.js';
import type { Dissector } from '../dissector.js';
import type { Dissection } from '../dissection.js';
import { defineProtocol, fieldsByAbbrev } from '../field.js';
import { MORE_BYTES_UNKNOWN } from '../tcp-pdu.js';
import { latin1Text } from '../text.js';
import { addBody, bodyFields } from './http-body.js';
import { addHeader, fields, headerFieldOf, wantsHeaders } from './http-fields.js';
import { exchangeOf, recordRequest, recordResponse } from './http-exchanges.js';
import { statusText } from './http-status.js';

/** Ports tshark 4.0 binds to HTTP (`tshark -G decodes`). */
const HTTP_PORTS = [80, 631, 1900, 2710, 2869, 3128, 3132, 3689, 5985, 8080, 8088, 11371];
/** Bytes enough to tell a method (the longest, UNSUBSCRIBE) and its space. */
const LONGEST_START = 12;
const METHODS = new Set([
  'GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE', 'PATCH', 'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE',
  'LOCK', 'UNLOCK', 'REPORT', 'SEARCH', 'NOTIFY', 'SUBSCRIBE', 'UNSUBSCRIBE', 'M-SEARCH', 'PURGE',
]);
const CR = 0x0d;
const COLON = 0x3a;
/** Text this short is built a character at a time (no array for a spread). */
const SHORT_TEXT = 64;
/** "transfer-encoding": no longer name frames a body. */
const LONGEST_FRAMING_HEADER = 17;
const LF = 0x0a;
/** A start line or header longer than this is not believed (a hostile 1 MB header line is cut, not buffered). */
const MAX_LINE = 64 * 1024;
/** g_ascii_isprint's range: a first byte outside it is not HTTP's (Wireshark 4.0). */
const PRINTABLE_FIRST = 0x20;
const PRINTABLE_LAST = 0x7e;
/** Headers of one message, at most. */
const MAX_HEADER_BLOCK = 1024 * 1024;

const protocol = defineProtocol('http', 'Hypertext Transfer Protocol');

/** The end of the line starting at `at` (the index of its LF), or -1 when the view holds no LF before `limit`. */
function lineEnd(view: ByteView, at: number, limit: number): number {
  const bytes = view.bytes;
  const end = Math.min(limit, view.captured, at + MAX_LINE);
  for (let i = at; i < end; i++) if (bytes[i] === LF) return i;
  return -1;
}

function latin1(view: ByteView, at: number, end: number): string {
  const bytes = view.bytes;
  if (end - at > SHORT_TEXT) return latin1Text(bytes.subarray(at, end));
  let text = '';
  for (let i = at; i < end; i++) text += String.fromCharCode(bytes[i]);
  return text;
}

/** The line's text without its CR LF. */
function lineText(view: ByteView, at: number, lf: number): string {
  const end = lf > at && view.bytes[lf - 1] === CR ? lf - 1 : lf;
  return latin1(view, at, end);
}

/** Whether the bytes at `offset` can begin a start line (a method and a space, or "HTTP/"), as far as they go. */
function mayStartMessage(view: ByteView, offset: number): boolean {
  const head = latin1(view, offset, Math.min(view.captured, offset + LONGEST_START));
  if ('HTTP/'.startsWith(head) || head.startsWith('HTTP/')) return true;
  const space = head.indexOf(' ');
  const token = space < 0 ? head : head.slice(0, space);
  for (const method of METHODS) if (space < 0 ? method.startsWith(token) : method === token) return true;
  return false;
}

/** What the start line says: a request's method, or a response's status. */
function startLineKind(line: string): 'request' | 'response' | undefined {
  if (/^HTTP\/\d\.\d /.test(line) || line === 'HTTP/1.1' || line === 'HTTP/1.0') return 'response';
  const space = line.indexOf(' ');
  return space > 0 && METHODS.has(line.slice(0, space)) && / HTTP\/\d\.\d$/.test(line) ? 'request' : undefined;
}

/** Message headers, as far as the body needs them. */
export interface Headers {
  contentLength: number;
  chunked: boolean;
  contentType: string;
  contentEncoding: string;
  host: string;
}

/** One message starting at `offset`; returns where the next starts, or -1 when TCP was asked for more. */
function dissectMessage(view: ByteView, ctx: Dissection, offset: number): number {
  const limit = view.reported;
  const firstLf = lineEnd(view, offset, limit);
  if (firstLf < 0) {
    if (ctx.desegmentable && view.captured === view.reported && view.reported - offset < MAX_LINE && mayStartMessage(view, offset)) {
      ctx.requestMore(offset, MORE_BYTES_UNKNOWN);
      return -1;
    }
    return continuation(view, ctx, offset);
  }
  if (!mayStartMessage(view, offset)) return continuation(view, ctx, offset);
  const startLine = lineText(view, offset, firstLf);
  const kind = startLineKind(startLine);
  if (kind === undefined) return continuation(view, ctx, offset);
  if (ctx.columns) ctx.cols.setInfo(`${startLine} `);
  // Find the blank line that ends the headers.
  let at = firstLf + 1;
  let headersEnd = -1;
  while (at - offset < MAX_HEADER_BLOCK) {
    const lf = lineEnd(view, at, limit);
    if (lf < 0) break;
    if (lf === at || (lf === at + 1 && view.bytes[at] === CR)) {
      headersEnd = lf + 1;
      break;
    }
    at = lf + 1;
  }
  // A header line or block past its bound is not waited for: what came is shown, with a note.
  const bounded = at - offset < MAX_HEADER_BLOCK && view.reported - at < MAX_LINE;
  if (headersEnd < 0 && ctx.desegmentable && bounded) {
    ctx.requestMore(offset, MORE_BYTES_UNKNOWN);
    ctx.unlistLayer();
    return -1;
  }
  if (headersEnd < 0 && !bounded) ctx.expert('warn', ExpertGroup.Reassemble, `[Header line over ${MAX_LINE} bytes or headers over ${MAX_HEADER_BLOCK}: not reassembled further]`, at, 0);
  const headerBlockEnd = headersEnd < 0 ? Math.min(limit, view.captured) : headersEnd;
  const headers: Headers = { contentLength: -1, chunked: false, contentType: '', contentEncoding: '', host: '' };
  for (let line = firstLf + 1; line < headerBlockEnd; ) {
    const lf = lineEnd(view, line, headerBlockEnd);
    const end = lf < 0 ? headerBlockEnd : lf + 1;
    readHeader(view, line, lf < 0 ? end : lf, headers);
    line = end;
  }
  const exchange = exchangeOf(ctx);
  const bodyLength = kind === 'request' ? requestBodyLength(headers) : responseBodyLength(startLine, headers, exchange.pendingHead(ctx));
  const bodyAt = headerBlockEnd;
  const bodyEnd = bodyLength === MORE_BYTES_UNKNOWN ? -1 : bodyAt + bodyLength;
  if (headersEnd >= 0 && ctx.desegmentable) {
    const needs = bodyEnd < 0 ? chunkedEnd(view, bodyAt) : bodyEnd;
    if (needs === MORE_BYTES_UNKNOWN || needs > view.reported) {
      ctx.requestMore(offset, needs === MORE_BYTES_UNKNOWN ? MORE_BYTES_UNKNOWN : needs - view.reported);
      ctx.unlistLayer();
      return -1;
    }
  }
  if (ctx.columns) ctx.cols.setProtocol('HTTP');
  const messageEnd = bodyEnd >= 0 ? Math.min(bodyEnd, limit) : headers.chunked ? Math.max(chunkedEnd(view, bodyAt), bodyAt) : limit;
  if (ctx.tree) ctx.layerSummary('Hypertext Transfer Protocol', messageEnd - offset);
  addStartLine(ctx, offset, firstLf, kind, startLine);
  // Header lines as fields cost text: only when a tree or a field of theirs is wanted.
  const headerLines = ctx.tree || wantsHeaders(ctx);
  for (let line = firstLf + 1; headerLines && line < headerBlockEnd; ) {
    const lf = lineEnd(view, line, headerBlockEnd);
    const end = lf < 0 ? headerBlockEnd : lf + 1;
    if (end - line > 2 || (lf !== line && !(lf === line + 1 && view.bytes[line] === CR))) addHeader(ctx, line, end, latin1(view, line, end), kind);
    line = end;
  }
  if (kind === 'request') recordRequest(ctx, exchange, startLine, headers);
  else recordResponse(ctx, exchange, startLine);
  ctx.tapHttp(view.bytes.subarray(offset, Math.min(headerBlockEnd, view.captured)));
  if (messageEnd > bodyAt) addBody(view, ctx, bodyAt, messageEnd, headers);
  return messageEnd;
}

function readHeader(view: ByteView, at: number, lf: number, headers: Headers): void {
  const bytes = view.bytes;
  let colon = at;
  while (colon < lf && bytes[colon] !== COLON) colon++;
  // Only the headers that frame the body are read here: a name, then (for those) its value.
  if (colon === at || colon === lf || colon - at > LONGEST_FRAMING_HEADER) return;
  const field = headerFieldOf(latin1(view, at, colon).trim().toLowerCase());
  if (field !== fields.content_length_header && field !== fields.transfer_encoding && field !== fields.content_type && field !== fields.content_encoding && field !== fields.host) return;
  const value = lineText(view, colon + 1, lf).trim();
  switch (field) {
    case fields.content_length_header:
      headers.contentLength = /^\d{1,15}$/.test(value) ? Number(value) : -1;
      break;
    case fields.transfer_encoding:
      headers.chunked = /(^|,)\s*chunked\s*$/i.test(value);
      break;
    case fields.content_type:
      headers.contentType = value;
      break;
    case fields.content_encoding:
      headers.contentEncoding = value.toLowerCase();
      break;
    case fields.host:
      headers.host = value;
      break;
  }
}

function requestBodyLength(headers: Headers): number {
  if (headers.chunked) return MORE_BYTES_UNKNOWN;
  return Math.max(0, headers.contentLength);
}

/** RFC 9112 §6.3: no body after HEAD, 1xx, 204 and 304; else chunked, Content-Length, or the rest. */
function responseBodyLength(startLine: string, headers: Headers, afterHead: boolean): number {
  const code = Number(startLine.slice(9, 12));
  if (afterHead || (code >= 100 && code < 200) || code === 204 || code === 304) return 0;
  if (headers.chunked) return MORE_BYTES_UNKNOWN;
  return headers.contentLength >= 0 ? headers.contentLength : 0;
}

/** Where a chunked body ends (after its last chunk and trailer), or MORE_BYTES_UNKNOWN when the view does not hold it. */
export function chunkedEnd(view: ByteView, at: number): number {
  let offset = at;
  for (;;) {
    const lf = lineEnd(view, offset, view.reported);
    if (lf < 0) return MORE_BYTES_UNKNOWN;
    const size = chunkSize(lineText(view, offset, lf));
    // A size that is not one: the rest is this broken body's.
    if (size < 0) return view.reported;
    offset = lf + 1;
    if (size === 0) {
      // The trailer section ends at a blank line.
      for (;;) {
        const end = lineEnd(view, offset, view.reported);
        if (end < 0) return MORE_BYTES_UNKNOWN;
        const blank = end === offset || (end === offset + 1 && view.bytes[offset] === CR);
        offset = end + 1;
        if (blank) return offset;
      }
    }
    offset += size + 2;
    if (offset > view.reported) return MORE_BYTES_UNKNOWN;
  }
}

/** A chunk-size line's value (extensions after `;` ignored); -1 when it is not a size or is too large to believe. */
export function chunkSize(line: string): number {
  const match = /^\s*([0-9a-fA-F]{1,7})\s*(;.*)?$/.exec(line);
  return match ? parseInt(match[1], 16) : -1;
}

function addStartLine(ctx: Dissection, at: number, lf: number, kind: 'request' | 'response', line: string): void {
  ctx.open(kind === 'request' ? fields.request : fields.response, at, lf + 1 - at, true);
  if (ctx.tree) ctx.label(`${line}\\r\\n`);
  ctx.expert('chat', ExpertGroup.Sequence, `${line}\\r\\n`, at, lf + 1 - at);
  const firstSpace = line.indexOf(' ');
  const lastSpace = kind === 'request' ? line.lastIndexOf(' ') : line.indexOf(' ', firstSpace + 1);
  if (kind === 'request') {
    const method = line.slice(0, firstSpace);
    const uri = line.slice(firstSpace + 1, lastSpace);
    ctx.add(fields['request.method'], at, firstSpace, method);
    ctx.add(fields['request.uri'], at + firstSpace + 1, uri.length, uri);
    const query = uri.indexOf('?');
    // Wireshark splits a URI only when it has a query.
    if (query >= 0 && (ctx.wants(fields['request.uri.path']) || ctx.wants(fields['request.uri.query']) || ctx.wants(fields['request.uri.query.parameter']))) {
      const uriAt = at + firstSpace + 1;
      ctx.add(fields['request.uri.path'], uriAt, query, uri.slice(0, query));
      ctx.add(fields['request.uri.query'], uriAt + query + 1, uri.length - query - 1, uri.slice(query + 1));
      let parameterAt = uriAt + query + 1;
      for (const parameter of uri.slice(query + 1).split('&')) {
        ctx.add(fields['request.uri.query.parameter'], parameterAt, parameter.length, parameter);
        parameterAt += parameter.length + 1;
      }
    }
    ctx.add(fields['request.version'], at + lastSpace + 1, line.length - lastSpace - 1, line.slice(lastSpace + 1));
  } else {
    ctx.add(fields['response.version'], at, firstSpace, line.slice(0, firstSpace));
    const codeEnd = lastSpace < 0 ? line.length : lastSpace;
    const code = Number(line.slice(firstSpace + 1, codeEnd));
    ctx.add(fields['response.code'], at + firstSpace + 1, codeEnd - firstSpace - 1, code);
    if (ctx.wants(fields['response.code.desc'])) ctx.generated(fields['response.code.desc'], statusText(code));
    if (lastSpace >= 0) ctx.add(fields['response.phrase'], at + lastSpace + 1, line.length - lastSpace - 1, line.slice(lastSpace + 1));
  }
  ctx.close();
}

/** Continuation of a message whose start was not seen (or not reassembled): Wireshark's "Continuation". */
function continuation(view: ByteView, ctx: Dissection, offset: number): number {
  if (ctx.columns) ctx.cols.setInfo('Continuation');
  ctx.add(bodyFields.file_data, offset, view.remaining(offset), '');
  ctx.tapHttp(view.bytes.subarray(offset, view.captured));
  return view.reported;
}

export const http: Dissector = {
  protocol,
  short: 'HTTP',
  fields: fieldsByAbbrev(fields, bodyFields),
  bindings: HTTP_PORTS.map((key) => ({ table: 'tcp.port', key })),
  // Wireshark 4.0 leaves a segment that starts (after a CRLF) with a byte that is not printable to TCP:
  // binary data on a port given to HTTP (Decode As) is a TCP payload, not an HTTP "Continuation".
  accepts(view, offset) {
    const crlf = view.reported - offset > 3 && view.bytes[offset] === CR && view.bytes[offset + 1] === LF ? 2 : 0;
    const first = view.bytes[offset + crlf];
    return offset + crlf < view.captured && first >= PRINTABLE_FIRST && first <= PRINTABLE_LAST;
  },
  dissect(view, offset, ctx) {
    let at = offset;
    // Pipelined messages follow each other in one segment.
    while (at < view.reported) {
      const next = dissectMessage(view, ctx, at);
      if (next < 0 || next <= at) return;
      at = next;
      if (ctx.columns) ctx.cols.fenceInfo();
    }
  },
};
