// Our own namespace lab: record fresh traffic now (client and server namespaces over a veth), then
// check tsshark against tshark on it, and its direction arrows against the packet types tcpdump saw.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { repoRoot } from './helpers/corpus.js';
import { compareWithTshark, describeMismatches } from './helpers/differential.js';
import { tssharkFields } from './helpers/decode.js';
import { labUnavailable } from './helpers/netns.js';
import { tsharkPresent, TSHARK_ABSENT } from './helpers/tshark.js';

test('a capture recorded now in our namespace lab decodes as tshark decodes it', async (t) => {
  const unavailable = labUnavailable();
  if (unavailable) return t.pass(unavailable);
  if (!tsharkPresent) return t.pass(TSHARK_ABSENT);
  const dir = mkdtempSync(join(tmpdir(), 'tsshark-lab-'));
  try {
    const file = join(dir, 'lab.pcap');
    execFileSync('bash', [join(repoRoot, 'test/lab/record-sample.sh'), file], { timeout: 60_000, stdio: 'ignore' });
    const result = await compareWithTshark(file, 'lab recording');
    t.true(result.compared > 20, `${result.compared} frames compared`);
    t.deepEqual(describeMismatches(result.mismatches).examples, []);
    // Directions: SLL2's packet type 4 is outgoing (↑), the rest arrived (↓).
    const rows = await tssharkFields(file, ['sll.pkttype', 'tap.direction', 'dns.flags.response']);
    for (const [pkttype, direction] of rows) t.is(direction, pkttype === '4' ? 'egress' : 'ingress');
    // The server's namespace sends the DNS responses and receives the queries.
    const dns = rows.filter(([, , response]) => response !== '');
    t.true(dns.length >= 6);
    for (const [, direction, response] of dns) t.is(direction, response === '1' ? 'egress' : 'ingress');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
