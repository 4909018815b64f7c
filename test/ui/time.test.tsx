// The Time column in the interface: `t` and `:time` switch its format, each row's text equal to tshark's -t
// (dd from the previous displayed row, under a filter); Ctrl-T makes a frame a time reference, shown *REF*,
// from which later relative times count.
import test from 'ava';
import { render } from 'ink-testing-library';
import { App } from '../../src/ui/App.js';
import { expectShown, KEY, press, SAMPLE, sampleFrames, sessionOf, SIZE, started } from '../helpers/app.js';
import { tsharkLines } from '../helpers/tshark.js';

const CTRL_T = '\u0014';
/** Wide enough for every time whole beside the sample's IPv6 addresses (narrower, Time gives Info room). */
const WIDE = { ...SIZE, columns: 160 };

/** tshark's Time column for frame `number` in `format`, under `filter`. */
async function tsharkTime(format: string, number: number, filter = ''): Promise<string> {
  const lines = await tsharkLines(['-r', SAMPLE, '-t', format, ...(filter ? ['-Y', filter] : []), '-T', 'fields', '-e', 'frame.number', '-e', '_ws.col.Time']);
  const line = lines.find((each) => each.startsWith(`${number}\t`));
  if (line === undefined) throw new Error(`tshark shows no frame ${number}`);
  return line.slice(line.indexOf('\t') + 1);
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The list's row of frame `number` with `time` in its Time column. */
const rowWith = (number: number, time: string) => new RegExp(`^.{3} +${number} +${escaped(time)} `, 'm');

test('t goes through the time formats, each as tshark -t shows it; :time takes any, and names them when wrong', async (t) => {
  const { frames, interfaces } = await sampleFrames();
  const app = render(<App session={sessionOf(frames, interfaces)} colour={false} onQuit={() => undefined} size={WIDE} />);
  await started();
  await expectShown(t, app, rowWith(6, await tsharkTime('r', 6)));
  await press(app, 't');
  await expectShown(t, app, /Time: seconds since the previous captured frame \(d\)/);
  await expectShown(t, app, rowWith(6, await tsharkTime('d', 6)));
  await press(app, 't', 't');
  await expectShown(t, app, /Time: time of day \(a\)/);
  await expectShown(t, app, rowWith(6, await tsharkTime('a', 6)));
  await press(app, 't');
  // The date and time is wider: the column grows to it.
  await expectShown(t, app, rowWith(6, await tsharkTime('ad', 6)));
  await press(app, ':', ...'time udoy', KEY.enter);
  await expectShown(t, app, rowWith(6, await tsharkTime('udoy', 6)));
  await press(app, ':', ...'time x', KEY.enter);
  await expectShown(t, app, /:time takes one of a ad adoy d dd e r u ud udoy/);
  // Delta displayed counts from the row above under a filter, not from the frame captured before.
  await press(app, '/', ...'icmp', KEY.enter);
  await expectShown(t, app, /filter: icmp/);
  await press(app, ':', ...'time dd', KEY.enter);
  await expectShown(t, app, rowWith(8, await tsharkTime('dd', 8, 'icmp')));
  await expectShown(t, app, rowWith(12, await tsharkTime('dd', 12, 'icmp')));
  app.unmount();
});

test('Ctrl-T: a time reference shows *REF* and relative times after it count from it; again clears it', async (t) => {
  const { frames, interfaces } = await sampleFrames();
  const app = render(<App session={sessionOf(frames, interfaces)} colour={false} onQuit={() => undefined} size={WIDE} />);
  await started();
  const relative = async (number: number) => Number(await tsharkTime('r', number));
  await press(app, ':', ...'5', KEY.enter, CTRL_T);
  await expectShown(t, app, /Frame 5 is a time reference/);
  await expectShown(t, app, /^.{3} +5 +\*REF\* /m);
  const sinceFive = ((await relative(8)) - (await relative(5))).toFixed(6);
  await expectShown(t, app, rowWith(8, sinceFive));
  // Frames before the reference keep counting from the first frame.
  await expectShown(t, app, rowWith(4, await tsharkTime('r', 4)));
  await press(app, CTRL_T);
  await expectShown(t, app, /Frame 5 is no longer a time reference/);
  await expectShown(t, app, rowWith(8, await tsharkTime('r', 8)));
  app.unmount();
});
