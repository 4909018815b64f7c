#!/usr/bin/env node
// bench/live: a UDP flood of 60-byte frames from a sender namespace into a receiver namespace over a veth,
// from one and then two sending processes, SECONDS each. tsshark and its peers capture the receiver's end
// at the same time; each one's frames are compared with the frames that crossed the veth (its counters),
// and with what the kernel says it dropped. Root; every namespace is removed at exit.
// Usage: bench/live.js [--seconds S] [--tshark]   (--tshark adds tshark decoding live: it takes a core)
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, tshark: { type: 'boolean', default: false } } });
const SECONDS = Number(values.seconds);
const SENDER = `tss-bench-tx-${process.pid}`;
const RECEIVER = `tss-bench-rx-${process.pid}`;
const SENDER_IP = '10.88.0.1';
const RECEIVER_IP = '10.88.0.2';
const DEVICE = 'veth-rx';
const READY_LIMIT_MS = 15_000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

if (process.getuid() !== 0) {
  process.stderr.write('bench/live needs root (network namespaces, capture)\n');
  process.exit(2);
}

const run = (...command) => execFileSync(command[0], command.slice(1), { encoding: 'utf8' });
const inNs = (ns, ...command) => run('ip', 'netns', 'exec', ns, ...command);

function removeLab() {
  for (const ns of [SENDER, RECEIVER]) {
    try {
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    } catch {
      // Not there.
    }
  }
}
process.on('exit', removeLab);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

function createLab() {
  run('ip', 'netns', 'add', SENDER);
  run('ip', 'netns', 'add', RECEIVER);
  run('ip', 'link', 'add', 'veth-tx', 'netns', SENDER, 'type', 'veth', 'peer', 'name', DEVICE, 'netns', RECEIVER);
  for (const [ns, dev, address] of [
    [SENDER, 'veth-tx', SENDER_IP],
    [RECEIVER, DEVICE, RECEIVER_IP],
  ]) {
    inNs(ns, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1');
    run('ip', '-n', ns, 'addr', 'add', `${address}/24`, 'dev', dev);
    run('ip', '-n', ns, 'link', 'set', dev, 'up');
  }
  // Dropped at INPUT, after every capture tap: no port-unreachable replies to count.
  inNs(RECEIVER, '/usr/sbin/nft', 'add table ip bench; add chain ip bench input { type filter hook input priority 0; policy drop; }');
}

/** Frames that crossed the receiver's end of the veth, both ways (the ground truth). */
function frameCounter() {
  const stats = JSON.parse(run('ip', '-n', RECEIVER, '-s', '-j', 'link', 'show', DEVICE))[0].stats64;
  return stats.rx.packets + stats.tx.packets;
}

function capturer(name, command, readyText, parse) {
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

function storeCounts(stdout) {
  const counts = JSON.parse(stdout);
  return { captured: counts.stored, kernelDropped: counts.dropped, rssMB: counts.rssMB };
}

const tsshark = join(root, 'bin/tsshark.js');
const capturers = () => [
  capturer('tcpdump -w /dev/null', ['tcpdump', '-Z', 'root', '-i', DEVICE, '-w', '/dev/null'], 'listening on', tcpdumpCounts),
  capturer('dumpcap -w /dev/null', ['dumpcap', '-q', '-i', DEVICE, '-w', '/dev/null'], 'Capturing on', dumpcapCounts),
  capturer('tsshark -w /dev/null', [tsshark, '-i', DEVICE, '-w', '/dev/null'], 'Capturing on', tcpdumpCounts),
  capturer('tsshark frame store (UI)', [join(root, 'bench/live-store.js'), DEVICE], 'Capturing on', storeCounts),
  ...(values.tshark ? [capturer('tshark (decoding)', ['tshark', '-i', DEVICE, '-Q', '-z', 'io,stat,0'], 'Capturing on', tsharkCounts)] : []),
];

async function round(senders) {
  const running = capturers();
  const ready = await Promise.all(running.map((entry) => entry.ready));
  ready.forEach((ok, index) => ok || process.stderr.write(`${running[index].name} did not start: ${running[index].output()}\n`));
  await sleep(500);
  const before = frameCounter();
  const flood = join(root, 'bench/out/udp-flood');
  const sent = await Promise.all(
    Array.from({ length: senders }, (_, index) =>
      new Promise((resolve) => {
        const child = spawn('ip', ['netns', 'exec', SENDER, flood, RECEIVER_IP, String(9000 + index), String(SECONDS)], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (chunk) => (out += chunk));
        child.on('close', () => resolve(Number(out.trim())));
      }),
    ),
  );
  await sleep(1500);
  const crossed = frameCounter() - before;
  for (const entry of running) entry.child.kill('SIGINT');
  const results = await Promise.all(running.map((entry) => entry.done));
  const rate = Math.round(crossed / SECONDS);
  console.log(`\n${senders} sender${senders > 1 ? 's' : ''}: ${sent.reduce((a, b) => a + b, 0).toLocaleString('en-US')} sent, ${crossed.toLocaleString('en-US')} frames crossed the veth (~${rate.toLocaleString('en-US')}/s)`);
  console.log(`${'capture'.padEnd(28)}${'frames'.padStart(12)}${'missing'.padStart(12)}${'%'.padStart(8)}${'kernel drops'.padStart(14)}`);
  const reference = results[0];
  for (const [index, result] of results.entries()) {
    const missing = Math.max(0, crossed - result.captured);
    const note = result.rssMB ? `  RSS ${result.rssMB} MB` : '';
    console.log(
      `${running[index].name.padEnd(28)}${result.captured.toLocaleString('en-US').padStart(12)}${missing.toLocaleString('en-US').padStart(12)}` +
        `${((100 * missing) / crossed).toFixed(2).padStart(8)}${String(result.kernelDropped).padStart(14)}${note}`,
    );
  }
  const tssharkWrite = results[2];
  console.log(`ratio tsshark -w / tcpdump -w frames: ${(tssharkWrite.captured / reference.captured).toFixed(4)}`);
}

execFileSync('gcc', ['-O2', '-o', join(root, 'bench/out/udp-flood'), join(root, 'bench/udp-flood.c')]);
createLab();
console.log(`bench/live: ${SECONDS} s per round, 60-byte UDP frames, all captures on ${DEVICE} at once (${(await import('node:os')).cpus().length} cores)`);
for (const senders of [1, 2]) await round(senders);
