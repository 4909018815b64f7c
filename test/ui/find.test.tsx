// Find (Ctrl-F, n, N) in the whole UI: each kind of query, wrapping both ways, only displayed frames, the
// match opened and highlighted in the tree and the bytes, and what it says when it cannot.
import '../helpers/force-colour.js';
import test from 'ava';
import { render } from 'ink-testing-library';
import { App } from '../../src/ui/App.js';
import { expectShown, KEY, press, SAMPLE, sampleFrames, sessionOf, SIZE, started } from '../helpers/app.js';
import { tsharkLines } from '../helpers/tshark.js';

const CTRL_F = '\u0006';
const UNDERLINE = '\u001b[4m';
const UNDERLINED_NAME = /\u001b\[4m *Name: nope\.lab\.test/;

/** The frame numbers tshark gives for `filter`, so the expected matches come from the oracle. */
async function tsharkFrames(filter: string): Promise<number[]> {
  return (await tsharkLines(['-r', SAMPLE, '-Y', filter, '-T', 'fields', '-e', 'frame.number'])).map(Number);
}

test('Ctrl-F by display filter: n and N step through the matches, wrapping with a message; the field opens highlighted', async (t) => {
  const { frames, interfaces } = await sampleFrames();
  const app = render(<App session={sessionOf(frames, interfaces)} colour={false} onQuit={() => undefined} size={SIZE} />);
  await started();
  const [first, second] = await tsharkFrames('dns.qry.name == "nope.lab.test"');
  await press(app, CTRL_F);
  await expectShown(t, app, /^Find display filter \(Tab: other kinds\):/m);
  await press(app, ...'dns.qry.name == "nope.lab.test"', KEY.enter);
  let screen = await expectShown(t, app, new RegExp(`^> +${first} .*Standard query 0x1a2d`, 'm'));
  // The tree is opened on the field found, which is underlined (highlighted without colour).
  screen = await expectShown(t, app, /Name: nope\.lab\.test/);
  t.regex(app.lastFrame() ?? '', UNDERLINED_NAME, 'the field found is highlighted');
  await press(app, 'n');
  await expectShown(t, app, new RegExp(`^> +${second} .*response 0x1a`, 'm'));
  await press(app, 'n');
  screen = await expectShown(t, app, new RegExp(`^> +${first} `, 'm'));
  t.regex(screen, /Passed the last frame: found from the first/);
  await press(app, 'N');
  screen = await expectShown(t, app, new RegExp(`^> +${second} `, 'm'));
  t.regex(screen, /Passed the first frame: found from the last/);
  await press(app, 'N');
  screen = await expectShown(t, app, new RegExp(`^> +${first} `, 'm'));
  t.notRegex(screen, /Passed/);
  app.unmount();
});

test('Ctrl-F, Tab: hex bytes highlighted in the bytes pane, strings in the bytes, Info and the tree', async (t) => {
  const { frames, interfaces } = await sampleFrames();
  const app = render(<App session={sessionOf(frames, interfaces)} colour={false} onQuit={() => undefined} size={SIZE} />);
  await started();
  const [afterFirst] = (await tsharkFrames('frame contains 7a:0e:88:58:06:32')).filter((number) => number > 1);
  await press(app, CTRL_F, KEY.tab);
  await expectShown(t, app, /^Find hex bytes/m);
  await press(app, ...'7a 0e 88 58 06 32', KEY.enter);
  await expectShown(t, app, new RegExp(`^> +${afterFirst} `, 'm'));
  // The six bytes are underlined where they are (the cooked header's source address), in hex and in ASCII.
  await expectShown(t, app, /^0000 +[0-9a-f ]+7a 0e 88 58\s/m);
  t.true((app.lastFrame() ?? '').includes(`${UNDERLINE}7a 0e`), 'the bytes found are highlighted');

  // A string in the bytes: the DNS names are in the payload. The line opens on the last kind.
  const [nope] = await tsharkFrames('frame contains "nope"');
  await press(app, ':', ...'1', KEY.enter, CTRL_F, KEY.tab);
  await expectShown(t, app, /^Find string in the bytes/m);
  await press(app, KEY.ctrlU, ...'nope', KEY.enter);
  await expectShown(t, app, new RegExp(`^> +${nope} `, 'm'));

  // A string in Info, in any case.
  const [advertisement] = await tsharkFrames('icmpv6.type == 136');
  await press(app, ':', ...'1', KEY.enter, CTRL_F, KEY.tab);
  await expectShown(t, app, /^Find string in Info/m);
  await press(app, KEY.ctrlU, ...'neighbor ADVERTISEMENT', KEY.enter);
  await expectShown(t, app, new RegExp(`^> +${advertisement} .*Neighbor Advertisement`, 'm'));

  // A string only the tree shows: the hop limit of Neighbor Discovery.
  const [hopLimit] = (await tsharkFrames('ipv6.hlim == 255')).filter((number) => number > 1);
  await press(app, ':', ...'1', KEY.enter, CTRL_F, KEY.tab);
  await expectShown(t, app, /^Find string in the tree's text/m);
  await press(app, KEY.ctrlU, ...'Hop Limit: 255', KEY.enter);
  await expectShown(t, app, new RegExp(`^> +${hopLimit} `, 'm'));
  await expectShown(t, app, /Hop Limit: 255/);
  app.unmount();
});

test('find looks only at displayed frames, and says when none matches, when the query is wrong, and when there is nothing to find', async (t) => {
  const { frames, interfaces } = await sampleFrames();
  const app = render(<App session={sessionOf(frames, interfaces)} colour={false} onQuit={() => undefined} size={SIZE} />);
  await started();
  await press(app, 'n');
  await expectShown(t, app, /Nothing to find yet: Ctrl-F first/);
  await press(app, '/', ...'dns', KEY.enter);
  await expectShown(t, app, /filter: dns/);
  const displayed = await tsharkFrames('dns && ip.src == 10.77.0.2');
  await press(app, CTRL_F, ...'ip.src == 10.77.0.2', KEY.enter);
  await expectShown(t, app, new RegExp(`^> +${displayed[0]} `, 'm'));
  for (const number of displayed.slice(1)) {
    await press(app, 'n');
    await expectShown(t, app, new RegExp(`^> +${number} `, 'm'));
  }
  await press(app, CTRL_F, KEY.ctrlU, ...'arp', KEY.enter);
  await expectShown(t, app, /No displayed frame has display filter "arp"/);
  await press(app, CTRL_F, KEY.ctrlU, ...'ip.src ==', KEY.enter);
  await expectShown(t, app, /Not a display filter: /);
  await press(app, CTRL_F, KEY.tab, KEY.ctrlU, ...'xyz', KEY.enter);
  await expectShown(t, app, /Not hex bytes: "xyz"/);
  app.unmount();
});
