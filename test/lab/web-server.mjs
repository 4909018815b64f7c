// The web lab's server: Node's own http and https servers, for curl and the pipelining client to talk to.
// Port 80 plain HTTP, 443 HTTPS, 8443 HTTPS that asks for a client certificate. It ends by itself (a
// timer), so a lab run cannot hang. Usage: node web-server.mjs CERT_DIR
import { createServer as createHttp } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const [certDir] = process.argv.slice(2);
const DEADLINE_MS = 90_000;
setTimeout(() => process.exit(3), DEADLINE_MS).unref();
const MAX_BIG_MB = 16;

const page = (title) => `<!doctype html>\n<html><head><title>${title}</title></head><body><p>${title}</p></body></html>\n`;

/** Answers by path; what each one sends is what the differential test wants to see decoded. */
function route(request, response) {
  const url = new URL(request.url ?? '/', 'http://lab');
  const gzip = /\bgzip\b/.test(request.headers['accept-encoding'] ?? '');
  switch (url.pathname) {
    case '/json': {
      const body = JSON.stringify({ name: 'lab', sizes: [1, 2.5, -3e2], nested: { ok: true, none: null }, text: 'caf\u00e9 "quoted"' });
      response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      return response.end(body);
    }
    case '/chunked': {
      response.writeHead(200, { 'Content-Type': 'text/plain' });
      for (let line = 1; line <= 5; line++) response.write(`line ${line} of a chunked body\n`);
      return response.end();
    }
    case '/gzip': {
      const body = gzipSync(page('gzip '.repeat(400)));
      response.writeHead(200, { 'Content-Type': 'text/html', ...(gzip ? { 'Content-Encoding': 'gzip' } : {}), 'Transfer-Encoding': 'chunked' });
      response.write(gzip ? body.subarray(0, 100) : page('identity'));
      return response.end(gzip ? body.subarray(100) : undefined);
    }
    case '/big': {
      const megabytes = Math.min(Number(url.searchParams.get('mb') ?? 1), MAX_BIG_MB);
      const block = Buffer.alloc(1 << 16, 'bulk data for the lab\n');
      const blocks = megabytes * 16;
      response.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': blocks * block.length });
      let sent = 0;
      const more = () => {
        while (sent < blocks) {
          sent++;
          if (!response.write(block)) return void response.once('drain', more);
        }
        response.end();
      };
      return more();
    }
    case '/form': {
      const chunks = [];
      request.on('data', (chunk) => chunks.push(chunk));
      return request.on('end', () => {
        const fields = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString()));
        const body = JSON.stringify({ received: fields });
        response.writeHead(201, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Location: '/form/1' });
        response.end(body);
      });
    }
    case '/missing':
      response.writeHead(404, { 'Content-Type': 'text/plain' });
      return response.end('not here\n');
    default:
      response.writeHead(200, { 'Content-Type': 'text/html', 'Last-Modified': 'Tue, 01 Dec 2026 00:00:00 GMT' });
      return response.end(page(url.pathname));
  }
}

const tls = { key: readFileSync(join(certDir, 'server.key')), cert: readFileSync(join(certDir, 'server.crt')) };
const ca = readFileSync(join(certDir, 'ca.crt'));
const servers = [
  createHttp(route).listen(80),
  createHttps({ ...tls, ALPNProtocols: ['http/1.1'] }, route).listen(443),
  createHttps({ ...tls, ca, requestCert: true, rejectUnauthorized: true }, route).listen(8443),
];
// A session cache, so that TLS 1.2 clients without tickets (curl) resume by session ID.
const sessions = new Map();
for (const server of servers.slice(1)) {
  server.on('newSession', (id, data, done) => {
    if (sessions.size < 100) sessions.set(id.toString('hex'), data);
    done();
  });
  server.on('resumeSession', (id, done) => done(null, sessions.get(id.toString('hex')) ?? null));
}
let listening = 0;
for (const server of servers) server.on('listening', () => ++listening === servers.length && process.stderr.write('web lab ready\n'));
process.on('SIGTERM', () => process.exit(0));
