// The ~1,000,000-frame benchmark capture and the measuring the benchmarks share. Builds
// bench/out/big-N.pcap once from the corpus recording (editcap shifts each copy's times, mergecap
// appends them, the shared lab's uniqflows.py gives each copy its own client address).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const root = resolve(here, '..');
const out = join(here, 'out');
const shared = resolve(root, '../shared');
const source = join(shared, 'corpus/recorded/rtr-client-side.pcap');
export const FRAMES_PER_COPY = 3811;
export const COPIES = Number(process.env.BENCH_COPIES ?? 263);
export const big = join(out, `big-${COPIES}.pcap`);

export function build() {
  if (existsSync(big)) return;
  if (!existsSync(source)) throw new Error(`needs the shared corpus: ${source} is missing`);
  mkdirSync(out, { recursive: true });
  const copies = join(out, 'copies');
  mkdirSync(copies, { recursive: true });
  const names = [];
  // Each copy starts an hour after the previous one, so time never runs backwards.
  for (let k = 0; k < COPIES; k++) {
    const name = join(copies, `${k}.pcap`);
    execFileSync('editcap', ['-F', 'pcap', '-t', String(k * 3600), source, name]);
    names.push(name);
  }
  const merged = join(out, 'merged.pcap');
  execFileSync('mergecap', ['-a', '-F', 'pcap', '-w', merged, ...names]);
  execFileSync('python3', [join(shared, 'lab/uniqflows.py'), merged, big, String(FRAMES_PER_COPY)]);
  rmSync(copies, { recursive: true, force: true });
  rmSync(merged, { force: true });
}

/** Runs a command with output to /dev/null; returns seconds and peak RSS in MB (GNU time). */
export function measure(command, args) {
  const result = spawnSync('/usr/bin/time', ['-f', '%e %M', command, ...args], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const last = result.stderr.trim().split('\n').pop() ?? '';
  const [seconds, kilobytes] = last.split(' ').map(Number);
  if (result.status !== 0 || !Number.isFinite(seconds)) throw new Error(`${command} failed: ${result.stderr}`);
  return { seconds, rssMb: kilobytes / 1024 };
}


export const liveLike = join(out, `big-${COPIES}-directions.pcapng`);

/**
 * The benchmark capture as a live capture records it: pcapng with each frame's direction in epb_flags
 * (sent by the first frame's sender, received otherwise), so that `-w` has a tap to annotate on every
 * frame. Written by tsshark's own reader and writer (dist/, built by `npm run build`).
 */
export async function buildLiveLike() {
  build();
  if (existsSync(liveLike)) return;
  const { openCapture } = await import(join(root, 'dist/src/capture/capture-reader.js'));
  const { createCaptureWriter } = await import(join(root, 'dist/src/capture/capture-writer.js'));
  const reader = await openCapture(big);
  const partial = `${liveLike}.partial`;
  const writer = createCaptureWriter(partial, { format: 'pcapng', nanosecond: false });
  let sender;
  await reader.read((frame) => {
    const source = Buffer.from(frame.data.subarray(6, 12)).toString('hex');
    sender ??= source;
    writer.write({ ...frame, flags: source === sender ? 2 : 1 }, reader.interfaces[frame.interfaceId]);
  });
  writer.close();
  renameSync(partial, liveLike);
}
