// The whole UI with keys in and frames out (ink-testing-library): navigation, tree, hex, filter editing
// with live validation, marks, export, help, and a source that keeps appending.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { render } from 'ink-testing-library';
import type { TraceStep } from '../../src/capture/frame.js';
import { DropCounts, type DropSource } from '../../src/capture/kernel-drops.js';
import { App } from '../../src/ui/App.js';
import { COMMANDS } from '../../src/ui/commands.js';
import { NetfilterVerdicts } from '../../src/decode/taps/verdicts.js';
import { expectShown, KEY, plain, press, SAMPLE, sampleFrames, sessionOf, settle, SIZE, started } from '../helpers/app.js';
import { tsharkLines } from '../helpers/tshark.js';

test('the list, tree and bytes of the selected frame; j/k move, Tab and Enter expand in the tree', async (t) => {
  const { frames, interfaces } = await sampleFrames();
  let quit = 0;
  const app = render(<App session={sessionOf(frames, interfaces)} colour={false} onQuit={() => quit++} size={SIZE} />);
  await started();
  let screen = await expectShown(t, app, /^ +No\. +Time Tap +Source/m);
  t.regex(screen, /^> +1 +0\.000000 ↓/m);
  t.regex(screen, /42 frames · 42 shown · 0 marked/);
  // The tree's title names the selected frame, not the last row the list drew (redrawn by Tab).
  await press(app, KEY.tab);
  await expectShown(t, app, /^ *Frame 1: \d+ lines — Enter/m);
  await press(app, KEY.tab, KEY.tab);
  await press(app, 'j', 'j', 'j', 'j');
  screen = await expectShown(t, app, /^> +5 .*ICMP .*Echo \(ping\) request/m);
  await press(app, 'k');
  await expectShown(t, app, /^> +4 /m);
  await press(app, 'j', KEY.tab, 'j', 'j', 'j', KEY.enter);
  // The tree: Tap first, then the layers; the IPv4 layer opened and its bytes shown in the hex pane.
  screen = await expectShown(t, app, /▾ Internet Protocol Version 4, Src: 10\.77\.0\.1, Dst: 10\.77\.0\.2\n +Version: 4/);
  t.regex(screen, /▸ Tap: AF_PACKET, ingress\n▸ Frame 5/);
  t.regex(screen, /ip — Internet Protocol Version 4/);
  await press(app, 'j');
  await expectShown(t, app, /ip\.version/);
  await press(app, 'q');
  t.is(quit, 1);
  app.unmount();
});

test('the filter line validates as typed, completes field names, keeps history; Enter applies, Esc cancels', async (t) => {
  const { frames, interfaces } = await sampleFrames();
  const app = render(<App session={sessionOf(frames, interfaces)} colour={false} onQuit={() => undefined} size={SIZE} />);
  await started();
  await press(app, '/', 'i', 'c', 'm', 'p', ' ', '&', '&');
  let screen = await expectShown(t, app, /^\/icmp &&/m);
  t.regex(screen, /✗ /);
  await press(app, KEY.enter);
  // An invalid filter is not applied: the line stays open.
  await expectShown(t, app, /^\/icmp &&/m);
  await press(app, KEY.ctrlW, ...'|| dns.qry.na', KEY.tab);
  // Completed to what every candidate shares, the candidates listed.
  screen = await expectShown(t, app, /^\/icmp \|\| dns\.qry\.name *$/m);
  t.regex(screen, /^dns\.qry\.name dns\.qry\.name\.len$/m);
  await press(app, ' ');
  await expectShown(t, app, /✓ valid/);
  await press(app, KEY.ctrlU, 'i', 'c', 'm', 'p', KEY.enter);
  // The filter runs over the store in slices.
  screen = await expectShown(t, app, /filter: icmp/);
  const expected = await tsharkLines(['-r', SAMPLE, '-Y', 'icmp', '-T', 'fields', '-e', 'frame.number']);
  t.regex(screen, new RegExp(`42 frames · ${expected.length} shown`));
  t.regex(screen, /filter: icmp/);
  await press(app, '/', KEY.ctrlU, 'a', 'r', 'p', KEY.escape);
  await expectShown(t, app, /filter: icmp/);
  await press(app, '/', KEY.ctrlU, KEY.up);
  await expectShown(t, app, /^\/icmp/m);
  app.unmount();
});

test('go to a frame by :N or Ctrl-G; > and < move between marked frames; each says when it cannot', async (t) => {
  const { frames, interfaces } = await sampleFrames();
  const app = render(<App session={sessionOf(frames, interfaces)} colour={false} onQuit={() => undefined} size={SIZE} />);
  await started();
  await press(app, ':', ...'20', KEY.enter);
  await expectShown(t, app, /^> +20 /m);
  await press(app, '\u0007', ...'5', KEY.enter);
  await expectShown(t, app, /^> +5 /m);
  await press(app, ':', ...'999', KEY.enter);
  await expectShown(t, app, /No frame 999: the capture has 42/);
  // Marks on 7 and 12, then from 5: forward to each, past the last, and back.
  await press(app, ':', ...'7', KEY.enter, ' ', ':', ...'12', KEY.enter, ' ', ':', ...'5', KEY.enter);
  await press(app, '>');
  await expectShown(t, app, /^>\* +7 /m);
  await press(app, '>');
  await expectShown(t, app, /^>\* +12 /m);
  await press(app, '>');
  await expectShown(t, app, /No marked frame after this one/);
  await press(app, '<');
  await expectShown(t, app, /^>\* +7 /m);
  // A frame the filter hides: the next displayed one is selected, and the user is told.
  await press(app, '/', ...'icmp', KEY.enter);
  await press(app, ':', ...'1', KEY.enter);
  const screen = await expectShown(t, app, /Frame 1 is not displayed: the next displayed frame is selected/);
  t.regex(screen, /^>.? +5 .*ICMP/m);
  app.unmount();
});

test('marks: space, M, U; export writes the marked frames, else the displayed ones, as tshark reads them', async (t) => {
  const { frames, interfaces } = await sampleFrames();
  const directory = mkdtempSync(join(tmpdir(), 'tsshark-ui-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  const app = render(<App session={sessionOf(frames, interfaces)} colour={false} onQuit={() => undefined} size={SIZE} />);
  await started();
  await press(app, ' ', 'j', 'j', ' ');
  const screen = await expectShown(t, app, /2 marked/);
  t.regex(screen, /^ \* +1 /m);
  t.regex(screen, /^>\* +3 /m);
  const marked = join(directory, 'marked.pcap');
  await press(app, 'w', ...marked, KEY.enter);
  await expectShown(t, app, /Wrote 2 marked frames to .*marked\.pcap \(pcap\)/);
  t.deepEqual(await tsharkLines(['-r', marked, '-T', 'fields', '-e', 'frame.len']), ['92', '48']);
  await press(app, 'U');
  await expectShown(t, app, /0 marked/);
  const all = join(directory, 'all.pcapng');
  await press(app, 'w', KEY.ctrlU, ...all, KEY.enter);
  await expectShown(t, app, /Wrote 42 displayed frames to .*all\.pcapng \(pcapng\)/);
  t.is((await tsharkLines(['-r', all])).length, 42);
  await press(app, 'M');
  await expectShown(t, app, /42 marked/);
  await press(app, '?');
  await expectShown(t, app, /mark every displayed packet/);
  app.unmount();
});

test('a source that keeps appending: follow keeps the newest frame selected until the user moves up', async (t) => {
  const { frames, interfaces } = await sampleFrames();
  const session = sessionOf(frames.slice(0, 10), interfaces, true);
  const app = render(<App session={session} colour={false} onQuit={() => undefined} size={SIZE} />);
  await started();
  await expectShown(t, app, /^> +10 /m);
  for (const frame of frames.slice(10, 20)) session.decoded.append(frame, interfaces);
  session.update({});
  await settle(app);
  await expectShown(t, app, /^> +20 /m);
  await expectShown(t, app, /20 frames .*live .*follow/);
  await press(app, 'k');
  for (const frame of frames.slice(20)) session.decoded.append(frame, interfaces);
  session.update({ running: false });
  await settle(app);
  await expectShown(t, app, /^> +19 /m);
  t.notRegex(plain(app.lastFrame()), /follow/);
  await press(app, 'F');
  await expectShown(t, app, /^> +42 /m);
  app.unmount();
});

test('? lists every key of every mode, a screen at a time; q closes it without quitting', async (t) => {
  const { frames, interfaces } = await sampleFrames();
  let quit = 0;
  const app = render(<App session={sessionOf(frames, interfaces)} colour={false} onQuit={() => quit++} size={{ columns: 80, rows: 24 }} />);
  await started();
  await press(app, '?');
  let screen = await expectShown(t, app, /tsshark keys \(1–22 of \d+/);
  t.regex(screen, /^Every pane \(list, tree, bytes\)$/m);
  t.notRegex(screen, /erase the word before the cursor/);
  // Page by page, every command of every scope is there with its keys.
  let pages = screen;
  for (let page = 0; page < 5 && !/\(\d+–(\d+) of \1\b/.test(screen); page++) {
    const range = (/\((\d+–\d+) of/.exec(screen) as RegExpExecArray)[1];
    await press(app, KEY.pageDown);
    // The next screen, however long a loaded machine takes to draw it.
    screen = await expectShown(t, app, new RegExp(`tsshark keys \\((?!${range} )\\d+–\\d+ of`));
    pages += screen;
  }
  for (const command of COMMANDS) t.true(pages.includes(`${command.keys.padEnd(15)}${command.description}`.slice(0, 76)), command.name);
  t.regex(pages, /Ctrl-W +erase the word before the cursor/);
  await press(app, 'q');
  await expectShown(t, app, /42 frames · 42 shown/);
  t.is(quit, 0);
  app.unmount();
});

test(': runs the commands of the keys by name: conv, follow N, follow udp N, filter X, and says what it has for a name it has not', async (t) => {
  const { frames, interfaces } = await sampleFrames();
  const app = render(<App session={sessionOf(frames, interfaces)} colour={false} onQuit={() => undefined} size={SIZE} />);
  await started();
  await press(app, ':', ...'bogus', KEY.enter);
  await expectShown(t, app, /No ":bogus": \? lists the commands \(conv, follow N, filter X, time F, write\.\.\.\) beside their keys$/m);
  await press(app, ':', ...'filter icmp', KEY.enter);
  const expected = await tsharkLines(['-r', SAMPLE, '-Y', 'icmp', '-T', 'fields', '-e', 'frame.number']);
  await expectShown(t, app, new RegExp(`42 frames · ${expected.length} shown .*filter: icmp`));
  await press(app, ':', ...'conv', KEY.enter);
  await expectShown(t, app, /^ Conversations: .*\[IPv4 \d+\]/m);
  await press(app, KEY.escape);
  await press(app, ':', ...'follow 0', KEY.enter);
  await expectShown(t, app, /Follow TCP stream 0 \(ascii\)/);
  await press(app, KEY.escape);
  // The sample's DNS: three queries (node 0), three answers (node 1), as tshark -z follow,udp,ascii,0 has them.
  await press(app, ':', ...'follow udp 0', KEY.enter);
  const udp = await expectShown(t, app, /Follow UDP stream 0 \(ascii\): ▶ 10\.77\.0\.1:46455 ◀ 10\.77\.0\.2:53 │ 6 chunks/);
  t.regex(udp, /nope\.lab\.test/);
  await expectShown(t, app, /filter: udp\.stream eq 0/);
  await press(app, KEY.escape);
  // HTTP's stream is its TCP stream: the sample's stream 0 carries DNS, no HTTP message.
  await press(app, ':', ...'follow http 0', KEY.enter);
  await expectShown(t, app, /Follow HTTP stream 0 \(ascii\): no HTTP message with data/);
  await expectShown(t, app, /filter: tcp\.stream eq 0/);
  await press(app, KEY.escape);
  await press(app, ':', ...'follow sctp 1', KEY.enter);
  await expectShown(t, app, /:follow takes \[tcp\|udp\|http\] and a stream number, not "sctp 1"/);
  app.unmount();
});

/** The kernel, as far as a drop source sees it: drops reported, taken by the next poll. */
function fakeKernel(): { source: DropSource; report(reason: string, location: string, protocol: number, times: number): void } {
  const counts = new DropCounts();
  let reported: [string, string, number][] = [];
  return {
    source: {
      counts,
      poll() {
        for (const [reason, location, protocol] of reported) counts.add(reason, location, protocol);
        const added = reported.length;
        reported = [];
        return added;
      },
      close() {},
    },
    report(reason, location, protocol, times) {
      for (let i = 0; i < times; i++) reported.push([reason, location, protocol]);
    },
  };
}

test("D shows the kernel's drops as they are counted, most first, and the status bar their total; without --drops it says how", async (t) => {
  const { frames, interfaces } = await sampleFrames();
  const uncounted = render(<App session={sessionOf(frames, interfaces, true)} colour={false} onQuit={() => undefined} size={SIZE} />);
  await started();
  await press(uncounted, 'D');
  await expectShown(t, uncounted, /The kernel's drops are counted in a live capture started with --drops/);
  uncounted.unmount();

  const session = sessionOf(frames, interfaces, true);
  const kernel = fakeKernel();
  session.countKernelDrops(kernel.source);
  t.teardown(() => session.close());
  const app = render(<App session={session} colour={false} onQuit={() => undefined} size={SIZE} />);
  await started();
  kernel.report('NETFILTER_DROP', 'nf_hook_slow', 0x86dd, 1);
  kernel.report('NO_SOCKET', '__udp4_lib_rcv', 0x0800, 3);
  await expectShown(t, app, /kernel drops 4/);
  await press(app, 'D');
  const screen = await expectShown(t, app, /^ Kernel drops \(skb:kfree_skb\) │ counted, not tied to frames/m);
  t.regex(screen, /^ *4 in \d+ s \([\d.]+\/s\), every namespace of the host$/m);
  t.regex(screen, /^. +3 +NO_SOCKET +__udp4_lib_rcv +IPv4$/m);
  t.regex(screen, /^ +1 +NETFILTER_DROP +nf_hook_slow +IPv6$/m);
  t.true(screen.indexOf('NO_SOCKET') < screen.indexOf('NETFILTER_DROP'));
  // Drops keep coming while the view is open.
  kernel.report('NETFILTER_DROP', 'nf_hook_slow', 0x86dd, 4);
  await expectShown(t, app, /^. +5 +NETFILTER_DROP +nf_hook_slow +IPv6$/m);
  await press(app, KEY.escape);
  await expectShown(t, app, /kernel drops 8/);
  app.unmount();
});

/** A trace event of UDP datagram `id` (its IPv4 identification) at a chain of `inet filter`. */
function traceStep(id: number, type: number, chain: string, handle: number, verdict: number | undefined, policy?: number): TraceStep {
  const network = Uint8Array.from([0x45, 0, 0, 29, id >> 8, id & 0xff, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
  const transport = Uint8Array.from([0x9c, 0x40, 0x23, 0x8d, 0, 9, 0, 0, 120]);
  return { id, family: 'inet', type, table: 'filter', chain, handle, verdict, policy, verdictChain: '', iif: 2, oif: 0, network, transport, seconds: 1000 };
}

test("V shows netfilter's verdicts by rule, the drops' rule first with its packets; Enter filters to them; without --trace it says how", async (t) => {
  const { frames, interfaces } = await sampleFrames();
  const untraced = render(<App session={sessionOf(frames, interfaces, true)} colour={false} onQuit={() => undefined} size={SIZE} />);
  await started();
  await press(untraced, 'V');
  await expectShown(t, untraced, /Netfilter's verdicts are traced in a live capture started with --trace/);
  untraced.unmount();

  const verdicts = new NetfilterVerdicts(new Set(), (step) => (step.handle === 7 ? 'udp dport 9101 drop' : undefined));
  // Two datagrams dropped by rule 7, one accepted by the input chain's policy.
  for (const id of [1, 2]) verdicts.add(traceStep(id, 3, 'input', 7, 0));
  verdicts.add(traceStep(3, 1, 'input', 0, undefined, 1));
  const session = sessionOf(frames, interfaces, true, { verdicts });
  t.teardown(() => session.close());
  const app = render(<App session={session} colour={false} onQuit={() => undefined} size={SIZE} />);
  await started();
  await expectShown(t, app, /nft traced 3, ✗ 2/);
  await press(app, 'V');
  const screen = await expectShown(t, app, /^ Netfilter's verdicts \(--trace\)/m);
  t.regex(screen, /^ *3 packets traced, 2 dropped by a rule or policy$/m);
  t.regex(screen, /^. +2 +drop +inet filter input handle 7: udp dport 9101 drop$/m);
  t.regex(screen, /^ +1 +accept +inet filter input policy$/m);
  await press(app, 'j', KEY.enter);
  // The sample's frames are not the traced datagrams: the filter keeps none of them (the status bar may
  // cut the filter's text where the live rate shows).
  await expectShown(t, app, /42 frames · 0 shown .*filter: tap/);
  t.is(session.applied?.filter.text, 'tap.verdict_by == "inet filter input handle 7: udp dport 9101 drop"');
  app.unmount();
});

test("a live capture's warnings: counted in the status bar, W lists them wrapped to the screen", async (t) => {
  const { frames, interfaces } = await sampleFrames();
  const session = sessionOf(frames, interfaces, true);
  session.warnings = ['veth-s: XDP program lab_xdp (id 7, generic XDP) runs before the ingress tap: what it drops or redirects is never shown as received, what it rewrites is shown rewritten'];
  const app = render(<App session={session} colour={false} onQuit={() => undefined} size={SIZE} />);
  await started();
  await expectShown(t, app, /│ 1 warning \(W\)/);
  await press(app, 'W');
  const screen = await expectShown(t, app, /^ Warnings: what this capture's taps cannot see │ found when it started/m);
  t.regex(screen, /^veth-s: XDP program lab_xdp \(id 7, generic XDP\) runs before the ingress tap: what it drops or$/m);
  t.regex(screen, /^ +redirects is never shown as received, what it rewrites is shown rewritten$/m);
  await press(app, KEY.escape);
  const plainSession = sessionOf(frames, interfaces, true);
  const quiet = render(<App session={plainSession} colour={false} onQuit={() => undefined} size={SIZE} />);
  await started();
  await press(quiet, 'W');
  await expectShown(t, quiet, /No warnings: nothing found that hides packets from these taps/);
  quiet.unmount();
  app.unmount();
});
