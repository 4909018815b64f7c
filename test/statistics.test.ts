// `-z conv,TYPE` and `-z endpoints,TYPE` against tshark 4.0's output, line for line, on every corpus
// capture whose frames tsshark decodes to the transport layer (tshark's own frame.protocols decides), and
// the options' rules: statistics see every frame whatever -Y keeps, their own filter selects, and bad
// arguments are refused before the capture is read.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { CORPUS, CORPUS_ABSENT, corpusEntries, corpusPresent, repoRoot } from './helpers/corpus.js';
import { registry, tssharkStatistics } from './helpers/decode.js';
import { runCli } from './helpers/run.js';
import { mapLimit, tshark, TSHARK_ABSENT, tsharkPresent } from './helpers/tshark.js';

const KINDS = ['eth', 'ip', 'ipv6', 'tcp', 'udp'];
const SPECS = KINDS.flatMap((kind) => [`conv,${kind}`, `endpoints,${kind}`]);

/**
 * Layers tsshark decodes at or below the transport layer, and those above it that do not change what the
 * conversation tables count: a frame with any other layer may hide addresses tsshark does not see.
 */
const DECODED = new Set([
  'eth', 'ethertype', 'vlan', 'sll', 'null', 'raw', 'nflog', 'arp', 'ip', 'ipv6', 'ipv6.hopopts', 'ipv6.dstopts', 'ipv6.routing',
  'ipv6.fraghdr', 'icmp', 'icmpv6', 'tcp', 'udp', 'dns', 'mdns', 'llmnr', 'data', 'tls', 'http', 'json', 'data-text-lines', 'media',
  'urlencoded-form', 'xml', 'x509sat', 'x509af', 'x509ce', 'pkcs-1',
]);

/** Captures where tsshark knowingly counts otherwise, with the reason. */
const KNOWN_DIFFERENCES: Readonly<Record<string, string>> = {
  'tcpdump-tests/timestamp_invalid_micro.pcap': 'a fraction of a second ≥ 1 s, which tsshark carries into the seconds (differential.ts)',
  'tcpdump-tests/ipv6-too-long-jumbo.pcap': "tshark's IPv6 stops at an exception in a malformed hop-by-hop header before counting the datagram",
  'tcpdump-tests/ipv6_missing_jumbo_payload_option.pcap': 'as ipv6-too-long-jumbo.pcap',
  'tcpdump-tests/ipv6-next-header-oobr-2.pcap': 'as ipv6-too-long-jumbo.pcap',
};

test('conversations and endpoints of every kind equal tshark -z on the corpus, line for line', async (t) => {
  if (!corpusPresent) return t.pass(CORPUS_ABSENT);
  if (!tsharkPresent) return t.pass(TSHARK_ABSENT);
  // A link type tsshark does not decode hides every address: not worth a tshark run.
  const decodedLink = (linkType: number) => linkType < 0 || registry.lookup('linktype', linkType) !== undefined;
  const entries = corpusEntries().filter((entry) => entry.tsharkReads && decodedLink(entry.linkType) && KNOWN_DIFFERENCES[entry.name] === undefined);
  const differing: string[] = [];
  let compared = 0;
  await mapLimit(entries, 2, async (entry) => {
    // One tshark run: each frame's protocols, then the statistics.
    const result = await tshark(['-n', '-r', entry.path, '-T', 'fields', '-e', 'frame.protocols', ...SPECS.flatMap((spec) => ['-z', spec])]);
    // The statistics start at the first rule line (io,phs's with a blank line before it).
    const rule = /^=+$/m.exec(result.stdout);
    if (rule === null) return;
    const statsAt = result.stdout[rule.index - 2] === '\n' && result.stdout[rule.index - 1] === '\n' ? rule.index - 1 : rule.index;
    const protocols = result.stdout.slice(0, statsAt).split('\n').filter((line) => line !== '');
    if (protocols.some((line) => line.split(':').some((layer) => !DECODED.has(layer)))) return;
    compared++;
    if ((await tssharkStatistics(entry.path, SPECS)) !== result.stdout.slice(statsAt)) differing.push(entry.name);
  });
  t.log(`${compared} of ${entries.length} captures compared (the others hold protocols tsshark does not decode)`);
  t.true(compared > 150, 'a good part of the corpus is compared');
  t.deepEqual(differing.sort(), []);
});

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

test('follow,tcp in every mode equals tshark on every stream of a recording, and a stream that is not there', async (t) => {
  if (!corpusPresent) return t.pass(CORPUS_ABSENT);
  if (!tsharkPresent) return t.pass(TSHARK_ABSENT);
  const file = join(CORPUS, 'recorded/rtr-client-side.pcap');
  // Streams 0..15 and one past the last; three modes; a chunk range.
  const specs = [...Array.from({ length: 17 }, (_, stream) => ['ascii', 'hex', 'raw'].map((mode) => `follow,tcp,${mode},${stream}`)).flat(), 'follow,tcp,hex,6,2-3'];
  const theirs = await tshark(['-n', '-r', file, '-q', ...specs.flatMap((spec) => ['-z', spec])]);
  t.is(await tssharkStatistics(file, specs), theirs.stdout);
  const refused = await runCli(['-r', file, '-q', '-z', 'follow,tcp,ebcdic,1']);
  t.is(refused.status, 1);
  t.regex(refused.stderr, /invalid display mode "ebcdic"/);
});

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
