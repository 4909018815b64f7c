// Live capture in network namespaces the tests create (root; CI runs as root): frames, directions and
// timestamps against tcpdump capturing the same interface at the same time, the stop conditions, capture
// filters, privileges, and stopping mid-burst.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { Direction, directionOf } from '../src/capture/frame.js';
import { readAll, type StoredFrame } from './helpers/capture.js';
import { BIN } from './helpers/run.js';
import { Terminal } from './helpers/terminal.js';
import { CLIENT_IF, labFor, runIn, SERVER_IF, SERVER_IP, startIn, tcpdumpIn, tssharkIn, type Lab } from './helpers/netns.js';

const ETHERNET_HEADER = 14;
const IPV4_HEADER = 20;
const ICMP_ECHO_REQUEST = 8;
const ICMP_ECHO_REPLY = 0;
const LINKTYPE_ETHERNET = 1;
const LINKTYPE_LINUX_SLL2 = 276;
const LINKTYPE_NFLOG = 239;
const SLL2_HEADER = 20;
/** Debian's, by its path: npm puts node_modules/.bin first, and ava brings an unrelated `nft` there. */
const NFT = '/usr/sbin/nft';

const withLab = labFor;

function scratchDir(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsshark-live-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** ICMP type of an Ethernet or SLL2 frame carrying IPv4 ICMP, else undefined. */
function icmpType(stored: StoredFrame, linkHeader: number): number | undefined {
  const data = stored.frame.data;
  const ip = linkHeader;
  if (data.length < ip + IPV4_HEADER + 1 || data[ip] >> 4 !== 4 || data[ip + 9] !== 1) return undefined;
  return data[ip + (data[ip] & 0xf) * 4];
}

function nanoseconds(stored: StoredFrame): bigint {
  return BigInt(stored.frame.tsSec) * 1_000_000_000n + BigInt(stored.frame.tsNsec);
}

function ping(lab: Lab, count: number, target = SERVER_IP): void {
  runIn(lab.client, ['ping', '-q', '-c', String(count), '-i', '0.02', '-W', '1', target]);
}

/** Waits for frames already sent to reach the ring, then stops the capture as Ctrl-C would. */
async function settleAndInterrupt(...children: { child: { kill(signal: NodeJS.Signals): boolean } }[]): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 300));
  for (const started of children) started.child.kill('SIGINT');
}

function capturedCount(stderr: string): number {
  const match = /^(\d+) packets? captured$/m.exec(stderr);
  if (!match) throw new Error(`no capture count in: ${stderr}`);
  return Number(match[1]);
}

test.serial("-w on a veth holds what tcpdump captured at the same time: frames, bytes, order; directions and ns timestamps", async (t) => {
  const lab = withLab(t);
  if (!lab) return;
  const dir = scratchDir(t);
  const ours = tssharkIn(lab.server, ['-i', SERVER_IF, '-w', join(dir, 'tsshark.pcapng')]);
  const theirs = tcpdumpIn(lab.server, ['-i', SERVER_IF, '-w', join(dir, 'tcpdump.pcap')]);
  await Promise.all([ours.ready, theirs.ready]);
  ping(lab, 5);
  await settleAndInterrupt(ours, theirs);
  const [result, reference] = await Promise.all([ours.done, theirs.done]);
  t.is(result.status, 0, result.stderr);
  t.is(reference.status, 0, reference.stderr);
  t.regex(result.stderr, /^0 packets dropped by kernel$/m);

  const captured = await readAll(join(dir, 'tsshark.pcapng'));
  const recorded = await readAll(join(dir, 'tcpdump.pcap'));
  t.is(captured.error, undefined);
  t.is(recorded.error, undefined, reference.stderr);
  t.true(captured.nanosecond);
  t.is(capturedCount(result.stderr), captured.frames.length);
  // Each handle's kernel filter keeps only its direction: between them they receive every frame once.
  t.regex(result.stderr, new RegExp(`^${captured.frames.length} packets received by filter$`, 'm'));
  t.true(captured.frames.length >= 12, `${captured.frames.length} frames: 5 requests, 5 replies, ARP`);
  t.deepEqual(
    captured.frames.map((stored) => Buffer.from(stored.frame.data).toString('hex')),
    recorded.frames.map((stored) => Buffer.from(stored.frame.data).toString('hex')),
  );
  t.deepEqual(
    captured.frames.map((stored) => stored.frame.originalLength),
    recorded.frames.map((stored) => stored.frame.originalLength),
  );
  for (const stored of captured.frames) {
    t.is(stored.iface.name, SERVER_IF);
    t.is(stored.frame.linkType, LINKTYPE_ETHERNET);
  }
  // Kernel timestamps, to the nanosecond, never going back (the two handles are merged in order).
  const times = captured.frames.map(nanoseconds);
  t.true(times.some((time) => time % 1000n !== 0n), 'sub-microsecond digits');
  for (let i = 1; i < times.length; i++) t.true(times[i] >= times[i - 1], `frame ${i + 1} is not earlier than frame ${i}`);
  // The server receives the requests and sends the replies.
  const requests = captured.frames.filter((stored) => icmpType(stored, ETHERNET_HEADER) === ICMP_ECHO_REQUEST);
  const replies = captured.frames.filter((stored) => icmpType(stored, ETHERNET_HEADER) === ICMP_ECHO_REPLY);
  t.is(requests.length, 5);
  t.is(replies.length, 5);
  for (const stored of requests) t.is(directionOf(stored.frame.flags), Direction.INBOUND);
  for (const stored of replies) t.is(directionOf(stored.frame.flags), Direction.OUTBOUND);
});

test.serial('-i any: LINUX_SLL2 frames whose direction and interface index are the kernel\'s', async (t) => {
  const lab = withLab(t);
  if (!lab) return;
  const dir = scratchDir(t);
  const ours = tssharkIn(lab.client, ['-i', 'any', '-w', join(dir, 'any.pcapng'), '-f', 'icmp']);
  await ours.ready;
  ping(lab, 3);
  await settleAndInterrupt(ours);
  const result = await ours.done;
  t.is(result.status, 0, result.stderr);
  const captured = await readAll(join(dir, 'any.pcapng'));
  t.is(captured.frames.length, 6);
  const ifindex = Number(/^(\d+):/.exec(execFileSync('ip', ['-n', lab.client, '-o', 'link', 'show', CLIENT_IF]).toString())?.[1]);
  for (const stored of captured.frames) {
    t.is(stored.frame.linkType, LINKTYPE_LINUX_SLL2);
    const view = Buffer.from(stored.frame.data);
    t.is(view.readUInt32BE(4), ifindex);
    const type = icmpType(stored, SLL2_HEADER);
    // The client sends the requests (packet type 4, outgoing) and receives the replies (0, to us).
    t.is(view[10], type === ICMP_ECHO_REQUEST ? 4 : 0);
    t.is(directionOf(stored.frame.flags), type === ICMP_ECHO_REQUEST ? Direction.OUTBOUND : Direction.INBOUND);
  }
});

test.serial('-f filters in the kernel, -c stops at a count; a bad -f is refused like tcpdump refuses it', async (t) => {
  const lab = withLab(t);
  if (!lab) return;
  const ours = tssharkIn(lab.server, ['-i', SERVER_IF, '-f', 'icmp[icmptype] == icmp-echoreply', '-c', '3', '-T', 'fields', '-e', 'icmp.type', '-e', 'ip.src']);
  await ours.ready;
  ping(lab, 5);
  const result = await ours.done;
  t.is(result.status, 0, result.stderr);
  t.is(result.stdout, `0\t${SERVER_IP}\n`.repeat(3));
  t.regex(result.stderr, /^3 packets captured$/m);

  const bad = tssharkIn(lab.server, ['-i', SERVER_IF, '-f', 'icmp and']);
  const refused = await bad.done;
  t.is(refused.status, 2);
  t.is(refused.stderr, 'tsshark: can\'t parse filter expression: syntax error (capture filter "icmp and")\n');
});

test.serial('-a duration stops an idle capture; an unknown interface is named in the error', async (t) => {
  const lab = withLab(t);
  if (!lab) return;
  const started = Date.now();
  const idle = await tssharkIn(lab.server, ['-i', 'lo', '-a', 'duration:1']).done;
  const elapsed = Date.now() - started;
  t.is(idle.status, 0, idle.stderr);
  t.regex(idle.stderr, /^0 packets captured$/m);
  t.true(elapsed >= 1000 && elapsed < 10_000, `${elapsed} ms`);

  const missing = await tssharkIn(lab.server, ['-i', 'eth-none', '-c', '1']).done;
  t.is(missing.status, 2);
  t.is(missing.stderr, 'tsshark: eth-none: no such device (tsshark -D lists the interfaces)\n');
});

test.serial('Ctrl-C in the middle of a flood: the file is complete and holds every frame counted', async (t) => {
  const lab = withLab(t);
  if (!lab) return;
  const dir = scratchDir(t);
  const file = join(dir, 'burst.pcapng');
  const ours = tssharkIn(lab.server, ['-i', SERVER_IF, '-w', file]);
  await ours.ready;
  const flood = startIn(lab.client, ['ping', '-q', '-f', '-w', '20', SERVER_IP]);
  await new Promise((resolve) => setTimeout(resolve, 500));
  ours.child.kill('SIGINT');
  const result = await ours.done;
  flood.child.kill('SIGKILL');
  await flood.done;
  t.is(result.status, 0, result.stderr);
  const captured = await readAll(file);
  t.is(captured.error, undefined);
  const count = capturedCount(result.stderr);
  t.true(count > 1000, `${count} frames in 0.5 s of flood`);
  t.is(captured.frames.length, count);
  const received = Number(/^(\d+) packets? received by filter$/m.exec(result.stderr)?.[1]);
  const dropped = Number(/^(\d+) packets? dropped by kernel$/m.exec(result.stderr)?.[1]);
  t.true(received >= count, `received ${received}, captured ${count}`);
  t.true(Number.isInteger(dropped));
});

test.serial('started through sudo, it captures as root and then runs as SUDO_UID: the file is the user\'s', async (t) => {
  const lab = withLab(t);
  if (!lab) return;
  const dir = scratchDir(t);
  chmodSync(dir, 0o777);
  const file = join(dir, 'user.pcapng');
  const nobody = { ...process.env, SUDO_UID: '65534', SUDO_GID: '65534', SUDO_USER: 'nobody' };
  const ours = tssharkIn(lab.server, ['-i', SERVER_IF, '-w', file, '-f', 'icmp'], nobody);
  await ours.ready;
  const status = readFileSync(`/proc/${ours.child.pid}/status`, 'utf8');
  t.regex(status, /^Uid:\t65534\t65534\t65534\t65534$/m);
  t.regex(status, /^Gid:\t65534\t65534\t65534\t65534$/m);
  ping(lab, 2);
  await settleAndInterrupt(ours);
  const result = await ours.done;
  t.is(result.status, 0, result.stderr);
  t.is(statSync(file).uid, 65534);
  t.is((await readAll(file)).frames.length, 4);
});

test.serial('nflog:GROUP and an interface at once: NFLOG frames with their prefix, merged in time order', async (t) => {
  const lab = withLab(t, ['ip', 'ping', NFT]);
  if (!lab) return;
  // queue-threshold 1: the kernel sends each logged packet at once, not in batches of up to a second.
  const dir = scratchDir(t);
  runIn(lab.server, [NFT, 'add table inet tsshark_test; add chain inet tsshark_test input { type filter hook input priority 0; }; add rule inet tsshark_test input icmp type echo-request log group 7 prefix "tsshark-in" queue-threshold 1']);
  const file = join(dir, 'nflog.pcapng');
  const ours = tssharkIn(lab.server, ['-i', 'nflog:7', '-i', SERVER_IF, '-w', file]);
  await ours.ready;
  ping(lab, 3);
  await settleAndInterrupt(ours);
  const result = await ours.done;
  t.is(result.status, 0, result.stderr);
  const captured = await readAll(file);
  const logged = captured.frames.filter((stored) => stored.frame.linkType === LINKTYPE_NFLOG);
  t.is(logged.length, 3);
  for (const stored of logged) {
    t.is(stored.iface.name, 'nflog:7');
    t.true(Buffer.from(stored.frame.data).includes('tsshark-in'));
  }
  t.is(captured.frames.filter((stored) => stored.iface.name === SERVER_IF && icmpType(stored, ETHERNET_HEADER) !== undefined).length, 6);
  const times = captured.frames.map(nanoseconds);
  for (let i = 1; i < times.length; i++) t.true(times[i] >= times[i - 1], `frame ${i + 1} is not earlier than frame ${i}`);
});

test.serial('the interface on a live capture: frames appear as they arrive, followed, with the status bar saying live', async (t) => {
  const lab = withLab(t, ['ip', 'ping', 'tmux']);
  if (!lab) return;
  const terminal = new Terminal(120, 30, ['-i', SERVER_IF, '-f', 'icmp'], ['ip', 'netns', 'exec', lab.server]);
  t.teardown(() => terminal.close());
  await terminal.waitFor(t, /veth-s │ 0 frames .*│ live │ follow/);
  ping(lab, 3);
  let screen = await terminal.waitFor(t, /6 frames · 6 shown/);
  // Followed: the newest frame is selected, and it is the third reply, sent by the server.
  t.regex(screen, /^> +6 .*↑ veth.*Echo \(ping\) reply/m);
  t.regex(screen, /^ +1 .*↓ veth.*Echo \(ping\) request/m);
  ping(lab, 1);
  screen = await terminal.waitFor(t, /8 frames · 8 shown/);
  t.regex(screen, /^> +8 /m);
  terminal.keys('q');
  await terminal.waitFor(t, /exit status 0/);
});

test.serial('without the capabilities, the error names them and sudo', async (t) => {
  const lab = withLab(t, ['ip', 'setpriv']);
  if (!lab) return;
  const unprivileged = await startIn(lab.server, ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, '-i', SERVER_IF, '-c', '1']).done;
  t.is(unprivileged.status, 2);
  t.regex(unprivileged.stderr, /^tsshark: veth-s: you don't have permission to capture on that device \(.*\)\. Capturing needs CAP_NET_RAW \(and CAP_NET_ADMIN for promiscuous mode and -B\): run tsshark with sudo\n$/);
});
