// `-z conv,TYPE`, `-z endpoints,TYPE` and `-z expert` against tshark 4.0's on a corpus capture, line for
// line. The corpus differential test asks tshark for them in the run that prints the fields, one tshark
// start per capture (a start is half a second: over 860 captures, minutes of a CI run).
import type { CorpusEntry } from './corpus.js';
import { registry, tssharkStatistics } from './decode.js';

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

/** Corpus captures where a note of tsshark's is worded or placed otherwise than tshark's, with the reason. */
const EXPERT_NOTE_DIFFERENCES: Readonly<Record<string, string>> = {
  'tcpdump-tests/dns-badlabel.pcap': "tsshark names the unsupported label type; tshark's DNS throws and notes a malformed packet",
  'tcpdump-tests/dns_fwdptr.pcap': 'as dns-badlabel.pcap',
  'tcpdump-tests/dns-zlip-1.pcap': "tshark marks the frame malformed in Info but makes no expert note; tsshark makes one",
  'tcpdump-tests/dns-zlip-2.pcap': 'as dns-zlip-1.pcap',
  'tcpdump-tests/dns-zlip-3.pcap': 'as dns-zlip-1.pcap',
  'tcpdump-tests/extract_read2_asan.pcap': "an IPv4 option running past the options: tshark's note names the option, tsshark's its offset",
  'tcpdump-tests/ip_ts_opts_asan.pcap': 'as extract_read2_asan.pcap',
  'tcpdump-tests/pgm_opts_asan.pcap': 'as extract_read2_asan.pcap',
  'tcpdump-tests/pgm_opts_asan_2.pcap': 'as extract_read2_asan.pcap',
  'tcpdump-tests/pgm_opts_asan_3.pcap': 'as extract_read2_asan.pcap',
  'tcpdump-tests/radius_attr_asan.pcap': 'as extract_read2_asan.pcap',
};

/** The `-z` arguments for tshark when this capture's statistics are compared, else none. */
export function statisticsArguments(entry: CorpusEntry): string[] {
  // A link type tsshark does not decode hides every address: not worth comparing.
  const decodedLink = entry.linkType < 0 || registry.lookup('linktype', entry.linkType) !== undefined;
  if (!decodedLink || KNOWN_DIFFERENCES[entry.name] !== undefined) return [];
  // tshark draws the statistics last first: expert at the end.
  return ['-z', 'expert', ...SPECS.flatMap((spec) => ['-z', spec])];
}

export interface StatisticsTally {
  /** Captures whose conversations and endpoints were compared, and those that differ. */
  compared: number;
  differing: string[];
  expert: { compared: number; equal: number; wrong: string[] };
}

export const newStatisticsTally = (): StatisticsTally => ({ compared: 0, differing: [], expert: { compared: 0, equal: 0, wrong: [] } });

/**
 * Compares tsshark's statistics with tshark's (`theirs`, from the first rule line) when every frame's
 * protocols (tshark's own frame.protocols) are ones tsshark decodes.
 */
export async function compareStatistics(entry: CorpusEntry, protocols: readonly string[], theirs: string, tally: StatisticsTally): Promise<void> {
  if (theirs === '' || protocols.some((stack) => stack.split(':').some((layer) => !DECODED.has(layer)))) return;
  tally.compared++;
  const lastRule = /^={80}\n(?![\s\S]*^={80}$)/m.exec(theirs) as RegExpExecArray;
  const expertAt = lastRule.index + lastRule[0].length;
  if ((await tssharkStatistics(entry.path, SPECS)) !== theirs.slice(0, expertAt)) tally.differing.push(entry.name);
  if (!entry.name.startsWith('tcpdump-tests/') || EXPERT_NOTE_DIFFERENCES[entry.name] !== undefined) return;
  const ours = await tssharkStatistics(entry.path, ['expert']);
  const theirExpert = theirs.slice(expertAt);
  tally.expert.compared++;
  if (ours === theirExpert) tally.expert.equal++;
  const theirLines = new Set(entryLines(theirExpert));
  for (const line of entryLines(ours)) if (!theirLines.has(line)) tally.expert.wrong.push(`${entry.name}: ${line.trim()}`);
}

const entryLines = (report: string) => report.split('\n').filter((line) => /^ +\d+ /.test(line));
