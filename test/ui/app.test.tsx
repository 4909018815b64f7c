// The whole UI with keys in and frames out (ink-testing-library): navigation, tree, hex, filter editing
// with live validation, marks, export, help, and a source that keeps appending.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { render } from 'ink-testing-library';
import type { Frame, InterfaceInfo } from '../../src/capture/frame.js';
import { FrameStore } from '../../src/capture/frame-store.js';
import { DecodedStore } from '../../src/decode/decoded-store.js';
import { App } from '../../src/ui/App.js';
import { CaptureFeed } from '../../src/ui/feed.js';
import { tapFields } from '../../src/ui/rows.js';
import { readAll } from '../helpers/capture.js';
import { repoRoot } from '../helpers/corpus.js';
import { registry } from '../helpers/decode.js';
import { tsharkLines } from '../helpers/tshark.js';

const SAMPLE = join(repoRoot, 'samples/lab.pcap');
const SIZE = { columns: 100, rows: 30 };

async function sampleFrames(): Promise<{ frames: Frame[]; interfaces: readonly InterfaceInfo[] }> {
  const capture = await readAll(SAMPLE);
  const interfaces: InterfaceInfo[] = [];
  for (const { frame, iface } of capture.frames) interfaces[frame.interfaceId] = iface;
  return { frames: capture.frames.map(({ frame }) => frame), interfaces };
}

function feedOf(frames: readonly Frame[], interfaces: readonly InterfaceInfo[], live = false): CaptureFeed {
  const decoded = new DecodedStore(new FrameStore(), registry, tapFields(registry));
  for (const frame of frames) decoded.append(frame, interfaces);
  const feed = new CaptureFeed(decoded, { name: 'lab.pcap', live });
  if (!live) feed.update({ running: false });
  return feed;
}

const plain = (frame: string | undefined) => (frame ?? '').replace(/\u001b\[[0-9;]*m/g, '');
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits until the app has drawn nothing new for a while (at most 3 s): keys can take several redraws. */
async function settle(app?: { frames: string[] }): Promise<void> {
  if (!app) return pause(40);
  const deadline = Date.now() + 3000;
  let seen = -1;
  while (Date.now() < deadline && app.frames.length !== seen) {
    seen = app.frames.length;
    await pause(40);
  }
}

/** Ink starts reading keys after its first render's effects: wait for them. */
const started = () => new Promise((resolve) => setTimeout(resolve, 150));

async function press(app: { stdin: { write(data: string): void }; frames: string[] }, ...keys: string[]): Promise<void> {
  for (const key of keys) {
    app.stdin.write(key);
    await settle(app);
  }
}

const KEY = { down: '\u001b[B', up: '\u001b[A', tab: '\t', enter: '\r', escape: '\u001b', left: '\u001b[D', ctrlU: '\u0015', ctrlW: '\u0017', end: '\u001b[F' };

test('the list, tree and bytes of the selected frame; j/k move, Tab and Enter expand in the tree', async (t) => {
  const { frames, interfaces } = await sampleFrames();
  let quit = 0;
  const app = render(<App feed={feedOf(frames, interfaces)} colour={false} nanosecond={false} onQuit={() => quit++} size={SIZE} />);
  await started();
  let screen = plain(app.lastFrame());
  t.regex(screen, /^ +No\. +Time Tap +Source/m);
  t.regex(screen, /^> +1 +0\.000000 ↓/m);
  t.regex(screen, /42 frames · 42 shown · 0 marked/);
  await press(app, 'j', 'j', 'j', 'j');
  screen = plain(app.lastFrame());
  t.regex(screen, /^> +5 .*ICMP .*Echo \(ping\) request/m, screen);
  await press(app, 'k');
  t.regex(plain(app.lastFrame()), /^> +4 /m);
  await press(app, 'j', KEY.tab, 'j', 'j', 'j', KEY.enter);
  screen = plain(app.lastFrame());
  // The tree: Tap first, then the layers; the IPv4 layer opened and its bytes shown in the hex pane.
  t.regex(screen, /▸ Tap\n▸ Frame 5/);
  t.regex(screen, /▾ Internet Protocol Version 4, Src: 10\.77\.0\.1, Dst: 10\.77\.0\.2\n +Version: 4/);
  t.regex(screen, /ip — Internet Protocol Version 4/);
  await press(app, 'j');
  t.regex(plain(app.lastFrame()), /ip\.version/);
  await press(app, 'q');
  t.is(quit, 1);
  app.unmount();
});

test('the filter line validates as typed, completes field names, keeps history; Enter applies, Esc cancels', async (t) => {
  const { frames, interfaces } = await sampleFrames();
  const app = render(<App feed={feedOf(frames, interfaces)} colour={false} nanosecond={false} onQuit={() => undefined} size={SIZE} />);
  await started();
  await press(app, '/', 'i', 'c', 'm', 'p', ' ', '&', '&');
  let screen = plain(app.lastFrame());
  t.regex(screen, /^\/icmp &&/m);
  t.regex(screen, /✗ /);
  await press(app, KEY.enter);
  // An invalid filter is not applied: the line stays open.
  t.regex(plain(app.lastFrame()), /^\/icmp &&/m);
  await press(app, KEY.ctrlW, ...'|| dns.qry.na', KEY.tab);
  screen = plain(app.lastFrame());
  // Completed to what every candidate shares, the candidates listed.
  t.regex(screen, /^\/icmp \|\| dns\.qry\.name *$/m);
  t.regex(screen, /^dns\.qry\.name dns\.qry\.name\.len$/m);
  await press(app, ' ');
  t.regex(plain(app.lastFrame()), /✓ valid/);
  await press(app, KEY.ctrlU, 'i', 'c', 'm', 'p', KEY.enter);
  await new Promise((resolve) => setTimeout(resolve, 200));
  screen = plain(app.lastFrame());
  const expected = await tsharkLines(['-r', SAMPLE, '-Y', 'icmp', '-T', 'fields', '-e', 'frame.number']);
  t.regex(screen, new RegExp(`42 frames · ${expected.length} shown`));
  t.regex(screen, /filter: icmp/);
  await press(app, '/', KEY.ctrlU, 'a', 'r', 'p', KEY.escape);
  t.regex(plain(app.lastFrame()), /filter: icmp/);
  await press(app, '/', KEY.ctrlU, KEY.up);
  t.regex(plain(app.lastFrame()), /^\/icmp/m);
  app.unmount();
});

test('marks: space, M, U; export writes the marked frames, else the displayed ones, as tshark reads them', async (t) => {
  const { frames, interfaces } = await sampleFrames();
  const directory = mkdtempSync(join(tmpdir(), 'tsshark-ui-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  const app = render(<App feed={feedOf(frames, interfaces)} colour={false} nanosecond={false} onQuit={() => undefined} size={SIZE} />);
  await started();
  await press(app, ' ', 'j', 'j', ' ');
  const screen = plain(app.lastFrame());
  t.regex(screen, /^ \* +1 /m);
  t.regex(screen, /^>\* +3 /m);
  t.regex(screen, /2 marked/);
  const marked = join(directory, 'marked.pcap');
  await press(app, 'w', ...marked, KEY.enter);
  t.regex(plain(app.lastFrame()), /Wrote 2 marked frames to .*marked\.pcap \(pcap\)/);
  t.deepEqual(await tsharkLines(['-r', marked, '-T', 'fields', '-e', 'frame.len']), ['92', '48']);
  await press(app, 'U');
  t.regex(plain(app.lastFrame()), /0 marked/);
  const all = join(directory, 'all.pcapng');
  await press(app, 'w', KEY.ctrlU, ...all, KEY.enter);
  t.regex(plain(app.lastFrame()), /Wrote 42 displayed frames to .*all\.pcapng \(pcapng\)/);
  t.is((await tsharkLines(['-r', all])).length, 42);
  await press(app, 'M');
  t.regex(plain(app.lastFrame()), /42 marked/);
  await press(app, '?');
  t.regex(plain(app.lastFrame()), /mark every displayed packet/);
  app.unmount();
});

test('a source that keeps appending: follow keeps the newest frame selected until the user moves up', async (t) => {
  const { frames, interfaces } = await sampleFrames();
  const feed = feedOf(frames.slice(0, 10), interfaces, true);
  const app = render(<App feed={feed} colour={false} nanosecond={false} onQuit={() => undefined} size={SIZE} />);
  await started();
  t.regex(plain(app.lastFrame()), /^> +10 /m);
  for (const frame of frames.slice(10, 20)) feed.decoded.append(frame, interfaces);
  feed.update({});
  await settle(app);
  t.regex(plain(app.lastFrame()), /^> +20 /m);
  t.regex(plain(app.lastFrame()), /20 frames .*live .*follow/);
  await press(app, 'k');
  for (const frame of frames.slice(20)) feed.decoded.append(frame, interfaces);
  feed.update({ running: false });
  await settle(app);
  t.regex(plain(app.lastFrame()), /^> +19 /m);
  t.notRegex(plain(app.lastFrame()), /follow/);
  await press(app, 'F');
  t.regex(plain(app.lastFrame()), /^> +42 /m);
  app.unmount();
});
