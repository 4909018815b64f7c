// The kernel's drops (skb:kfree_skb through a tracefs instance of tsshark's own): the event's lines as the
// kernel prints them, the counts and `-z drops`' table; in the namespace lab (root), UDP to a port nobody
// listens on is counted as NO_SOCKET in __udp4_lib_rcv, and no instance outlives tsshark, also after
// SIGKILL.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { DropCounts, parseKfreeSkb } from '../src/capture/kernel-drops.js';
import { drawDrops } from '../src/cli/drops-report.js';
import { CLIENT_IF, labFor, runIn, sendDatagrams, SERVER_IF, SERVER_IP, tssharkIn, type Lab } from './helpers/netns.js';
import { Terminal } from './helpers/terminal.js';
import { dropInTcx } from './lab/tap-lab.js';
import { runCli, type RunResult } from './helpers/run.js';
import { tsharkLines, tsharkPresent } from './helpers/tshark.js';

/** As trace_pipe printed it on 6.18 (../shared/docs/kernel-why.md). */
const NO_SOCKET_LINE = '            node-11376   [001] ..s1. 24843.435718: kfree_skb: skbaddr=000000001dc2d9c6 rx_sk=0000000000000000 protocol=2048 location=__udp4_lib_rcv+0x4bc/0xd00 reason: NO_SOCKET';
const CLOSED_PORT = 9209;
const DATAGRAMS = 20;

test('a kfree_skb line gives its reason, the function without its offset, and the EtherType', (t) => {
  t.deepEqual(parseKfreeSkb(NO_SOCKET_LINE), { reason: 'NO_SOCKET', location: '__udp4_lib_rcv', protocol: 2048 });
  // Without kernel symbols `%pS` prints an address, kept as it is.
  t.deepEqual(parseKfreeSkb('x-1 [000] ..... 1.0: kfree_skb: skbaddr=00 rx_sk=00 protocol=34525 location=0xffffffff81a2b3c4 reason: IP_RPFILTER'), {
    reason: 'IP_RPFILTER',
    location: '0xffffffff81a2b3c4',
    protocol: 34525,
  });
  t.is(parseKfreeSkb('            node-1 [001] ..s1. 1.0: consume_skb: skbaddr=00 location=tcp_rcv+0x1/0x2'), undefined);
  t.is(parseKfreeSkb('# tracer: nop'), undefined);
});

test('drops are counted by reason, function and protocol, most first, and drawn as a table', (t) => {
  const counts = new DropCounts();
  for (let i = 0; i < 3; i++) counts.add('NO_SOCKET', '__udp4_lib_rcv', 0x0800);
  counts.add('NETFILTER_DROP', 'nf_hook_slow', 0x86dd);
  t.is(counts.total, 4);
  t.deepEqual(
    counts.rows.map((row) => [row.reason, row.count]),
    [
      ['NO_SOCKET', 3],
      ['NETFILTER_DROP', 1],
    ],
  );
  counts.lost = 5;
  const table = drawDrops(counts, 2);
  t.regex(table, /^5 reports lost \(the trace buffer was full\): not counted above$/m);
  t.regex(table, /^Drops: 4 in 2\.0 s \(2\.0\/s\)$/m);
  t.regex(table, /^NO_SOCKET +__udp4_lib_rcv +IPv4 +3$/m);
  t.regex(table, /^NETFILTER_DROP +nf_hook_slow +IPv6 +1$/m);
  // With the drop probe's count of the capture's own namespace beside the host's.
  const here = new DropCounts();
  here.add('NO_SOCKET', '__udp4_lib_rcv', 0x0800);
  const split = drawDrops(counts, 2, here);
  t.regex(split, /^Drops: 4 in 2\.0 s \(2\.0\/s\), 1 here$/m);
  t.regex(split, /^NO_SOCKET +__udp4_lib_rcv +IPv4 +3 +1$/m);
  t.regex(split, /^NETFILTER_DROP +nf_hook_slow +IPv6 +1 +0$/m);
});

test('--drops and -z drops need a live capture', async (t) => {
  const result = await runCli(['-r', 'samples/lab.pcap', '-q', '-z', 'drops']);
  t.is(result.status, 1);
  t.is((await runCli(['-r', 'samples/lab.pcap', '--drops'])).status, 1);
  t.regex(result.stderr, /--drops and -z drops count the kernel's drops while capturing live \(-i\)/);
});

/**
 * The lab, and tracefs mounted where the test can see every instance (tsshark mounts its own in its
 * namespace): `instances` lists tsshark's, `leaked` those of processes no longer running (other test
 * files' tsshark may be running meanwhile).
 */
function withLab(t: ExecutionContext, tools: readonly string[] = []): { lab: Lab; instances: () => string[]; leaked: () => string[] } | undefined {
  const lab = labFor(t, ['ip', 'mount', ...tools]);
  if (!lab) return undefined;
  const tracefs = mkdtempSync(join(tmpdir(), 'tsshark-tracefs-'));
  execFileSync('mount', ['-t', 'tracefs', 'nodev', tracefs]);
  t.teardown(() => {
    execFileSync('umount', [tracefs]);
    rmSync(tracefs, { recursive: true });
  });
  const instances = () => readdirSync(join(tracefs, 'instances')).filter((name) => name.startsWith('tsshark-'));
  return { lab, instances, leaked: () => instances().filter((name) => !existsSync(`/proc/${name.slice('tsshark-'.length)}`)) };
}

/** tsshark capturing on the server's side with -z drops; ready once capturing. */
function countingDrops(lab: Lab): ReturnType<typeof tssharkIn> {
  return tssharkIn(lab.server, ['-i', SERVER_IF, '-q', '-z', 'drops']);
}

/** DATAGRAMS datagrams from the client to the server's `port`, from the client's `source` address if given. */
function sendUdp(lab: Lab, port = CLOSED_PORT, source?: string): void {
  sendDatagrams(lab.client, SERVER_IP, port, DATAGRAMS, source);
}

const sendToClosedPort = (lab: Lab) => sendUdp(lab);

/** tsshark with `args` on the server's side while `send` runs, stopped as Ctrl-C would once it is done. */
async function captureWhile(lab: Lab, args: readonly string[], send: () => void): Promise<RunResult> {
  const ours = tssharkIn(lab.server, ['-i', SERVER_IF, ...args]);
  await ours.ready;
  send();
  // The kernel's reports are read every 250 ms; the last read happens at exit.
  await new Promise((resolve) => setTimeout(resolve, 300));
  ours.child.kill('SIGINT');
  return ours.done;
}

test.serial('-z drops counts UDP to a closed port as NO_SOCKET in __udp4_lib_rcv, and leaves no tracefs instance', async (t) => {
  const setup = withLab(t);
  if (!setup) return;
  const result = await captureWhile(setup.lab, ['-q', '-z', 'drops'], () => sendToClosedPort(setup.lab));
  t.is(result.status, 0, result.stderr);
  const row = /^NO_SOCKET +__udp4_lib_rcv +IPv4 +(\d+) +(\d+)$/m.exec(result.stdout);
  t.truthy(row, result.stdout);
  // The tracepoint is the whole host's: other drops may be counted too, never fewer of ours; the
  // server's namespace (Here) has exactly ours.
  t.true(Number(row?.[1]) >= DATAGRAMS, result.stdout);
  t.is(Number(row?.[2]), DATAGRAMS, result.stdout);
  t.deepEqual(setup.leaked(), []);
});

test.serial('an instance left by a tsshark killed with SIGKILL is removed by the next one', async (t) => {
  const setup = withLab(t);
  if (!setup) return;
  const { lab, instances, leaked } = setup;
  const killed = countingDrops(lab);
  await killed.ready;
  const name = `tsshark-${killed.child.pid}`;
  t.true(instances().includes(name));
  killed.child.kill('SIGKILL');
  await killed.done;
  t.deepEqual(leaked(), [name]);
  const next = countingDrops(lab);
  await next.ready;
  next.child.kill('SIGINT');
  const result = await next.done;
  t.is(result.status, 0, result.stderr);
  t.deepEqual(leaked(), []);
});

test.serial("the interface with --drops: the status bar counts the kernel's drops and those on frames, each dropped frame is marked, D lists them, and quitting removes the instance", async (t) => {
  const setup = withLab(t, ['tmux']);
  if (!setup) return;
  const terminal = new Terminal(120, 30, ['--drops', '-i', SERVER_IF, '-f', 'udp'], ['ip', 'netns', 'exec', setup.lab.server]);
  t.teardown(() => terminal.close());
  await terminal.waitFor(t, /veth-s │ 0 frames .*│ kernel drops \d+, 0 on frames │ live/);
  sendToClosedPort(setup.lab);
  // Each datagram's frame carries its drop: counted on frames, marked ✗ after the Tap column's arrow.
  const list = await terminal.waitFor(t, new RegExp(`${DATAGRAMS} frames · ${DATAGRAMS} shown.*kernel drops \\d+, ${DATAGRAMS} on frames`));
  const rows = list.split('\n').filter((line) => / UDP +\d+ /.test(line));
  t.true(rows.length > 0 && rows.every((line) => line.includes(' ↓✗ ')), list);
  terminal.keys('D');
  const screen = await terminal.waitFor(t, new RegExp(`^ +\\d+ +${DATAGRAMS} +NO_SOCKET +__udp4_lib_rcv +IPv4$`, 'm'));
  t.true(Number(/^ +(\d+) +\d+ +NO_SOCKET +__udp4_lib_rcv/m.exec(screen)?.[1]) >= DATAGRAMS, screen);
  terminal.keys('Escape');
  terminal.keys('q');
  await terminal.waitFor(t, /exit status 0/);
  t.deepEqual(setup.leaked(), []);
});

/** Debian's, by its path: npm puts node_modules/.bin first, and ava brings an unrelated `nft` there. */
const NFT = '/usr/sbin/nft';
const NFT_DROPPED_PORT = 9301;
const TCX_DROPPED_PORT = 9302;
/** A client address the server has no route back to: strict reverse-path filtering drops its packets. */
const UNROUTED_SOURCE = '10.99.0.1';

test.serial('-z drops names each reason the kernel gives: an nft rule (NETFILTER_DROP), reverse-path filtering (IP_RPFILTER), a tcx egress program (TC_EGRESS)', async (t) => {
  const setup = withLab(t, ['gcc', NFT]);
  if (!setup) return;
  const { lab } = setup;
  runIn(lab.server, [NFT, 'add table inet drops']);
  runIn(lab.server, [NFT, 'add chain inet drops input { type filter hook input priority 0; }']);
  runIn(lab.server, [NFT, `add rule inet drops input udp dport ${NFT_DROPPED_PORT} drop`]);
  runIn(lab.server, ['sysctl', '-q', '-w', 'net.ipv4.conf.all.rp_filter=1', `net.ipv4.conf.${SERVER_IF}.rp_filter=1`]);
  runIn(lab.client, ['ip', 'addr', 'add', `${UNROUTED_SOURCE}/32`, 'dev', CLIENT_IF]);
  const stopTcx = await dropInTcx(lab.client, CLIENT_IF, 'egress', TCX_DROPPED_PORT);
  t.teardown(stopTcx);
  const result = await captureWhile(lab, ['-q', '-z', 'drops'], () => {
    sendUdp(lab, NFT_DROPPED_PORT);
    sendUdp(lab, CLOSED_PORT, UNROUTED_SOURCE);
    sendUdp(lab, TCX_DROPPED_PORT);
  });
  t.is(result.status, 0, result.stderr);
  // The server's namespace has the first two; the tcx drop is the client's, counted for the host only.
  for (const [reason, here] of [['NETFILTER_DROP', DATAGRAMS], ['IP_RPFILTER', DATAGRAMS], ['TC_EGRESS', 0]] as const) {
    const rows = [...result.stdout.matchAll(new RegExp(`^${reason} +\\S+ +IPv4 +(\\d+) +(\\d+)$`, 'gm'))];
    const drops = rows.reduce((sum, match) => sum + Number(match[1]), 0);
    t.true(drops >= DATAGRAMS, `${reason}: ${drops}\n${result.stdout}`);
    t.is(rows.reduce((sum, match) => sum + Number(match[2]), 0), here, `${reason} here\n${result.stdout}`);
  }
  t.deepEqual(setup.leaked(), []);
});

const INTERFACE_STATISTICS = 5;
const OPT_COMMENT = 1;

/** The comments of a little-endian pcapng file's Interface Statistics Blocks. */
function statisticsComments(file: Buffer): string[] {
  const comments: string[] = [];
  for (let at = 0; at + 12 <= file.length; at += file.readUInt32LE(at + 4)) {
    if (file.readUInt32LE(at) !== INTERFACE_STATISTICS) continue;
    const end = at + file.readUInt32LE(at + 4) - 4;
    for (let option = at + 8 + 12; option + 4 <= end; ) {
      const code = file.readUInt16LE(option);
      const length = file.readUInt16LE(option + 2);
      if (code === 0) break;
      if (code === OPT_COMMENT) comments.push(file.toString('utf8', option + 4, option + 4 + length));
      option += 4 + Math.ceil(length / 4) * 4;
    }
  }
  return comments;
}

test.serial('-w with --drops keeps the drops table in a statistics block at the end of the pcapng and each frame\'s drop as its comment, which tshark reads', async (t) => {
  const setup = withLab(t);
  if (!setup) return;
  const dir = mkdtempSync(join(tmpdir(), 'tsshark-drops-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'drops.pcapng');
  const result = await captureWhile(setup.lab, ['-f', 'udp', '--drops', '-w', out], () => sendToClosedPort(setup.lab));
  t.is(result.status, 0, result.stderr);
  const [comment] = statisticsComments(readFileSync(out));
  t.regex(comment ?? '', /^NO_SOCKET +__udp4_lib_rcv +IPv4 +\d+ +\d+$/m);
  t.regex(result.stdout, /^NO_SOCKET +__udp4_lib_rcv +IPv4 +\d+ +\d+$/m);
  if (!tsharkPresent) return;
  // Each frame keeps its packet's drop as a comment, read from the frame in place (no dissection).
  const comments = await tsharkLines(['-r', out, '-T', 'fields', '-e', 'frame.comment']);
  t.is(comments.length, DATAGRAMS);
  t.true(comments.every((line) => line.includes('tsshark kernel drop: NO_SOCKET in __udp4_lib_rcv')), comments.join('\n'));
});
