// Every claim the tap model makes, proven in a namespace lab (test/lab/tap-lab.ts): tsshark runs as a
// user would run it, and what it shows must equal what the model (src/decode/taps) predicts. The last
// test prints the table of scenarios, predicted and observed.
import test from 'ava';
import { egressStages, ingressStages, parseKernelRelease } from '../src/decode/taps/kernel-pipeline.js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { liveUnavailable, runIn, startIn, tssharkIn } from './helpers/netns.js';
import { tsharkFields, tsharkPresent, TSHARK_ABSENT } from './helpers/tshark.js';
import { BIN, runCli } from './helpers/run.js';
import {
  captureIn,
  createTapLab,
  dropInTcx,
  Net,
  NFLOG_GROUP,
  nflogAtEveryHook,
  nft,
  sendTcp,
  sendUdp,
  tapLabTools,
  tcpSink,
  type TapLab,
} from './lab/tap-lab.js';

const unavailable = liveUnavailable(['ip', 'ping']) ?? tapLabTools();
const kernel = parseKernelRelease(release());
const ingress = ingressStages(kernel);
const egress = egressStages(kernel);
const NFLOG = `nflog:${NFLOG_GROUP}`;
const CAPTURE_S = 2;
const FIELDS = ['tap.point', 'tap.direction', 'tap.iface', 'tap.hook', 'ip.src', 'ip.dst', 'ip.ttl', 'udp.dstport', 'tap.path', 'tap.last_seen', 'tap.implies', 'frame.len'];

interface Outcome {
  scenario: string;
  predicted: string;
  observed: string;
}
const outcomes: Outcome[] = [];

/** Runs one scenario in a fresh lab; records and asserts predicted === observed. */
function scenario(name: string, run: (lab: TapLab) => Promise<{ predicted: string; observed: string }>): void {
  test.serial(name, async (t) => {
    if (unavailable) return t.pass(unavailable);
    const lab = createTapLab();
    try {
      const outcome = await run(lab);
      outcomes.push({ scenario: name, ...outcome });
      t.is(outcome.observed, outcome.predicted);
    } finally {
      lab.remove();
    }
  });
}

const stage = (split: { after: readonly string[] }, name: string) => split.after.includes(name);
const shownIf = (shown: boolean) => (shown ? 'shown' : 'not shown');
type Row = Record<string, string>;
const at = (rows: readonly Row[], point: string, direction: string, iface = '') =>
  rows.filter((row) => row['tap.point'] === point && row['tap.direction'] === direction && (iface === '' || row['tap.iface'] === iface));
const hook = (rows: readonly Row[], name: string) => rows.filter((row) => row['tap.hook'] === name);
const paths = (rows: readonly Row[]) => [...new Set(rows.map((row) => row['tap.path']))].join(' ; ');

scenario('1. INPUT drop on the server: shown at its ingress tap, NFLOG at PRE_ROUTING and LOCAL_IN, died after LOCAL_IN', async (lab) => {
  nflogAtEveryHook(lab.server);
  nft(lab.server, 'table ip tss_drop { chain input { type filter hook input priority 0; udp dport 9001 drop; }; }\n');
  const { rows } = await captureIn(lab.server, [Net.SERVER_IF, NFLOG], FIELDS, 'udp.dstport == 9001', CAPTURE_S, () => sendUdp(lab.client, Net.SERVER_IP, 9001, 'scenario 1'));
  const path = `ingress AF_PACKET ${Net.SERVER_IF} → NF PRE_ROUTING → NF LOCAL_IN`;
  return {
    // INPUT runs after the receive-side copy on this kernel, so the drop cannot hide the frame.
    predicted: `ingress ${shownIf(!ingress.before.includes('INPUT/FORWARD') && stage(ingress, 'INPUT/FORWARD'))}; NFLOG NF_INET_PRE_ROUTING, NF_INET_LOCAL_IN; path ${path}; last seen NF LOCAL_IN`,
    observed: `ingress ${shownIf(at(rows, 'af_packet', 'ingress', Net.SERVER_IF).length === 1)}; NFLOG ${at(rows, 'nflog', 'ingress').map((row) => row['tap.hook']).join(', ')}; path ${paths(rows)}; last seen ${[...new Set(rows.map((row) => row['tap.last_seen']))].join(' ; ')}`,
  };
});

scenario('2. OUTPUT drop on the client: never shown at its egress tap; NFLOG LOCAL_OUT, POST_ROUTING not reached', async (lab) => {
  nflogAtEveryHook(lab.client);
  nft(lab.client, 'table ip tss_drop { chain output { type filter hook output priority 0; udp dport 9002 drop; }; }\n');
  const { rows } = await captureIn(lab.client, [Net.CLIENT_IF, NFLOG], FIELDS, 'udp.dstport == 9002 || udp.dstport == 9012', CAPTURE_S, () => {
    // A datagram OUTPUT lets through first: it shows the tap points this capture has.
    sendUdp(lab.client, Net.SERVER_IP, 9012, 'control');
    sendUdp(lab.client, Net.SERVER_IP, 9002, 'scenario 2');
  });
  const dropped = rows.filter((row) => row['udp.dstport'] === '9002');
  const control = rows.filter((row) => row['udp.dstport'] === '9012');
  return {
    predicted: `egress ${shownIf(!egress.before.includes('OUTPUT'))}; control at egress shown; path NF LOCAL_OUT → NF POST_ROUTING: not seen`,
    observed: `egress ${shownIf(at(dropped, 'af_packet', 'egress').length > 0)}; control at egress ${shownIf(at(control, 'af_packet', 'egress', Net.CLIENT_IF).length === 1)}; path ${paths(dropped)}`,
  };
});

scenario('3. PREROUTING DNAT on the server: the ingress tap shows the original destination, NFLOG LOCAL_IN the new one', async (lab) => {
  nflogAtEveryHook(lab.server);
  runIn(lab.server, ['ip', 'addr', 'add', '10.70.2.77/32', 'dev', 'lo']);
  nft(lab.server, 'table ip tss_nat { chain prerouting { type nat hook prerouting priority dstnat; udp dport 9003 dnat to 10.70.2.77; }; }\n');
  const { rows } = await captureIn(lab.server, [Net.SERVER_IF, NFLOG], FIELDS, 'udp.dstport == 9003', CAPTURE_S, () => sendUdp(lab.client, Net.SERVER_IP, 9003, 'scenario 3'));
  const dst = (selected: readonly Row[]) => selected.map((row) => row['ip.dst']).join(',');
  return {
    predicted: `ingress dst ${stage(ingress, 'PREROUTING') ? Net.SERVER_IP : '10.70.2.77'}; NF PRE_ROUTING dst ${Net.SERVER_IP}; NF LOCAL_IN dst 10.70.2.77; path ingress AF_PACKET ${Net.SERVER_IF} → NF PRE_ROUTING → NF LOCAL_IN`,
    observed: `ingress dst ${dst(at(rows, 'af_packet', 'ingress'))}; NF PRE_ROUTING dst ${dst(hook(rows, 'NF_INET_PRE_ROUTING'))}; NF LOCAL_IN dst ${dst(hook(rows, 'NF_INET_LOCAL_IN'))}; path ${paths(rows)}`,
  };
});

scenario('4. POSTROUTING masquerade on the router: its outer egress tap shows the translated source', async (lab) => {
  nft(lab.router, `table ip tss_nat { chain postrouting { type nat hook postrouting priority srcnat; oifname "${Net.ROUTER_SERVER_IF}" masquerade; }; }\n`);
  const { rows } = await captureIn(lab.router, [Net.ROUTER_CLIENT_IF, Net.ROUTER_SERVER_IF], FIELDS, 'udp.dstport == 9004', CAPTURE_S, () => sendUdp(lab.client, Net.SERVER_IP, 9004, 'scenario 4'));
  const src = (selected: readonly Row[]) => selected.map((row) => row['ip.src']).join(',');
  return {
    predicted: `ingress ${Net.ROUTER_CLIENT_IF} src ${Net.CLIENT_IP}; egress ${Net.ROUTER_SERVER_IF} src ${egress.before.includes('POSTROUTING') ? Net.ROUTER_SERVER_IP : Net.CLIENT_IP}; path ingress AF_PACKET ${Net.ROUTER_CLIENT_IF} → egress AF_PACKET ${Net.ROUTER_SERVER_IF}`,
    observed: `ingress ${Net.ROUTER_CLIENT_IF} src ${src(at(rows, 'af_packet', 'ingress', Net.ROUTER_CLIENT_IF))}; egress ${Net.ROUTER_SERVER_IF} src ${src(at(rows, 'af_packet', 'egress', Net.ROUTER_SERVER_IF))}; path ${paths(rows)}`,
  };
});

/**
 * Runs a tcx program in `ns` that drops UDP to `port` on `dev` in `direction`, with NFLOG at every hook,
 * sends a control datagram (port + 10) then one to `port`, and gives the rows of the dropped one.
 */
async function captureTcxDrop(ns: string, dev: string, direction: 'ingress' | 'egress', port: number, from: string, label: string): Promise<Row[]> {
  nflogAtEveryHook(ns);
  const stop = await dropInTcx(ns, dev, direction, port);
  try {
    const { rows } = await captureIn(ns, [dev, NFLOG], FIELDS, `udp.dstport == ${port} || udp.dstport == ${port + 10}`, CAPTURE_S, () => {
      sendUdp(from, Net.SERVER_IP, port + 10, 'control');
      sendUdp(from, Net.SERVER_IP, port, label);
    });
    return rows.filter((row) => row['udp.dstport'] === String(port));
  } finally {
    await stop();
  }
}

scenario('5. tcx ingress drop on the server: still shown at its ingress tap, PRE_ROUTING never reached', async (lab) => {
  const dropped = await captureTcxDrop(lab.server, Net.SERVER_IF, 'ingress', 9005, lab.client, 'scenario 5');
  return {
    predicted: `ingress ${shownIf(stage(ingress, 'tc ingress (tcx)') || stage(ingress, 'tc ingress'))}; NFLOG none; path ingress AF_PACKET ${Net.SERVER_IF} → NF PRE_ROUTING: not seen`,
    observed: `ingress ${shownIf(at(dropped, 'af_packet', 'ingress', Net.SERVER_IF).length === 1)}; NFLOG ${at(dropped, 'nflog', 'ingress').length === 0 ? 'none' : 'some'}; path ${paths(dropped)}`,
  };
});

scenario('6. tcx egress drop on the client: never shown at its egress tap, after NFLOG POST_ROUTING', async (lab) => {
  const dropped = await captureTcxDrop(lab.client, Net.CLIENT_IF, 'egress', 9006, lab.client, 'scenario 6');
  return {
    predicted: `egress ${shownIf(!egress.before.some((name) => name.startsWith('tc egress')))}; path NF LOCAL_OUT → NF POST_ROUTING → egress AF_PACKET ${Net.CLIENT_IF}: not seen`,
    observed: `egress ${shownIf(at(dropped, 'af_packet', 'egress').length > 0)}; path ${paths(dropped)}`,
  };
});

scenario('7. Forwarding through the router: ingress on one interface, egress on the other, TTL decremented, NFLOG FORWARD between', async (lab) => {
  nflogAtEveryHook(lab.router);
  const { rows } = await captureIn(lab.router, [Net.ROUTER_CLIENT_IF, Net.ROUTER_SERVER_IF, NFLOG], FIELDS, 'udp.dstport == 9007', CAPTURE_S, () => sendUdp(lab.client, Net.SERVER_IP, 9007, 'scenario 7'));
  const ttl = (selected: readonly Row[]) => selected.map((row) => row['ip.ttl']).join(',');
  // Routing (which decrements the TTL) runs after the ingress copy and before the egress copy.
  const routedBeforeEgress = egress.before.includes('routing') && stage(ingress, 'routing');
  return {
    predicted: `ingress ${Net.ROUTER_CLIENT_IF} ttl 64; egress ${Net.ROUTER_SERVER_IF} ttl ${routedBeforeEgress ? 63 : 64}; NF FORWARD ttl 63; path ingress AF_PACKET ${Net.ROUTER_CLIENT_IF} → NF PRE_ROUTING → NF FORWARD → NF POST_ROUTING → egress AF_PACKET ${Net.ROUTER_SERVER_IF}`,
    observed: `ingress ${Net.ROUTER_CLIENT_IF} ttl ${ttl(at(rows, 'af_packet', 'ingress', Net.ROUTER_CLIENT_IF))}; egress ${Net.ROUTER_SERVER_IF} ttl ${ttl(at(rows, 'af_packet', 'egress', Net.ROUTER_SERVER_IF))}; NF FORWARD ttl ${ttl(hook(rows, 'NF_INET_FORWARD'))}; path ${paths(rows)}`,
  };
});

scenario('8. Loopback: one copy per packet, annotated as the receive-side copy', async (lab) => {
  const { rows } = await captureIn(lab.server, ['lo'], FIELDS, 'udp.dstport == 9008', CAPTURE_S, () => sendUdp(lab.server, '127.0.0.1', 9008, 'scenario 8'));
  const note = 'loopback: this is the receive-side copy; libpcap hides the transmit copy';
  return {
    predicted: `copies 1; ingress; ${note}`,
    observed: `copies ${rows.length}; ${rows.map((row) => row['tap.direction']).join(',')}; ${rows.every((row) => row['tap.implies'].split('|').includes(note)) ? note : rows.map((row) => row['tap.implies']).join(' ; ')}`,
  };
});

scenario('9. GSO on veth: a TCP transfer shows frames larger than the MTU at egress, with the annotation saying why', async (lab) => {
  const sink = tcpSink(lab.server, Net.SERVER_IP, 9009);
  await sink.ready;
  try {
    const { rows } = await captureIn(lab.client, [Net.CLIENT_IF], FIELDS, 'tcp.dstport == 9009 && tap.direction == "egress"', 3, () => sendTcp(lab.client, Net.SERVER_IP, 9009, 4_000_000));
    const large = rows.filter((row) => Number(row['frame.len']) > 1514);
    const explained = large.filter((row) => row['tap.implies'].split('|').some((text) => text.startsWith('frame larger than the MTU (GSO')));
    const partial = large.filter((row) => row['tap.implies'].split('|').includes('TCP checksum not yet filled (checksum offload)'));
    return {
      predicted: `frames over the MTU ${egress.before.includes('GSO/checksum') ? 'yes' : 'no'}; every one explained as GSO; checksum offload noted`,
      observed: `frames over the MTU ${large.length > 0 ? 'yes' : 'no'}; ${explained.length === large.length ? 'every one' : `${explained.length} of ${large.length}`} explained as GSO; checksum offload ${partial.length === large.length ? 'noted' : `noted on ${partial.length} of ${large.length}`}`,
    };
  } finally {
    sink.stop();
  }
});

scenario('10. qdisc drop on the client (pfifo with no room): never shown at its egress tap; NFLOG POST_ROUTING shows it, and --drops names the qdisc', async (lab) => {
  nflogAtEveryHook(lab.client);
  // The router's address resolved first: with ARP itself dropped, the datagram would wait in the neighbour table.
  runIn(lab.client, ['ping', '-c', '1', '-W', '1', Net.ROUTER_CLIENT_IP]);
  runIn(lab.client, ['tc', 'qdisc', 'add', 'dev', Net.CLIENT_IF, 'root', 'pfifo', 'limit', '0']);
  const { rows } = await captureIn(lab.client, [Net.CLIENT_IF, NFLOG], [...FIELDS, 'tap.drop_reason'], 'udp.dstport == 9010', CAPTURE_S, () => sendUdp(lab.client, Net.SERVER_IP, 9010, 'scenario 10'), ['--drops']);
  // --drops prints its table after the frames: its lines are not the datagram's.
  const reasons = [...new Set(rows.filter((row) => row['udp.dstport'] === '9010').map((row) => row['tap.drop_reason']))];
  return {
    predicted: `egress ${shownIf(!egress.before.includes('qdisc'))}; NFLOG NF_INET_LOCAL_OUT, NF_INET_POST_ROUTING; dropped in the qdisc`,
    observed: `egress ${shownIf(at(rows, 'af_packet', 'egress').length > 0)}; NFLOG ${at(rows, 'nflog', 'egress').map((row) => row['tap.hook']).join(', ')}; ${reasons.length === 1 && reasons[0].startsWith('QDISC_') ? 'dropped in the qdisc' : `drop reasons ${reasons.join(', ')}`}`,
  };
});

/** An Ethernet frame holding a UDP datagram, sent by an AF_PACKET socket with PACKET_QDISC_BYPASS set. */
const BYPASS_SENDER = `
import socket, struct, sys
dev, dst_mac, src_ip, dst_ip, port = sys.argv[1:6]
payload = b'scenario 11'
udp = struct.pack('!HHHH', 40011, int(port), 8 + len(payload), 0) + payload
header = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), 11, 0, 64, 17, 0, socket.inet_aton(src_ip), socket.inet_aton(dst_ip))
total = sum(struct.unpack('!10H', header))
total = (total & 0xffff) + (total >> 16)
header = header[:10] + struct.pack('!H', ~((total & 0xffff) + (total >> 16)) & 0xffff) + header[12:]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.setsockopt(263, 20, 1)  # SOL_PACKET, PACKET_QDISC_BYPASS
s.bind((dev, 0))
src_mac = open('/sys/class/net/%s/address' % dev).read().strip()
mac = lambda text: bytes.fromhex(text.replace(':', ''))
s.send(mac(dst_mac) + mac(src_mac) + b'\\x08\\x00' + header + udp)
`;

scenario('11. An AF_PACKET sender with PACKET_QDISC_BYPASS on the client: never shown at its egress tap; the router receives it', async (lab) => {
  const routerMac = execFileSync('ip', ['netns', 'exec', lab.router, 'cat', `/sys/class/net/${Net.ROUTER_CLIENT_IF}/address`], { encoding: 'utf8' }).trim();
  let routerRows: Row[] = [];
  const { rows } = await captureIn(lab.client, [Net.CLIENT_IF], FIELDS, 'udp.dstport == 9011', 2 * CAPTURE_S + 2, async () => {
    ({ rows: routerRows } = await captureIn(lab.router, [Net.ROUTER_CLIENT_IF], FIELDS, 'udp.dstport == 9011', CAPTURE_S, () =>
      runIn(lab.client, ['python3', '-c', BYPASS_SENDER, Net.CLIENT_IF, routerMac, Net.CLIENT_IP, Net.SERVER_IP, '9011'])));
  });
  return {
    // kernel-taps.md §4: packet_xmit → __dev_direct_xmit skips dev_queue_xmit_nit.
    predicted: `egress not shown; router ingress shown`,
    observed: `egress ${shownIf(at(rows, 'af_packet', 'egress').length > 0)}; router ingress ${shownIf(at(routerRows, 'af_packet', 'ingress', Net.ROUTER_CLIENT_IF).length === 1)}`,
  };
});

test.serial('-i any names the device of each copy from the ifindex its cooked header records, and links them', async (t) => {
  if (unavailable) return t.pass(unavailable);
  const lab = createTapLab();
  try {
    const { rows } = await captureIn(lab.router, ['any'], FIELDS, 'udp.dstport == 9010', CAPTURE_S, () => sendUdp(lab.client, Net.SERVER_IP, 9010, 'any'));
    const seen = rows.map((row) => `${row['tap.direction']} ${row['tap.iface']}: ${row['tap.path']}`);
    const path = `ingress AF_PACKET ${Net.ROUTER_CLIENT_IF} → egress AF_PACKET ${Net.ROUTER_SERVER_IF}`;
    t.deepEqual(seen, [`ingress ${Net.ROUTER_CLIENT_IF}: ${path}`, `egress ${Net.ROUTER_SERVER_IF}: ${path}`]);
  } finally {
    lab.remove();
  }
});

test.serial('a TCP transfer forwarded by the router, captured there with -i any: tshark\'s retransmissions and dup ACKs are copies, each linked to its first sighting', async (t) => {
  if (unavailable) return t.pass(unavailable);
  if (!tsharkPresent) return t.pass(TSHARK_ABSENT);
  const lab = createTapLab();
  const dir = mkdtempSync(join(tmpdir(), 'tsshark-copies-'));
  const sink = tcpSink(lab.server, Net.SERVER_IP, 9011);
  try {
    await sink.ready;
    const file = join(dir, 'router-any.pcapng');
    const capture = tssharkIn(lab.router, ['-i', 'any', '-f', 'tcp port 9011', '-a', 'duration:3', '-w', file]);
    await capture.ready;
    sendTcp(lab.client, Net.SERVER_IP, 9011, 2_000_000);
    t.is((await capture.done).status, 0);
    const flagged = ['tcp.analysis.retransmission', 'tcp.analysis.duplicate_ack', 'tcp.analysis.out_of_order'];
    const theirRows = await tsharkFields(file, flagged);
    const theirs = theirRows.filter((row) => row.some((value) => value !== '')).length;
    const ours = await runCli(['-r', file, '-T', 'fields', '-e', 'tap.copy_of', '-e', 'tcp.seq_raw', '-e', 'tcp.ack_raw', '-e', 'tcp.len', ...flagged.flatMap((field) => ['-e', field])]);
    const rows = ours.stdout.trimEnd().split('\n').map((line) => line.split('\t'));
    const copies = rows.map((row, index) => ({ row, number: index + 1 })).filter(({ row }) => row[0] !== '');
    const ourFlagged = rows.filter((row) => row.slice(4).some((value) => value !== '')).length;
    t.log(`${rows.length} frames: tshark flags ${theirs}, tsshark ${ourFlagged}, with ${copies.length} copies linked`);
    t.true(theirs > 0);
    // What tshark flags is a copy here, or (rarely, on a loaded machine) a genuine retransmission flagged here too.
    const unexplained = theirRows.map((row, index) => ({ row, index })).filter(({ row, index }) => row.some((value) => value !== '') && rows[index][0] === '' && rows[index].slice(4).every((value) => value === ''));
    t.deepEqual(unexplained.map(({ index }) => index + 1), []);
    t.true(ourFlagged < theirs / 4);
    // Every forwarded segment is seen twice (ingress lab-rc, egress lab-rs): half the frames are copies.
    t.is(copies.length, rows.length / 2);
    for (const { row, number } of copies) {
      const first = rows[Number(row[0]) - 1];
      t.true(Number(row[0]) < number);
      t.deepEqual(first.slice(1, 4), row.slice(1, 4), `#${number} copies #${row[0]}`);
    }
  } finally {
    sink.stop();
    lab.remove();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.serial('the scenario table: predicted and observed agree for every scenario', (t) => {
  if (unavailable) return t.pass(unavailable);
  const width = Math.max(...outcomes.map((outcome) => outcome.scenario.length));
  const lines = outcomes.map(({ scenario: name, predicted, observed }) =>
    `${predicted === observed ? 'ok  ' : 'FAIL'} ${name.padEnd(width)}\n     predicted: ${predicted}\n     observed:  ${observed}`);
  t.log(`kernel ${kernel?.release ?? 'unknown'}\n${lines.join('\n')}`);
  t.is(outcomes.length, 11);
  t.deepEqual(outcomes.filter((outcome) => outcome.predicted !== outcome.observed).map((outcome) => outcome.scenario), []);
});

test.serial('--explain draws this kernel\'s pipelines with the tap points and the hooks populated in the namespace', async (t) => {
  if (unavailable) return t.pass(unavailable);
  const lab = createTapLab();
  try {
    nft(lab.server, [
      'table ip tss_explain {',
      '  chain pre { type nat hook prerouting priority dstnat; }',
      '  chain early { type filter hook prerouting priority -300; }',
      '  chain in { type filter hook input priority 0; }',
      '  chain post { type nat hook postrouting priority srcnat; }',
      '}',
      `table netdev tss_dev { chain ing { type filter hook ingress device ${Net.SERVER_IF} priority 0; }; }`,
      '',
    ].join('\n'));
    runIn(lab.server, ['tc', 'qdisc', 'add', 'dev', Net.SERVER_IF, 'root', 'tbf', 'rate', '1mbit', 'burst', '32kbit', 'latency', '400ms']);
    const stopTcx = await dropInTcx(lab.server, Net.SERVER_IF, 'egress', 9304);
    const result = await tssharkRunIn(lab.server, ['--explain', Net.SERVER_IF]);
    await stopTcx();
    t.is(result.status, 0, result.stderr);
    const lines = result.stdout.split('\n');
    const index = (pattern: RegExp) => lines.findIndex((line) => pattern.test(line));
    // Receive: the tap after generic XDP and before tc; PREROUTING's chains in priority order.
    t.true(index(/^ {2}│ generic XDP$/) < index(/^ {2}◆ TAP \(AF_PACKET copy\): __netif_receive_skb_core → ptype_all → tpacket_rcv$/));
    t.true(index(/◆ TAP.*__netif_receive_skb_core/) < index(/nf netdev ingress +nft netdev tss_dev ing \(filter, priority 0\)/));
    t.true(index(/PREROUTING +nft ip tss_explain early \(filter, priority -300\)/) + 1 === index(/^ {2}│ +nft ip tss_explain pre \(nat, priority -100\)/));
    t.true(index(/INPUT\/FORWARD +nft ip tss_explain in input \(filter, priority 0\)/) > 0);
    // Transmit: POSTROUTING and the qdisc before the tap, named for this kernel.
    const egressTap = index(/◆ TAP \(AF_PACKET copy\): xmit_one/);
    t.true(index(/POSTROUTING +nft ip tss_explain post \(nat, priority 100\)/) < egressTap);
    t.true(index(new RegExp(`qdisc +${Net.SERVER_IF}: tbf`)) < egressTap);
    // tcx, which tc does not list, from the kernel itself.
    t.true(index(new RegExp(`^ {2}│ tc egress.* +${Net.SERVER_IF}: tcx program lab_prog id \\d+$`)) < egressTap, result.stdout);
    t.true(index(new RegExp(`${Net.SERVER_IF}: tcx program lab_prog`)) > 0, result.stdout);
    const unknown = await tssharkRunIn(lab.server, ['--explain', 'no-such-if']);
    t.is(unknown.status, 2);
    t.is(unknown.stderr, 'tsshark: no-such-if: no such interface (tsshark -D lists the interfaces)\n');
  } finally {
    lab.remove();
  }
});

/** tsshark in a namespace, to its end. */
async function tssharkRunIn(ns: string, args: readonly string[]) {
  return startIn(ns, [process.execPath, BIN, ...args]).done;
}
