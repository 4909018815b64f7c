// The start screen (tsshark with neither -i nor -r): interfaces with their details and a packet-rate
// sparkline from counters read each tick, a capture filter libpcap checks as it is typed, Space marking
// several, Enter handing the choice over; and end to end in tmux as root: chosen on the screen, capturing on
// loopback with the filter.
import { execFileSync } from 'node:child_process';
import test from 'ava';
import { render } from 'ink-testing-library';
import { InterfaceFlag, loadPcapAddon, type DeviceDescription } from '../../src/capture/native/addon.js';
import { StartScreen, type StartChoice } from '../../src/ui/StartScreen.js';
import { sparkline } from '../../src/ui/start-rates.js';
import { expectShown, KEY, pause, plain, press, started } from '../helpers/app.js';
import { Terminal, TMUX_ABSENT, tmuxPresent } from '../helpers/terminal.js';

const DEVICES: DeviceDescription[] = [
  { name: 'eth0', description: undefined, flags: InterfaceFlag.UP | InterfaceFlag.RUNNING, addresses: [{ family: 4, address: '10.0.0.5', prefixLength: 24 }] },
  { name: 'any', description: 'Pseudo-device that captures on all interfaces', flags: InterfaceFlag.UP | InterfaceFlag.RUNNING, addresses: [] },
  { name: 'lo', description: undefined, flags: InterfaceFlag.UP | InterfaceFlag.RUNNING | InterfaceFlag.LOOPBACK, addresses: [{ family: 4, address: '127.0.0.1', prefixLength: 8 }] },
];

test('interfaces with their rates; the capture filter checked by libpcap; Space marks several; Enter starts', async (t) => {
  const calls = new Map<string, number>();
  const choices: (StartChoice | 'quit')[] = [];
  const addon = loadPcapAddon();
  // At each reading (a tick) eth0 has counted 100 packets more, lo 10; any has no counters.
  const counter = (name: string) => {
    calls.set(name, (calls.get(name) ?? 0) + 1);
    return name === 'any' ? undefined : (calls.get(name) ?? 0) * (name === 'eth0' ? 100 : 10);
  };
  const app = render(
    <StartScreen devices={DEVICES} packets={counter} checkFilter={(filter) => addon.checkFilter(1, filter)} onStart={(choice) => choices.push(choice)} onQuit={() => choices.push('quit')} columns={100} rows={20} tickMs={250} />,
  );
  t.teardown(() => app.unmount());
  await started();
  let screen = await expectShown(t, app, /^> +eth0 +▁*█+ +400\/s +\[Up, Running/m);
  t.regex(screen, /^ +any +\(Pseudo-device/m);
  t.regex(screen, /^ +lo +[▁█]+ +40\/s/m);
  // Pasted once the line is open. Typed key by key, the first key was lost in runs beside the other UI
  // test files (never alone, nor under CPU load): not understood yet, see the issue's note.
  await press(app, '/');
  await expectShown(t, app, /^Capture filter:(?! \(none)/m);
  await press(app, 'tcp prt 80');
  screen = await expectShown(t, app, /✗ can't parse filter expression: syntax error/);
  // Each key once the screen shows the last one's effect (see above).
  await press(app, KEY.enter);
  await expectShown(t, app, /^Capture filter: tcp prt 80$/m);
  // This Enter was lost once in a full run on 2 cores (the screen showed the line closed, the Enter changed
  // nothing for 30 s): not understood (README, "Limits worth knowing"). An Enter here only says why it does not
  // start, so two are the same as one.
  await pressUntilShown(app, KEY.enter, /The capture filter does not compile/);
  await expectShown(t, app, /The capture filter does not compile/);
  t.deepEqual(choices, []);
  await press(app, '/');
  await expectShown(t, app, /^Capture filter: tcp prt 80 *$/m);
  // A Ctrl-W was lost the same way once (CI, 2 cores): the line is cleared with Ctrl-U, which a second press
  // leaves as one does, and the filter pasted again.
  await pressUntilShown(app, KEY.ctrlU, /^Capture filter: *$/m);
  await press(app, 'tcp port 80');
  await expectShown(t, app, /✓ libpcap compiles it/);
  await press(app, KEY.enter);
  await expectShown(t, app, /^Capture filter: tcp port 80$/m);
  await press(app, ' ', 'j', 'j', ' ', KEY.enter);
  t.deepEqual(choices, [{ interfaces: ['eth0', 'lo'], captureFilter: 'tcp port 80' }]);
  await press(app, 'q');
  t.is(choices[1], 'quit');
});

/**
 * Presses `key`, again (at most twice more) while the screen has not shown `pattern` 3 s later: for keys a
 * second press of which does what one does, where a lost key is not what the test is about.
 */
async function pressUntilShown(app: Parameters<typeof press>[0] & { lastFrame(): string | undefined }, key: string, pattern: RegExp): Promise<void> {
  for (let tries = 0; tries < 3; tries++) {
    await press(app, key);
    for (const deadline = Date.now() + 3000; Date.now() < deadline; await pause(50)) if (pattern.test(plain(app.lastFrame()))) return;
  }
}

test('a sparkline scales to its largest rate', (t) => {
  t.is(sparkline([0, 0, 0]), '▁▁▁');
  t.is(sparkline([0, 50, 100]), '▁▅█');
});

const rootAbsent = process.getuid?.() !== 0 ? 'skipped: capturing needs root' : undefined;
const ready = !tmuxPresent ? TMUX_ABSENT : rootAbsent;
(ready ? test.skip : test)(`tsshark with no arguments: the start screen, then a capture on lo with its filter${ready ? ` (${ready})` : ''}`, async (t) => {
  const terminal = new Terminal(100, 30, []);
  t.teardown(() => terminal.close());
  await terminal.waitFor(t, /tsshark: capture from │ Enter starts/);
  // As many j as rows lie between the selection and lo, counted once: a loop that pressed j until the screen
  // showed lo overshot it when a redraw came later than its wait (a loaded CI machine).
  const rows = (await terminal.waitFor(t, /^> /m)).split('\n');
  const selected = rows.findIndex((row) => row.startsWith('> '));
  const lo = rows.findIndex((row) => /^[> ] +lo /.test(row));
  t.true(selected >= 0 && lo >= 0, 'a selection and lo are on the screen');
  terminal.keys(...Array.from({ length: Math.abs(lo - selected) }, () => (lo > selected ? 'j' : 'k')));
  await terminal.waitFor(t, /^> +lo /m);
  terminal.keys('/');
  terminal.type('icmp');
  terminal.keys('Enter');
  await terminal.waitFor(t, /✓ libpcap compiles it/);
  terminal.keys('Enter');
  await terminal.waitFor(t, /│ live/);
  execFileSync('ping', ['-c', '3', '-i', '0.2', '127.0.0.1'], { stdio: 'ignore', timeout: 10_000 });
  // A datagram the capture filter leaves out.
  execFileSync(process.execPath, ['-e', "require('dgram').createSocket('udp4').send('x', 9, '127.0.0.1', (e) => process.exit(0))"], { timeout: 10_000 });
  const screen = await terminal.waitFor(t, /ICMP .*Echo \(ping\) reply.*\n(.*\n)*.*ICMP .*Echo \(ping\) reply.*\n(.*\n)*.*ICMP .*Echo \(ping\) reply/);
  t.notRegex(screen, /UDP /);
  terminal.keys('q');
  await terminal.waitFor(t, /exit status 0/);
});
