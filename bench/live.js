#!/usr/bin/env node
// bench/live: a UDP flood of 60-byte frames from a sender namespace into a receiver namespace over a veth,
// from one and then two sending processes, SECONDS each. tsshark and its peers capture the receiver's end
// at the same time; each one's frames are compared with the frames that crossed the veth (its counters),
// and with what the kernel says it dropped. Root; every namespace is removed at exit.
// With --each, every capture runs alone in its own rounds instead: the flood is then as fast as the sender
// makes it, not shared with four capturing processes on the same cores.
// With --trace, tsshark alone captures, one sender, three flood rounds: without --trace, with it at its
// default bound, and with no bound; the sender's rate and the frames missed are compared across them.
// Then two rounds at a paced TRACE_PACED_RATE datagrams/s, without --trace and with it unbounded: the
// host's busy CPU time (/proc/stat) over each, per datagram, differs by what tracing costs a packet.
// The flood's rate varies by a third from run to run on a shared VM: --trace runs its first rounds
// --repeat times, interleaved, and compares medians.
// Usage: bench/live.js [--seconds S] [--each] [--tshark] [--trace [--repeat N]]   (--tshark adds tshark decoding live)
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createVethLab, DEVICE, FLOOD, RECEIVER_IP, root } from './veth-lab.js';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '10' }, each: { type: 'boolean', default: false }, tshark: { type: 'boolean', default: false }, trace: { type: 'boolean', default: false }, repeat: { type: 'string', default: '3' } },
});
const SECONDS = Number(values.seconds);
const REPEAT = Math.max(1, Number(values.repeat));
const READY_LIMIT_MS = 15_000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const lab = createVethLab('bench');
const SENDER = lab.sender;
const RECEIVER = lab.receiver;
const inNs = lab.inNs;
const frameCounter = lab.frameCounter;

function start({ name, command, readyText, parse }) {
  const child = spawn('ip', ['netns', 'exec', RECEIVER, ...command], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let markReady;
  const ready = new Promise((resolve) => (markReady = resolve));
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
    if (stderr.includes(readyText)) markReady(true);
  });
  const done = new Promise((resolve) => child.on('close', () => resolve(parse(stdout, stderr))));
  setTimeout(() => markReady(false), READY_LIMIT_MS);
  return { name, child, ready, done, output: () => stderr };
}

const number = (pattern, text) => Number(pattern.exec(text)?.[1] ?? NaN);

/** tcpdump's and tsshark's closing lines. */
function tcpdumpCounts(_stdout, stderr) {
  return { captured: number(/(\d+) packets? captured/, stderr), kernelDropped: number(/(\d+) packets? dropped by kernel/, stderr) };
}

function dumpcapCounts(_stdout, stderr) {
  const match = /Packets received\/dropped on interface '[^']+': (\d+)\/(\d+)/.exec(stderr);
  return { captured: Number(match?.[1] ?? NaN), kernelDropped: Number(match?.[2] ?? NaN) };
}

function tsharkCounts(_stdout, stderr) {
  return { captured: number(/(\d+) packets? captured/, stderr), kernelDropped: number(/(\d+) packets? dropped/, stderr) };
}

function tracedCounts(stdout, stderr) {
  return { ...tcpdumpCounts(stdout, stderr), traced: number(/(\d+) packets? traced by netfilter/, stderr) };
}

function storeCounts(stdout) {
  const counts = JSON.parse(stdout);
  return { captured: counts.stored, kernelDropped: counts.dropped, rssMB: counts.rssMB };
}

const tsshark = join(root, 'bin/tsshark.js');
const TCPDUMP = 'tcpdump -w /dev/null';
const TSSHARK_WRITE = 'tsshark -w /dev/null';
const CAPTURERS = [
  { name: TCPDUMP, command: ['tcpdump', '-Z', 'root', '-i', DEVICE, '-w', '/dev/null'], readyText: 'listening on', parse: tcpdumpCounts },
  { name: 'dumpcap -w /dev/null', command: ['dumpcap', '-q', '-i', DEVICE, '-w', '/dev/null'], readyText: 'Capturing on', parse: dumpcapCounts },
  { name: TSSHARK_WRITE, command: [tsshark, '-i', DEVICE, '-w', '/dev/null'], readyText: 'Capturing on', parse: tcpdumpCounts },
  { name: 'tsshark frame store (UI)', command: [join(root, 'bench/live-store.js'), DEVICE], readyText: 'Capturing on', parse: storeCounts },
  ...(values.tshark ? [{ name: 'tshark (decoding)', command: ['tshark', '-i', DEVICE, '-Q', '-z', 'io,stat,0'], readyText: 'Capturing on', parse: tsharkCounts }] : []),
];

/** The host's busy CPU time so far, in seconds (/proc/stat: every state but idle and iowait). */
function busySeconds() {
  const fields = readFileSync('/proc/stat', 'latin1').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = fields;
  return (user + nice + system + irq + softirq + steal) / 100;
}

/** One flood (paced at `rate` datagrams/s a sender when given) with these captures running; returns a row per capture. */
async function round(senders, specs, pacedRate) {
  for (const spec of specs) if (spec.setup) inNs(RECEIVER, '/usr/sbin/nft', spec.setup);
  const running = specs.map(start);
  const ready = await Promise.all(running.map((entry) => entry.ready));
  ready.forEach((ok, index) => ok || process.stderr.write(`${running[index].name} did not start: ${running[index].output()}\n`));
  await sleep(500);
  const before = frameCounter();
  const busyBefore = busySeconds();
  await Promise.all(
    Array.from({ length: senders }, (_, index) =>
      new Promise((resolve) => {
        const child = spawn('ip', ['netns', 'exec', SENDER, FLOOD, RECEIVER_IP, String(9000 + index), String(SECONDS), ...(pacedRate === undefined ? [] : [String(pacedRate)])], { stdio: ['ignore', 'ignore', 'inherit'] });
        child.on('close', resolve);
      }),
    ),
  );
  await sleep(1500);
  const crossed = frameCounter() - before;
  const busy = busySeconds() - busyBefore;
  for (const entry of running) entry.child.kill('SIGINT');
  const results = await Promise.all(running.map((entry) => entry.done));
  for (const spec of specs) if (spec.cleanup) inNs(RECEIVER, '/usr/sbin/nft', spec.cleanup);
  const rate = Math.round(crossed / SECONDS);
  return results.map((result, index) => ({ senders, name: running[index].name, rate, crossed, busy, ...result, missing: Math.max(0, crossed - result.captured) }));
}

function report(rows) {
  const columns = ['senders', 'capture', 'frames/s', 'frames', 'missing', '%', 'kernel drops', 'RSS MB'];
  const widths = [8, 26, 11, 12, 11, 8, 13, 8];
  const line = (cells) => cells.map((cell, index) => (index === 1 ? String(cell).padEnd(widths[index]) : String(cell).padStart(widths[index]))).join(' ');
  console.log(line(columns));
  const count = (value) => value.toLocaleString('en-US');
  for (const row of rows) {
    console.log(line([row.senders, row.name, count(row.rate), count(row.captured), count(row.missing), ((100 * row.missing) / row.crossed).toFixed(2), row.kernelDropped, row.rssMB ?? '']));
  }
  for (const senders of [1, 2]) {
    const tcpdumpRow = rows.find((row) => row.senders === senders && row.name === TCPDUMP);
    const ours = rows.find((row) => row.senders === senders && row.name === TSSHARK_WRITE);
    if (tcpdumpRow && ours) {
      console.log(`${senders} sender(s): tsshark -w / tcpdump -w, share of frames captured: ${(ours.captured / ours.crossed / (tcpdumpRow.captured / tcpdumpRow.crossed)).toFixed(4)}`);
    }
  }
}

/** --trace: tsshark's own rounds, each alone. The control has an empty netdev ingress chain of the bench's on the device: what any chain at that hook costs a packet, before tsshark's rule. */
const TRACE_ROUNDS = [
  { name: 'tsshark -w (no --trace)', command: [tsshark, '-i', DEVICE, '-w', '/dev/null'], readyText: 'Capturing on', parse: tracedCounts },
  {
    name: 'control: an empty chain',
    command: [tsshark, '-i', DEVICE, '-w', '/dev/null'],
    readyText: 'Capturing on',
    parse: tracedCounts,
    setup: `add table netdev control; add chain netdev control ingress { type filter hook ingress device ${DEVICE} priority 0; }`,
    cleanup: 'delete table netdev control',
  },
  { name: 'tsshark -w --trace', command: [tsshark, '-i', DEVICE, '-w', '/dev/null', '--trace'], readyText: 'Capturing on', parse: tracedCounts },
  { name: 'tsshark -w --trace (no bound)', command: [tsshark, '-i', DEVICE, '-w', '/dev/null', '--trace', '--trace-rate', '0'], readyText: 'Capturing on', parse: tracedCounts },
];

/** The paced rounds' rate: what the issue's cost is asked at. */
const TRACE_PACED_RATE = 100_000;

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function reportTrace(rows, paced) {
  const count = (value) => (Number.isNaN(value) ? '' : value.toLocaleString('en-US'));
  console.log(['capture'.padEnd(30), 'frames/s'.padStart(11), 'frames'.padStart(12), 'missing'.padStart(10), 'traced'.padStart(12)].join(' '));
  for (const row of rows) console.log([row.name.padEnd(30), count(row.rate).padStart(11), count(row.captured).padStart(12), count(row.missing).padStart(10), count(row.traced).padStart(12)].join(' '));
  // Each of the first three rounds' median rate and total frames missed.
  const summary = (name) => {
    const mine = rows.filter((row) => row.name === name);
    return { rate: median(mine.map((row) => row.rate)), missing: mine.reduce((sum, row) => sum + row.missing, 0), traced: median(mine.map((row) => row.traced)) };
  };
  const [off, control, bounded, unbounded] = TRACE_ROUNDS.map((spec) => summary(spec.name));
  console.log(`medians of ${REPEAT} rounds each:`);
  console.log(`sender's rate with --trace (default bound) / without: ${(bounded.rate / off.rate).toFixed(3)}; frames missed ${bounded.missing} / ${off.missing}`);
  console.log(`sender's rate with an empty netdev ingress chain / without: ${(control.rate / off.rate).toFixed(3)}; with --trace / with that chain: ${(bounded.rate / control.rate).toFixed(3)}`);
  console.log(`no bound: ${(unbounded.traced / SECONDS).toFixed(0)} packets/s traced; cost per packet (1/rate − 1/rate without): ${((1 / unbounded.rate - 1 / off.rate) * 1e9).toFixed(0)} ns`);
  const [pacedOff, pacedOn] = paced;
  const perPacket = (row) => (row.busy / row.crossed) * 1e9;
  for (const row of paced) console.log(`paced ${row.name}: ${row.rate.toLocaleString('en-US')} datagrams/s, ${row.busy.toFixed(2)} CPU-s busy, ${perPacket(row).toFixed(0)} ns a datagram, ${count(row.traced)} traced, ${count(row.missing)} missed`);
  console.log(`--trace with no bound at ${TRACE_PACED_RATE.toLocaleString('en-US')} datagrams/s: ${(perPacket(pacedOn) - perPacket(pacedOff)).toFixed(0)} ns of CPU a packet more than without`);
}

if (values.trace) {
  console.log(`bench/live --trace: ${SECONDS} s per round, 60-byte UDP frames, one sender, each capture alone (${(await import('node:os')).cpus().length} cores)`);
  const rows = [];
  for (const spec of TRACE_ROUNDS) rows.push(...(await round(1, [spec])));
  for (let again = 1; again < REPEAT; again++) for (const spec of TRACE_ROUNDS.slice(0, 3)) rows.push(...(await round(1, [spec])));
  const paced = [];
  for (const spec of [TRACE_ROUNDS[0], TRACE_ROUNDS[3]]) paced.push(...(await round(1, [spec], TRACE_PACED_RATE)));
  reportTrace(rows, paced);
} else {
  console.log(`bench/live: ${SECONDS} s per round, 60-byte UDP frames, ${values.each ? 'each capture alone' : `all captures on ${DEVICE} at once`} (${(await import('node:os')).cpus().length} cores)`);
  const rows = [];
  for (const senders of [1, 2]) {
    if (values.each) for (const spec of CAPTURERS) rows.push(...(await round(senders, [spec])));
    else rows.push(...(await round(senders, CAPTURERS)));
  }
  report(rows);
}
