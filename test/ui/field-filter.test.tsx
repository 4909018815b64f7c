// Apply and prepare as filter from the tree (a, &, |, !, A): the filter each applies, the frames it shows
// (counted by tshark), and what it says on a line that is not a field.
import test from 'ava';
import { render } from 'ink-testing-library';
import { App } from '../../src/ui/App.js';
import { expectShown, KEY, press, SAMPLE, sampleFrames, sessionOf, SIZE, started } from '../helpers/app.js';
import { tsharkLines } from '../helpers/tshark.js';

const shownBy = async (filter: string) => (await tsharkLines(['-r', SAMPLE, '-Y', filter, '-T', 'fields', '-e', 'frame.number'])).length;

test('a applies the tree field == its value, & and | combine it with the filter, ! hides it, A prepares it in the filter line', async (t) => {
  const { frames, interfaces } = await sampleFrames();
  const app = render(<App session={sessionOf(frames, interfaces)} colour={false} onQuit={() => undefined} size={SIZE} />);
  await started();
  // Frame 29's query name, found in its tree (a find starts after the selected frame).
  await press(app, ':', ...'28', KEY.enter, KEY.tab, '\u0006', KEY.tab, KEY.tab, KEY.tab, KEY.tab, ...'Name: nope', KEY.enter);
  await expectShown(t, app, /^ *Name: nope\.lab\.test/m);
  await press(app, 'a');
  let filter = 'dns.qry.name == "nope.lab.test"';
  await expectShown(t, app, new RegExp(`42 frames · ${await shownBy(filter)} shown .*filter: dns\\.qry\\.name == "nope\\.lab\\.test"`));
  // The protocol line: its name alone, or-ed with the filter applied.
  await press(app, 'g');
  await expectShown(t, app, /^ *▸ Tap: /m);
  await press(app, 'j', 'j', 'j', 'j', 'j');
  await expectShown(t, app, /Domain Name System \(query\)/);
  await press(app, '|');
  filter = `(${filter}) || dns`;
  await expectShown(t, app, new RegExp(`42 frames · ${await shownBy(filter)} shown .*filter: \\(dns\\.qry\\.name == "nope\\.lab\\.test"\\) \\|\\| dns`));
  await press(app, '!');
  filter = `(${filter}) && !(dns)`;
  await expectShown(t, app, new RegExp(`42 frames · ${await shownBy(filter)} shown`));
  // A prepares without applying: the filter line opens on the expression.
  await press(app, '/', KEY.ctrlU, KEY.enter, ':', ...'4', KEY.enter, '\u0006', KEY.ctrlU, ...'Source Address: 10.77.0.1', KEY.enter);
  await expectShown(t, app, /^ *Source Address: 10\.77\.0\.1/m);
  await press(app, 'A');
  await expectShown(t, app, /^\/ip\.src == 10\.77\.0\.1 *$/m);
  await press(app, ...' && icmp', KEY.enter);
  filter = 'ip.src == 10.77.0.1 && icmp';
  await expectShown(t, app, new RegExp(`42 frames · ${await shownBy(filter)} shown .*filter: ip\\.src == 10\\.77\\.0\\.1 && icmp`));
  await press(app, '&');
  // The status bar cuts the long filter.
  await expectShown(t, app, /filter: \(ip\.src == 10\.77\.0\.1 && icmp\) && ip\.src == 10\./);
  app.unmount();
});
