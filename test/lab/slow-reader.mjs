// A reader that stops reading twice for a while, so that its receive buffer fills and its TCP advertises
// a zero window (then window updates when it reads again). Ends by itself (a timer).
// Usage: node slow-reader.mjs ADDRESS PATH
import { connect } from 'node:net';

const [address, path] = process.argv.slice(2);
const PAUSE_MS = 400;
setTimeout(() => process.exit(3), 20_000).unref();
let received = 0;
let pauses = 0;
const socket = connect(80, address, () => socket.write(`GET ${path} HTTP/1.1\r\nHost: ${address}\r\nConnection: close\r\n\r\n`));
socket.on('data', (chunk) => {
  received += chunk.length;
  if (pauses < 2 && received > (pauses + 1) * 128 * 1024) {
    pauses++;
    socket.pause();
    setTimeout(() => socket.resume(), PAUSE_MS);
  }
});
socket.on('close', () => process.exit(0));
