// Blind spots, warned when a live capture starts (namespace lab, root): an XDP program on the captured
// device (before the ingress tap) and tc egress filters (before the egress tap) are each named once on
// stderr; a device without them gets no warning.
import test from 'ava';
import { findBlindSpots } from '../src/capture/blind-spots.js';
import { CLIENT_IF, labFor, runIn, SERVER_IF, tssharkIn } from './helpers/netns.js';
import { xdpOn } from './lab/tap-lab.js';

test.serial('a live capture warns once of an XDP program and of tc egress filters on its device, and of nothing on a clean one', async (t) => {
  const lab = labFor(t, ['ip', 'tc', 'gcc']);
  if (!lab) return;
  const stopXdp = await xdpOn(lab.server, SERVER_IF, 'pass');
  t.teardown(stopXdp);
  runIn(lab.server, ['tc', 'qdisc', 'add', 'dev', SERVER_IF, 'clsact']);
  runIn(lab.server, ['tc', 'filter', 'add', 'dev', SERVER_IF, 'egress', 'protocol', 'ip', 'u32', 'match', 'u32', '0', '0']);
  const warned = await tssharkIn(lab.server, ['-i', SERVER_IF, '-a', 'duration:1', '-q']).done;
  t.is(warned.status, 0, warned.stderr);
  const warnings = warned.stderr.split('\n').filter((line) => line.startsWith('tsshark: warning: '));
  t.deepEqual(warnings, [
    `tsshark: warning: ${SERVER_IF}: XDP program lab_prog (id ${/id (\d+)/.exec(warnings[0] ?? '')?.[1]}, generic XDP) runs before the ingress tap: what it drops or redirects is never shown as received, what it rewrites is shown rewritten`,
    `tsshark: warning: ${SERVER_IF}: tc egress filters (u32) run before the egress tap: what they drop or redirect is never shown as sent`,
  ]);
  const clean = await tssharkIn(lab.client, ['-i', CLIENT_IF, '-a', 'duration:1', '-q']).done;
  t.is(clean.status, 0, clean.stderr);
  t.notRegex(clean.stderr, /warning/);
});

test('nflog sources have no blind spots to look for', (t) => {
  t.deepEqual(findBlindSpots(['nflog:5']), { findings: [], unread: [] });
});
