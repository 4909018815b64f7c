// Blind spots, warned when a live capture starts (namespace lab, root): an XDP program on the captured
// device (before the ingress tap), tc egress filters and a tcx egress program (before the egress tap) are
// each named once on stderr and kept in a written pcapng; a device without them gets no warning. An XDP
// program with an xskmap is named as AF_XDP, and frames copied at a blinded tap carry the finding. At the
// end, the device's counters against its taps: a generic XDP program that drops everything leaves the
// ingress tap with nothing of what the device received. Cilium's way into a pod: a tcx ingress program
// that calls bpf_redirect_peer is named with its helper; the host-side veth never shows what it
// redirected, the pod's side of the veth does.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { findBlindSpots, parseFlowtables } from '../src/capture/blind-spots.js';
import { redirectHelpersOf } from '../src/capture/bpf-helpers.js';
import { DeviceCounters } from '../src/capture/device-counters.js';
import { Direction } from '../src/capture/frame.js';
import { CLIENT_IF, labFor, liveUnavailable, runIn, SERVER_IF, SERVER_IP, tssharkIn } from './helpers/netns.js';
import { captureIn, createTapLab, dropInTcx, Net, pinRedirectPeer, redirectPeerInTcx, sendUdp, tapLabTools, xdpOn } from './lab/tap-lab.js';

const TCX_PORT = 9303;

test.serial('a live capture warns once of an XDP program, tc egress filters and a tcx egress program on its device, and of nothing on a clean one', async (t) => {
  const lab = labFor(t, ['ip', 'tc', 'gcc', 'capinfos']);
  if (!lab) return;
  const stopXdp = await xdpOn(lab.server, SERVER_IF, 'pass');
  t.teardown(stopXdp);
  const stopTcx = await dropInTcx(lab.server, SERVER_IF, 'egress', TCX_PORT);
  t.teardown(stopTcx);
  runIn(lab.server, ['tc', 'qdisc', 'add', 'dev', SERVER_IF, 'clsact']);
  runIn(lab.server, ['tc', 'filter', 'add', 'dev', SERVER_IF, 'egress', 'protocol', 'ip', 'u32', 'match', 'u32', '0', '0']);
  const dir = mkdtempSync(join(tmpdir(), 'tsshark-blind-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const written = join(dir, 'warned.pcapng');
  const warned = await tssharkIn(lab.server, ['-i', SERVER_IF, '-a', 'duration:1', '-w', written]).done;
  t.is(warned.status, 0, warned.stderr);
  const warnings = warned.stderr.split('\n').filter((line) => line.startsWith('tsshark: warning: '));
  t.deepEqual(warnings, [
    `tsshark: warning: ${SERVER_IF}: XDP program lab_prog (id ${/id (\d+)/.exec(warnings[0] ?? '')?.[1]}, generic XDP) runs before the ingress tap: what it drops or redirects is never shown as received, what it rewrites is shown rewritten`,
    `tsshark: warning: ${SERVER_IF}: tc egress filters (u32) run before the egress tap: what they drop or redirect is never shown as sent`,
    `tsshark: warning: ${SERVER_IF}: tcx egress programs lab_prog (id ${/tcx egress programs lab_prog \(id (\d+)/.exec(warnings[2] ?? '')?.[1]}) run before the egress tap: what they drop or redirect is never shown as sent`,
  ]);
  // --explain lists the same findings.
  const explained = await tssharkIn(lab.server, ['--explain', SERVER_IF], process.env).done;
  for (const warning of warnings) t.true(explained.stdout.includes(`  ${warning.replace('tsshark: warning: ', '')}`), explained.stdout);
  // The file keeps them as its section header's comment, which capinfos shows as the capture comment.
  const comments = execFileSync('capinfos', ['-k', written], { encoding: 'utf8' });
  for (const warning of warnings) t.true(comments.includes(warning.replace('tsshark: warning: ', 'tsshark warning: ')), comments);
  // Started through sudo, tsshark runs as the user once its handles are open: it looks before that, as
  // root, or bpf() would refuse to list the tcx program.
  const asUser = await tssharkIn(lab.server, ['-i', SERVER_IF, '-a', 'duration:1', '-q'], { ...process.env, SUDO_UID: '65534', SUDO_GID: '65534' }).done;
  t.is(asUser.status, 0, asUser.stderr);
  t.regex(asUser.stderr, /^tsshark: warning: veth-s: tcx egress programs lab_prog/m);
  t.notRegex(asUser.stderr, /not looked for/);
  const clean = await tssharkIn(lab.client, ['-i', CLIENT_IF, '-a', 'duration:1', '-q']).done;
  t.is(clean.status, 0, clean.stderr);
  t.notRegex(clean.stderr, /warning/);
});

test('redirect helpers are named from the call offsets of translated instructions, through kallsyms; hidden addresses tell nothing', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsshark-kallsyms-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const shown = join(dir, 'shown');
  writeFileSync(shown, ['ffffffff814dccd0 T __bpf_call_base', 'ffffffff81eef210 T bpf_redirect', 'ffffffff81eef2a0 T bpf_redirect_peer', 'ffffffff81eef7e0 T bpf_redirect_neigh', 'ffffffff81eef800 t bpf_redirect_peer [some_module]', ''].join('\n'));
  const hidden = join(dir, 'hidden');
  writeFileSync(hidden, ['0000000000000000 T __bpf_call_base', '0000000000000000 T bpf_redirect_peer', ''].join('\n'));
  const program = (helperCalls: number[]) => ({ id: 7, name: 'cil_from_netdev', helperCalls, mapTypes: [] });
  const peer = 0x81eef2a0 - 0x814dccd0;
  const neigh = 0x81eef7e0 - 0x814dccd0;
  t.deepEqual(redirectHelpersOf(program([peer, 12345, neigh]), shown), ['bpf_redirect_peer', 'bpf_redirect_neigh']);
  t.deepEqual(redirectHelpersOf(program([12345]), shown), []);
  t.deepEqual(redirectHelpersOf(program([]), hidden), []);
  t.is(redirectHelpersOf(program([0, 0]), shown), undefined);
  t.is(redirectHelpersOf(program([peer]), hidden), undefined);
});

test('nflog sources have no blind spots to look for', (t) => {
  const spots = findBlindSpots(['nflog:5']);
  t.deepEqual({ findings: spots.findings, unread: spots.unread, devices: spots.byDevice.size }, { findings: [], unread: [], devices: 0 });
});

test("nftables flowtables are read from nft's JSON by device (this kernel has none to make)", (t) => {
  const json = {
    nftables: [
      { metainfo: { version: '1.0.6' } },
      { flowtable: { family: 'inet', name: 'ft', table: 'filter', handle: 2, hook: 'ingress', prio: 0, dev: ['eth0', 'eth1'] } },
      { flowtable: { family: 'ip', name: 'one', table: 'nat', handle: 3, hook: 'ingress', prio: 0, dev: 'eth1' } },
    ],
  };
  t.deepEqual([...parseFlowtables(json)], [['eth0', ['inet filter ft']], ['eth1', ['inet filter ft', 'ip nat one']]]);
  t.deepEqual([...parseFlowtables({ nftables: [{ metainfo: {} }] })], []);
  t.deepEqual([...parseFlowtables('garbage')], []);
});

const PINGS = 5;

test.serial("at the end, a device's counters against its taps: an XDP drop program's packets are counted as never reaching the ingress tap", async (t) => {
  const lab = labFor(t, ['ip', 'gcc', 'ping']);
  if (!lab) return;
  const ping = () => {
    try {
      runIn(lab.client, ['ping', '-q', '-c', String(PINGS), '-i', '0.05', '-W', '1', SERVER_IP]);
    } catch {
      // Unanswered: the server's XDP program dropped the requests.
    }
  };
  const capture = async () => {
    const started = tssharkIn(lab.server, ['-i', SERVER_IF, '-q']);
    await started.ready;
    ping();
    started.child.kill('SIGINT');
    return started.done;
  };
  const clean = await capture();
  t.is(clean.status, 0, clean.stderr);
  t.notRegex(clean.stderr, /never reached it/);
  const stopXdp = await xdpOn(lab.server, SERVER_IF, 'drop');
  t.teardown(stopXdp);
  const dropped = await capture();
  t.is(dropped.status, 0, dropped.stderr);
  const gap = /^tsshark: warning: veth-s received (\d+) packets, its ingress tap saw 0: (\d+) never reached it \(XDP or the driver; the kernel reports 0 dropped by the taps' buffers\)$/m.exec(dropped.stderr);
  t.truthy(gap, dropped.stderr);
  t.true(Number(gap?.[2]) >= PINGS, dropped.stderr);
});

const PEER_PORT = 9311;
const REDIRECTED = 4;

test.serial('bpf_redirect_peer in a tcx ingress program: warned with its helper; the host-side veth shows nothing of what it redirects, the peer in the namespace shows all', async (t) => {
  const unavailable = liveUnavailable(['ip']) ?? tapLabTools();
  if (unavailable) return t.pass(unavailable);
  const lab = createTapLab();
  t.teardown(() => lab.remove());
  // The router plays the Cilium node: its client-facing device hands the datagrams to the server's veth
  // peer, past the router's routing and its own side of that veth.
  const stop = await redirectPeerInTcx(lab.router, Net.ROUTER_CLIENT_IF, PEER_PORT, Net.ROUTER_SERVER_IF);
  t.teardown(stop);
  const send = () => {
    for (let i = 0; i < REDIRECTED; i++) sendUdp(lab.client, Net.SERVER_IP, PEER_PORT, `peer ${i}`);
  };
  const fields = ['tap.iface', 'tap.direction', 'tap.blind'];
  const filter = `udp.dstport == ${PEER_PORT}`;
  const node = await captureIn(lab.router, [Net.ROUTER_CLIENT_IF, Net.ROUTER_SERVER_IF], fields, filter, 2, send);
  const warning = node.stderr.split('\n').find((line) => line.includes('bpf_redirect_peer'));
  t.regex(warning ?? '', new RegExp(`^tsshark: warning: ${Net.ROUTER_CLIENT_IF}: traffic redirected by tcx ingress program lab_prog \\(id \\d+\\) \\(bpf_redirect_peer\\) goes straight into a veth's peer in another namespace: the host-side veth's taps and the host's netfilter never see them`), node.stderr);
  t.deepEqual(node.rows.map((row) => `${row['tap.iface']} ${row['tap.direction']}`), Array<string>(REDIRECTED).fill(`${Net.ROUTER_CLIENT_IF} ingress`));
  // Each frame copied at the redirecting device's ingress tap says what happens to it next.
  t.true(node.rows.every((row) => row['tap.blind'].split('|').some((text) => text.includes('(bpf_redirect_peer) goes straight into'))), JSON.stringify(node.rows));
  const pod = await captureIn(lab.server, [Net.SERVER_IF], fields, filter, 2, send);
  t.deepEqual(pod.rows.map((row) => `${row['tap.iface']} ${row['tap.direction']}`), Array<string>(REDIRECTED).fill(`${Net.SERVER_IF} ingress`));
  t.notRegex(pod.stderr, /warning/);
});

test.serial('an XDP program with an xskmap is warned as AF_XDP; each frame copied at a blinded tap carries its findings in tap.blind', async (t) => {
  const lab = labFor(t, ['ip', 'gcc', 'ping']);
  if (!lab) return;
  const stopXdp = await xdpOn(lab.server, SERVER_IF, 'xsk');
  t.teardown(stopXdp);
  const capture = tssharkIn(lab.server, ['-i', SERVER_IF, '-a', 'duration:2', '-Y', 'icmp', '-T', 'fields', '-E', 'aggregator=|', '-e', 'tap.direction', '-e', 'tap.blind']);
  await capture.ready;
  runIn(lab.client, ['ping', '-q', '-c', '2', '-i', '0.2', '-W', '1', SERVER_IP]);
  const result = await capture.done;
  t.is(result.status, 0, result.stderr);
  const xdp = /^tsshark: warning: veth-s: (XDP program lab_prog \(id \d+, generic XDP\) runs before the ingress tap[^\n]*)$/m.exec(result.stderr)?.[1];
  const xsk = /^tsshark: warning: veth-s: (XDP program lab_prog \(id \d+, generic XDP\) hands packets to AF_XDP sockets \(it uses an xskmap\)[^\n]*)$/m.exec(result.stderr)?.[1];
  t.truthy(xdp, result.stderr);
  t.truthy(xsk, result.stderr);
  const rows = result.stdout.split('\n').filter((line) => line !== '').map((line) => line.split('\t'));
  const blind = (direction: string) => [...new Set(rows.filter((row) => row[0] === direction).map((row) => row[1]))];
  // The ingress tap comes after XDP; AF_XDP blinds both (its sends skip the egress tap).
  t.deepEqual(blind('ingress'), [`${xdp}|${xsk}`]);
  t.deepEqual(blind('egress'), [xsk]);
});

test("while the interface captures, the counters are set against the taps a reading late, so frames still in flight are not counted as missed", (t) => {
  const sysfs = mkdtempSync(join(tmpdir(), 'tsshark-sysfs-'));
  t.teardown(() => rmSync(sysfs, { recursive: true, force: true }));
  mkdirSync(join(sysfs, 'eth9', 'statistics'), { recursive: true });
  const count = (rx: number, tx: number) => {
    writeFileSync(join(sysfs, 'eth9', 'statistics', 'rx_packets'), `${rx}\n`);
    writeFileSync(join(sysfs, 'eth9', 'statistics', 'tx_packets'), `${tx}\n`);
  };
  count(1000, 500);
  const counters = new DeviceCounters(['eth9'], sysfs);
  let ingress = 0;
  const seen = (_id: number, direction: number) => (direction === Direction.INBOUND ? ingress : 0);
  count(1100, 500);
  // The first reading only: the tap's 0 frames so far may still be on their way.
  t.deepEqual(counters.settledGaps(seen, 0), []);
  count(1300, 500);
  ingress = 60;
  // 100 counted by the first reading, 60 seen since: 40 missed, whatever was counted after it.
  t.deepEqual(counters.settledGaps(seen, 0), ["eth9 received 100 packets, its ingress tap saw 60: 40 never reached it (XDP or the driver; the kernel reports 0 dropped by the taps' buffers)"]);
  ingress = 300;
  t.deepEqual(counters.settledGaps(seen, 0), []);
});

test.serial("a classic tc (cls_bpf) program's redirect helpers are named too, found by the program id tc lists", async (t) => {
  const unavailable = liveUnavailable(['ip', 'tc', 'mount']) ?? tapLabTools();
  if (unavailable) return t.pass(unavailable);
  const lab = createTapLab();
  t.teardown(() => lab.remove());
  const bpffs = mkdtempSync(join(tmpdir(), 'tsshark-bpffs-'));
  execFileSync('mount', ['-t', 'bpf', 'bpf', bpffs]);
  t.teardown(() => {
    execFileSync('umount', [bpffs]);
    rmSync(bpffs, { recursive: true, force: true });
  });
  const pinned = join(bpffs, 'redirect');
  pinRedirectPeer(lab.router, Net.ROUTER_CLIENT_IF, PEER_PORT, Net.ROUTER_SERVER_IF, pinned);
  runIn(lab.router, ['tc', 'qdisc', 'add', 'dev', Net.ROUTER_CLIENT_IF, 'clsact']);
  runIn(lab.router, ['tc', 'filter', 'add', 'dev', Net.ROUTER_CLIENT_IF, 'ingress', 'bpf', 'da', 'pinned', pinned]);
  // The filter holds the program; the pin is not needed any more.
  rmSync(pinned);
  const result = await tssharkIn(lab.router, ['-i', Net.ROUTER_CLIENT_IF, '-a', 'duration:1', '-q']).done;
  t.is(result.status, 0, result.stderr);
  t.regex(result.stderr, new RegExp(`^tsshark: warning: ${Net.ROUTER_CLIENT_IF}: traffic redirected by tc ingress program lab_prog \\(id \\d+\\) \\(bpf_redirect_peer\\) goes straight into a veth's peer`, 'm'));
});
