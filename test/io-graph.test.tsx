// The I/O graph's counts: frames and bytes per interval, of every frame and of a filter's, equal to tshark's
// -z io,stat over the same intervals (the bundled sample at 0.5 s, a recording at 1 s); and the view in the
// interface: its interval chosen to fit, + and - stepping it, b for bytes, the scale's top the largest count;
// graph filters added (a) and removed (d), drawn as bars over every frame's or as braille lines (l).
import { join } from 'node:path';
import test from 'ava';
import { render } from 'ink-testing-library';
import { FrameStore } from '../src/capture/frame-store.js';
import { compileFilter } from '../src/filter/display-filter.js';
import { DecodedStore } from '../src/session/decoded-store.js';
import { FrameFilter } from '../src/session/frame-filter.js';
import { runScan } from '../src/session/store-scan.js';
import { countIo } from '../src/session/stats/io-graph.js';
import { App } from '../src/ui/App.js';
import { brailleGraph } from '../src/ui/braille.js';
import { expectShown, KEY, press, sampleFrames, sessionOf, SIZE, started } from './helpers/app.js';
import { sampleApp } from './helpers/sample-app.js';
import { readAll } from './helpers/capture.js';
import { CORPUS, corpusPresent, repoRoot } from './helpers/corpus.js';
import { registry } from './helpers/decode.js';
import { tshark, tsharkPresent, TSHARK_ABSENT } from './helpers/tshark.js';

/** tshark's -z io,stat table: per interval, [frames, bytes] of each column. */
async function tsharkIo(file: string, seconds: number, filter: string): Promise<number[][]> {
  const result = await tshark(['-r', file, '-q', '-z', `io,stat,${seconds},,${filter}`]);
  return result.stdout
    .split('\n')
    .filter((line) => /^\| *[\d.]+ <> /.test(line))
    .map((line) => line.split('|').slice(2, -1).map((cell) => Number(cell.trim())));
}

async function compare(t: import('ava').ExecutionContext, file: string, seconds: number, filterText: string): Promise<void> {
  const capture = await readAll(file);
  const interfaces = capture.frames.map(({ iface }) => iface);
  const decoded = new DecodedStore(new FrameStore(), registry, []);
  for (const { frame } of capture.frames) decoded.append(frame, interfaces);
  const compiled = compileFilter(filterText, registry);
  if (!compiled.ok) return t.fail(compiled.error.message);
  const filter = new FrameFilter(decoded, compiled.filter);
  await runScan(filter);
  const expected = await tsharkIo(file, seconds, filterText);
  const start = { tsSec: 0, tsNsec: 0 };
  decoded.firstTime(start);
  const store = decoded.store;
  const all = countIo(store, { count: store.count, at: (position) => position }, start, seconds * 1e9, expected.length);
  const filtered = countIo(store, { count: filter.matched, at: (position) => filter.frameAt(position) }, start, seconds * 1e9, expected.length);
  const ours = expected.map((_, bucket) => [all.frames[bucket], all.bytes[bucket], filtered.frames[bucket], filtered.bytes[bucket]]);
  t.deepEqual(ours, expected, `${file} at ${seconds} s, ${filterText}`);
}

test('frames and bytes per interval equal tshark -z io,stat, all and filtered', async (t) => {
  if (!tsharkPresent) return t.pass(TSHARK_ABSENT);
  await compare(t, join(repoRoot, 'samples/lab.pcap'), 0.5, 'icmp');
  if (corpusPresent) await compare(t, join(CORPUS, 'recorded/rtr-client-side.pcap'), 1, 'tcp.flags.syn == 1');
});

test('I opens the graph: an interval that fits, + and - step it, b shows bytes, the scale tops at the largest count', async (t) => {
  if (!tsharkPresent) return t.pass(TSHARK_ABSENT);
  const { frames, interfaces } = await sampleFrames();
  const app = render(<App session={sessionOf(frames, interfaces)} colour={false} onQuit={() => undefined} size={SIZE} />);
  await started();
  await press(app, '/', ...'icmp', KEY.enter);
  await expectShown(t, app, /filter: icmp/);
  await press(app, 'I');
  // 1.7 s in 91 columns: 20 ms intervals.
  await expectShown(t, app, /I\/O graph │ frames per 20 ms │/);
  await expectShown(t, app, /^ ░ all █ filter: icmp$/m);
  await press(app, '+', '+', '+', '+');
  const intervals = await tsharkIo(join(repoRoot, 'samples/lab.pcap'), 0.5, 'icmp');
  const most = Math.max(...intervals.map(([frames]) => frames));
  let screen = await expectShown(t, app, /frames per 500 ms/);
  t.regex(screen, new RegExp(`^ +${most} │`, 'm'));
  t.regex(screen, /└0 s +└6 s/);
  await press(app, 'b');
  screen = await expectShown(t, app, /bytes per 500 ms/);
  t.regex(screen, new RegExp(`^ +${Math.max(...intervals.map(([, bytes]) => bytes)).toLocaleString('en-US')} │`, 'm'));
  await press(app, KEY.escape);
  await expectShown(t, app, /filter: icmp/);
  app.unmount();
});

test('braille: two intervals a column, four levels a row, a line joined upright from one interval to the next', (t) => {
  // 1 column, 2 rows (8 levels): 0 then 7 of 7. Left dot column: the bottom dot; right: every dot.
  const rows = brailleGraph([[0, 7]], 7, 1, 2);
  t.deepEqual(rows.map((row) => row.map((cell) => cell.text).join('')), ['\u28b8', '\u28f8']);
  t.deepEqual(rows.map((row) => row.map((cell) => cell.series)), [[0], [0]]);
  // A second series drawn after the first owns the cells it marks (its drop at the third interval marks
  // both rows of the second column); the first keeps the cell only it marks.
  const two = brailleGraph([[0, 0, 0, 0], [7, 7, 0, 0]], 7, 2, 2);
  t.deepEqual(two.map((row) => row.map((cell) => cell.series)), [[1, 1], [0, 1]]);
  // Cells with no dot are spaces, of no series.
  const flat = brailleGraph([[0, 0, 0, 0]], 7, 2, 2);
  t.deepEqual(flat[0], [{ text: ' ', series: -1 }, { text: ' ', series: -1 }]);
  t.is(flat[1].map((cell) => cell.text).join(''), '\u28c0\u28c0');
});

test('graph filters: a adds one drawn over every frame (bars) where tshark counts its frames; l draws every graph in braille; d removes it', async (t) => {
  if (!tsharkPresent) return t.pass(TSHARK_ABSENT);
  const { app, session } = await sampleApp(t);
  await press(app, '/', ...'icmp', KEY.enter);
  await expectShown(t, app, /filter: icmp/);
  await press(app, 'I', '+', '+', '+', '+');
  await expectShown(t, app, /frames per 500 ms/);
  await press(app, 'a', ...'dns.flags.response ==', KEY.enter);
  await expectShown(t, app, /✗ .*/);
  await press(app, 'a', ...'dns', KEY.enter);
  let screen = await expectShown(t, app, /^ ░ all {3}filter: icmp █ dns$/m);
  const io = await tsharkIo(join(repoRoot, 'samples/lab.pcap'), 0.5, 'dns');
  const icmp = await tsharkIo(join(repoRoot, 'samples/lab.pcap'), 0.5, 'icmp');
  // The bottom row: dns's bar where it has frames, else every frame's (shaded), else nothing.
  const bottom = screen.split('\n').find((line) => /^ +0 │/.test(line)) ?? '';
  const expected = io.map(([all, , dns]) => (dns > 0 ? '[▁▂▃▄▅▆▇█]' : all > 0 ? '░' : ' ')).join('');
  t.regex(bottom.replace(/^ +0 │/, ''), new RegExp(`^${expected}`));
  await press(app, KEY.tab);
  await expectShown(t, app, /^ ░ all █ filter: icmp {3}dns$/m);

  await press(app, 'l');
  screen = await expectShown(t, app, /^ 1\. all 2\. filter: icmp 3\. dns$/m);
  const most = Math.max(...io.map(([all]) => all));
  const height = SIZE.rows - 1 - 1 - 3;
  const graph = brailleGraph([io.map(([all]) => all), icmp.map(([, , frames]) => frames), io.map(([, , frames]) => frames)], most, Math.ceil(io.length / 2), height);
  const drawn = screen.split('\n').filter((line) => /^ +[\d,]* │/.test(line)).map((line) => line.replace(/^ +[\d,]* │/, ''));
  t.is(drawn.length, height);
  t.deepEqual(drawn.map((line, row) => line.slice(0, graph[row].length).trimEnd()), graph.map((row) => row.map((cell) => cell.text).join('').trimEnd()));
  t.true(drawn.some((line) => /[\u2801-\u28ff]/.test(line)));

  await press(app, 'd');
  await expectShown(t, app, /^ 1\. all 2\. filter: icmp {2}Removed the graph of dns$/m);
  t.deepEqual(session.filters.graphFilters, []);
});
