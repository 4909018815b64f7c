// The mouse in the whole UI (SGR reports written as a terminal sends them): a click selects a packet row,
// a tree line (again: opens it) or a byte's field; the wheel scrolls the pane under the pointer and a
// view; with the mouse off, reports do nothing and never reach a line as text.
import test from 'ava';
import { render } from 'ink-testing-library';
import { App } from '../../src/ui/App.js';
import { layoutFor } from '../../src/ui/layout.js';
import { expectShown, KEY, plain, press, sampleFrames, sessionOf, SIZE, started } from '../helpers/app.js';

/** A left click at 0-based column `x`, row `y`: the press and the release, as xterm's SGR mode reports them. */
const click = (x: number, y: number) => `\u001b[<0;${x + 1};${y + 1}M\u001b[<0;${x + 1};${y + 1}m`;
const wheelDown = (x: number, y: number) => `\u001b[<65;${x + 1};${y + 1}M`;
const wheelUp = (x: number, y: number) => `\u001b[<64;${x + 1};${y + 1}M`;

const layout = layoutFor(SIZE.rows);
const listRow = (offset: number) => 1 + offset;
const treeLine = (offset: number) => 2 + layout.listRows + offset;
const hexRow = (offset: number) => 3 + layout.listRows + layout.treeRows + offset;

test('clicks select a row, a tree line (a second click opens it) and the field of a byte; the wheel scrolls the pane under it', async (t) => {
  const { frames, interfaces } = await sampleFrames();
  const app = render(<App session={sessionOf(frames, interfaces)} colour={false} onQuit={() => undefined} size={SIZE} />);
  await started();
  await press(app, click(20, listRow(4)));
  await expectShown(t, app, /^> +5 .*Echo \(ping\) request/m);
  await press(app, wheelDown(20, listRow(0)));
  await expectShown(t, app, /^> +8 .*Echo \(ping\) request/m);
  await press(app, wheelUp(20, listRow(0)));
  await expectShown(t, app, /^> +5 /m);
  // The tree: Tap, Frame, cooked header, IPv4 (the fourth line), ICMP.
  await press(app, click(10, treeLine(3)));
  await expectShown(t, app, /^ip — Internet Protocol Version 4/m);
  await press(app, click(10, treeLine(3)));
  await expectShown(t, app, /▾ Internet Protocol Version 4.*\n +Version: 4/);
  // The bytes: offset 0x20 (the third row's first byte) is the IPv4 source address's first byte, in hex
  // and in the ASCII column; 0x1c, the TTL.
  await press(app, click(6, hexRow(2)));
  await expectShown(t, app, /^ip\.src — /m);
  await expectShown(t, app, /Frame \(104 bytes\) — Source Address: 10\.77\.0\.1/);
  await press(app, click(6 + 12 * 3 + 1, hexRow(1)));
  await expectShown(t, app, /^ip\.ttl — /m);
  await press(app, click(57 + 2, hexRow(2)));
  await expectShown(t, app, /^ip\.src — /m);
  // The wheel over the tree moves its cursor, not the list's selection.
  await press(app, wheelDown(10, treeLine(0)));
  await expectShown(t, app, /^> +5 /m);
  app.unmount();
});

test('the wheel scrolls a view; with the mouse off reports do nothing, and never become text in a line', async (t) => {
  const { frames, interfaces } = await sampleFrames();
  const app = render(<App session={sessionOf(frames, interfaces)} colour={false} onQuit={() => undefined} size={SIZE} mouse={false} />);
  await started();
  await press(app, click(20, listRow(4)), wheelDown(20, listRow(0)));
  await expectShown(t, app, /^> +1 /m);
  await press(app, '/', click(20, listRow(4)), ...'icmp');
  await expectShown(t, app, /^\/icmp *$/m);
  await press(app, KEY.escape);
  app.unmount();

  const withMouse = render(<App session={sessionOf(frames, interfaces)} colour={false} onQuit={() => undefined} size={SIZE} />);
  await started();
  await press(withMouse, '?');
  await expectShown(t, withMouse, /^ *Anywhere/m);
  await press(withMouse, wheelDown(10, 5), wheelDown(10, 5));
  // Six lines down, the section's title is off the top.
  t.notRegex(plain(withMouse.lastFrame()), /^ *Anywhere/m);
  withMouse.unmount();
});
