// End to end in a real terminal: tmux runs the built CLI (with CI unset, which Ink reads as "not
// interactive"), keys are sent, and the screen is read back with capture-pane. Each test has its own
// tmux server (-L), killed when it ends.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { CORPUS, CORPUS_ABSENT, corpusPresent } from '../helpers/corpus.js';
import { CLIPBOARD_PAYLOAD, hostileCapture, hostilePcapng } from '../helpers/hostile.js';
import { Terminal, TMUX_ABSENT, tmuxPresent } from '../helpers/terminal.js';
import { tshark, tsharkLines, tsharkPresent, TSHARK_ABSENT } from '../helpers/tshark.js';

const ready = !tmuxPresent ? TMUX_ABSENT : !tsharkPresent ? TSHARK_ABSENT : !corpusPresent ? CORPUS_ABSENT : undefined;
const FILE = join(CORPUS, 'recorded/rtr-client-side.pcap');

for (const [columns, rows] of [
  [80, 24],
  [200, 50],
]) {
  (ready ? test.skip : test)(`${columns}x${rows}: navigate, expand, filter (an error, then a valid one), mark, export, quit${ready ? ` (${ready})` : ''}`, async (t) => {
    const directory = mkdtempSync(join(tmpdir(), 'tsshark-tmux-'));
    const terminal = new Terminal(columns, rows, ['-r', FILE]);
    t.teardown(() => {
      terminal.close();
      rmSync(directory, { recursive: true, force: true });
    });
    const total = (await tsharkLines(['-r', FILE])).length;
    let screen = await terminal.waitFor(t, new RegExp(`${total.toLocaleString('en-US')} frames · ${total.toLocaleString('en-US')} shown`));
    t.is(screen.split('\n').filter((line) => line !== '').length <= rows, true);
    // At 80 columns the address columns are headed by their short names (Info keeps 30 columns).
    t.regex(screen, columns > 80 ? /^ +No\. +Time +Tap +Source +Destination +Proto +Len +Info/m : /^ +No\. +Time +Tap +Source +Dst +Proto +Len +Info/m);
    t.regex(screen, /^> +1 /m);
    // Every line fits the width: nothing wrapped onto a second line.
    for (const line of screen.split('\n')) t.true(line.length <= columns, line);

    terminal.keys('j', 'j', 'End');
    screen = await terminal.waitFor(t, new RegExp(`^> +${total} `, 'm'));
    terminal.keys('g', 'j', 'j');
    await terminal.waitFor(t, /^> +3 /m);
    terminal.keys('Tab', 'End', 'Enter');
    // Frame 3 is an ICMPv6 neighbour solicitation: its last layer expanded in the tree, the first
    // field's name (for filters) in the status bar.
    screen = await terminal.waitFor(t, /▾ Internet Control Message Protocol v6\n +Type: Neighbor Solicitation \(135\)/);
    terminal.keys('j');
    await terminal.waitFor(t, /icmpv6\.type — /);

    terminal.keys('/');
    terminal.type('tcp.flags.syn == 1 &&');
    screen = await terminal.waitFor(t, /^\/tcp\.flags\.syn == 1 &&/m);
    t.regex(screen, /✗ /);
    terminal.keys('Enter');
    t.regex(terminal.screen(), /^\/tcp\.flags\.syn == 1 &&/m, 'an invalid filter is not applied');
    terminal.keys('BSpace', 'BSpace', 'BSpace');
    await terminal.waitFor(t, /✓ valid/);
    terminal.keys('Enter');
    const syns = await tsharkLines(['-r', FILE, '-Y', 'tcp.flags.syn == 1']);
    screen = await terminal.waitFor(t, new RegExp(`${syns.length} shown .*filter: tcp\\.flags`));
    terminal.keys('Tab', 'Tab', 'g', 'Space', 'j', 'Space');
    screen = await terminal.waitFor(t, /2 marked/);
    t.regex(screen, /^ \* /m);
    const exported = join(directory, 'marked.pcapng');
    terminal.keys('w');
    terminal.type(exported);
    terminal.keys('Enter');
    await terminal.waitFor(t, /Wrote 2 marked frames/);
    const expected = syns.slice(0, 2).map((line) => line.trim().split(/\s+/).slice(2, 6).join(' '));
    t.deepEqual((await tsharkLines(['-r', exported])).map((line) => line.trim().split(/\s+/).slice(2, 6).join(' ')), expected);

    terminal.keys('?');
    await terminal.waitFor(t, /mark every displayed packet/);
    // Apart: ESC followed at once by a character is how terminals send Alt with it.
    terminal.keys('Escape');
    await terminal.waitFor(t, /frames ·/);
    terminal.keys('q');
    screen = await terminal.waitFor(t, /exit status 0/);
    // The alternate screen is gone: the shell's screen is back, with nothing of the UI on it.
    t.notRegex(screen, /frames ·/);
  });
}

(tmuxPresent ? test : test.skip)(`a capture full of escape sequences changes neither the pane title nor the paste buffer, and shows them escaped${tmuxPresent ? '' : ` (${TMUX_ABSENT})`}`, async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'tsshark-tmux-'));
  const file = join(directory, 'hostile.pcapng');
  const dns = join(directory, 'hostile-dns.pcap');
  writeFileSync(file, hostilePcapng());
  writeFileSync(dns, hostileCapture());
  for (const [path, keys] of [
    [file, ['Tab', 'Enter', 'Down', 'Enter']],
    [dns, ['Tab', 'End', 'Enter', 'Down', 'Down', 'Down', 'Down', 'Down', 'Enter', '*']],
  ] as const) {
    const terminal = new Terminal(120, 30, ['-r', path]);
    t.teardown(() => terminal.close());
    terminal.tmux(['set-buffer', 'untouched']);
    const title = terminal.tmux(['display-message', '-p', '#{pane_title}']);
    await terminal.waitFor(t, /1 frames · 1 shown/);
    terminal.keys(...keys);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const screen = terminal.screen();
    t.regex(screen, /\\x1b\]/, screen);
    t.notRegex(screen, /[\x1b\x07\x80-\x9f\u202e]/u);
    t.is(terminal.tmux(['display-message', '-p', '#{pane_title}']), title);
    t.is(terminal.tmux(['show-buffer']), 'untouched');
    t.false(terminal.tmux(['list-buffers']).includes(CLIPBOARD_PAYLOAD));
    terminal.keys('q');
    await terminal.waitFor(t, /exit status 0/);
  }
  rmSync(directory, { recursive: true, force: true });
});

for (const [columns, rows] of [
  [80, 24],
  [200, 50],
]) {
  (ready ? test.skip : test)(`${columns}x${rows}: conversations and endpoints as tshark counts them; Enter filters to a row${ready ? ` (${ready})` : ''}`, async (t) => {
    const terminal = new Terminal(columns, rows, ['-r', FILE]);
    t.teardown(() => terminal.close());
    await terminal.waitFor(t, /3,811 frames · 3,811 shown/);
    // tshark -n -z conv,ip / conv,tcp: the biggest conversation first.
    terminal.keys('C');
    let screen = await terminal.waitFor(t, /\[IPv4 2\]/);
    t.regex(screen, /^10\.201\.1\.2 +10\.201\.2\.2 +3589 +3419484 +1317 +96326/m);
    for (const line of screen.split('\n')) t.true(line.length <= columns, line);
    terminal.keys('Tab', 'Tab');
    screen = await terminal.waitFor(t, /\[TCP 16\]/);
    t.regex(screen, /^10\.201\.1\.2 +44960 +10\.201\.2\.2 +80 +3390 +3370788/m);
    // Sorted by the next column (Bytes), the same row leads; reversed, the smallest.
    terminal.keys('s', 'r');
    screen = await terminal.waitFor(t, /Bytes▲/);
    t.regex(screen, /^10\.201\.1\.2 +46302 +10\.201\.2\.2 +81 +2 +128/m);
    terminal.keys('r', 'Enter');
    screen = await terminal.waitFor(t, /3,390 shown .*filter: ip\.addr/);
    if (columns > 100) t.regex(screen, /filter: ip\.addr==10\.201\.1\.2 && tcp\.port==44960 && ip\.addr==10\.201\.2\.2 && tcp\.port==80/);
    // The endpoints of the kind shown last (tshark -n -z endpoints,tcp).
    terminal.keys('E');
    screen = await terminal.waitFor(t, /Endpoints: .*\[TCP 22\]/);
    t.regex(screen, /^10\.201\.2\.2 +80 +3422 +3379865 +2191 +3297300 +1231/m);
    terminal.keys('Escape');
    await terminal.waitFor(t, /3,390 shown/);
  });
}

for (const [columns, rows] of [
  [80, 24],
  [200, 50],
]) {
  (ready ? test.skip : test)(`${columns}x${rows}: follow a TCP stream as tshark follows it; modes, search, save, next stream${ready ? ` (${ready})` : ''}`, async (t) => {
    const directory = mkdtempSync(join(tmpdir(), 'tsshark-tmux-'));
    const terminal = new Terminal(columns, rows, ['-r', FILE]);
    t.teardown(() => {
      terminal.close();
      rmSync(directory, { recursive: true, force: true });
    });
    await terminal.waitFor(t, /3,811 frames · 3,811 shown/);
    terminal.keys('/');
    terminal.type('http.request');
    terminal.keys('Enter');
    await terminal.waitFor(t, /filter: http\.request/);
    // The first request is in stream 1; f follows it and applies tcp.stream eq 1.
    terminal.keys('f');
    let screen = await terminal.waitFor(t, /Follow TCP stream 1 \(ascii\)/);
    t.regex(screen, /^> GET \/ HTTP\/1\.1$/m);
    t.regex(screen, /^< HTTP\/1\.0 200 OK$/m);
    const inStream = async (stream: number) => (await tsharkLines(['-r', FILE, '-Y', `tcp.stream eq ${stream}`])).length;
    await terminal.waitFor(t, new RegExp(`· ${await inStream(1)} shown`));
    // tshark's hex dump of the same stream, line for line (node 1's lines are indented there).
    const hex = (await tshark(['-n', '-r', FILE, '-q', '-z', 'follow,tcp,hex,1'])).stdout.split('\n').filter((line) => /^\t?[0-9A-F]{8} {2}/.test(line));
    terminal.keys('m');
    screen = await terminal.waitFor(t, /\(hex\)/);
    const shown = screen.split('\n').filter((line) => /^[<>] [0-9A-F]{8} {2}/.test(line));
    t.true(shown.length > 3);
    shown.forEach((line, index) => t.is(line.slice(2), hex[index].replace(/^\t/, '').slice(0, columns - 2).trimEnd()));
    terminal.keys('m', 'm', '/');
    await terminal.waitFor(t, /^Search:/m);
    terminal.type('Content-Length');
    terminal.keys('Enter');
    await terminal.waitFor(t, /Follow TCP stream 1 \(ascii\)/);
    terminal.keys('w');
    await terminal.waitFor(t, /Save TCP stream 1 to:/);
    const saved = join(directory, 'stream.bin');
    terminal.type(saved);
    terminal.keys('Enter');
    await terminal.waitFor(t, /Wrote \d+ bytes of TCP stream 1/);
    // The bytes saved are tshark's raw follow output, both sides in order.
    const raw = (await tshark(['-n', '-r', FILE, '-q', '-z', 'follow,tcp,raw,1'])).stdout.split('\n').filter((line) => /^\t?[0-9a-f]+$/.test(line));
    t.is(readFileSync(saved).toString('hex'), raw.map((line) => line.trim()).join(''));
    terminal.keys(']');
    screen = await terminal.waitFor(t, /Follow TCP stream 2 /);
    terminal.keys('Escape');
    await terminal.waitFor(t, new RegExp(`· ${await inStream(2)} shown`));
  });
}

(ready ? test.skip : test)(`80x24: follow UDP and HTTP streams as tshark follows them, saved byte for byte${ready ? ` (${ready})` : ''}`, async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'tsshark-tmux-'));
  const terminal = new Terminal(80, 24, ['-r', FILE]);
  t.teardown(() => {
    terminal.close();
    rmSync(directory, { recursive: true, force: true });
  });
  await terminal.waitFor(t, /3,811 frames · 3,811 shown/);
  /** tshark's raw follow output of a stream: both sides' bytes, in order, as one hex string. */
  const raw = async (protocol: string, stream: number) =>
    (await tshark(['-n', '-r', FILE, '-q', '-z', `follow,${protocol},raw,${stream}`])).stdout
      .split('\n')
      .filter((line) => /^\t?[0-9a-f]+$/.test(line))
      .map((line) => line.trim())
      .join('');
  const save = async (label: string, name: string) => {
    terminal.keys('w');
    await terminal.waitFor(t, new RegExp(`Save ${label} to:`));
    const path = join(directory, name);
    // The line offers the last path saved: cleared first.
    terminal.keys('C-u');
    terminal.type(path);
    terminal.keys('Enter');
    await terminal.waitFor(t, new RegExp(`Wrote \\d+ bytes of ${label}`));
    return readFileSync(path).toString('hex');
  };
  // Stream 0 is the client's DNS query and its answer.
  terminal.keys(':');
  terminal.type('follow udp 0');
  terminal.keys('Enter');
  await terminal.waitFor(t, /Follow UDP stream 0 \(ascii\)/);
  // udp.stream eq 0 is applied (the status bar is too narrow at 80 columns to show it whole).
  await terminal.waitFor(t, new RegExp(`· ${(await tsharkLines(['-r', FILE, '-Y', 'udp.stream eq 0'])).length} shown`));
  t.is(await save('UDP stream 0', 'udp.bin'), await raw('udp', 0));
  terminal.keys('Escape');
  // HTTP's stream 1: the request's header block, then the response's, with its body.
  terminal.keys(':');
  terminal.type('follow http 1');
  terminal.keys('Enter');
  const screen = await terminal.waitFor(t, /Follow HTTP stream 1 \(ascii\)/);
  t.regex(screen, /^> GET \/ HTTP\/1\.1$/m);
  t.is(await save('HTTP stream 1', 'http.bin'), await raw('http', 1));
});

for (const [columns, rows] of [
  [80, 24],
  [200, 50],
]) {
  (ready ? test.skip : test)(`${columns}x${rows}: the protocol hierarchy counts as tshark -z io,phs; Enter filters to a protocol${ready ? ` (${ready})` : ''}`, async (t) => {
    const terminal = new Terminal(columns, rows, ['-r', FILE]);
    t.teardown(() => terminal.close());
    await terminal.waitFor(t, /3,811 frames · 3,811 shown/);
    const phs = (await tshark(['-n', '-r', FILE, '-q', '-z', 'io,phs'])).stdout;
    terminal.keys('P');
    const screen = await terminal.waitFor(t, /^eth +100\.0 +3811 +100\.0 +3481248$/m);
    // Each row in view has tshark's frames and bytes for its protocol at its depth.
    const rowsShown = screen.split('\n').filter((line) => /^ *[a-z][\w.-]* +\d+\.\d +\d+ +\d+\.\d +\d+$/.test(line));
    t.true(rowsShown.length >= Math.min(10, rows - 6));
    for (const line of rowsShown) {
      const [, indent, name, frames, bytes] = /^( *)(\S+) +\S+ +(\d+) +\S+ +(\d+)$/.exec(line) as RegExpExecArray;
      t.regex(phs, new RegExp(`^${indent}${name.replace(/\./g, '\\.')} +frames:${frames} bytes:${bytes}$`, 'm'), line);
    }
    terminal.keys('j', 'Enter');
    await terminal.waitFor(t, /· 204 shown/);
  });
}

for (const [columns, rows] of [
  [80, 24],
  [200, 50],
]) {
  (ready ? test.skip : test)(`${columns}x${rows}: expert information counts as tshark -z expert; Enter lists a note's frames${ready ? ` (${ready})` : ''}`, async (t) => {
    const terminal = new Terminal(columns, rows, ['-r', FILE]);
    t.teardown(() => terminal.close());
    await terminal.waitFor(t, /3,811 frames · 3,811 shown/);
    const theirs = (await tshark(['-n', '-r', FILE, '-q', '-z', 'expert'])).stdout;
    terminal.keys('X');
    const screen = await terminal.waitFor(t, /^Warns \(7\)$/m);
    // Each note in view has tshark's frequency, group and protocol for its summary.
    const notes = screen.split('\n').filter((line) => /^ +\d+ {2}[A-Z]\w+ +\S+ +\S/.test(line));
    t.true(notes.length >= Math.min(10, rows - 8));
    for (const line of notes) {
      const [, frequency, group, protocol, summary] = /^ +(\d+) {2}(\S+) +(\S+) +(.*)$/.exec(line) as RegExpExecArray;
      if (line.length >= columns) continue;
      t.true(theirs.includes(`${frequency.padStart(12)} ${group.padStart(10)} ${protocol.padStart(18)}  ${summary}`), line);
    }
    // Down to "Connection reset (RST)": its one frame.
    terminal.keys('j', 'Enter');
    const filtered = await terminal.waitFor(t, /· 1 shown/);
    t.regex(filtered, /filter: _ws\.expert\./);
    t.regex(filtered, /Flags: 0x014 \(RST, ACK\)|Src Port: 81/);
  });

  (ready ? test.skip : test)(`${columns}x${rows}: the taps view counts frames per tap point and packets per path; Enter lists a path's frames${ready ? ` (${ready})` : ''}`, async (t) => {
    const file = join(CORPUS, 'recorded/rtr-any-sll2.pcap');
    const terminal = new Terminal(columns, rows, ['-r', file]);
    t.teardown(() => terminal.close());
    await terminal.waitFor(t, /7,618 frames · 7,618 shown/);
    terminal.keys('T');
    const screen = await terminal.waitFor(t, /^ +3755 +ingress AF_PACKET → egress AF_PACKET$/m);
    t.regex(screen, /^ +3797 +3502982 +egress AF_PACKET$/m);
    t.regex(screen, /^ +3821 +3537186 +ingress AF_PACKET$/m);
    // Past the heading and the two points, the blank line and the paths' heading: the first path.
    terminal.keys('j', 'j', 'j', 'j', 'j', 'Enter');
    await terminal.waitFor(t, /· 7,510 shown/);
  });
}
