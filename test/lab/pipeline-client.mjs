// HTTP/1.1 pipelining, which curl no longer does: three requests in one write on one connection, then
// the three responses. Ends by itself (a timer). Usage: node pipeline-client.mjs ADDRESS
import { connect } from 'node:net';

const [address] = process.argv.slice(2);
setTimeout(() => process.exit(3), 10_000).unref();
const paths = ['/one', '/json', '/missing'];
const socket = connect(80, address, () => {
  socket.write(paths.map((path) => `GET ${path} HTTP/1.1\r\nHost: ${address}\r\nUser-Agent: lab-pipeline/1\r\n\r\n`).join(''));
});
let received = '';
socket.on('data', (chunk) => {
  received += chunk.toString('latin1');
  if ((received.match(/HTTP\/1\.1 \d{3}/g) ?? []).length === paths.length && received.endsWith('not here\n')) socket.end();
});
socket.on('close', () => process.exit(0));
