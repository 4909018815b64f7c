#!/usr/bin/env node
// bench/soak (root): the interface left running on a busy link. `tsshark -i veth-rx --keep N` in a 200x50
// tmux and, beside it, `tsshark -i veth-rx -w DIR/soak.pcapng -b filesize:20000`, while a sender paces
// 10,000 UDP datagrams a second into the veth for MINUTES. Every 10 s: the interface's RSS and the
// time from a keypress (j/k) to the redraw that shows it. At the end: the frames in the -b files (read by
// capinfos) against the frames that writer says the kernel delivered, and the RSS against the bound.
// Usage: bench/soak.js [--minutes 30] [--rate 10000] [--keep 200000]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createVethLab, DEVICE, FLOOD, RECEIVER_IP, root } from './veth-lab.js';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '30' }, rate: { type: 'string', default: '10000' }, keep: { type: 'string', default: '200000' } } });
const SECONDS = Math.round(Number(values.minutes) * 60);
const RATE = Number(values.rate);
const KEEP = Number(values.keep);
const SAMPLE_MS = 10_000;
const tsshark = join(root, 'bin/tsshark.js');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const socket = `tsshark-soak-${process.pid}`;
const tmux = (...args) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
const directory = mkdtempSync(join(tmpdir(), 'tsshark-soak-'));

const lab = createVethLab('soak');
process.on('exit', () => {
  try {
    tmux('kill-server');
  } catch {
    // Gone.
  }
  rmSync(directory, { recursive: true, force: true });
});

function rssMb(pid) {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
}

/** Milliseconds from a key until the selected row's number changes, polling the screen every 2 ms. */
async function keypress(key) {
  const selected = () => /^> +(\d+) /m.exec(tmux('capture-pane', '-p'))?.[1];
  const before = selected();
  const start = performance.now();
  tmux('send-keys', key);
  while (performance.now() - start < 5000) {
    if (selected() !== before) return performance.now() - start;
    await sleep(2);
  }
  return Infinity;
}

tmux('new-session', '-d', '-x', '200', '-y', '50', `exec ip netns exec ${lab.receiver} env -u CI TERM=xterm-256color ${tsshark} -i ${DEVICE} --keep ${KEEP}`);
const uiPid = Number(tmux('list-panes', '-F', '#{pane_pid}').trim());
const writer = spawn('ip', ['netns', 'exec', lab.receiver, tsshark, '-i', DEVICE, '-w', join(directory, 'soak.pcapng'), '-b', 'filesize:20000'], { stdio: ['ignore', 'ignore', 'pipe'] });
let writerErr = '';
writer.stderr.on('data', (chunk) => (writerErr += chunk));
while (!/Capturing on/.test(writerErr) || !/│ live/.test(tmux('capture-pane', '-p'))) await sleep(100);
await sleep(1000);
// The list stops following the newest frame: the keypresses move the selection among frames already shown.
tmux('send-keys', 'g');
const crossedBefore = lab.frameCounter();
const flood = spawn('ip', ['netns', 'exec', lab.sender, FLOOD, RECEIVER_IP, '9000', String(SECONDS), String(RATE)], { stdio: 'ignore' });
const floodDone = new Promise((resolve) => flood.on('close', resolve));
const samples = [];
const started = performance.now();
let down = true;
while (performance.now() - started < SECONDS * 1000) {
  await sleep(SAMPLE_MS);
  const latency = await keypress(down ? 'j' : 'k');
  down = !down;
  const frames = /([\d,]+) frames/.exec(tmux('capture-pane', '-p'))?.[1] ?? '?';
  samples.push({ at: (performance.now() - started) / 1000, rss: rssMb(uiPid), latency, frames });
  const last = samples[samples.length - 1];
  console.log(`${last.at.toFixed(0).padStart(5)} s  RSS ${last.rss.toFixed(0)} MB  keypress ${last.latency.toFixed(1)} ms  ${last.frames} frames`);
}
await floodDone;
await sleep(2000);
const crossed = lab.frameCounter() - crossedBefore;
tmux('send-keys', 'q');
writer.kill('SIGINT');
await new Promise((resolve) => writer.on('close', resolve));
const captured = Number(/(\d+) packets? captured/.exec(writerErr)?.[1] ?? NaN);
const dropped = Number(/(\d+) packets? dropped by kernel/.exec(writerErr)?.[1] ?? NaN);
const files = readdirSync(directory).filter((name) => name.startsWith('soak_')).sort();
let inFiles = 0;
for (const file of files) inFiles += Number(/Number of packets:\s+(\d+)/.exec(execFileSync('capinfos', ['-M', '-c', join(directory, file)], { encoding: 'utf8' }))?.[1] ?? NaN);
const sorted = (key) => samples.map((sample) => sample[key]).sort((a, b) => a - b);
const rss = sorted('rss');
const latencies = sorted('latency');
const at = (list, share) => list[Math.min(list.length - 1, Math.floor(list.length * share))];
console.log(`\n${SECONDS} s at ${RATE.toLocaleString('en-US')} datagrams/s, --keep ${KEEP.toLocaleString('en-US')}: ${crossed.toLocaleString('en-US')} frames crossed the veth`);
console.log(`interface RSS: first ${rss.length ? samples[0].rss.toFixed(0) : '?'} MB, median ${at(rss, 0.5)?.toFixed(0)} MB, largest ${rss[rss.length - 1]?.toFixed(0)} MB`);
console.log(`keypress to redraw: median ${at(latencies, 0.5)?.toFixed(1)} ms, 95th ${at(latencies, 0.95)?.toFixed(1)} ms, worst ${latencies[latencies.length - 1]?.toFixed(1)} ms (${latencies.length} presses)`);
console.log(`-b files: ${files.length}, ${inFiles.toLocaleString('en-US')} frames; the writer captured ${captured.toLocaleString('en-US')}, the kernel dropped ${dropped}; missing from the files: ${captured - inFiles}`);
