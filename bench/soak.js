#!/usr/bin/env node
// bench/soak (root): the interface left running on a busy link. `tsshark -i veth-rx --keep N` in a 200x50
// tmux and, beside it, `tsshark -i veth-rx -w DIR/soak.pcapng -b filesize:20000`, while a sender paces
// 10,000 UDP datagrams a second into the veth for MINUTES. Every 10 s: the interface's RSS and the
// time from a keypress (`?` opens the help, Esc closes it) to the redraw that shows it. At the end: the frames in the -b files (read by
// capinfos) against the frames that writer says the kernel delivered, and the RSS against the bound.
// Usage: bench/soak.js [--minutes 30] [--rate 10000] [--keep 200000] [--profile DIR]
// --profile writes the interface's V8 CPU profile into DIR when it quits (node --cpu-prof).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createVethLab, DEVICE, FLOOD, RECEIVER_IP, root } from './veth-lab.js';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '30' }, rate: { type: 'string', default: '10000' }, keep: { type: 'string', default: '200000' }, profile: { type: 'string' } } });
const SECONDS = Math.round(Number(values.minutes) * 60);
const RATE = Number(values.rate);
const KEEP = Number(values.keep);
const SAMPLE_MS = 10_000;
const tsshark = join(root, 'bin/tsshark.js');
const interfaceCommand = values.profile ? `node --max-semi-space-size=2 --cpu-prof --cpu-prof-dir=${values.profile} ${tsshark}` : tsshark;
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

/**
 * A tmux control-mode client: reads the pane with no process started per read (a `tmux capture-pane`
 * process takes ~14 ms here, longer than the redraws measured), and without the pane's output streamed.
 */
class PaneReader {
  #buffer = '';
  #block = undefined;
  // The first block answers the attach itself.
  #waiting = [() => {}];
  constructor() {
    this.client = spawn('tmux', ['-L', socket, '-C', 'attach'], { stdio: ['pipe', 'pipe', 'ignore'] });
    this.client.stdout.setEncoding('utf8');
    this.client.stdout.on('data', (chunk) => this.#read(chunk));
    void this.command('refresh-client -f no-output');
  }
  #read(chunk) {
    this.#buffer += chunk;
    for (let newline = this.#buffer.indexOf('\n'); newline >= 0; newline = this.#buffer.indexOf('\n')) {
      const line = this.#buffer.slice(0, newline);
      this.#buffer = this.#buffer.slice(newline + 1);
      if (this.#block === undefined) {
        if (line.startsWith('%begin')) this.#block = [];
      } else if (line.startsWith('%end') || line.startsWith('%error')) {
        this.#waiting.shift()?.(this.#block.join('\n'));
        this.#block = undefined;
      } else this.#block.push(line);
    }
  }
  command(text) {
    return new Promise((resolve) => {
      this.#waiting.push(resolve);
      this.client.stdin.write(`${text}\n`);
    });
  }
  screen() {
    return this.command('capture-pane -p');
  }
  close() {
    this.client.kill();
  }
}

/**
 * Milliseconds from `?` (or Esc) until the screen shows the help (or the list again): a whole redraw,
 * while the list goes on following the capture as a user watching it would have it.
 */
async function keypress(reader, key, shown) {
  const start = performance.now();
  await reader.command(`send-keys ${key}`);
  while (performance.now() - start < 5000) {
    if (shown(await reader.screen())) return performance.now() - start;
    await sleep(1);
  }
  return Infinity;
}
const HELP = /^ tsshark keys \(/m;

tmux('new-session', '-d', '-x', '200', '-y', '50', `exec ip netns exec ${lab.receiver} env -u CI TERM=xterm-256color ${interfaceCommand} -i ${DEVICE} --keep ${KEEP}`);
const uiPid = Number(tmux('list-panes', '-F', '#{pane_pid}').trim());
const writer = spawn('ip', ['netns', 'exec', lab.receiver, tsshark, '-i', DEVICE, '-w', join(directory, 'soak.pcapng'), '-b', 'filesize:20000'], { stdio: ['ignore', 'ignore', 'pipe'] });
let writerErr = '';
writer.stderr.on('data', (chunk) => (writerErr += chunk));
while (!/Capturing on/.test(writerErr) || !/│ live/.test(tmux('capture-pane', '-p'))) await sleep(100);
await sleep(1000);
const reader = new PaneReader();
const crossedBefore = lab.frameCounter();
const flood = spawn('ip', ['netns', 'exec', lab.sender, FLOOD, RECEIVER_IP, '9000', String(SECONDS), String(RATE)], { stdio: 'ignore' });
const floodDone = new Promise((resolve) => flood.on('close', resolve));
const samples = [];
const started = performance.now();
while (performance.now() - started < SECONDS * 1000) {
  await sleep(SAMPLE_MS);
  const latency = await keypress(reader, '?', (screen) => HELP.test(screen));
  const closing = await keypress(reader, 'Escape', (screen) => !HELP.test(screen));
  const frames = /([\d,]+) frames/.exec(await reader.screen())?.[1] ?? '?';
  samples.push({ at: (performance.now() - started) / 1000, rss: rssMb(uiPid), latency, closing, frames });
  const last = samples[samples.length - 1];
  console.log(`${last.at.toFixed(0).padStart(5)} s  RSS ${last.rss.toFixed(0)} MB  keypress ${last.latency.toFixed(1)} / ${last.closing.toFixed(1)} ms  ${last.frames} frames`);
}
await floodDone;
await sleep(2000);
const crossed = lab.frameCounter() - crossedBefore;
reader.close();
tmux('send-keys', 'q');
writer.kill('SIGINT');
await new Promise((resolve) => writer.on('close', resolve));
// The profile is written as the interface exits: wait for it before the tmux server goes.
for (let waited = 0; waited < 20_000 && existsSync(`/proc/${uiPid}`); waited += 100) await sleep(100);
const captured = Number(/(\d+) packets? captured/.exec(writerErr)?.[1] ?? NaN);
const dropped = Number(/(\d+) packets? dropped by kernel/.exec(writerErr)?.[1] ?? NaN);
const files = readdirSync(directory).filter((name) => name.startsWith('soak_')).sort();
let inFiles = 0;
for (const file of files) inFiles += Number(/Number of packets:\s+(\d+)/.exec(execFileSync('capinfos', ['-M', '-c', join(directory, file)], { encoding: 'utf8' }))?.[1] ?? NaN);
const sorted = (key) => samples.map((sample) => sample[key]).sort((a, b) => a - b);
const rss = sorted('rss');
const latencies = [...sorted('latency'), ...sorted('closing')].sort((a, b) => a - b);
const at = (list, share) => list[Math.min(list.length - 1, Math.floor(list.length * share))];
console.log(`\n${SECONDS} s at ${RATE.toLocaleString('en-US')} datagrams/s, --keep ${KEEP.toLocaleString('en-US')}: ${crossed.toLocaleString('en-US')} frames crossed the veth`);
console.log(`interface RSS: first ${rss.length ? samples[0].rss.toFixed(0) : '?'} MB, median ${at(rss, 0.5)?.toFixed(0)} MB, largest ${rss[rss.length - 1]?.toFixed(0)} MB`);
console.log(`keypress to redraw: median ${at(latencies, 0.5)?.toFixed(1)} ms, 95th ${at(latencies, 0.95)?.toFixed(1)} ms, worst ${latencies[latencies.length - 1]?.toFixed(1)} ms (${latencies.length} presses)`);
console.log(`-b files: ${files.length}, ${inFiles.toLocaleString('en-US')} frames; the writer captured ${captured.toLocaleString('en-US')}, the kernel dropped ${dropped}; missing from the files: ${captured - inFiles}`);
