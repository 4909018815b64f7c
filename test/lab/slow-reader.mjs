// A reader that stops reading for a while, twice (at its first bytes and again later), so that its small
// receive buffer fills and its TCP advertises a zero window, then window updates when it reads again.
// Ends by itself (a timer). Usage: node slow-reader.mjs ADDRESS PATH
import { connect } from 'node:net';

const [address, path] = process.argv.slice(2);
const PAUSE_MS = 800;
const SECOND_PAUSE_AFTER = 256 * 1024;
setTimeout(() => process.exit(3), 20_000).unref();
let received = 0;
let pauses = 0;
const socket = connect(80, address, () => socket.write(`GET ${path} HTTP/1.1\r\nHost: ${address}\r\nConnection: close\r\n\r\n`));
socket.on('data', (chunk) => {
  received += chunk.length;
  if (pauses === 0 || (pauses === 1 && received > SECOND_PAUSE_AFTER)) {
    pauses++;
    socket.pause();
    setTimeout(() => socket.resume(), PAUSE_MS);
  }
});
socket.on('close', () => process.exit(0));
