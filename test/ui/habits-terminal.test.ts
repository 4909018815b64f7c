// The habits of issue 18 end to end in tmux at 80x24 and 200x50, on the bundled sample: go to a packet,
// find (Ctrl-F, n), the time format and a time reference, apply a tree field as a filter, click a row, and copy through
// OSC 52 into tmux's paste buffer (set-clipboard on), refused with set-clipboard off.
import { join } from 'node:path';
import test from 'ava';
import { repoRoot } from '../helpers/corpus.js';
import { Terminal, TMUX_ABSENT, tmuxPresent } from '../helpers/terminal.js';
import { tsharkLines, tsharkPresent, TSHARK_ABSENT } from '../helpers/tshark.js';

const ready = !tmuxPresent ? TMUX_ABSENT : !tsharkPresent ? TSHARK_ABSENT : undefined;
const SAMPLE = join(repoRoot, 'samples/lab.pcap');

for (const [columns, rows] of [
  [80, 24],
  [200, 50],
]) {
  (ready ? test.skip : test)(`${columns}x${rows}: go to, find, time format and reference, apply as filter, copy into tmux's buffer${ready ? ` (${ready})` : ''}`, async (t) => {
    const terminal = new Terminal(columns, rows, ['-r', SAMPLE]);
    t.teardown(() => terminal.close());
    terminal.tmux(['set-option', '-g', 'set-clipboard', 'on']);
    await terminal.waitFor(t, /42 frames · 42 shown/);

    terminal.keys('C-g');
    terminal.type('20');
    terminal.keys('Enter');
    await terminal.waitFor(t, /^> +20 /m);

    const [first, second] = (await tsharkLines(['-r', SAMPLE, '-Y', 'dns.qry.name == "nope.lab.test"', '-T', 'fields', '-e', 'frame.number'])).map(Number);
    terminal.keys('C-f');
    await terminal.waitFor(t, /^Find display filter/m);
    terminal.type('dns.qry.name == "nope.lab.test"');
    terminal.keys('Enter');
    await terminal.waitFor(t, new RegExp(`^> +${first} `, 'm'));
    terminal.keys('n');
    await terminal.waitFor(t, new RegExp(`^> +${second} `, 'm'));
    terminal.keys('n');
    await terminal.waitFor(t, /Passed the last frame: found from the first/);

    // Delta time, then the selected frame as a time reference.
    const [delta] = await tsharkLines(['-r', SAMPLE, '-t', 'd', '-Y', `frame.number == ${first}`, '-T', 'fields', '-e', '_ws.col.Time']);
    terminal.keys('t');
    // At 80 columns Time gives Info room: its last digits go (to milliseconds here).
    const shownDelta = columns > 80 ? delta : delta.slice(0, 5);
    await terminal.waitFor(t, new RegExp(`^> +${first} +${shownDelta.replace('.', '\\.')}\\d* `, 'm'));
    terminal.keys('C-t');
    await terminal.waitFor(t, new RegExp(`^> +${first} +\\*REF\\* `, 'm'));

    // The tree has the found field selected: apply it as the filter, copy its value and its filter.
    terminal.keys('Tab');
    await terminal.waitFor(t, /dns\.qry\.name — /);
    terminal.keys('a');
    await terminal.waitFor(t, /42 frames · 2 shown/);
    terminal.keys('y', 'v');
    await terminal.waitFor(t, /Copied \d+ bytes through the terminal \(OSC 52\): value "nope\.lab\.test"/);
    t.is(terminal.tmux(['show-buffer']), 'nope.lab.test');
    terminal.keys('y', 'f');
    await terminal.waitFor(t, /: filter "dns\.qry\.name == /);
    t.is(terminal.tmux(['show-buffer']), 'dns.qry.name == "nope.lab.test"');

    // The mouse: a click on the second row (the screen's third line) selects it.
    terminal.type('\u001b[<0;10;3M\u001b[<0;10;3m');
    await terminal.waitFor(t, new RegExp(`^> +${second} `, 'm'));

    terminal.tmux(['set-option', '-g', 'set-clipboard', 'off']);
    terminal.keys('y', 'v');
    await terminal.waitFor(t, /^Not copied \(tmux's set-clipboard is off\)\. Write to file:/m);
    t.is(terminal.tmux(['show-buffer']), 'dns.qry.name == "nope.lab.test"', 'nothing new in the buffer');
    terminal.keys('Escape');
    terminal.keys('q');
    await terminal.waitFor(t, /exit status 0/);
  });
}
