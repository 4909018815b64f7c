#!/usr/bin/env node
// bench/above-tcp: TLS and HTTP on a big capture, tsshark against tshark in one run (both decoding TLS,
// X.509, HTTP and JSON, reassembling and analysing TCP): text, -T fields with TLS/HTTP fields, and a -Y on
// them. Builds bench/out/tls-http-N.pcap once from the lab's recording: its TLS and HTTP conversations
// (the 3 MB download left out), repeated N times as big-263 is, each copy with its own client address.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { measure, root } from './big-capture.js';

const out = join(root, 'bench/out');
const shared = resolve(root, '../shared');
const source = join(shared, 'corpus/recorded/rtr-client-side.pcap');
const COPIES = Number(process.env.BENCH_COPIES ?? 1500);
const capture = join(out, `tls-http-${COPIES}.pcap`);
const selection = join(out, 'tls-http-1.pcap');

/** The recording's TLS and HTTP conversations, without the 3 MB download; returns its frame count. */
function select() {
  const blob = execFileSync('tshark', ['-r', source, '-Y', 'http.request.uri contains "blob"', '-T', 'fields', '-e', 'tcp.stream'], { encoding: 'utf8' }).trim();
  execFileSync('tshark', ['-r', source, '-Y', `(tcp.port == 443 || tcp.port == 80) && tcp.stream != ${blob}`, '-F', 'pcap', '-w', selection]);
  return Number(execFileSync('capinfos', ['-c', '-M', selection], { encoding: 'utf8' }).match(/Number of packets:\s+(\d+)/)[1]);
}

function build() {
  mkdirSync(out, { recursive: true });
  const perCopy = select();
  if (existsSync(capture)) return perCopy;
  const copies = join(out, 'tls-http-copies');
  mkdirSync(copies, { recursive: true });
  const names = [];
  for (let k = 0; k < COPIES; k++) {
    const name = join(copies, `${k}.pcap`);
    execFileSync('editcap', ['-F', 'pcap', '-t', String(k * 60), selection, name]);
    names.push(name);
  }
  const merged = join(out, 'tls-http-merged.pcap');
  execFileSync('mergecap', ['-a', '-F', 'pcap', '-w', merged, ...names]);
  execFileSync('python3', [join(shared, 'lab/uniqflows.py'), merged, capture, String(perCopy)]);
  rmSync(copies, { recursive: true, force: true });
  rmSync(merged, { force: true });
  return perCopy;
}

const frames = build() * COPIES;
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
