#!/usr/bin/env node
// bench/netns-live: capture in three network namespaces at once under bench/live's UDP flood. A sender
// namespace floods 60-byte datagrams through a router namespace (which forwards them) into a receiver
// namespace whose INPUT drops them; each datagram crosses three capture points: the sender's veth (egress),
// the router's veth facing it (ingress) and the receiver's veth (ingress). One tsshark captures the three
// (`-i netns:NS/DEV` each); its peer is three tcpdumps, one in each namespace. Each round runs one of them
// alone, at each paced rate and then unpaced; each one's frames are compared with the frames the three
// devices' counters say crossed. Root; every namespace is removed at exit.
// Usage: bench/netns-live.js [--seconds S] [--rates 50000,100000,200000]
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FLOOD, root, run } from './veth-lab.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' }, rates: { type: 'string', default: '50000,100000,200000' } } });
const SECONDS = Number(values.seconds);
const RATES = [...values.rates.split(',').map(Number), undefined];
const READY_LIMIT_MS = 15_000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const tsshark = join(root, 'bin/tsshark.js');

if (process.getuid() !== 0) {
  process.stderr.write('bench/netns-live needs root (network namespaces, capture)\n');
  process.exit(2);
}
const ns = { sender: `tss-nsb-tx-${process.pid}`, router: `tss-nsb-r-${process.pid}`, receiver: `tss-nsb-rx-${process.pid}` };
const remove = () => {
  for (const name of Object.values(ns)) {
    try {
      execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
    } catch {
      // Not there.
    }
  }
};
process.on('exit', remove);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

const RECEIVER_IP = '10.89.2.2';
/** The three capture points: namespace, device, and which of its counters the flood crosses. */
const POINTS = [
  { netns: ns.sender, device: 'veth-tx', counter: 'tx' },
  { netns: ns.router, device: 'veth-ra', counter: 'rx' },
  { netns: ns.receiver, device: 'veth-rx', counter: 'rx' },
];
for (const name of Object.values(ns)) {
  run('ip', 'netns', 'add', name);
  run('ip', 'netns', 'exec', name, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1');
}
run('ip', 'link', 'add', 'veth-tx', 'netns', ns.sender, 'type', 'veth', 'peer', 'name', 'veth-ra', 'netns', ns.router);
run('ip', 'link', 'add', 'veth-rb', 'netns', ns.router, 'type', 'veth', 'peer', 'name', 'veth-rx', 'netns', ns.receiver);
for (const [name, device, address] of [
  [ns.sender, 'veth-tx', '10.89.1.2/24'],
  [ns.router, 'veth-ra', '10.89.1.1/24'],
  [ns.router, 'veth-rb', '10.89.2.1/24'],
  [ns.receiver, 'veth-rx', `${RECEIVER_IP}/24`],
]) {
  run('ip', '-n', name, 'addr', 'add', address, 'dev', device);
  run('ip', '-n', name, 'link', 'set', device, 'up');
}
run('ip', '-n', ns.sender, 'route', 'add', 'default', 'via', '10.89.1.1');
run('ip', '-n', ns.receiver, 'route', 'add', 'default', 'via', '10.89.2.1');
run('ip', 'netns', 'exec', ns.router, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1');
run('ip', 'netns', 'exec', ns.receiver, '/usr/sbin/nft', 'add table ip bench; add chain ip bench input { type filter hook input priority 0; policy drop; }');
execFileSync('gcc', ['-O2', '-o', FLOOD, join(root, 'bench/udp-flood.c')]);
// The neighbour entries are made before the counts begin (the receiver drops the ping: no reply).
try {
  run('ip', 'netns', 'exec', ns.sender, 'ping', '-c', '1', '-W', '1', RECEIVER_IP);
} catch {
  // Unanswered, as expected.
}

/** Frames that crossed the three points the way the flood goes. */
function crossedFrames() {
  return POINTS.reduce((sum, point) => sum + JSON.parse(run('ip', '-n', point.netns, '-s', '-j', 'link', 'show', point.device))[0].stats64[point.counter].packets, 0);
}

const number = (pattern, text) => Number(pattern.exec(text)?.[1] ?? NaN);

/** A capturing process: ready when its stderr says `readyText`; its captured and dropped frames at its end. */
function start(command, readyText) {
  const child = spawn(command[0], command.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let markReady;
  const ready = new Promise((resolve) => (markReady = resolve));
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
    if (stderr.includes(readyText)) markReady(true);
  });
  setTimeout(() => markReady(false), READY_LIMIT_MS);
  const done = new Promise((resolve) => child.on('close', () => resolve({ captured: number(/(\d+) packets? captured/, stderr), kernelDropped: number(/(\d+) packets? dropped by kernel/, stderr) })));
  return { child, ready, done, stderr: () => stderr };
}

const CAPTURES = {
  'tsshark, 3 namespaces': () => [start([tsshark, ...POINTS.flatMap((point) => ['-i', `netns:${point.netns}/${point.device}`]), '-w', '/dev/null'], 'Capturing on')],
  'tsshark -F pcap': () => [start([tsshark, ...POINTS.flatMap((point) => ['-i', `netns:${point.netns}/${point.device}`]), '-F', 'pcap', '-w', '/dev/null'], 'Capturing on')],
  '3 tcpdumps': () => POINTS.map((point) => start(['ip', 'netns', 'exec', point.netns, 'tcpdump', '-Z', 'root', '-i', point.device, '-w', '/dev/null'], 'listening on')),
};

async function round(name, rate) {
  const running = CAPTURES[name]();
  const ready = await Promise.all(running.map((entry) => entry.ready));
  ready.forEach((ok, index) => ok || process.stderr.write(`${name} did not start: ${running[index].stderr()}\n`));
  await sleep(500);
  const before = crossedFrames();
  await new Promise((resolve) => spawn('ip', ['netns', 'exec', ns.sender, FLOOD, RECEIVER_IP, '9000', String(SECONDS), ...(rate === undefined ? [] : [String(rate)])], { stdio: 'ignore' }).on('close', resolve));
  await sleep(1500);
  const crossed = crossedFrames() - before;
  for (const entry of running) entry.child.kill('SIGINT');
  const results = await Promise.all(running.map((entry) => entry.done));
  const captured = results.reduce((sum, result) => sum + result.captured, 0);
  const kernelDropped = results.reduce((sum, result) => sum + result.kernelDropped, 0);
  return { name, rate: rate === undefined ? 'unpaced' : rate.toLocaleString('en-US'), datagrams: Math.round(crossed / POINTS.length / SECONDS), crossed, captured, missing: Math.max(0, crossed - captured), kernelDropped };
}

const rows = [];
for (const rate of RATES) for (const name of Object.keys(CAPTURES)) rows.push(await round(name, rate));
const widths = [22, 10, 12, 12, 12, 10, 8, 13];
const line = (cells) => cells.map((cell, index) => (index === 0 ? String(cell).padEnd(widths[index]) : String(cell).padStart(widths[index]))).join(' ');
console.log(`${SECONDS} s a round; frames: the three points' copies of the datagrams (and the few others) together`);
console.log(line(['capture', 'paced at', 'datagrams/s', 'frames', 'captured', 'missing', '%', 'kernel drops']));
const count = (value) => value.toLocaleString('en-US');
for (const row of rows) console.log(line([row.name, row.rate, count(row.datagrams), count(row.crossed), count(row.captured), count(row.missing), ((100 * row.missing) / row.crossed).toFixed(2), row.kernelDropped]));
for (const rate of RATES) {
  const label = rate === undefined ? 'unpaced' : rate.toLocaleString('en-US');
  const [ours, peer] = Object.keys(CAPTURES).map((name) => rows.find((row) => row.name === name && row.rate === label));
  console.log(`paced at ${label}: share of frames captured, tsshark / 3 tcpdumps: ${(ours.captured / ours.crossed / (peer.captured / peer.crossed)).toFixed(4)}`);
}
