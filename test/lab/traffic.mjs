// Traffic for the namespace lab: a DNS server and client over UDP and TCP, and a small TCP exchange.
// Every role ends by itself (a request count and a timer), so a lab run cannot hang.
import { createSocket } from 'node:dgram';
import { createServer, connect } from 'node:net';

const [role, address] = process.argv.slice(2);
const DEADLINE_MS = 10_000;
setTimeout(() => process.exit(3), DEADLINE_MS).unref();

function encodeName(name) {
  const parts = name.split('.').map((label) => Buffer.concat([Buffer.of(label.length), Buffer.from(label)]));
  return Buffer.concat([...parts, Buffer.of(0)]);
}

function query(id, name, type) {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2);
  header.writeUInt16BE(1, 4);
  const question = Buffer.concat([encodeName(name), Buffer.from([0, type, 0, 1])]);
  return Buffer.concat([header, question]);
}

/** Answers web.lab.test's A with 10.77.0.2 and AAAA with fd77::2, anything else with NXDOMAIN; compressed names. */
function answer(request) {
  const id = request.readUInt16BE(0);
  let end = 12;
  while (request[end] !== 0) end += request[end] + 1;
  const type = request.readUInt16BE(end + 1);
  const question = request.subarray(12, end + 5);
  const known = question.includes(Buffer.from('web'));
  const rdata = !known ? undefined : type === 1 ? Buffer.from([10, 77, 0, 2]) : type === 28 ? Buffer.from('fd770000000000000000000000000002', 'hex') : undefined;
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(rdata ? 0x8180 : 0x8183, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(rdata ? 1 : 0, 6);
  if (!rdata) return Buffer.concat([header, question]);
  const record = Buffer.alloc(12);
  record.writeUInt16BE(0xc00c, 0);
  record.writeUInt16BE(type, 2);
  record.writeUInt16BE(1, 4);
  record.writeUInt32BE(300, 6);
  record.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([header, question, record, rdata]);
}

const QUERIES = [
  [0x1a2b, 'web.lab.test', 1],
  [0x1a2c, 'web.lab.test', 28],
  [0x1a2d, 'nope.lab.test', 1],
];

switch (role) {
  case 'dns-server': {
    const udp = createSocket('udp4');
    let served = 0;
    udp.on('message', (message, peer) => {
      const last = ++served === QUERIES.length;
      udp.send(answer(message), peer.port, peer.address, () => last && udp.close());
    });
    udp.bind(53, address);
    const tcp = createServer((socket) => {
      socket.once('data', (data) => {
        const reply = answer(data.subarray(2));
        const length = Buffer.alloc(2);
        length.writeUInt16BE(reply.length);
        socket.end(Buffer.concat([length, reply]));
        tcp.close();
      });
    });
    tcp.listen(53, address);
    break;
  }
  case 'dns-client': {
    const udp = createSocket('udp4');
    let pending = QUERIES.length;
    udp.on('message', () => {
      if (--pending === 0) {
        udp.close();
        const message = query(0x2b3c, 'web.lab.test', 1);
        const length = Buffer.alloc(2);
        length.writeUInt16BE(message.length);
        const socket = connect(53, address, () => socket.write(Buffer.concat([length, message])));
        socket.on('data', () => socket.end());
      }
    });
    for (const [id, name, type] of QUERIES) udp.send(query(id, name, type), 53, address);
    break;
  }
  default:
    console.error(`unknown role ${role}`);
    process.exit(2);
}
