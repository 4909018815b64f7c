// -b: frames written to several files in turn, each complete (tshark reads every one without error), named as
// dumpcap names them, switched by size, packet count and frame time, the oldest removed with files:N; read
// back by tshark in order, the files hold every frame of the source once, in order (frame by frame: time,
// lengths and an MD5 of the bytes), with the taps' annotations. Live, a duration is the wall clock's, as
// dumpcap's: a quiet link still gets a file each period. Files the system refuses are errors, not traces.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { CaptureWriteError } from '../src/capture/errors.js';
import { RingWriter, parseRingOptions, ringFileName } from '../src/capture/ring-writer.js';
import { frameSignature, readAll, tsharkSignatures } from './helpers/capture.js';
import { CORPUS, CORPUS_ABSENT, corpusPresent, repoRoot } from './helpers/corpus.js';
import { labFor, runIn, SERVER_IF, SERVER_IP, tssharkIn } from './helpers/netns.js';
import { runCli } from './helpers/run.js';
import { tsharkLines, tsharkPresent, TSHARK_ABSENT } from './helpers/tshark.js';

const SAMPLE = join(repoRoot, 'samples/lab.pcap');
const NAME = /^out_(\d{5})_(\d{14})\.pcapng$/;

/** Runs `-r source -w dir/out.pcapng` with `ring`, and gives the files written, in order of their numbers. */
async function split(t: import('ava').ExecutionContext, source: string, ring: readonly string[]): Promise<{ directory: string; files: string[] }> {
  const directory = mkdtempSync(join(tmpdir(), 'tsshark-ring-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  const result = await runCli(['-r', source, '-w', join(directory, 'out.pcapng'), ...ring.flatMap((each) => ['-b', each])]);
  t.is(result.status, 0, result.stderr);
  const names = readdirSync(directory).sort();
  for (const name of names) t.regex(name, NAME);
  return { directory, files: names.map((name) => join(directory, name)) };
}

/** Every frame of the files, in order, as tshark reads them; each file read without an error. */
async function framesOf(files: readonly string[]): Promise<string[][]> {
  const perFile: string[][] = [];
  for (const file of files) perFile.push(await tsharkSignatures(file));
  return perFile;
}

test('filesize:KB: files of at least the size (the last less), numbered from 1, every frame once and in order', async (t) => {
  if (!corpusPresent) return t.pass(CORPUS_ABSENT);
  if (!tsharkPresent) return t.pass(TSHARK_ABSENT);
  const source = join(CORPUS, 'recorded/rtr-client-side.pcap');
  const { files } = await split(t, source, ['filesize:500']);
  t.true(files.length >= 5, `${files.length} files`);
  t.deepEqual(files.map((file) => Number(NAME.exec(file.split('/').pop() as string)?.[1])), files.map((_, index) => index + 1));
  const largest = Math.max(...(await readAll(source)).frames.map(({ frame }) => frame.capturedLength));
  for (const file of files.slice(0, -1)) {
    const size = statSync(file).size;
    t.true(size >= 500_000 && size < 500_000 + largest + 1000, `${file}: ${size} bytes`);
  }
  const expected = (await readAll(source)).frames.map(({ frame }) => frameSignature(frame));
  t.deepEqual((await framesOf(files)).flat(), expected);
});

test('packets:N and files:N: N frames a file, only the newest files kept, holding the last frames', async (t) => {
  if (!tsharkPresent) return t.pass(TSHARK_ABSENT);
  const expected = (await readAll(SAMPLE)).frames.map(({ frame }) => frameSignature(frame));
  const all = await framesOf((await split(t, SAMPLE, ['packets:10'])).files);
  t.deepEqual(all.map((frames) => frames.length), [10, 10, 10, 10, 2]);
  t.deepEqual(all.flat(), expected);
  const { files } = await split(t, SAMPLE, ['packets:10', 'files:2']);
  t.deepEqual(files.map((file) => NAME.exec(file.split('/').pop() as string)?.[1]), ['00004', '00005']);
  t.deepEqual((await framesOf(files)).flat(), expected.slice(30));
});

test("duration:S (frame time): no file spans the duration; the taps' annotations are in every file", async (t) => {
  if (!tsharkPresent) return t.pass(TSHARK_ABSENT);
  const { files } = await split(t, SAMPLE, ['duration:0.5']);
  t.true(files.length >= 3, `${files.length} files`);
  let previousLast = -Infinity;
  for (const file of files) {
    const times = (await tsharkLines(['-r', file, '-T', 'fields', '-e', 'frame.time_epoch'])).map(Number);
    t.true(times[times.length - 1] - times[0] < 0.5, file);
    // The next file begins with the first frame half a second or more after the previous file's first.
    t.true(times[0] > previousLast);
    previousLast = times[times.length - 1];
  }
  const directions = async (file: string) => (await runCli(['-r', file, '-T', 'fields', '-e', 'tap.direction'])).stdout.split('\n').filter(Boolean);
  const whole = await directions(SAMPLE);
  const pieces: string[] = [];
  for (const file of files) pieces.push(...(await directions(file)));
  t.deepEqual(pieces, whole);
  t.true(whole.includes('egress') && whole.includes('ingress'));
});

test('-b is checked: tshark messages for a missing limit, no file, standard output; dumpcap names', async (t) => {
  const fails = async (args: string[], pattern: RegExp) => {
    const result = await runCli(['-r', SAMPLE, ...args]);
    t.is(result.status, 1);
    t.regex(result.stderr, pattern);
  };
  await fails(['-b', 'filesize:1'], /frames aren't being written to a file \(-w\)/);
  await fails(['-w', '-', '-b', 'filesize:1'], /the capture is being written to the standard output/);
  await fails(['-w', '/tmp/x.pcapng', '-b', 'files:3'], /no maximum capture file size, duration, interval or packets were specified/);
  await fails(['-w', '/tmp/x.pcapng', '-b', 'size:3'], /invalid -b "size:3": expected filesize:KB, duration:SECONDS, packets:N or files:N/);
  await fails(['-w', '/tmp/x.pcapng', '-b', 'filesize:x'], /The specified ring buffer filesize "x" isn't a positive decimal number/);
  t.deepEqual(parseRingOptions(['filesize:100', 'files:4']), { ok: true, options: { filesizeKB: 100, files: 4 } });
  t.is(ringFileName('/data/cap.pcap', 7, new Date(2026, 11, 1, 20, 56, 32)), '/data/cap_00007_20261201205632.pcap');
  t.is(ringFileName('out', 12345, new Date(2026, 0, 2, 3, 4, 5)), 'out_12345_20260102030405');
});

test('live duration:S on the wall clock: a file at the start, the next on time with no frame, every frame once', async (t) => {
  if (!tsharkPresent) return t.pass(TSHARK_ABSENT);
  const { frames } = await readAll(SAMPLE);
  const directory = mkdtempSync(join(tmpdir(), 'tsshark-ring-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  let clock = Date.UTC(2026, 11, 2, 3, 0, 0);
  const ring = new RingWriter(join(directory, 'out.pcapng'), { format: 'pcapng', nanosecond: false }, { durationSec: 1 }, true, () => new Date(clock));
  t.is(ring.paths.length, 1, 'the first file is begun before any frame');
  const write = (index: number) => ring.write(frames[index].frame, frames[index].iface);
  write(0);
  clock += 400;
  write(1);
  clock += 700;
  t.true(ring.tick());
  t.is(ring.paths.length, 2, 'a second file after a second, with no frame to write');
  clock += 500;
  t.true(ring.tick());
  t.is(ring.paths.length, 2);
  clock += 600;
  write(2);
  ring.close();
  t.true(ring.tick());
  t.is(ring.paths.length, 3, 'nothing begun after the close');
  const perFile = await framesOf(ring.paths);
  t.deepEqual(perFile, [[0, 1], [], [2]].map((indexes) => indexes.map((index) => frameSignature(frames[index].frame))));
});

test('a file the system refuses: its name and the reason, no stack trace; a tick that cannot begin one ends the capture', async (t) => {
  const full = await runCli(['-r', SAMPLE, '-w', '/dev/full']);
  t.is(full.status, 2);
  t.is(full.stderr, 'tsshark: "/dev/full" can\'t be written: no space left on device\n');
  const missing = await runCli(['-r', SAMPLE, '-w', '/nonexistent-dir/out.pcapng', '-b', 'packets:10']);
  t.is(missing.status, 2);
  t.regex(missing.stderr, /^tsshark: "\/nonexistent-dir\/out_00001_\d{14}\.pcapng" can't be written: its directory does not exist\n$/);
  const directory = mkdtempSync(join(tmpdir(), 'tsshark-ring-'));
  let clock = Date.UTC(2026, 11, 2, 3, 0, 0);
  const ring = new RingWriter(join(directory, 'out.pcapng'), { format: 'pcapng', nanosecond: false }, { durationSec: 1 }, true, () => new Date(clock));
  rmSync(directory, { recursive: true, force: true });
  clock += 1000;
  t.false(ring.tick());
  const { frames } = await readAll(SAMPLE);
  t.throws(() => ring.write(frames[0].frame, frames[0].iface), { instanceOf: CaptureWriteError, message: 'its directory does not exist' });
  t.throws(() => ring.close(), { instanceOf: CaptureWriteError });
});

test.serial('live -b duration:1 with -a duration:2.5: three or four files by the wall clock, every captured frame in one', async (t) => {
  const lab = labFor(t);
  if (!lab) return;
  if (!tsharkPresent) return t.pass(TSHARK_ABSENT);
  const directory = mkdtempSync(join(tmpdir(), 'tsshark-ring-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  const capture = tssharkIn(lab.server, ['-i', SERVER_IF, '-f', 'icmp', '-a', 'duration:2.5', '-b', 'duration:1', '-w', join(directory, 'out.pcapng')]);
  await capture.ready;
  runIn(lab.client, ['ping', '-q', '-c', '5', '-i', '0.1', '-W', '1', SERVER_IP]);
  const result = await capture.done;
  t.is(result.status, 0, result.stderr);
  const names = readdirSync(directory).sort();
  t.true(names.length === 3 || names.length === 4, names.join(' '));
  const perFile = await framesOf(names.map((name) => join(directory, name)));
  t.is(perFile.flat().length, 10, 'five requests and five replies');
  t.true(perFile.slice(1).some((frames) => frames.length === 0), 'a quiet second still has its file');
});
