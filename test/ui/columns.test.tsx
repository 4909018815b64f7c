// Columns in the interface: a tree field added as a column (c), the columns view (O) hiding, moving and
// sizing them, each change handed to the preferences' saver; the texts are tshark's for the same field.
import test from 'ava';
import { render } from 'ink-testing-library';
import type { ListColumn } from '../../src/decode/column-format.js';
import { App } from '../../src/ui/App.js';
import { expectShown, KEY, plain, press, SAMPLE, sampleFrames, sessionOf, SIZE, started } from '../helpers/app.js';
import { tsharkLines } from '../helpers/tshark.js';

const CTRL_F = '\u0006';

test('c adds the tree field as a column before Info; O hides, moves and sizes columns; every change is saved', async (t) => {
  const { frames, interfaces } = await sampleFrames();
  const saved: (readonly ListColumn[])[] = [];
  const saveColumns = { path: '/nowhere/preferences', save: (columns: readonly ListColumn[]) => void saved.push(columns) };
  const app = render(<App session={sessionOf(frames, interfaces)} colour={false} onQuit={() => undefined} size={SIZE} saveColumns={saveColumns} />);
  await started();
  // Frame 5's Time to Live, found in its tree.
  await press(app, ':', '5', KEY.enter, KEY.tab, CTRL_F, KEY.tab, KEY.tab, KEY.tab, KEY.tab, ...'Time to Live', KEY.enter);
  await expectShown(t, app, /^ *Time to Live: 64/m);
  await press(app, 'c');
  let screen = await expectShown(t, app, /Column "Time to Live" \(ip\.ttl\) added/);
  t.deepEqual(saved.at(-1)?.map((column) => column.spec.format), ['%m', '%t', '%tap', '%s', '%d', '%p', '%L', '%Cus:ip.ttl:0:R', '%i']);
  // Each row shows its frame's TTL as tshark gives it (none for ARP), in a column headed by the field's name.
  t.regex(screen, /Len Time to Live Info/);
  const ttls = new Map((await tsharkLines(['-r', SAMPLE, '-T', 'fields', '-e', 'frame.number', '-e', 'ip.ttl', '-c', '11'])).map((line) => line.split('\t') as [string, string]));
  const rows = screen.split('\n').filter((line) => /^[ >*!]{3} +\d+ /.test(line));
  t.true(rows.length >= 10);
  for (const row of rows) {
    const number = Number(/^.{3} *(\d+)/.exec(row)?.[1]);
    const ttl = ttls.get(String(number)) ?? '';
    t.regex(row, new RegExp(` \\d+ ${ttl === '' ? ' {12}' : `${ttl} +`} `), `frame ${number}: TTL ${ttl}`);
  }
  await press(app, 'c');
  await expectShown(t, app, /ip\.ttl is a column already/);

  // The columns view: Time hidden, then moved after Source, Source made 20 wide.
  await press(app, 'O');
  await expectShown(t, app, /^> \[x\] No\. +%m +fitted/m);
  await press(app, 'j', ' ');
  await expectShown(t, app, /^> \[ \] Time +%t +fitted/m);
  t.true(saved.at(-1)?.find((column) => column.spec.format === '%t')?.hidden);
  await press(app, '>', '>');
  t.deepEqual(saved.at(-1)?.slice(0, 4).map((column) => column.spec.format), ['%m', '%tap', '%s', '%t']);
  // + starts from the width Source has in the list (its addresses), not from its title's.
  await press(app, 'k', '+', '+');
  const wide = Number(/^> \[x\] Source +%s +(\d+) wide/m.exec(await expectShown(t, app, /^> \[x\] Source +%s +\d+ wide/m))?.[1]);
  t.true(wide >= '10.77.0.1'.length + 2, String(wide));
  t.is(saved.at(-1)?.find((column) => column.spec.format === '%s')?.width, wide);
  await press(app, KEY.escape);
  screen = await expectShown(t, app, /No\. +Tap +Source +Destination/);
  t.notRegex(screen.split('\n').find((line) => line.includes('No.')) ?? '', / Time (?!to Live)/);
  // A row's Source is as wide as set: its Destination starts one column after it.
  const row = plain(app.lastFrame()).split('\n').find((line) => / 10\.77\.0\.1 +10\.77\.0\.2 /.test(line)) ?? '';
  t.is(row.indexOf('10.77.0.2') - row.indexOf('10.77.0.1'), wide + 1);
  app.unmount();
});
