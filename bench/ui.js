#!/usr/bin/env node
// bench/ui: the interactive interface on the ~1,000,000-frame capture, in tmux, tsshark and termshark
// side by side: time to the first screen, until the list is complete, RSS then, and to show the last
// frame's tree; then tsshark's time to apply a filter, keypress-to-redraw latency, and the bytes it
// writes to the terminal per second while a pipe appends 10,000 frames/s. Screens are read with
// `tmux capture-pane` every 5 ms (25 ms after the first second), so times include that much polling.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { big, build, COPIES, FRAMES_PER_COPY, root } from './big-capture.js';

const COLUMNS = 200;
const ROWS = 50;
const TIMEOUT_MS = 180_000;
const frames = COPIES * FRAMES_PER_COPY;
const framesText = frames.toLocaleString('en-US');
// Run as installed: bin/tsshark.js itself, so that its shebang's Node flags apply.
const tsshark = join(root, 'bin/tsshark.js');
// A server of its own per program started: a new one on a socket just killed can fail to start.
let socket = `tsshark-bench-${process.pid}`;
let servers = 0;

const tmux = (...args) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
const screen = () => tmux('capture-pane', '-p');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function start(command) {
  socket = `tsshark-bench-${process.pid}-${servers++}`;
  tmux('new-session', '-d', '-x', String(COLUMNS), '-y', String(ROWS), `exec env -u CI ${command}`);
  return Number(tmux('list-panes', '-F', '#{pane_pid}').trim());
}

function stop() {
  try {
    tmux('kill-server');
  } catch {
    // Not running.
  }
}

/**
 * Milliseconds from `since` until the screen matches, or Infinity at the timeout. Each look runs
 * tmux, which takes CPU from the program measured (a third of a core at one look per 25 ms, which a run
 * using both cores, as the filter with two workers, pays for): looks are 5 ms apart for a second, 25 ms
 * until the fifth, then 100 ms.
 */
async function until(pattern, since, timeout = TIMEOUT_MS) {
  while (performance.now() - since < timeout) {
    if (pattern.test(screen())) return performance.now() - since;
    const elapsed = performance.now() - since;
    await sleep(elapsed < 1000 ? 5 : elapsed < 5000 ? 25 : 100);
  }
  return Infinity;
}

/** A process and all its descendants (termshark runs tshark, which runs dumpcap). */
function family(pid) {
  let children = [];
  try {
    children = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    // No children.
  }
  return [pid, ...children.flatMap(family)];
}

/** Resident memory of a process and its descendants, in MB. */
function rssMb(pid) {
  let kb = 0;
  for (const id of family(pid)) {
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${id}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // Exited meanwhile.
    }
  }
  return kb / 1024;
}

const seconds = (ms) => (ms === Infinity ? `> ${TIMEOUT_MS / 1000} s` : `${(ms / 1000).toFixed(2)} s`);

async function measureTsshark() {
  const since = performance.now();
  const pid = start(`${tsshark} -r ${big}`);
  const first = await until(/^> +1 +0\.000000/m, since);
  const complete = await until(new RegExp(`${framesText} frames · ${framesText} shown`), since);
  // "loading N%" leaves the status bar when the file is read to its end.
  const done = await until(/^(?!.*loading).*frames · /m, since);
  const rss = rssMb(pid);
  const beforeEnd = performance.now();
  tmux('send-keys', 'End');
  const lastTree = await until(new RegExp(`Frame ${frames}: \\d+ lines`), beforeEnd);
  const beforeFilter = performance.now();
  tmux('send-keys', '/');
  tmux('send-keys', '-l', 'tcp.flags.syn == 1');
  tmux('send-keys', 'Enter');
  await until(/filtering|filter: tcp/, beforeFilter);
  const filtered = await until(/filter: tcp\.flags\.syn == 1/, beforeFilter);
  const latencies = [];
  for (let press = 0; press < 30; press++) {
    const selected = /^> +(\d+)/m.exec(screen())?.[1];
    const before = performance.now();
    tmux('send-keys', press % 2 ? 'j' : 'k');
    while (/^> +(\d+)/m.exec(screen())?.[1] === selected && performance.now() - before < 2000) await sleep(1);
    latencies.push(performance.now() - before);
  }
  const views = await measureViews();
  const rssAfterViews = rssMb(pid);
  stop();
  latencies.sort((a, b) => a - b);
  return { first, complete: Math.max(complete, done), rss, lastTree, filtered, latency: latencies[latencies.length >> 1], latencyMax: latencies[latencies.length - 1], ...views, rssAfterViews };
}

/** Milliseconds from `key` until the report view titled `title` is no longer computing; then back to the list. */
async function measureReport(key, title) {
  const before = performance.now();
  tmux('send-keys', key);
  await until(new RegExp(`^ ${title}`, 'm'), before);
  const complete = await until(new RegExp(`^ ${title} (?!.*computing)`, 'm'), before);
  tmux('send-keys', 'Escape');
  // An Escape followed at once by another key reads as Alt and that key: a pause between them.
  await sleep(300);
  return complete;
}

/**
 * The views of issue 16 on the whole file: conversations until complete, the protocol hierarchy, the
 * expert notes and the taps until complete, and following the largest stream (the 3 MB download of the first copy) to its first screen.
 */
async function measureViews() {
  tmux('send-keys', '/', 'C-u');
  tmux('send-keys', 'Enter');
  await until(new RegExp(`${framesText} frames · ${framesText} shown`), performance.now());
  const beforeConversations = performance.now();
  tmux('send-keys', 'C');
  await until(/^ Conversations: /m, beforeConversations);
  const conversations = await until(/^ Conversations: (?!.*(computing|reading))/m, beforeConversations);
  tmux('send-keys', 'Escape');
  // An Escape followed at once by another key reads as Alt and that key: a pause between them.
  await sleep(300);
  const hierarchy = await measureReport('P', 'Protocol hierarchy');
  const expert = await measureReport('X', 'Expert information');
  const taps = await measureReport('T', 'Taps');
  tmux('send-keys', '/');
  tmux('send-keys', '-l', 'http.request.uri contains "blob"');
  tmux('send-keys', 'Enter');
  await until(/filter: http\.request\.uri/, performance.now());
  tmux('send-keys', 'g');
  await sleep(200);
  const beforeFollow = performance.now();
  tmux('send-keys', 'f');
  const follow = await until(/^> GET \/blob/m, beforeFollow);
  return { conversations, hierarchy, expert, taps, follow };
}

async function measureTermshark() {
  const since = performance.now();
  const pid = start(`termshark -r ${big}`);
  // The first packet row: number 1, time 0.000000.
  const first = await until(/^\W*1\s+0\.000000/m, since);
  // Termshark shows no count, and End reaches the last rows at once (it runs tshark on the page it needs):
  // its list is complete when the progress it shows beside the filter (`NN %` and a <Stop> button) goes.
  await until(/<Stop>/, since, 10_000);
  const complete = await until(/^(?![\s\S]*<Stop>)/, since);
  const rss = rssMb(pid);
  const beforeDetail = performance.now();
  tmux('send-keys', 'End');
  const lastTree = await until(new RegExp(`Frame ${frames}:`), beforeDetail);
  stop();
  return { first, complete, rss, lastTree };
}

/** Bytes tsshark writes to its terminal per second while a pipe feeds it 10,000 frames/s for 10 s. */
async function measureOutputRate() {
  const directory = mkdtempSync(join(tmpdir(), 'tsshark-bench-'));
  const fifo = join(directory, 'frames');
  const bytesFile = join(directory, 'bytes');
  execFileSync('mkfifo', [fifo]);
  start(`sh -c '${tsshark} --tui -r - < ${fifo}'`);
  tmux('pipe-pane', '-o', `cat > ${bytesFile}`);
  // The feeder: the big file's header, then its frames paced at 10,000/s in batches of 100 every 10 ms.
  const source = openSync(big, 'r');
  const header = Buffer.alloc(24);
  readSync(source, header, 0, 24, 0);
  const sink = spawn('sh', ['-c', `cat > ${fifo}`], { stdio: ['pipe', 'ignore', 'ignore'] });
  sink.stdin.write(header);
  let position = 24;
  const record = Buffer.alloc(16);
  const started = performance.now();
  let sent = 0;
  const seconds = 10;
  await sleep(1000);
  const beforeBytes = existsSync(bytesFile) ? readFileSync(bytesFile).length : 0;
  const measuredFrom = performance.now();
  while (performance.now() - started < (seconds + 1) * 1000) {
    const due = Math.floor(((performance.now() - started) / 1000) * 10_000);
    const batch = [];
    while (sent < due) {
      readSync(source, record, 0, 16, position);
      const length = record.readUInt32LE(8);
      const data = Buffer.alloc(length);
      readSync(source, data, 0, length, position + 16);
      batch.push(Buffer.from(record), data);
      position += 16 + length;
      sent++;
    }
    if (batch.length > 0) sink.stdin.write(Buffer.concat(batch));
    await sleep(10);
  }
  const elapsed = (performance.now() - measuredFrom) / 1000;
  const bytes = readFileSync(bytesFile).length - beforeBytes;
  const shown = /([\d,]+) frames ·/.exec(screen())?.[1];
  sink.stdin.end();
  closeSync(source);
  stop();
  rmSync(directory, { recursive: true, force: true });
  return { bytesPerSecond: bytes / elapsed, sent, shown };
}

/** A person's pause between the list filling and a filter typed (the pool warms up meanwhile). */
const TYPING_PAUSE_MS = 2000;

/**
 * The same filter with `workers` threads (--workers), once the file is read: seconds from Enter until
 * the status bar shows it applied, and the resident memory then (the workers hold copies of the in-order
 * pass's memory). `cpu` pins the process to one core.
 */
async function measureFilterWith(workers, cpu) {
  const since = performance.now();
  const pid = start(`${cpu === undefined ? '' : `taskset -c ${cpu} `}${tsshark} --workers ${workers} -r ${big}`);
  await until(new RegExp(`${framesText} frames · ${framesText} shown`), since);
  await until(/^(?!.*loading).*frames · /m, since);
  await sleep(TYPING_PAUSE_MS);
  // Timed from Enter: typing the filter (each key validated and drawn) is the same work however many
  // workers apply it.
  tmux('send-keys', '/');
  tmux('send-keys', '-l', FILTER);
  await until(/^\/tcp\.flags\.syn == 1\n✓ valid/m, performance.now());
  const before = performance.now();
  tmux('send-keys', 'Enter');
  const applied = await until(/│ filter: tcp\.flags\.syn == 1/, before);
  const rss = rssMb(pid);
  stop();
  return { applied, rss };
}

const FILTER = 'tcp.flags.syn == 1';

/**
 * 1 and 2 workers, alternating, `rounds` times each; then the main thread pinned to each core, which
 * bounds what two workers can gain on this machine: its two cores need not be equally fast (seen here:
 * one took 1.5-1.8 times as long as the other on allocation-heavy work, and which one changed from minute
 * to minute, while a loop of arithmetic ran at one speed on both).
 */
async function measureWorkers(rounds) {
  const runs = { 1: [], 2: [] };
  for (let round = 0; round < rounds; round++) for (const workers of [1, 2]) runs[workers].push(await measureFilterWith(workers));
  for (const [workers, results] of Object.entries(runs)) {
    console.log(`filter ${FILTER}, ${workers} worker${workers === '1' ? ' (the main thread)' : 's'}: ${results.map((r) => seconds(r.applied)).join(', ')}; RSS ${results.map((r) => r.rss.toFixed(0)).join(', ')} MB`);
  }
  const best = (results) => Math.min(...results.map((r) => r.applied));
  console.log(`2 workers against 1: ${(best(runs[1]) / best(runs[2])).toFixed(2)}x (best of ${rounds})`);
  const pinned = [];
  for (const cpu of [0, 1]) pinned.push((await measureFilterWith(1, cpu)).applied);
  const [fast, slow] = [Math.min(...pinned), Math.max(...pinned)];
  console.log(`the main thread on core 0: ${seconds(pinned[0])}, on core 1: ${seconds(pinned[1])}; two cores at most ${(1 + fast / slow).toFixed(2)}x one (the slower core adds ${(fast / slow).toFixed(2)} of the faster)`);
}

build();
execFileSync('cat', [big], { stdio: ['ignore', 'ignore', 'ignore'], maxBuffer: 1 << 30 });
if (process.argv[2] === 'workers') {
  await measureWorkers(Number(process.argv[3] ?? 3));
  process.exit(0);
}
console.log(`${framesText} frames in ${big}, tmux ${COLUMNS}x${ROWS}`);
stop();
const ours = await measureTsshark();
let theirs;
try {
  execFileSync('termshark', ['--version'], { stdio: 'ignore' });
  theirs = await measureTermshark();
} catch {
  console.log('termshark is not installed (apt-get install termshark): its column is left out');
}
const row = (label, a, b, format) => console.log(`${label.padEnd(28)} ${format(a).padStart(12)} ${b === undefined ? '' : format(b).padStart(12)}${b === undefined || !Number.isFinite(a) ? '' : `   ${(b / a).toFixed(1)}x`}`);
console.log(`${''.padEnd(28)} ${'tsshark'.padStart(12)} ${theirs ? 'termshark'.padStart(12) : ''}`);
row('first screen', ours.first, theirs?.first, seconds);
row('list complete', ours.complete, theirs?.complete, seconds);
row('RSS then (MB)', ours.rss, theirs?.rss, (mb) => mb.toFixed(0));
row("last frame's tree", ours.lastTree, theirs?.lastTree, (ms) => (ms === Infinity ? 'timeout' : `${ms.toFixed(0)} ms`));
console.log(`filter tcp.flags.syn == 1 applied in ${seconds(ours.filtered)}`);
console.log(`keypress to redraw: median ${ours.latency.toFixed(1)} ms, worst ${ours.latencyMax.toFixed(1)} ms (30 presses)`);
console.log(`conversations complete in ${seconds(ours.conversations)}, protocol hierarchy in ${seconds(ours.hierarchy)}, expert information in ${seconds(ours.expert)}, taps in ${seconds(ours.taps)}, follow of the largest stream: first screen in ${seconds(ours.follow)}; RSS after every view ${ours.rssAfterViews.toFixed(0)} MB`);
await measureWorkers(2);
const output = await measureOutputRate();
console.log(`terminal output at 10,000 frames/s: ${(output.bytesPerSecond / 1024).toFixed(1)} KB/s (${output.sent} frames sent, ${output.shown} shown)`);
