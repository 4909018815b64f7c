// HTTP's fields with Wireshark's names, and the header lines: each is `http.request.line` or
// `http.response.line`, and a header Wireshark knows is also its own field (`http.host`, ...).
import type { Dissection } from '../dissection.js';
import { defineFields, type FieldDef } from '../field.js';

export const fields = defineFields('http', {
  request: { name: 'Request', type: 'boolean' },
  response: { name: 'Response', type: 'boolean' },
  request_number: { name: 'Request number', type: 'uint32', base: 'dec' },
  response_number: { name: 'Response number', type: 'uint32', base: 'dec' },
  'request.line': { name: 'Request line', type: 'string' },
  'response.line': { name: 'Response line', type: 'string' },
  'request.method': { name: 'Request Method', type: 'string' },
  'request.uri': { name: 'Request URI', type: 'string' },
  'request.uri.path': { name: 'Request URI Path', type: 'string' },
  'request.uri.query': { name: 'Request URI Query', type: 'string' },
  'request.uri.query.parameter': { name: 'Request URI Query Parameter', type: 'string' },
  'request.version': { name: 'Request Version', type: 'string' },
  'request.full_uri': { name: 'Full request URI', type: 'string' },
  'response.version': { name: 'Response Version', type: 'string' },
  'response.code': { name: 'Status Code', type: 'uint16', base: 'dec' },
  'response.code.desc': { name: 'Status Code Description', type: 'string' },
  'response.phrase': { name: 'Response Phrase', type: 'string' },
  'response_for.uri': { name: 'Request URI', type: 'string' },
  authorization: { name: 'Authorization', type: 'string' },
  proxy_authenticate: { name: 'Proxy-Authenticate', type: 'string' },
  proxy_authorization: { name: 'Proxy-Authorization', type: 'string' },
  www_authenticate: { name: 'WWW-Authenticate', type: 'string' },
  content_type: { name: 'Content-Type', type: 'string' },
  content_length_header: { name: 'Content-Length', type: 'string' },
  content_length: { name: 'Content length', type: 'uint64', base: 'dec' },
  content_encoding: { name: 'Content-Encoding', type: 'string' },
  transfer_encoding: { name: 'Transfer-Encoding', type: 'string' },
  upgrade: { name: 'Upgrade', type: 'string' },
  user_agent: { name: 'User-Agent', type: 'string' },
  host: { name: 'Host', type: 'string' },
  connection: { name: 'Connection', type: 'string' },
  cookie: { name: 'Cookie', type: 'string' },
  cookie_pair: { name: 'Cookie pair', type: 'string' },
  accept: { name: 'Accept', type: 'string' },
  referer: { name: 'Referer', type: 'string' },
  accept_language: { name: 'Accept-Language', type: 'string' },
  accept_encoding: { name: 'Accept Encoding', type: 'string' },
  date: { name: 'Date', type: 'string' },
  cache_control: { name: 'Cache-Control', type: 'string' },
  server: { name: 'Server', type: 'string' },
  location: { name: 'Location', type: 'string' },
  set_cookie: { name: 'Set-Cookie', type: 'string' },
  last_modified: { name: 'Last-Modified', type: 'string' },
  x_forwarded_for: { name: 'X-Forwarded-For', type: 'string' },
  unknown_header: { name: 'Unknown header', type: 'string' },
  request_in: { name: 'Request in frame', type: 'framenum' },
  response_in: { name: 'Response in frame', type: 'framenum' },
  next_request_in: { name: 'Next request in frame', type: 'framenum' },
  next_response_in: { name: 'Next response in frame', type: 'framenum' },
  prev_request_in: { name: 'Prev request in frame', type: 'framenum' },
  prev_response_in: { name: 'Prev response in frame', type: 'framenum' },
  time: { name: 'Time since request', type: 'relative_time' },
});

/** Header names (lower case) Wireshark gives a field of their own. */
const HEADER_FIELDS: ReadonlyMap<string, FieldDef> = new Map([
  ['authorization', fields.authorization], ['proxy-authenticate', fields.proxy_authenticate], ['proxy-authorization', fields.proxy_authorization],
  ['www-authenticate', fields.www_authenticate], ['content-type', fields.content_type], ['content-length', fields.content_length_header],
  ['content-encoding', fields.content_encoding], ['transfer-encoding', fields.transfer_encoding], ['upgrade', fields.upgrade],
  ['user-agent', fields.user_agent], ['host', fields.host], ['connection', fields.connection], ['cookie', fields.cookie],
  ['accept', fields.accept], ['referer', fields.referer], ['accept-language', fields.accept_language], ['accept-encoding', fields.accept_encoding],
  ['date', fields.date], ['cache-control', fields.cache_control], ['server', fields.server], ['location', fields.location],
  ['set-cookie', fields.set_cookie], ['last-modified', fields.last_modified], ['x-forwarded-for', fields.x_forwarded_for],
]);

/** Header names Wireshark knows without a field of their own: not "unknown". */
const KNOWN_HEADERS = new Set([
  'age', 'allow', 'etag', 'expires', 'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since', 'keep-alive',
  'pragma', 'range', 'content-range', 'content-language', 'content-location', 'content-md5', 'retry-after', 'vary', 'via', 'warning',
  'te', 'trailer', 'expect', 'from', 'max-forwards', 'accept-charset', 'accept-ranges', 'sec-websocket-accept', 'sec-websocket-extensions',
  'sec-websocket-key', 'sec-websocket-protocol', 'sec-websocket-version', 'x-frame-options', 'strict-transport-security',
  'content-security-policy', 'access-control-allow-origin', 'origin', 'link', 'dnt', 'upgrade-insecure-requests', 'http2-settings',
]);

/** The fields header lines make. */
const HEADER_LINE_FIELDS: readonly FieldDef[] = [fields['request.line'], fields['response.line'], fields.unknown_header, fields.content_length, fields.cookie_pair, ...HEADER_FIELDS.values()];

/** Whether a header line's fields would be used (a filter or -T fields asks for one). */
export function wantsHeaders(ctx: Dissection): boolean {
  for (const field of HEADER_LINE_FIELDS) if (ctx.wants(field)) return true;
  return false;
}

export function headerFieldOf(name: string): FieldDef | undefined {
  return HEADER_FIELDS.get(name);
}

/** One header line [at, end) (CR LF included), under the message's node. */
export function addHeader(ctx: Dissection, at: number, end: number, line: string, kind: 'request' | 'response'): void {
  const text = line.replace(/\r?\n$/, '');
  ctx.add(kind === 'request' ? fields['request.line'] : fields['response.line'], at, end - at, line);
  const colon = text.indexOf(':');
  if (colon <= 0) return;
  const name = text.slice(0, colon).trim().toLowerCase();
  const value = text.slice(colon + 1).trim();
  const field = HEADER_FIELDS.get(name);
  if (field === undefined) {
    if (!KNOWN_HEADERS.has(name)) ctx.add(fields.unknown_header, at, end - at, line);
    return;
  }
  ctx.open(field, at, end - at, value);
  if (ctx.tree) ctx.label(line.replace(/\r/g, '\\r').replace(/\n/g, '\\n'));
  if (field === fields.content_length_header && /^\d{1,15}$/.test(value)) ctx.generated(fields.content_length, Number(value));
  if (field === fields.cookie) {
    for (const pair of value.split(/;\s*/)) if (pair !== '') ctx.add(fields.cookie_pair, at, end - at, pair);
  }
  ctx.close();
}
