// Copy (y) in the whole UI with a clipboard that records what it is given: each item of the menu, and a
// refusal, after which the text is written to the file the user names.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { render } from 'ink-testing-library';
import { App } from '../../src/ui/App.js';
import { MOST_COPIED, osc52, terminalClipboard, tmuxRefusal, type Clipboard, type CopyResult } from '../../src/ui/clipboard.js';
import { expectShown, KEY, press, sampleFrames, sessionOf, SIZE, started } from '../helpers/app.js';

/** A clipboard that keeps what it is given, or refuses with `refusal`. */
function recording(refusal?: string): Clipboard & { copied: string[] } {
  const copied: string[] = [];
  return {
    copied,
    copy(text): CopyResult {
      if (refusal) return { ok: false, reason: refusal };
      copied.push(text);
      return { ok: true, message: 'Copied' };
    },
  };
}

test("y copies the field's value, its filter, the row and the hex dump", async (t) => {
  const { frames, interfaces } = await sampleFrames();
  const clipboard = recording();
  const app = render(<App session={sessionOf(frames, interfaces)} colour={false} onQuit={() => undefined} size={SIZE} clipboard={clipboard} />);
  await started();
  // Frame 5's source address, found in its tree.
  await press(app, ':', ...'4', KEY.enter, KEY.tab, '\u0006', KEY.tab, KEY.tab, KEY.tab, KEY.tab, ...'Source Address: 10.77.0.1', KEY.enter);
  await expectShown(t, app, /^ *Source Address: 10\.77\.0\.1/m);
  await press(app, 'y');
  await expectShown(t, app, /^Copy: v value · f filter · s summary line · x hex dump · Esc/m);
  await press(app, 'v');
  await expectShown(t, app, /Copied: value "10\.77\.0\.1"/);
  await press(app, 'y', 'f');
  await expectShown(t, app, /Copied: filter "ip\.src == 10\.77\.0\.1"/);
  await press(app, 'y', 's');
  await expectShown(t, app, /Copied: summary line "5 0\.692696 ↓ 10\.77\.0\.1 → 10\.77\.0\.2 ICMP 104 Echo/);
  await press(app, 'y', 'x');
  await expectShown(t, app, /Copied: hex dump/);
  await press(app, 'y', KEY.escape);
  t.deepEqual(clipboard.copied.slice(0, 2), ['10.77.0.1', 'ip.src == 10.77.0.1']);
  t.regex(clipboard.copied[2], /^5 0\.692696 ↓ 10\.77\.0\.1 → 10\.77\.0\.2 ICMP 104 Echo \(ping\) request {2}id=0x7173, seq=1\/256, ttl=64$/);
  // tshark -x's layout: 104 bytes in 7 lines of 16.
  const dump = clipboard.copied[3].split('\n').filter(Boolean);
  t.is(dump.length, 7);
  t.regex(dump[0], /^00000000 {2}08 00 00 00 00 00 00 02 {2}00 01 00 06 a2 b6 a1 e9 {2}\.{8} \.{8}$/);
  t.is(clipboard.copied.length, 4);
  app.unmount();
});

test('a refused copy says why and offers a file, which gets the text', async (t) => {
  const { frames, interfaces } = await sampleFrames();
  const directory = mkdtempSync(join(tmpdir(), 'tsshark-copy-'));
  const app = render(<App session={sessionOf(frames, interfaces)} colour={false} onQuit={() => undefined} size={SIZE} clipboard={recording('tmux drops it')} />);
  try {
    await started();
    await press(app, ':', ...'5', KEY.enter, 'y', 's');
    await expectShown(t, app, /^Not copied \(tmux drops it\)\. Write to file:/m);
    const path = join(directory, 'row.txt');
    await press(app, ...path, KEY.enter);
    await expectShown(t, app, /Wrote \d+ bytes to /);
    t.regex(readFileSync(path, 'utf8'), /^5 0\.692696 ↓ 10\.77\.0\.1 → 10\.77\.0\.2 ICMP 104 Echo/);
  } finally {
    app.unmount();
    rmSync(directory, { recursive: true, force: true });
  }
});

test('OSC 52 carries base64 alone; GNU screen gets it passed through; tmux refuses unless set-clipboard is on; too much goes to a file', (t) => {
  const hostile = 'a\u001b]0;title\u0007\u009b2J';
  const sequence = osc52(hostile);
  t.regex(sequence, /^\u001b\]52;c;[A-Za-z0-9+/=]+\u0007$/);
  t.is(Buffer.from(sequence.slice(7, -1), 'base64').toString('utf8'), hostile);
  t.regex(osc52('x', true), /^\u001bP\u001b\]52;c;eA==\u0007\u001b\\$/);
  t.is(tmuxRefusal('on\n'), undefined);
  t.is(tmuxRefusal('external\n'), "tmux's set-clipboard is external");
  t.is(tmuxRefusal('off'), "tmux's set-clipboard is off");
  const written: string[] = [];
  const clipboard = terminalClipboard((text) => written.push(text), { STY: '1234.pts-0.host' });
  t.true(clipboard.copy('value').ok);
  t.true(written[0].startsWith('\u001bP'));
  const large = clipboard.copy('x'.repeat(MOST_COPIED + 1));
  t.false(large.ok);
  t.is(written.length, 1);
});
