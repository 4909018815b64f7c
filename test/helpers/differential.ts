// Comparing tsshark's fields with tshark's on one capture, shared by the corpus and lab tests.
import { tssharkFields } from './decode.js';
import { tsharkFields } from './tshark.js';

const FRAME_FIELDS = ['frame.time', 'frame.time_epoch', 'frame.len', 'frame.cap_len', 'frame.time_delta', 'frame.time_relative'];

/** The list: each must equal tshark's wherever tshark decodes it. */
export const CORE_FIELDS = [
  'eth.src', 'eth.dst', 'eth.type', 'vlan.id', 'arp.opcode', 'arp.src.proto_ipv4', 'ip.src', 'ip.dst', 'ip.proto', 'ip.ttl', 'ip.id',
  'ip.len', 'ip.flags.df', 'ip.frag_offset', 'ipv6.src', 'ipv6.dst', 'ipv6.nxt', 'ipv6.hlim', 'icmp.type', 'icmp.code', 'icmpv6.type',
  'tcp.srcport', 'tcp.dstport', 'tcp.seq_raw', 'tcp.ack_raw', 'tcp.flags', 'tcp.flags.syn', 'tcp.len', 'tcp.window_size_value',
  'tcp.options.mss_val', 'udp.srcport', 'udp.dstport', 'udp.length', 'dns.id', 'dns.flags.response', 'dns.qry.name', 'dns.qry.type',
  'dns.a', 'dns.aaaa', 'dns.cname', 'sll.pkttype', 'nflog.prefix',
];

/** More fields checked the same way, beyond the list. */
const MORE_FIELDS = [
  'eth.addr', 'vlan.etype', 'arp.dst.proto_ipv4', 'arp.src.hw_mac', 'ip.hdr_len', 'ip.dsfield', 'ip.flags', 'ip.flags.mf', 'ip.checksum',
  'ipv6.plen', 'ipv6.flow', 'ipv6.tclass', 'icmp.seq', 'icmp.ident', 'icmpv6.code', 'icmpv6.nd.ns.target_address', 'tcp.hdr_len',
  'tcp.checksum', 'tcp.urgent_pointer', 'tcp.options.wscale.shift', 'tcp.options.timestamp.tsval', 'tcp.seq', 'tcp.ack', 'tcp.stream',
  'udp.checksum', 'udp.stream', 'dns.flags', 'dns.count.answers', 'dns.resp.ttl', 'dns.mx.mail_exchange', 'dns.ptr.domain_name', 'dns.ns',
  'dns.srv.target', 'dns.soa.mname', 'sll.etype', 'sll.ifindex', 'nflog.hook', 'nflog.family', 'null.family',
];

/** Protocols whose fields tsshark produces; a frame where tshark finds one of them beneath another protocol is skipped. */
const IMPLEMENTED = new Set([
  'eth', 'ethertype', 'vlan', 'sll', 'null', 'raw', 'nflog', 'arp', 'ip', 'ipv6', 'ipv6.hopopts', 'ipv6.dstopts', 'ipv6.routing',
  'ipv6.fraghdr', 'icmp', 'icmpv6', 'tcp', 'udp', 'dns', 'mdns', 'llmnr', 'data',
]);

/** Every layer tshark finds is one tsshark implements: the frames a filter must treat alike. */
export function fullyImplemented(protocols: string): boolean {
  return protocols.split(':').every((layer) => IMPLEMENTED.has(layer));
}

export function comparable(protocols: string): boolean {
  const layers = protocols.split(':');
  const firstForeign = layers.findIndex((layer) => !IMPLEMENTED.has(layer));
  return firstForeign < 0 || layers.slice(firstForeign).every((layer) => !IMPLEMENTED.has(layer) || layer === 'data');
}

export const FIELDS = [...FRAME_FIELDS, ...CORE_FIELDS, ...MORE_FIELDS];

/**
 * Where tsshark knowingly differs from tshark 4.0, by file, with the reason. Each entry names the
 * fields it excuses; anything else in those files is still compared.
 */
const KNOWN_DIFFERENCES: Record<string, { fields: readonly string[]; reason: string }> = {
  'tcpdump-tests/timestamp_invalid_micro.pcap': {
    fields: ['frame.time', 'frame.time_epoch', 'frame.time_delta', 'frame.time_relative'],
    reason: 'a fraction of a second ≥ 1 s: tsshark carries it into the seconds, tshark prints it as a 10-digit fraction',
  },
  'tcpdump-tests/timestamp_invalid_nano.pcap': {
    fields: ['frame.time', 'frame.time_epoch', 'frame.time_delta', 'frame.time_relative'],
    reason: 'as timestamp_invalid_micro.pcap',
  },
  'tcpdump-tests/rx_serviceid_oobr.pcap': {
    fields: ['frame.time', 'frame.time_epoch', 'frame.time_delta', 'frame.time_relative'],
    reason: 'microsecond field of 3,841,916,976: tshark overflows it into a negative time',
  },
  'tcpdump-tests/atm-heapoverflow.pcap': { fields: ['frame.len', 'frame.cap_len'], reason: 'SunATM (123): tshark strips a 4-byte pseudo-header from the lengths' },
  'tcpdump-tests/atm-oam-heapoverflow.pcap': { fields: ['frame.len', 'frame.cap_len'], reason: 'as atm-heapoverflow.pcap' },
  'tcpdump-tests/atm-oam-loopback-print-overrun.pcap': {
    fields: ['frame.len', 'frame.cap_len', 'frame.time', 'frame.time_epoch'],
    reason: 'SunATM pseudo-header, and tshark reads this file\'s header as the modified (Kuznetzov) format',
  },
  'tcpdump-tests/DTP.pcap': { fields: ['eth.dst', 'eth.addr'], reason: 'Cisco ISL frames: tshark decapsulates ISL (not implemented) and shows the inner Ethernet header too' },
  'tcpdump-tests/dns_udp_8053.pcap': { fields: ['dns.*'], reason: 'DNS on UDP port 8053: tshark\'s DNS heuristic claims it; tsshark has no DNS heuristic yet' },
  'tcpdump-tests/dns_udp_2.pcap': { fields: ['dns.*'], reason: 'as dns_udp_8053.pcap' },
  'tcpdump-tests/someip1.pcap': { fields: ['dns.*'], reason: 'SOME/IP that tshark\'s DNS heuristic takes for DNS' },
  'tcpdump-tests/rtp-seg-fault-1.pcapng': { fields: ['dns.*', 'udp.checksum'], reason: 'a DNS payload inside a malformed UDP length: tshark decodes it, tsshark stops at the bad length' },
  'tcpdump-tests/dns-badlabel.pcap': {
    fields: ['dns.qry.name', 'dns.qry.type'],
    reason: 'after a name over 255 bytes tshark reads the rest of the question at a different offset',
  },
  'tcpdump-tests/arp-oobr.pcap': { fields: ['arp.*'], reason: 'one frame with an ATM ARP hardware type that tshark decodes with the ATMARP layout' },
  'tcpdump-tests/icmp-icmp_print-oobr-1.pcap': { fields: ['icmp.*'], reason: 'malformed IPv4 options: tshark stops in the IP layer, tsshark notes them and goes on' },
};

/** Corpus files where some field knowingly differs from tshark's. */
export const FILES_WITH_KNOWN_DIFFERENCES: ReadonlySet<string> = new Set(Object.keys(KNOWN_DIFFERENCES));

function excused(file: string, field: string): boolean {
  const known = KNOWN_DIFFERENCES[file];
  return known !== undefined && known.fields.some((pattern) => (pattern.endsWith('.*') ? field.startsWith(pattern.slice(0, -1)) : pattern === field));
}

export interface Mismatch {
  file: string;
  frame: number;
  field: string;
  ours: string;
  theirs: string;
}


export interface FileComparison {
  mismatches: Mismatch[];
  compared: number;
  skipped: number;
}

/** Frame count, frame fields on every frame, protocol fields where tsshark implements the stack. */
export async function compareWithTshark(path: string, name: string): Promise<FileComparison> {
  const [theirs, ours] = await Promise.all([tsharkFields(path, TSHARK_FIELDS), tssharkFields(path, FIELDS)]);
  return compareRows(name, theirs, ours);
}

/** What tshark is asked for: the fields, then each frame's protocols. */
export const TSHARK_FIELDS = [...FIELDS, 'frame.protocols'];

/** tshark's rows (TSHARK_FIELDS) against tsshark's (FIELDS). */
export function compareRows(name: string, theirs: readonly string[][], ours: readonly string[][]): FileComparison {
  const result: FileComparison = { mismatches: [], compared: 0, skipped: 0 };
  if (theirs.length !== ours.length) {
    result.mismatches.push({ file: name, frame: 0, field: 'frame count', ours: String(ours.length), theirs: String(theirs.length) });
    return result;
  }
  theirs.forEach((row, index) => {
    const decodable = comparable(row[FIELDS.length]);
    if (decodable) result.compared++;
    else result.skipped++;
    FIELDS.forEach((field, column) => {
      if (!decodable && column >= FRAME_FIELDS.length) return;
      if (row[column] === ours[index][column] || excused(name, field)) return;
      result.mismatches.push({ file: name, frame: index + 1, field, ours: ours[index][column], theirs: row[column] });
    });
  });
  return result;
}

/** The failure text: a count per field and the first mismatches, clipped. */
export function describeMismatches(mismatches: readonly Mismatch[]): { summary: string; examples: string[] } {
  const perField = new Map<string, number>();
  for (const m of mismatches) perField.set(m.field, (perField.get(m.field) ?? 0) + 1);
  const summary = [...perField].sort((a, b) => b[1] - a[1]).map(([field, n]) => `${field}: ${n}`).join(', ');
  const clip = (text: string) => (text.length > 120 ? `${text.slice(0, 120)}…` : text);
  const examples = mismatches.slice(0, 40).map((m) => `${m.file} #${m.frame} ${m.field}: ours "${clip(m.ours)}" tshark "${clip(m.theirs)}"`);
  return { summary, examples };
}
