// The fold (z, :fold): one row a packet, each packet's later copies at other tap points hidden under its
// first, which lists them in its tree with each hop's time and changes; the filter typed meanwhile stays
// the user's, and z again shows every copy. On the corpus' router capture (-i any, SLL2: a ping forwarded
// and masqueraded, each packet copied arriving and leaving).
import { join } from 'node:path';
import test from 'ava';
import { render } from 'ink-testing-library';
import type { InterfaceInfo } from '../../src/capture/frame.js';
import { App } from '../../src/ui/App.js';
import { expectShown, KEY, press, sessionOf, SIZE, started } from '../helpers/app.js';
import { readAll } from '../helpers/capture.js';
import { CORPUS, CORPUS_ABSENT, corpusPresent } from '../helpers/corpus.js';

const ROUTER = join(CORPUS, 'recorded/rtr-any-sll2.pcap');
const WIDE = { ...SIZE, columns: 160, rows: 60 };
const row = (number: number) => new RegExp(`^.{3} +${number} +\\d`, 'm');

(corpusPresent ? test : test.skip)(`z folds each packet's copies under its first; its tree lists them and each hop's changes${corpusPresent ? '' : ` (${CORPUS_ABSENT})`}`, async (t) => {
  const capture = await readAll(ROUTER);
  const interfaces: InterfaceInfo[] = [];
  for (const { frame, iface } of capture.frames) interfaces[frame.interfaceId] = iface;
  const app = render(<App session={sessionOf(capture.frames.map(({ frame }) => frame), interfaces)} colour={false} onQuit={() => undefined} size={WIDE} />);
  t.teardown(() => app.unmount());
  await started();
  await press(app, ':', ...'50', KEY.enter);
  let screen = await expectShown(t, app, /^.{3} +44 .*\n(.*\n){2}.{3} +47 /m);
  await press(app, 'z');
  screen = await expectShown(t, app, /folded: a row a packet \(z\)/);
  // The request forwarded (47) and the reply's copy (49) are folded; the ARP exchange between is not a copy.
  screen = await expectShown(t, app, /^.{3} +46 .*\n.{3} +48 .*\n.{3} +50 /m);
  t.notRegex(screen, row(47));
  await press(app, ':', ...'44', KEY.enter, KEY.enter, '*', KEY.pageDown);
  screen = await expectShown(t, app, /\[Copies of this packet: 2\]/);
  // A file's SLL2 header numbers the device, which the file does not name.
  t.regex(screen, /\[Copy: frame 44, ingress AF_PACKET \(this frame\)\]/);
  t.regex(screen, /\[Copy: frame 47, egress AF_PACKET\]/);
  t.regex(screen, /\[Hop: frame 44 → 47 \(egress AF_PACKET\), 71\.0 µs, TTL 64 → 63, Source 10\.201\.1\.2 → 10\.201\.2\.1 \(NAT\)\]/);
  // A filter typed while folded is the user's: the line shows it alone, the rows are its folded ones.
  await press(app, KEY.escape, '/', 'icmp.type == 0', KEY.enter);
  screen = await expectShown(t, app, /filter: icmp\.type == 0 · folded: a row a packet \(z\)/);
  await expectShown(t, app, row(48));
  t.notRegex(screen, row(49));
  await press(app, '/');
  await expectShown(t, app, /^\/icmp\.type == 0 *$/m);
  await press(app, KEY.escape, 'z');
  screen = await expectShown(t, app, /filter: icmp\.type == 0(?! ·)/);
  await expectShown(t, app, row(49));
});
