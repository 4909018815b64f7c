// --trace: the kernel's nftables trace messages as this kernel sent them, the verdicts they add up to and
// the frames they link to; the tracing table's commands, the rules' texts and the legacy iptables check;
// in the tap lab (root), netfilter's verdicts on the captured frames of an INPUT drop, a FORWARD drop on
// the router and an iptables-nft rule, the same packets delivered with and without --trace, and no table
// left after SIGKILL.
import { execFileSync } from 'node:child_process';
import test, { type ExecutionContext } from 'ava';
import type { TraceStep } from '../src/capture/frame.js';
import { readTraceEvents } from '../src/capture/nft-trace-events.js';
import { legacyTables, parseChainListing, tracingCommands } from '../src/capture/nft-tracer.js';
import type { Datagram } from '../src/decode/frame-meta.js';
import { NetfilterVerdicts, verdictName } from '../src/decode/taps/verdicts.js';
import { liveUnavailable, runIn, startIn, tssharkIn } from './helpers/netns.js';
import { runCli } from './helpers/run.js';
import { captureIn, createTapLab, Net, nft, sendUdp, tapLabTools, type TapLab } from './lab/tap-lab.js';

/**
 * One UDP datagram to 127.0.0.1:9101, traced by a chain `pre` of table `inet tsshark_t` (prerouting, its
 * rule sets nftrace) and dropped by rule handle 2 of `inet hold inp` (input): the four messages
 * NFNLGRP_NFTRACE gave on 6.18, as nft_trace.cc's records.
 */
const KERNEL_MESSAGES = [
  'ac000000110a000000000000000000000100000008000f00000000020800040000000003080006007631f40b08000200707265000e0001007473736861726b5f740000000c00030000000000000000020c00050008000100ffffffff08000a000000000106000b0003040000180008004500002119374000401123937f0000017f00000111000900c7f4238d000dfe2068656c6c6f0000001200070000000000000000000000000008000000',
  '50000000110a000000000000000000000100000008000f00000000020800040000000003080006007631f40b08000200707265000e0001007473736861726b5f740000000c00050008000100ffffffff',
  '4c000000110a000000000000000000000100000008000f00000000020800040000000001080006007631f40b08000200707265000e0001007473736861726b5f740000000800100000000001',
  'a8000000110a000000000000000000000100000008000f00000000020800040000000003080006007631f40b08000200696e700009000100686f6c64000000000c00030000000000000000020c000500080001000000000008000a000000000106000b0003040000180008004500002119374000401123937f0000017f00000111000900c7f4238d000dfe2068656c6c6f0000001200070000000000000000000000000008000000',
];

function records(messages: readonly string[]): Uint8Array {
  const parts = messages.map((hex) => {
    const message = Buffer.from(hex, 'hex');
    const record = Buffer.alloc(4 + ((message.length + 3) & ~3));
    record.writeUInt32LE(message.length, 0);
    message.copy(record, 4);
    return record;
  });
  return new Uint8Array(Buffer.concat(parts));
}

function kernelEvents(seconds = 1000): TraceStep[] {
  const bytes = records(KERNEL_MESSAGES);
  const events: TraceStep[] = [];
  readTraceEvents(bytes, bytes.length, seconds, (event) => events.push(event));
  return events;
}

/** The datagram the captured frame of that packet holds: the IPv4 header and UDP datagram of the event. */
function capturedDatagram(): Datagram {
  const bytes = Buffer.from('4500002119374000401123937f0000017f000001c7f4238d000dfe2068656c6c6f', 'hex');
  return { version: 4, bytes, headerAt: 0, payloadAt: 20, protocol: 17, length: 33, fragment: false };
}

const HOLD_RULE = 'udp dport 9101 drop';
const ruleTexts = (event: { table: string; handle: number }) => (event.table === 'hold' && event.handle === 2 ? HOLD_RULE : undefined);

test("the kernel's trace messages give each step: table, chain, type, handle, verdict, and the headers in a chain's first", (t) => {
  const events = kernelEvents();
  t.deepEqual(
    events.map((event) => [event.family, event.table, event.chain, event.type, event.handle, event.verdict, event.policy, event.network?.length, event.transport?.length]),
    [
      ['inet', 'tsshark_t', 'pre', 3, 2, -1, undefined, 20, 13],
      ['inet', 'tsshark_t', 'pre', 3, 0, -1, undefined, undefined, undefined],
      ['inet', 'tsshark_t', 'pre', 1, 0, undefined, 1, undefined, undefined],
      ['inet', 'hold', 'inp', 3, 2, 0, undefined, 20, 13],
    ],
  );
  t.true(events.every((event) => event.id === 0x7631f40b && event.seconds === 1000));
  // The interfaces come with the headers: lo, index 1.
  t.deepEqual(events.map((event) => event.iif), [1, 0, 0, 1]);
  // A record cut short and a message of another kind are skipped.
  const bytes = records([KERNEL_MESSAGES[3]]);
  let seen = 0;
  readTraceEvents(bytes, bytes.length - 40, 0, () => seen++);
  t.is(seen, 0);
});

test('verdicts are named as nft names them', (t) => {
  t.is(verdictName(0), 'drop');
  t.is(verdictName(1), 'accept');
  t.is(verdictName((7 << 16) | 3), 'queue 7');
  t.is(verdictName(-3, 'sub'), 'jump sub');
  t.is(verdictName(-1), 'continue');
});

test("a packet's events add up to its verdict, without tsshark's own table, and its frame links to them", (t) => {
  const verdicts = new NetfilterVerdicts(new Set(['inet tsshark_t']), ruleTexts);
  for (const event of kernelEvents(1000)) verdicts.add(event);
  t.is(verdicts.traced, 1);
  t.is(verdicts.dropped, 1);
  const packet = verdicts.link(capturedDatagram(), 999.999);
  t.truthy(packet);
  t.is(packet?.verdict, 'drop');
  t.is(packet?.verdictBy, `inet hold inp handle 2: ${HOLD_RULE}`);
  t.deepEqual(packet?.steps, [`inet hold inp handle 2: ${HOLD_RULE} (verdict drop)`]);
  // Another datagram (IPv4 id changed), and the same one outside the link window, link nothing.
  const other = capturedDatagram();
  other.bytes = Uint8Array.from(other.bytes);
  other.bytes[5] ^= 1;
  t.is(verdicts.link(other, 1000), undefined);
  t.is(verdicts.link(capturedDatagram(), 1010), undefined);
});

test('a packet no rule of another table ends is accepted; a rule with no text read says so', (t) => {
  const verdicts = new NetfilterVerdicts(new Set(['inet tsshark_t']), () => undefined);
  for (const event of kernelEvents().slice(0, 3)) verdicts.add(event);
  const packet = verdicts.link(capturedDatagram(), 1000);
  t.is(packet?.verdict, 'accept');
  t.is(packet?.verdictBy, '');
  t.deepEqual(packet?.steps, []);
  const all = new NetfilterVerdicts(new Set(), () => undefined);
  for (const event of kernelEvents()) all.add(event);
  t.deepEqual(all.link(capturedDatagram(), 1000)?.steps, [
    'inet tsshark_t pre handle 2: (rule text not read) (verdict continue)',
    'inet tsshark_t pre (verdict continue)',
    'inet tsshark_t pre policy accept',
    'inet hold inp handle 2: (rule text not read) (verdict drop)',
  ]);
});

test("the tracing tables: owner tables, their chains first at their hooks, only the captured devices (received ones at netdev ingress), the match and a bound each", (t) => {
  const commands = tracingCommands('tsshark_trace_7', { devices: ['eth0', 'veth1'], match: 'udp dport 53', rate: 500 });
  for (const family of ['netdev', 'inet']) {
    t.true(commands.includes(`add table ${family} tsshark_trace_7 { flags owner; }`));
    t.true(commands.includes(`add limit ${family} tsshark_trace_7 tsshark_rate { rate 500/second; }`));
  }
  t.true(commands.includes('add chain netdev tsshark_trace_7 ingress { type filter hook ingress devices = { "eth0", "veth1" } priority -2147483648; policy accept; }'));
  const rules = commands.filter((command) => command.startsWith('add rule'));
  t.deepEqual(rules, [
    'add rule netdev tsshark_trace_7 ingress udp dport 53 limit name "tsshark_rate" meta nftrace set 1',
    'add rule inet tsshark_trace_7 output oifname { "eth0", "veth1" } udp dport 53 limit name "tsshark_rate" meta nftrace set 1',
    'add rule inet tsshark_trace_7 forward iifname != { "eth0", "veth1" } oifname { "eth0", "veth1" } udp dport 53 limit name "tsshark_rate" meta nftrace set 1',
  ]);
  for (const chain of commands.filter((command) => command.startsWith('add chain'))) t.regex(chain, /priority -2147483648; policy accept; \}$/);
  // One device is compared rather than looked up.
  const one = tracingCommands('t', { devices: ['eth0'], match: '', rate: 0 });
  t.true(one.includes('add chain netdev t ingress { type filter hook ingress device "eth0" priority -2147483648; policy accept; }'));
  t.true(one.includes('add rule inet t output oifname "eth0" meta nftrace set 1'));
  // Every device, no bound: prerouting sees every packet received (no forward chain), no limit.
  const everything = tracingCommands('t', { devices: [], match: '', rate: 0 });
  t.deepEqual(everything.filter((command) => command.startsWith('add rule')), ['add rule inet t prerouting meta nftrace set 1', 'add rule inet t output meta nftrace set 1']);
  t.false(everything.some((command) => command.includes('limit') || command.includes('netdev')));
});

test("a chain's listing gives its rules by handle, not the table's, the chain's or a set's own lines", (t) => {
  const listing = [
    'table ip filter { # handle 4',
    '\tset blocked { # handle 5',
    '\t\ttype ipv4_addr',
    '\t}',
    '\tchain INPUT { # handle 1',
    '\t\ttype filter hook input priority filter; policy accept;',
    '\t\tmeta l4proto udp udp dport 9106 counter drop # handle 7',
    '\t\tip saddr @blocked drop # handle 9',
    '\t}',
    '}',
  ].join('\n');
  t.deepEqual([...parseChainListing(listing)], [
    [7, 'meta l4proto udp udp dport 9106 counter drop'],
    [9, 'ip saddr @blocked drop'],
  ]);
});

test('legacy iptables tables loaded in the namespace are found; none loaded, none said', (t) => {
  const files: Record<string, string> = { '/proc/net/ip_tables_names': 'filter\nnat\n', '/proc/net/ip6_tables_names': '' };
  const read = (path: string) => {
    if (!(path in files)) throw new Error('ENOENT');
    return files[path];
  };
  t.deepEqual(legacyTables(read), ['iptables filter, nat']);
  t.deepEqual(legacyTables(() => ''), []);
});

test('--trace needs a live capture; --trace-rate needs --trace and a whole number', async (t) => {
  const file = await runCli(['-r', 'samples/lab.pcap', '--trace']);
  t.is(file.status, 1);
  t.regex(file.stderr, /--trace traces netfilter while capturing live \(-i\)/);
  t.regex((await runCli(['-r', 'samples/lab.pcap', '--trace-rate', '5'])).stderr, /--trace-rate bounds --trace: give --trace too/);
  t.regex((await runCli(['-i', 'lo', '--trace', '--trace-rate', 'x'])).stderr, /invalid --trace-rate "x"/);
  t.regex((await runCli(['-i', 'lo', '--trace', 'udp', 'dport'])).stderr, /Unexpected argument 'dport'/);
});

// ---- the tap lab (root) ---------------------------------------------------------------------------

const unavailable = liveUnavailable(['ip']) ?? tapLabTools();
const CAPTURE_S = 2;
const FIELDS = ['udp.dstport', 'tap.direction', 'tap.iface', 'tap.verdict', 'tap.verdict_by', 'tap.path'];

function labTest(name: string, run: (t: ExecutionContext, lab: TapLab) => Promise<unknown>): void {
  test.serial(name, async (t) => {
    if (unavailable) return t.pass(unavailable);
    const lab = createTapLab();
    t.teardown(() => lab.remove());
    await run(t, lab);
  });
}

function missing(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return false;
  } catch {
    return true;
  }
}

const tables = (ns: string) => execFileSync('ip', ['netns', 'exec', ns, '/usr/sbin/nft', 'list', 'tables'], { encoding: 'utf8' });

labTest('an INPUT drop: the frame says drop, names the rule, and its path ends there; the port next to it is accepted', async (t, lab) => {
  nft(lab.server, 'table inet filter { chain input { type filter hook input priority 0; udp dport 9101 drop; }; }\n');
  const { rows, stderr } = await captureIn(lab.server, [Net.SERVER_IF], FIELDS, 'udp.dstport in {9101 9102}', CAPTURE_S, () => {
    sendUdp(lab.client, Net.SERVER_IP, 9101, 'dropped');
    sendUdp(lab.client, Net.SERVER_IP, 9102, 'accepted');
  }, ['--trace']);
  t.regex(stderr, /tracing netfilter on lab-s, at most 1,000 packets\/s/);
  const dropped = rows.find((row) => row['udp.dstport'] === '9101');
  t.is(dropped?.['tap.verdict'], 'drop', JSON.stringify(rows));
  t.regex(dropped?.['tap.verdict_by'] ?? '', /^inet filter input handle \d+: udp dport 9101 drop$/);
  t.regex(dropped?.['tap.path'] ?? '', /^ingress AF_PACKET lab-s → dropped by inet filter input handle \d+: udp dport 9101 drop$/);
  const accepted = rows.find((row) => row['udp.dstport'] === '9102');
  t.is(accepted?.['tap.verdict'], 'accept');
  t.is(accepted?.['tap.verdict_by'], 'inet filter input policy');
  t.regex(stderr, /packets? traced by netfilter, 1 dropped by a rule or policy/);
  t.notRegex(tables(lab.server), /tsshark_trace/);
});

labTest('a FORWARD drop on the router: the ingress frame says which rule; the forwarded port leaves with accept', async (t, lab) => {
  nft(lab.router, 'table ip fw { chain forward { type filter hook forward priority 0; udp dport 9103 drop; }; }\n');
  const { rows } = await captureIn(lab.router, [Net.ROUTER_CLIENT_IF, Net.ROUTER_SERVER_IF], FIELDS, 'udp.dstport in {9103 9104}', CAPTURE_S, () => {
    sendUdp(lab.client, Net.SERVER_IP, 9103, 'dropped');
    sendUdp(lab.client, Net.SERVER_IP, 9104, 'forwarded');
  }, ['--trace', 'udp dport 9103-9104']);
  const summary = rows.map((row) => `${row['udp.dstport']} ${row['tap.direction']} ${row['tap.iface']} ${row['tap.verdict']}`).sort();
  t.deepEqual(summary, [`9103 ingress ${Net.ROUTER_CLIENT_IF} drop`, `9104 egress ${Net.ROUTER_SERVER_IF} accept`, `9104 ingress ${Net.ROUTER_CLIENT_IF} accept`]);
  t.regex(rows.find((row) => row['udp.dstport'] === '9103')?.['tap.verdict_by'] ?? '', /^ip fw forward handle \d+: udp dport 9103 drop$/);
});

labTest('an iptables-nft rule is named by its handle and text as nft lists it', async (t, lab) => {
  if (missing('iptables-nft')) return t.pass('skipped: iptables-nft is not installed (.ci/run installs iptables)');
  runIn(lab.server, ['iptables-nft', '-A', 'INPUT', '-p', 'udp', '--dport', '9106', '-j', 'DROP']);
  const { rows } = await captureIn(lab.server, [Net.SERVER_IF], FIELDS, 'udp.dstport == 9106', CAPTURE_S, () => sendUdp(lab.client, Net.SERVER_IP, 9106, 'x'), ['--trace']);
  t.is(rows[0]?.['tap.verdict'], 'drop', JSON.stringify(rows));
  t.regex(rows[0]?.['tap.verdict_by'] ?? '', /^ip filter INPUT handle \d+: .*udp dport 9106 .*drop$/);
});

/** A UDP server in the server's namespace that counts the datagrams to `port` it gets in `seconds`. */
function countingServer(ns: string, port: number, seconds: number) {
  const script = `const s=require('dgram').createSocket('udp4');let n=0;s.on('message',()=>n++);s.bind(${port},()=>console.error('listening'));setTimeout(()=>{console.log(n);s.close()},${seconds * 1000})`;
  return startIn(ns, [process.execPath, '-e', script], 'listening');
}

function flood(ns: string, port: number, datagrams: number): void {
  const script = `const s=require('dgram').createSocket('udp4');let n=0;const next=()=>n++<${datagrams}?s.send('x',${port},'${Net.SERVER_IP}',next):s.close();next();`;
  runIn(ns, [process.execPath, '-e', script]);
}

labTest("tsshark's table changes no packet's fate: the server gets every datagram with --trace as without", async (t, lab) => {
  const DATAGRAMS = 300;
  const delivered: number[] = [];
  for (const trace of [false, true]) {
    const server = countingServer(lab.server, 9107, 3);
    await server.ready;
    const capture = tssharkIn(lab.server, ['-i', Net.SERVER_IF, '-q', ...(trace ? ['--trace', '--trace-rate', '0'] : [])]);
    await capture.ready;
    flood(lab.client, 9107, DATAGRAMS);
    const counted = await server.done;
    capture.child.kill('SIGINT');
    const result = await capture.done;
    t.is(result.status, 0, result.stderr);
    if (trace) t.regex(result.stderr, /(\d+) packets traced by netfilter, 0 dropped/);
    delivered.push(Number(counted.stdout.trim()));
  }
  t.deepEqual(delivered, [DATAGRAMS, DATAGRAMS]);
});

labTest("a netdev ingress drop in another table is traced: tsshark marks received packets at the earliest hook there is", async (t, lab) => {
  nft(lab.server, `table netdev guard { chain early { type filter hook ingress device ${Net.SERVER_IF} priority 0; udp dport 9108 drop; }; }\n`);
  const { rows } = await captureIn(lab.server, [Net.SERVER_IF], FIELDS, 'udp.dstport == 9108', CAPTURE_S, () => sendUdp(lab.client, Net.SERVER_IP, 9108, 'x'), ['--trace']);
  t.is(rows.length, 1, JSON.stringify(rows));
  t.is(rows[0]?.['tap.verdict'], 'drop');
  t.regex(rows[0]?.['tap.verdict_by'] ?? '', /^netdev guard early handle \d+: udp dport 9108 drop$/);
  t.regex(rows[0]?.['tap.path'] ?? '', / → dropped by netdev guard early handle \d+/);
});

labTest('the tracing table goes with tsshark, also when it is killed with SIGKILL', async (t, lab) => {
  const capture = tssharkIn(lab.server, ['-i', Net.SERVER_IF, '-q', '--trace']);
  await capture.ready;
  t.regex(tables(lab.server), new RegExp(`table inet tsshark_trace_\\d+`));
  t.regex(tables(lab.server), new RegExp(`table netdev tsshark_trace_\\d+`));
  capture.child.kill('SIGKILL');
  await capture.done;
  // `ip netns exec` passes the signal's end on; the kernel closes the dead process's sockets.
  const deadline = Date.now() + 5000;
  while (/tsshark_trace/.test(tables(lab.server)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  t.notRegex(tables(lab.server), /tsshark_trace/);
});

labTest('legacy iptables rules are said once: nftables cannot trace them', async (t, lab) => {
  if (missing('iptables-legacy')) return t.pass('skipped: iptables-legacy is not installed (.ci/run installs iptables)');
  runIn(lab.server, ['iptables-legacy', '-A', 'INPUT', '-p', 'udp', '--dport', '9108', '-j', 'DROP']);
  const { stderr } = await captureIn(lab.server, [Net.SERVER_IF], FIELDS, 'udp', 1, () => {}, ['--trace']);
  const warnings = stderr.split('\n').filter((line) => line.includes('legacy iptables filter tables are loaded'));
  t.is(warnings.length, 1, stderr);
});
