// tsshark -D's lines: tcpdump -D's flags, then addresses.
import { execFileSync } from 'node:child_process';
import test from 'ava';
import { ConnectionStatus, InterfaceFlag } from '../src/capture/native/addon.js';
import { describeDevice } from '../src/cli/interfaces.js';
import { addonUnavailable } from './helpers/netns.js';
import { runCli } from './helpers/run.js';

test('an interface is described as tcpdump -D describes it, with its addresses after', (t) => {
  const up = InterfaceFlag.UP | InterfaceFlag.RUNNING;
  t.is(
    describeDevice({ name: 'eth0', description: undefined, flags: up | ConnectionStatus.CONNECTED, addresses: [{ family: 4, address: '192.0.2.2', prefixLength: 24 }, { family: 6, address: 'fe80::1', prefixLength: 64 }] }),
    'eth0 [Up, Running, Connected] 192.0.2.2/24 fe80::1/64',
  );
  t.is(describeDevice({ name: 'lo', description: undefined, flags: up | InterfaceFlag.LOOPBACK | ConnectionStatus.NOT_APPLICABLE, addresses: [] }), 'lo [Up, Running, Loopback]');
  t.is(
    describeDevice({ name: 'any', description: 'Pseudo-device that captures on all interfaces', flags: up | ConnectionStatus.NOT_APPLICABLE, addresses: [] }),
    'any (Pseudo-device that captures on all interfaces) [Up, Running]',
  );
  t.is(describeDevice({ name: 'wlan0', description: undefined, flags: InterfaceFlag.WIRELESS | ConnectionStatus.DISCONNECTED, addresses: [] }), 'wlan0 [Wireless, Not associated]');
  t.is(describeDevice({ name: 'ifb0', description: undefined, flags: ConnectionStatus.NOT_APPLICABLE, addresses: [{ family: 4, address: '10.0.0.1', prefixLength: undefined }] }), 'ifb0 [none] 10.0.0.1');
});

test('tsshark -D lists what tcpdump -D lists, in the same order', async (t) => {
  const unavailable = addonUnavailable();
  if (unavailable) return t.pass(unavailable);
  let theirs: string;
  try {
    theirs = execFileSync('tcpdump', ['-D'], { encoding: 'utf8' });
  } catch {
    return t.pass('skipped: tcpdump is not installed (.ci/run installs it)');
  }
  const ours = await runCli(['-D']);
  t.is(ours.status, 0, ours.stderr);
  const withoutAddresses = ours.stdout.split('\n').map((line) => line.replace(/\] .*$/, ']'));
  t.deepEqual(withoutAddresses, theirs.split('\n'));
});
