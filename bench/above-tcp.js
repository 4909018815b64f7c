#!/usr/bin/env node
// bench/above-tcp: TLS and HTTP on a big capture, tsshark against tshark in one run (both decoding TLS,
// X.509, HTTP and JSON, reassembling and analysing TCP): text, -T fields with TLS/HTTP fields, and a -Y on
// them. Builds bench/out/tls-http-N.pcap once from the lab's recording: its TLS and HTTP conversations
// (the 3 MB download left out), repeated N times, each copy's client on other ports.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { measure, root } from './big-capture.js';

const out = join(root, 'bench/out');
const shared = resolve(root, '../shared');
const source = join(shared, 'corpus/recorded/rtr-client-side.pcap');
const COPIES = Number(process.env.BENCH_COPIES ?? 2000);
const capture = join(out, `tls-http-${COPIES}.pcap`);
const selection = join(out, 'tls-http-1.pcap');

/** The recording's TLS and HTTP conversations, without the 3 MB download; returns its frame count. */
function select() {
  const blob = execFileSync('tshark', ['-r', source, '-Y', 'http.request.uri contains "blob"', '-T', 'fields', '-e', 'tcp.stream'], { encoding: 'utf8' }).trim();
  execFileSync('tshark', ['-r', source, '-Y', `(tcp.port == 443 || tcp.port == 80) && tcp.stream != ${blob}`, '-F', 'pcap', '-w', selection]);
  return Number(execFileSync('capinfos', ['-c', '-M', selection], { encoding: 'utf8' }).match(/Number of packets:\s+(\d+)/)[1]);
}

/**
 * The selection repeated COPIES times, each copy an hour after the last with the client's ports moved on
 * (checksums adjusted as RFC 1624 says), so every copy is a set of new conversations.
 */
async function build() {
  mkdirSync(out, { recursive: true });
  const perCopy = select();
  if (existsSync(capture)) return perCopy;
  const { openCapture } = await import(join(root, 'dist/src/capture/capture-reader.js'));
  const { createCaptureWriter } = await import(join(root, 'dist/src/capture/capture-writer.js'));
  const frames = [];
  const reader = await openCapture(selection);
  await reader.read((frame) => {
    frames.push({ ...frame, data: frame.data.slice() });
  });
  const iface = reader.interfaces[0];
  await reader.close();
  const writer = createCaptureWriter(capture, { format: 'pcap', nanosecond: false });
  for (let k = 0; k < COPIES; k++) {
    for (const frame of frames) writer.write({ ...frame, tsSec: frame.tsSec + k * 3600, data: movedPorts(frame.data, k) }, iface);
  }
  writer.close();
  return perCopy;
}

const SERVER_PORTS = new Set([80, 443]);
/** Ethernet, then IPv4 or IPv6, then TCP: the client's port (the one not 80 or 443) plus k, checksum kept right. */
function movedPorts(data, k) {
  const bytes = Uint8Array.from(data);
  const view = new DataView(bytes.buffer);
  const ethertype = view.getUint16(12);
  const ipAt = 14;
  const tcpAt = ethertype === 0x0800 ? ipAt + (bytes[ipAt] & 0x0f) * 4 : ethertype === 0x86dd ? ipAt + 40 : -1;
  if (tcpAt < 0 || bytes[ethertype === 0x0800 ? ipAt + 9 : ipAt + 6] !== 6 || tcpAt + 18 > bytes.length) return bytes;
  for (const at of [tcpAt, tcpAt + 2]) {
    const port = view.getUint16(at);
    if (SERVER_PORTS.has(port)) continue;
    const moved = 1024 + ((port - 1024 + k * 37) % (65536 - 1024));
    view.setUint16(at, moved);
    // RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m').
    let sum = (~view.getUint16(tcpAt + 16) & 0xffff) + (~port & 0xffff) + moved;
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    view.setUint16(tcpAt + 16, ~sum & 0xffff);
  }
  return bytes;
}

const frames = (await build()) * COPIES;
const tsshark = join(root, 'bin/tsshark.js');
const FIELDS = ['-e', 'tls.handshake.extensions_server_name', '-e', 'tls.handshake.ja3', '-e', 'tls.record.content_type', '-e', 'http.request.method', '-e', 'http.request.uri', '-e', 'http.response.code', '-e', 'tcp.analysis.ack_rtt'];
const FILTER = 'tls.handshake.extensions_server_name contains "x" || http.request.method == "POST"';
const runs = [
  ['text', ['-r', capture]],
  ['-T fields (TLS/HTTP)', ['-r', capture, '-T', 'fields', ...FIELDS]],
  ['-Y sni/POST', ['-r', capture, '-Y', FILTER]],
];
console.log(`${frames.toLocaleString('en')} frames in ${capture}`);
for (const [label, args] of runs) {
  const ours = measure(tsshark, args);
  const theirs = measure('tshark', args);
  const rate = (seconds) => Math.round(frames / seconds).toLocaleString('en').padStart(10);
  console.log(
    `${label.padEnd(22)} tsshark ${ours.seconds.toFixed(2)} s ${rate(ours.seconds)} frames/s ${ours.rssMb.toFixed(0)} MB; ` +
      `tshark ${theirs.seconds.toFixed(2)} s ${rate(theirs.seconds)} frames/s ${theirs.rssMb.toFixed(0)} MB; ` +
      `${(theirs.seconds / ours.seconds).toFixed(2)}x tshark's frames/s, ${(ours.rssMb / theirs.rssMb).toFixed(2)}x its peak RSS`,
  );
}
