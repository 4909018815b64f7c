// The statistics' rules (they see every frame whatever -Y keeps, their own filter selects, bad arguments
// are refused before the capture is read), and follow, io,phs, expert and taps against tshark on the
// recordings. The corpus comparison of conv, endpoints and expert is in differential.test.ts, which shares
// its tshark runs.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { CORPUS, CORPUS_ABSENT, corpusPresent, repoRoot } from './helpers/corpus.js';
import { ExpertGroup } from '../src/decode/protocols/expert.js';
import { expertFilter } from '../src/session/stats/expert-info.js';
import { tssharkStatistics } from './helpers/decode.js';
import { runCli } from './helpers/run.js';
import { tshark, TSHARK_ABSENT, tsharkPresent } from './helpers/tshark.js';

test('statistics see every frame -Y keeps or not; their own filter selects; -q prints nothing else', async (t) => {
  if (!corpusPresent) return t.pass(CORPUS_ABSENT);
  if (!tsharkPresent) return t.pass(TSHARK_ABSENT);
  const file = join(CORPUS, 'recorded/rtr-client-side.pcap');
  const args = ['-r', file, '-Y', 'udp', '-q', '-z', 'conv,ip', '-z', 'endpoints,tcp,tcp.port == 443', '-z', 'conv,udp,dns'];
  const ours = await runCli(args);
  const theirs = await tshark(['-n', ...args]);
  t.is(ours.status, 0, ours.stderr);
  t.is(ours.stdout, theirs.stdout);
  t.regex(ours.stdout, /^Filter:tcp\.port == 443$/m);
  // Without -q the frames come first, then the statistics.
  const printed = await runCli(['-r', join(repoRoot, 'samples/lab.pcap'), '-c', '5', '-z', 'conv,eth']);
  t.regex(printed.stdout, /^ +5 .*\n=+\nEthernet Conversations\n/m);
});

test('a -z tsshark does not have, or a bad filter in one, is refused before the capture is read', async (t) => {
  const unknown = await runCli(['-r', '/nonexistent.pcap', '-q', '-z', 'conv,ipx']);
  t.is(unknown.status, 1);
  t.regex(unknown.stderr, /invalid -z argument "conv,ipx"; tsshark has: conv,eth .*endpoints,udp/);
  const inherited = await runCli(['-r', '/nonexistent.pcap', '-q', '-z', 'endpoints,constructor']);
  t.is(inherited.status, 1);
  t.regex(inherited.stderr, /invalid -z argument "endpoints,constructor"/);
  const badFilter = await runCli(['-r', '/nonexistent.pcap', '-q', '-z', 'conv,tcp,tcp.port ==']);
  t.is(badFilter.status, 1);
  t.regex(badFilter.stderr, /-z conv,tcp,tcp\.port ==: .+\n +tcp\.port ==\n +\^/);
});

test('follow,tcp, follow,udp and follow,http in every mode equal tshark on every stream of a recording, and a stream that is not there', async (t) => {
  if (!corpusPresent) return t.pass(CORPUS_ABSENT);
  if (!tsharkPresent) return t.pass(TSHARK_ABSENT);
  const file = join(CORPUS, 'recorded/rtr-client-side.pcap');
  // TCP streams 0..15 (their HTTP too) and UDP streams 0..UDP_STREAMS-1, each and one past the last; three modes; chunk ranges.
  const every = (protocol: string, streams: number) => Array.from({ length: streams + 1 }, (_, stream) => ['ascii', 'hex', 'raw'].map((mode) => `follow,${protocol},${mode},${stream}`)).flat();
  const specs = [...every('tcp', 16), 'follow,tcp,hex,6,2-3', ...every('udp', UDP_STREAMS), 'follow,udp,ascii,1,2-3', ...every('http', 16), 'follow,http,ascii,2,1-1'];
  const theirs = await tshark(['-n', '-r', file, '-q', ...specs.flatMap((spec) => ['-z', spec])]);
  t.is(await tssharkStatistics(file, specs), theirs.stdout);
  const refused = await runCli(['-r', file, '-q', '-z', 'follow,tcp,ebcdic,1']);
  t.is(refused.status, 1);
  t.regex(refused.stderr, /invalid display mode "ebcdic"/);
});

/** UDP streams in rtr-client-side.pcap (DNS, UDP datagrams, IPv6 neighbour and multicast chatter): 0..27. */
const UDP_STREAMS = 28;

/** Recordings whose hierarchy knowingly differs from tshark's, with the reason. */
const HIERARCHY_DIFFERENCES: Readonly<Record<string, string>> = {
  'tls-with-secrets.pcapng': 'tshark decrypts its TLS with the keys the file carries (HTTP inside); tsshark does not decrypt yet',
  'rtr-nflog.pcap': 'the same packet at several hooks: tshark dissects every copy (retransmissions, malformed TLS), tsshark links copies to their first sighting',
};

test('io,phs equals tshark -q -z io,phs on the recordings, line for line', async (t) => {
  if (!corpusPresent) return t.pass(CORPUS_ABSENT);
  if (!tsharkPresent) return t.pass(TSHARK_ABSENT);
  const files = readdirSync(join(CORPUS, 'recorded')).filter((name) => /\.pcap(ng)?$/.test(name) && HIERARCHY_DIFFERENCES[name] === undefined);
  t.true(files.length >= 9);
  for (const name of [...files.map((file) => join(CORPUS, 'recorded', file)), join(repoRoot, 'samples/lab.pcap')]) {
    const theirs = await tshark(['-n', '-r', name, '-q', '-z', 'io,phs', '-z', 'io,phs,tcp']);
    t.is(await tssharkStatistics(name, ['io,phs', 'io,phs,tcp']), theirs.stdout, name);
  }
});

/** Recordings where tsshark's notes differ from tshark's by design, with the reason. */
const EXPERT_DIFFERENCES: Readonly<Record<string, string>> = {
  ...HIERARCHY_DIFFERENCES,
  'rtr-any-sll.pcap': "each packet at two interfaces: tshark's analysis takes the second copy for a retransmission, tsshark links it to the first",
  'rtr-any-sll2.pcap': 'as rtr-any-sll.pcap',
  'rtr-two-ifaces.pcapng': 'as rtr-any-sll.pcap',
};

test('expert equals tshark -q -z expert on the recordings, line for line', async (t) => {
  if (!corpusPresent) return t.pass(CORPUS_ABSENT);
  if (!tsharkPresent) return t.pass(TSHARK_ABSENT);
  const recordings = readdirSync(join(CORPUS, 'recorded')).filter((name) => /\.pcap(ng)?$/.test(name) && EXPERT_DIFFERENCES[name] === undefined);
  for (const name of [...recordings.map((file) => join(CORPUS, 'recorded', file)), join(repoRoot, 'samples/lab.pcap')]) {
    // One at a time: tshark's level is one variable, which the last -z expert sets for all of them. A
    // level and a filter on one recording: each tshark run costs seconds on two cores.
    for (const spec of name.endsWith('cli-nano.pcap') ? ['expert', 'expert,note,tcp'] : ['expert']) {
      const theirs = await tshark(['-n', '-r', name, '-q', '-z', spec]);
      t.is(await tssharkStatistics(name, [spec]), theirs.stdout, `${name} ${spec}`);
    }
  }
});

test("each expert note's filter (the Expert view's Enter) lists the frames that carry it, quotes and backslashes included", async (t) => {
  if (!corpusPresent) return t.pass(CORPUS_ABSENT);
  const file = join(CORPUS, 'recorded/cli-nano.pcap');
  const report = await runCli(['-r', file, '-q', '-z', 'expert']);
  // tap-expert.c's columns: "%12d %10s %18s  %s".
  const entries = report.stdout.split('\n').filter((line) => /^ +\d+ /.test(line)).map((line) => ({ frequency: Number(line.slice(0, 12)), summary: line.slice(44) }));
  t.true(entries.some((entry) => entry.summary.includes('\\r\\n')), 'an HTTP chat, whose summary holds backslashes');
  // The summaries a filter must escape; the plain ones quote as they are.
  for (const entry of entries.filter(({ summary }) => /[\\"]/.test(summary))) {
    const filter = expertFilter({ severity: 'chat', group: ExpertGroup.Sequence, protocol: '', summary: entry.summary, frequency: entry.frequency });
    const frames = (await runCli(['-r', file, '-Y', filter, '-T', 'fields', '-e', '_ws.expert.message'])).stdout.trim().split('\n').filter((line) => line !== '');
    // Not at most the frequency: a note inside a packet an ICMP error quotes is in the frame, not in the counts.
    t.true(frames.length >= 1, `${filter}: no frame`);
    for (const line of frames) t.true(line.includes(entry.summary), line);
  }
});

test('-z taps: frames per tap point as tshark counts them by packet type; each linked packet once, its copies all counted', async (t) => {
  if (!corpusPresent) return t.pass(CORPUS_ABSENT);
  if (!tsharkPresent) return t.pass(TSHARK_ABSENT);
  const file = join(CORPUS, 'recorded/rtr-any-sll2.pcap');
  const report = await runCli(['-r', file, '-q', '-z', 'taps']);
  t.is(report.status, 0, report.stderr);
  const egress = (await tshark(['-r', file, '-Y', 'sll.pkttype == 4', '-T', 'fields', '-e', 'frame.number'])).stdout.trim().split('\n').length;
  const all = (await tshark(['-r', file, '-T', 'fields', '-e', 'frame.number'])).stdout.trim().split('\n').length;
  t.regex(report.stdout, new RegExp(`^ +${egress} +\\d+  egress AF_PACKET$`, 'm'));
  t.regex(report.stdout, new RegExp(`^ +${all - egress} +\\d+  ingress AF_PACKET$`, 'm'));
  // Every frame with an identity is a copy of one packet: the paths' packets times their points are the frames.
  const pathSection = report.stdout.slice(report.stdout.indexOf('by path'), report.stdout.indexOf('Last seen'));
  const paths = [...pathSection.matchAll(/^ +(\d+) {2}((?:ingress|egress) AF_PACKET.*)$/gm)];
  t.true(paths.length >= 3);
  const copies = paths.reduce((sum, [, packets, path]) => sum + Number(packets) * path.split(' → ').filter((point) => !point.endsWith('not seen')).length, 0);
  const linked = await runCli(['-r', file, '-Y', 'tap.path', '-T', 'fields', '-e', 'frame.number']);
  t.is(copies, linked.stdout.trim().split('\n').length);
  // NFLOG's IPv4 and IPv6 hooks are points of their own, each with tshark's count of its records.
  const nflog = join(CORPUS, 'recorded/rtr-nflog.pcap');
  const hooks = await runCli(['-r', nflog, '-q', '-z', 'taps']);
  for (const [family, name] of [[2, 'ipv4'], [10, 'ipv6']] as const) {
    const records = (await tshark(['-r', nflog, '-Y', `nflog.hook == 0 && nflog.family == ${family}`, '-T', 'fields', '-e', 'frame.number'])).stdout.trim().split('\n').length;
    t.regex(hooks.stdout, new RegExp(`^ +${records} +\\d+  NF PRE_ROUTING \\(PRE \\), ${name}$`, 'm'));
  }
  const filtered = await runCli(['-r', file, '-q', '-z', 'taps,tcp']);
  t.regex(filtered.stdout, /^Filter:tcp$/m);
  t.notRegex(filtered.stdout, new RegExp(`^ +${egress} `, 'm'));
});

/** A corpus capture for each expert note of the link, network and TCP headers, with the note tshark makes there. */
const HEADER_NOTES: readonly [string, string][] = [
  ['arp-oobr.pcap', 'Ethernet  Source MAC must not be a group address: IEEE 802.3-2002, Section 3.2.3(b)'],
  ['bgp-bgp_capabilities_print-oobr-1.pcap', 'TCP  The acknowledgment number field is nonzero while the ACK flag is not set'],
  ['bgp_mp_reach_nlri-oobr.pcap', 'TCP  The urgent pointer field is nonzero while the URG flag is not set'],
  ['bigtcp-ipv6.pcap', 'IPv6  IPv6 payload length equals 0 (maybe because of "TCP segmentation offload" (TSO))'],
];

test("the header notes (a group source address, an acknowledgment or urgent pointer without its flag, IPv6's length 0) are counted as tshark counts them", async (t) => {
  if (!corpusPresent) return t.pass(CORPUS_ABSENT);
  if (!tsharkPresent) return t.pass(TSHARK_ABSENT);
  for (const [name, note] of HEADER_NOTES) {
    const file = join(CORPUS, 'tcpdump-tests', name);
    const line = (report: string) => report.split('\n').find((entry) => entry.replace(/ +/g, ' ').endsWith(note.replace(/ +/g, ' ')));
    const theirs = line((await tshark(['-n', '-r', file, '-q', '-z', 'expert'])).stdout);
    t.truthy(theirs, `${name}: tshark has the note`);
    t.is(line(await tssharkStatistics(file, ['expert'])), theirs, name);
  }
});
