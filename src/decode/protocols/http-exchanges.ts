// HTTP requests matched to responses per TCP stream, in order (RFC 9112 §9.3.2: responses come in the
// order of the requests, pipelined or not): request_in, response_in, time, the full URI, numbering.
import type { Dissection } from '../dissection.js';
import { fields } from './http-fields.js';
import type { Headers } from './http.js';

interface RequestRecord {
  frame: number;
  number: number;
  method: string;
  fullUri: string;
  tsSec: number;
  tsNsec: number;
  previous: number;
  /** Set once the response is seen: frames dissected again afterwards (the UI) show it. */
  responseFrame: number;
  nextRequest: number;
}

interface ResponseRecord {
  request: RequestRecord | undefined;
  number: number;
  previous: number;
}

/** One stream's exchanges. */
export class Exchanges {
  readonly waiting: RequestRecord[] = [];
  requests = 0;
  responses = 0;
  lastRequest: RequestRecord | undefined;
  lastResponseFrame = 0;

  /** Whether the next response answers a HEAD (and so has no body), as it was when this frame was first seen. */
  pendingHead(ctx: Dissection): boolean {
    return ctx.memory.once(() => this.waiting[0]?.method === 'HEAD');
  }
}

/** Waiting requests per stream are bounded: a stream of requests never answered keeps the newest. */
const MAX_WAITING = 1024;

export function exchangeOf(ctx: Dissection): Exchanges {
  const streams = ctx.memory.stateOf(Exchanges, () => new WeakMap<object, Exchanges>());
  const key = ctx.transport.stream ?? Exchanges;
  let exchanges = streams.get(key);
  if (exchanges === undefined) {
    exchanges = new Exchanges();
    streams.set(key, exchanges);
  }
  return exchanges;
}

function fullUri(uri: string, host: string, secure: boolean): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) return uri;
  return `${secure ? 'https' : 'http'}://${host}${uri}`;
}

export function recordRequest(ctx: Dissection, exchanges: Exchanges, startLine: string, headers: Headers): void {
  const frame = ctx.frame;
  const record = ctx.memory.once((): RequestRecord => {
    const method = startLine.slice(0, startLine.indexOf(' '));
    const uri = startLine.slice(method.length + 1, startLine.lastIndexOf(' '));
    const request: RequestRecord = {
      frame: frame.number, number: ++exchanges.requests, method, fullUri: fullUri(uri, headers.host, ctx.layers.includes('tls')),
      tsSec: frame.tsSec, tsNsec: frame.tsNsec, previous: exchanges.lastRequest?.frame ?? 0, responseFrame: 0, nextRequest: 0,
    };
    if (exchanges.lastRequest) exchanges.lastRequest.nextRequest = frame.number;
    exchanges.lastRequest = request;
    if (exchanges.waiting.length >= MAX_WAITING) exchanges.waiting.shift();
    exchanges.waiting.push(request);
    return request;
  });
  ctx.generated(fields['request.full_uri'], record.fullUri);
  ctx.generated(fields.request_number, record.number);
  if (record.previous !== 0) ctx.generated(fields.prev_request_in, record.previous);
  if (record.responseFrame !== 0) ctx.generated(fields.response_in, record.responseFrame);
  if (record.nextRequest !== 0) ctx.generated(fields.next_request_in, record.nextRequest);
}

export function recordResponse(ctx: Dissection, exchanges: Exchanges, startLine: string): void {
  const frame = ctx.frame;
  const code = Number(startLine.slice(9, 12));
  const record = ctx.memory.once((): ResponseRecord => {
    // An interim (1xx) response leaves the request waiting for its final one.
    const request = code >= 100 && code < 200 ? exchanges.waiting[0] : exchanges.waiting.shift();
    if (request && request.responseFrame === 0) request.responseFrame = frame.number;
    const response = { request, number: ++exchanges.responses, previous: exchanges.lastResponseFrame };
    exchanges.lastResponseFrame = frame.number;
    return response;
  });
  ctx.generated(fields.response_number, record.number);
  if (record.previous !== 0) ctx.generated(fields.prev_response_in, record.previous);
  const request = record.request;
  if (request === undefined) return;
  // The request before the one answered, as Wireshark shows it on a response too.
  if (request.previous !== 0) ctx.generated(fields.prev_request_in, request.previous);
  ctx.generated(fields.time, (frame.tsSec - request.tsSec) * 1e9 + (frame.tsNsec - request.tsNsec));
  ctx.generated(fields.request_in, request.frame);
  ctx.generated(fields['response_for.uri'], request.fullUri);
}
