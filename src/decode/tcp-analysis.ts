// TCP sequence analysis as tshark 4.0 computes it (packet-tcp.c's tcp_analyze_sequence_number): lost and
// retransmitted segments, duplicate ACKs, window updates and zero windows, what each ACK acknowledges, bytes
// in flight. Unlike tshark, a segment seen again at another tap point of the capture (a router's two
// interfaces, AF_PACKET and NFLOG) is a copy (taps/tap-copies.ts), not a retransmission: the analysis runs on
// first sightings.
import type { Dissection } from './dissection.js';
import { ExpertGroup } from './protocols/expert.js';
import { defineFields } from './field.js';
import type { ExpertSeverity } from './tree.js';
import { newReassemblyFlow, type ReassemblyFlow } from './tcp-reassembly.js';
import { copyFields } from './taps/copy-fields.js';
import { Sightings } from './taps/tap-copies.js';
import { TAP_POINT } from './taps/tap-paths.js';

export const analysisFields = defineFields('tcp', {
  analysis: { name: 'SEQ/ACK analysis', type: 'none' },
  'analysis.flags': { name: 'TCP Analysis Flags', type: 'none' },
  'analysis.retransmission': { name: 'This frame is a (suspected) retransmission', type: 'none' },
  'analysis.fast_retransmission': { name: 'This frame is a (suspected) fast retransmission', type: 'none' },
  'analysis.spurious_retransmission': { name: 'This frame is a (suspected) spurious retransmission', type: 'none' },
  'analysis.out_of_order': { name: 'This frame is a (suspected) out-of-order segment', type: 'none' },
  'analysis.lost_segment': { name: 'Previous segment(s) not captured (common at capture start)', type: 'none' },
  'analysis.ack_lost_segment': { name: "ACKed segment that wasn't captured (common at capture start)", type: 'none' },
  'analysis.duplicate_ack': { name: 'Duplicate ACK', type: 'none' },
  'analysis.duplicate_ack_num': { name: 'Duplicate ACK #', type: 'uint32', base: 'dec' },
  'analysis.duplicate_ack_frame': { name: 'Duplicate to the ACK in frame', type: 'framenum' },
  'analysis.zero_window': { name: 'TCP Zero Window segment', type: 'none' },
  'analysis.zero_window_probe': { name: 'TCP Zero Window Probe', type: 'none' },
  'analysis.zero_window_probe_ack': { name: 'ACK to a TCP Zero Window Probe', type: 'none' },
  'analysis.window_full': { name: 'TCP window specified by the receiver is now completely full', type: 'none' },
  'analysis.window_update': { name: 'TCP window update', type: 'none' },
  'analysis.keep_alive': { name: 'TCP keep-alive segment', type: 'none' },
  'analysis.keep_alive_ack': { name: 'ACK to a TCP keep-alive segment', type: 'none' },
  'analysis.reused_ports': { name: 'A new tcp memory is started with the same ports as an earlier memory in this trace', type: 'none' },
  'analysis.acks_frame': { name: 'This is an ACK to the segment in frame', type: 'framenum' },
  'analysis.ack_rtt': { name: 'The RTT to ACK the segment was', type: 'relative_time' },
  'analysis.initial_rtt': { name: 'iRTT', type: 'relative_time' },
  'analysis.bytes_in_flight': { name: 'Bytes in flight', type: 'uint32', base: 'dec' },
  'analysis.push_bytes_sent': { name: 'Bytes sent since last PSH flag', type: 'uint32', base: 'dec' },
  time_relative: { name: 'Time since first frame in this TCP stream', type: 'relative_time' },
  time_delta: { name: 'Time since previous frame in this TCP stream', type: 'relative_time' },
});

export const Analysis = {
  RETRANSMISSION: 0x1, LOST_PACKET: 0x2, ACK_LOST_PACKET: 0x4, KEEP_ALIVE: 0x8, DUPLICATE_ACK: 0x10, ZERO_WINDOW: 0x20,
  ZERO_WINDOW_PROBE: 0x40, ZERO_WINDOW_PROBE_ACK: 0x80, KEEP_ALIVE_ACK: 0x100, OUT_OF_ORDER: 0x200, FAST_RETRANSMISSION: 0x400,
  WINDOW_UPDATE: 0x800, WINDOW_FULL: 0x1000, REUSED_PORTS: 0x2000, SPURIOUS_RETRANSMISSION: 0x4000,
  /** Not Wireshark's: the frame acknowledges a segment, and carries bytes in flight (which values follow). */
  ACKS_SEGMENT: 0x10000, IN_FLIGHT: 0x20000, PUSHED: 0x40000,
} as const;
/** What Wireshark's "Bad TCP" colouring rule reads: analysis flags, but not a window update or keep-alive. */
export const BAD_TCP_FIELDS = [analysisFields['analysis.flags'], analysisFields['analysis.window_update'], analysisFields['analysis.keep_alive'], analysisFields['analysis.keep_alive_ack']];

/** Wireshark's "Bad TCP" rule, `tcp.analysis.flags && !tcp.analysis.window_update && !tcp.analysis.keep_alive && !tcp.analysis.keep_alive_ack`, over a dissection that collected BAD_TCP_FIELDS. */
export function isBadTcp(dissection: Dissection): boolean {
  const [flags, ...excused] = BAD_TCP_FIELDS;
  return dissection.valuesOf(flags).length > 0 && excused.every((field) => dissection.valuesOf(field).length === 0);
}

/**
 * A retransmission whose payload is not dissected again, as tshark 4.0 does: a fast retransmission's is
 * (it most often fills a hole the capture never saw filled).
 */
export const RETRANSMITTED = Analysis.RETRANSMISSION | Analysis.SPURIOUS_RETRANSMISSION;
const WIRESHARK_FLAGS = 0xffff;

const Tcp = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;
/** packet-tcp.c's TCP_MAX_UNACKED_SEGMENTS. */
const MAX_UNACKED = 10000;
/** A segment this soon after the highest one is out of order when the handshake's RTT is not known. */
const OUT_OF_ORDER_NS = 3_000_000;
/** A retransmission this soon after the second duplicate ACK is a fast one. */
const FAST_RETRANSMISSION_NS = 20_000_000;

interface Unacked {
  frame: number;
  seq: number;
  nextSeq: number;
  time: number;
}

/** One direction of a stream, as the analysis remembers it (sequence numbers raw, times in nanoseconds since the capture's first frame). */
export interface AnalysisFlow extends ReassemblyFlow {
  nextSeq: number;
  nextSeqFrame: number;
  nextSeqTime: number;
  lastAck: number;
  lastAckTime: number;
  window: number;
  dupAckNum: number;
  lastNonDupAck: number;
  lastSegmentFlags: number;
  maxSeqToBeAcked: number;
  segments: Unacked[];
  validBif: boolean;
  pushBytesSent: number;
  pushSetLast: boolean;
  baseSeq: number;
  baseSet: boolean;
  /** Bytes this side's latest SACK blocks said arrived. */
  sackedBytes: number;
}

export function newAnalysisTimes(): AnalysisStream {
  return { synTime: -1, firstRtt: 0, firstRttFrame: 0, firstTime: -1, lastTime: -1 };
}

export function newAnalysisFlow(): AnalysisFlow {
  return {
    nextSeq: 0, nextSeqFrame: 0, nextSeqTime: 0, lastAck: 0, lastAckTime: 0, window: 0, dupAckNum: 0, lastNonDupAck: 0, lastSegmentFlags: 0,
    maxSeqToBeAcked: 0, segments: [], validBif: true, pushBytesSent: 0, pushSetLast: false, baseSeq: 0, baseSet: false, sackedBytes: 0, ...newReassemblyFlow(),
  };
}

/** What the stream shares across directions: the handshake's RTT and the stream's times (-1: none yet). */
export interface AnalysisStream {
  synTime: number;
  firstRtt: number;
  /** The frame whose ACK gave firstRtt: frames from it on show the iRTT (so nothing per frame is remembered). */
  firstRttFrame: number;
  firstTime: number;
  lastTime: number;
}

const gt = (a: number, b: number) => ((a - b) | 0) > 0;
/** Sequence number `a` comes before `b`, across the 2^32 wrap (Wireshark's LT_SEQ). */
export const lt = (a: number, b: number) => ((a - b) | 0) < 0;
const le = (a: number, b: number) => ((a - b) | 0) <= 0;

export interface SegmentFacts {
  frame: number;
  time: number;
  seq: number;
  ack: number;
  length: number;
  flags: number;
  /** The window as scaled, as Wireshark compares it. */
  window: number;
  /** The receiver's window scale shift (-1 unknown, -2 unused): "window full" needs it known. */
  reverseShift: number;
  /** Bytes the segment's SACK blocks cover (-1: no SACK option). */
  sacked: number;
}

/** The values a frame's analysis shows besides its flags, kept until the next frame's (first pass only). */
const values = { dupAckNum: 0, dupAckFrame: 0, acksFrame: 0, ackRttNs: 0, bytesInFlight: 0, pushBytesSent: 0 };

/**
 * Wireshark's analysis of one segment, step for step (sequence numbers raw, 0 meaning "none yet" as there);
 * updates both directions' state and returns the flags.
 */
function analyze(fwd: AnalysisFlow, rev: AnalysisFlow, stream: AnalysisStream, s: SegmentFacts): number {
  let flags = 0;
  const { seq, ack, length, window, time } = s;
  const control = s.flags & (Tcp.SYN | Tcp.FIN | Tcp.RST);
  if (!fwd.baseSet) {
    fwd.baseSeq = s.flags & Tcp.SYN ? seq : (seq - 1) >>> 0;
    fwd.baseSet = true;
  }
  if (s.flags & Tcp.SYN && !(s.flags & Tcp.ACK)) stream.synTime = time;
  if (stream.firstRtt === 0 && stream.synTime >= 0 && (s.flags & (Tcp.SYN | Tcp.ACK)) === Tcp.ACK) {
    stream.firstRtt = time - stream.synTime;
    stream.firstRttFrame = s.frame;
  }
  if (s.flags & Tcp.ACK) rev.validBif = true;
  check: {
    if (length === 1 && seq === fwd.nextSeq && rev.window === 0) {
      flags |= Analysis.ZERO_WINDOW_PROBE;
      break check;
    }
    if (window === 0 && control === 0) flags |= Analysis.ZERO_WINDOW;
    if (fwd.nextSeq !== 0 && gt(seq, fwd.nextSeq) && !(s.flags & Tcp.RST)) {
      flags |= Analysis.LOST_PACKET;
      fwd.validBif = false;
    }
    if ((length === 0 || length === 1) && seq === ((fwd.nextSeq - 1) >>> 0) && control === 0) flags |= Analysis.KEEP_ALIVE;
    const repeats = length === 0 && seq === fwd.nextSeq && ack === fwd.lastAck && control === 0;
    if (repeats && window !== 0 && window !== fwd.window) flags |= Analysis.WINDOW_UPDATE;
    if (length > 0 && s.reverseShift !== -1 && control === 0 && ((seq + length) >>> 0) === ((rev.lastAck + rev.window) >>> 0)) flags |= Analysis.WINDOW_FULL;
    if (repeats && window !== 0 && window === fwd.window && rev.lastSegmentFlags & Analysis.KEEP_ALIVE) {
      flags |= Analysis.KEEP_ALIVE_ACK;
      break check;
    }
    if (repeats && window === 0 && window === fwd.window && rev.lastSegmentFlags & Analysis.ZERO_WINDOW_PROBE) {
      flags |= Analysis.ZERO_WINDOW_PROBE_ACK;
      break check;
    }
    if (repeats && window !== 0 && window === fwd.window) {
      fwd.dupAckNum++;
      flags |= Analysis.DUPLICATE_ACK;
      values.dupAckNum = fwd.dupAckNum;
      values.dupAckFrame = fwd.lastNonDupAck;
    }
  }
  if (ack !== fwd.lastAck) {
    fwd.lastNonDupAck = s.frame;
    fwd.dupAckNum = 0;
  }
  if (rev.maxSeqToBeAcked !== 0 && gt(ack, rev.maxSeqToBeAcked) && s.flags & Tcp.ACK) {
    flags |= Analysis.ACK_LOST_PACKET;
    rev.maxSeqToBeAcked = rev.nextSeq;
  }
  if (length > 0 || s.flags & (Tcp.SYN | Tcp.FIN)) flags |= retransmissionKind(fwd, rev, stream, s, flags);
  let nextSeq = (seq + length) >>> 0;
  if (s.flags & (Tcp.SYN | Tcp.FIN)) nextSeq = (nextSeq + 1) >>> 0;
  if ((length > 0 || s.flags & (Tcp.SYN | Tcp.FIN)) && fwd.segments.length < MAX_UNACKED) fwd.segments.push({ frame: s.frame, seq, nextSeq, time });
  const probe = (flags & Analysis.ZERO_WINDOW_PROBE) !== 0;
  if ((gt(nextSeq, fwd.nextSeq) || fwd.nextSeq === 0) && !probe) {
    fwd.nextSeq = nextSeq;
    fwd.nextSeqFrame = s.frame;
    fwd.nextSeqTime = time;
  }
  if ((seq === fwd.maxSeqToBeAcked || fwd.maxSeqToBeAcked === 0) && !probe) fwd.maxSeqToBeAcked = fwd.nextSeq;
  fwd.window = window;
  fwd.lastAck = ack;
  fwd.lastAckTime = time;
  fwd.lastSegmentFlags = flags;
  flags |= acknowledge(rev, s);
  if (length > 0 && fwd.validBif && fwd.segments.length > 0) flags |= inFlight(fwd, rev, s);
  // This side's SACK blocks count for the other side's next segments (options come after the analysis).
  fwd.sackedBytes = Math.max(0, s.sacked);
  return flags;
}

function retransmissionKind(fwd: AnalysisFlow, rev: AnalysisFlow, stream: AnalysisStream, s: SegmentFacts, flags: number): number {
  if (flags & Analysis.KEEP_ALIVE) return 0;
  let notAdvanced = fwd.nextSeq !== 0 && lt(s.seq, fwd.nextSeq);
  // A segment starting one byte back after a zero window probe adds new data.
  if (s.length > 1 && ((fwd.nextSeq - 1) >>> 0) === s.seq) notAdvanced = false;
  // Data the other side has acknowledged already, however soon it came: 4.0.17 asks this first.
  if (s.length > 0 && rev.lastAck !== 0 && le((s.seq + s.length) >>> 0, rev.lastAck)) return Analysis.SPURIOUS_RETRANSMISSION;
  // Wireshark holds these times unsigned: a frame stamped before the one it is compared with is long after it.
  const sinceAck = s.time - rev.lastAckTime;
  if (notAdvanced && rev.dupAckNum >= 2 && rev.lastAck === s.seq && sinceAck >= 0 && sinceAck < FAST_RETRANSMISSION_NS) return Analysis.FAST_RETRANSMISSION;
  // Close behind the highest segment (within the first RTT, or 3 ms before it is known): out of order.
  const threshold = stream.firstRtt !== 0 ? stream.firstRtt : OUT_OF_ORDER_NS;
  // A SYN or FIN counts its sequence number: a copy of one ends where the highest ends.
  const end = (s.seq + s.length + (s.flags & (Tcp.SYN | Tcp.FIN) ? 1 : 0)) >>> 0;
  const sinceHighest = s.time - fwd.nextSeqTime;
  if (notAdvanced && sinceHighest >= 0 && sinceHighest < threshold && fwd.nextSeq !== end) return Analysis.OUT_OF_ORDER;
  return notAdvanced ? Analysis.RETRANSMISSION : 0;
}

/** Forgets the other direction's segments this ACK covers; notes the one it acknowledges exactly. */
function acknowledge(rev: AnalysisFlow, s: SegmentFacts): number {
  let flags = 0;
  const segments = rev.segments;
  let kept = 0;
  for (const segment of segments) {
    // Of several segments it acknowledges exactly (a retransmission's), Wireshark names the first sent;
    // it forgets them all.
    if (s.ack === segment.nextSeq) {
      if (flags & Analysis.ACKS_SEGMENT) continue;
      flags |= Analysis.ACKS_SEGMENT;
      values.acksFrame = segment.frame;
      values.ackRttNs = s.time - segment.time;
    } else if (gt(s.ack, segment.seq) && le(s.ack, segment.nextSeq)) {
      segment.seq = s.ack;
      segments[kept++] = segment;
    } else if (gt(segment.nextSeq, s.ack)) {
      segments[kept++] = segment;
    }
  }
  // Kept in place: an ACK arrives for most segments.
  if (kept !== segments.length) segments.length = kept;
  return flags;
}

/**
 * Bytes sent and not yet acknowledged after this segment, less what the receiver's latest SACK blocks
 * say arrived; and bytes since the last PSH.
 */
function inFlight(fwd: AnalysisFlow, rev: AnalysisFlow, s: SegmentFacts): number {
  let first = (fwd.segments[0].seq - fwd.baseSeq) >>> 0;
  let last = (fwd.segments[0].nextSeq - fwd.baseSeq) >>> 0;
  for (const segment of fwd.segments) {
    first = Math.min(first, (segment.seq - fwd.baseSeq) >>> 0);
    last = Math.max(last, (segment.nextSeq - fwd.baseSeq) >>> 0);
  }
  const push = (s.flags & Tcp.PSH) !== 0;
  fwd.pushBytesSent = fwd.pushSetLast ? s.length : fwd.pushBytesSent + s.length;
  fwd.pushSetLast = push;
  values.pushBytesSent = fwd.pushBytesSent;
  const bytes = (last - first - rev.sackedBytes) | 0;
  if (bytes <= 0 || bytes >= 2_000_000_000) return Analysis.PUSHED;
  // SYN and FIN count one in sequence space but are not data.
  values.bytesInFlight = s.flags & (Tcp.SYN | Tcp.FIN) ? bytes - 1 : bytes;
  return Analysis.IN_FLIGHT | Analysis.PUSHED;
}

/** The Info prefixes and expert notes of each flag, in Wireshark's order (each prepended, so the last shows first). */
const FLAG_TEXTS: readonly [number, string, ExpertSeverity, string, keyof typeof analysisFields][] = [
  [Analysis.REUSED_PORTS, '[TCP Port numbers reused] ', 'note', 'A new tcp memory is started with the same ports as an earlier memory in this trace', 'analysis.reused_ports'],
  [Analysis.RETRANSMISSION, '[TCP Retransmission] ', 'note', 'This frame is a (suspected) retransmission', 'analysis.retransmission'],
  [Analysis.FAST_RETRANSMISSION, '[TCP Fast Retransmission] ', 'note', 'This frame is a (suspected) fast retransmission', 'analysis.fast_retransmission'],
  [Analysis.SPURIOUS_RETRANSMISSION, '[TCP Spurious Retransmission] ', 'note', 'This frame is a (suspected) spurious retransmission', 'analysis.spurious_retransmission'],
  [Analysis.OUT_OF_ORDER, '[TCP Out-Of-Order] ', 'warn', 'This frame is a (suspected) out-of-order segment', 'analysis.out_of_order'],
  [Analysis.LOST_PACKET, '[TCP Previous segment not captured] ', 'warn', 'Previous segment(s) not captured (common at capture start)', 'analysis.lost_segment'],
  [Analysis.ACK_LOST_PACKET, '[TCP ACKed unseen segment] ', 'warn', "ACKed segment that wasn't captured (common at capture start)", 'analysis.ack_lost_segment'],
  [Analysis.WINDOW_UPDATE, '[TCP Window Update] ', 'chat', 'TCP window update', 'analysis.window_update'],
  [Analysis.WINDOW_FULL, '[TCP Window Full] ', 'warn', 'TCP window specified by the receiver is now completely full', 'analysis.window_full'],
  [Analysis.KEEP_ALIVE, '[TCP Keep-Alive] ', 'note', 'TCP keep-alive segment', 'analysis.keep_alive'],
  [Analysis.KEEP_ALIVE_ACK, '[TCP Keep-Alive ACK] ', 'note', 'ACK to a TCP keep-alive segment', 'analysis.keep_alive_ack'],
  [Analysis.DUPLICATE_ACK, '', 'note', '', 'analysis.duplicate_ack'],
  [Analysis.ZERO_WINDOW_PROBE, '[TCP ZeroWindowProbe] ', 'note', 'TCP Zero Window Probe', 'analysis.zero_window_probe'],
  [Analysis.ZERO_WINDOW, '[TCP ZeroWindow] ', 'warn', 'TCP Zero Window segment', 'analysis.zero_window'],
  [Analysis.ZERO_WINDOW_PROBE_ACK, '[TCP ZeroWindowProbeAck] ', 'note', 'ACK to a TCP Zero Window Probe', 'analysis.zero_window_probe_ack'],
];

/** The memory's fact: the frame at which a second tap point appeared. */
const SEVERAL_SITES_SINCE = 'tcp.several_sites_since';

/**
 * The frame's copy-of link and analysis (decided once, given back when the frame is dissected again), its
 * fields and Info prefixes. Returns the flags, so TCP knows whether to dissect the payload.
 */
export function analyzeSegment(ctx: Dissection, fwd: AnalysisFlow, rev: AnalysisFlow, stream: AnalysisStream, streamKey: object, facts: SegmentFacts, reused: boolean): number {
  const memory = ctx.memory;
  const sightings = memory.stateOf(Sightings, () => new Sightings());
  const site = sightings.siteOf(ctx);
  // Analysed per tap point (a filter selects tap points), each one's segments are as a capture there alone
  // would show them: none is a copy. Else the copy check is remembered per frame only from the frame that
  // showed a second site: before it, every frame is a first sighting (checked on the first pass, which
  // keeps the last one's numbers).
  let copyOf = 0;
  if (!sightings.perSite) {
    const severalSince = memory.fact(SEVERAL_SITES_SINCE);
    if (severalSince !== 0 && facts.frame >= severalSince) {
      copyOf = memory.once(() => sightings.check(ctx, site, streamKey, facts));
    } else if (!memory.replaying) {
      copyOf = sightings.check(ctx, site, streamKey, facts);
      if (sightings.severalSince === facts.frame) {
        memory.setFact(SEVERAL_SITES_SINCE, facts.frame);
        memory.once(() => copyOf);
      }
    }
  }
  const delta = memory.remembered ? memory.recall<number>() : memory.record(sinceLast(stream, facts.time));
  ctx.generated(analysisFields.time_relative, facts.time - stream.firstTime);
  ctx.generated(analysisFields.time_delta, delta);
  if (copyOf !== 0) {
    ctx.generated(copyFields.copy_of, copyOf);
    const where = ctx.get(TAP_POINT)?.label.replace(' AF_PACKET', '') ?? site;
    prefix.text = `[Same segment at another tap point: ${where}] `;
    return RETRANSMITTED;
  }
  const flags = (memory.remembered ? memory.recall<number>() : memory.record(analyze(fwd, rev, stream, facts))) | (reused ? Analysis.REUSED_PORTS : 0);
  const irtt = stream.firstRttFrame !== 0 && facts.frame >= stream.firstRttFrame ? stream.firstRtt : 0;
  prefix.text = addAnalysis(ctx, flags, irtt);
  return flags;
}

/** The time since the stream's previous frame (0 for its first), noting this one's. */
function sinceLast(stream: AnalysisStream, time: number): number {
  if (stream.firstTime < 0) stream.firstTime = time;
  const previous = stream.lastTime < 0 ? time : stream.lastTime;
  stream.lastTime = time;
  return time - previous;
}

/** The Info prefix of the segment analysed last, which TCP puts ahead of what the protocols above wrote. */
const prefix = { text: '' };

export function infoPrefix(): string {
  const text = prefix.text;
  prefix.text = '';
  return text;
}

/** The analysis's fields and expert notes; returns the Info prefix of its flags. */
function addAnalysis(ctx: Dissection, flags: number, irtt: number): string {
  const memory = ctx.memory;
  // What the analysis computed besides its flags, remembered only where the flags say there is some.
  const value = (present: number, computed: number) => (present === 0 ? 0 : memory.remembered ? memory.recall<number>() : memory.record(computed));
  const dupAckNum = value(flags & Analysis.DUPLICATE_ACK, values.dupAckNum);
  const dupAckFrame = value(flags & Analysis.DUPLICATE_ACK, values.dupAckFrame);
  const acksFrame = value(flags & Analysis.ACKS_SEGMENT, values.acksFrame);
  const ackRtt = value(flags & Analysis.ACKS_SEGMENT, values.ackRttNs);
  const bytesInFlight = value(flags & Analysis.IN_FLIGHT, values.bytesInFlight);
  const pushBytes = value(flags & Analysis.PUSHED, values.pushBytesSent);
  // Wireshark shows the analysis only for a segment it noted something of.
  if ((flags & (WIRESHARK_FLAGS | Analysis.ACKS_SEGMENT | Analysis.PUSHED)) === 0) return '';
  ctx.open(analysisFields.analysis, 0, 0, undefined);
  if (ctx.tree) ctx.label('[SEQ/ACK analysis]');
  if (acksFrame !== 0) {
    ctx.generated(analysisFields['analysis.acks_frame'], acksFrame);
    if (ackRtt !== 0) ctx.generated(analysisFields['analysis.ack_rtt'], ackRtt);
  }
  if (irtt !== 0) ctx.generated(analysisFields['analysis.initial_rtt'], irtt);
  if (bytesInFlight !== 0) {
    ctx.generated(analysisFields['analysis.bytes_in_flight'], bytesInFlight);
    ctx.generated(analysisFields['analysis.push_bytes_sent'], pushBytes);
  }
  let text = '';
  if (flags & WIRESHARK_FLAGS) {
    ctx.open(analysisFields['analysis.flags'], 0, 0, undefined);
    if (ctx.tree) ctx.label('[TCP Analysis Flags]');
    for (const [flag, flagText, severity, message, field] of FLAG_TEXTS) {
      if (!(flags & flag)) continue;
      if (flag === Analysis.DUPLICATE_ACK) {
        ctx.generated(analysisFields[field], undefined);
        ctx.generated(analysisFields['analysis.duplicate_ack_num'], dupAckNum);
        ctx.generated(analysisFields['analysis.duplicate_ack_frame'], dupAckFrame);
        // The note's own item: Wireshark's formatted expert notes are items of their expert field, whose
        // abbrev this one shares, so tshark lists the field twice.
        ctx.generated(analysisFields[field], undefined);
        ctx.expert('note', ExpertGroup.Sequence, `Duplicate ACK (#${dupAckNum})`);
        text = `[TCP Dup ACK ${dupAckFrame}#${dupAckNum}] ${text}`;
        continue;
      }
      ctx.generated(analysisFields[field], undefined);
      // Fast and spurious retransmissions are retransmissions too.
      if ((flag === Analysis.FAST_RETRANSMISSION || flag === Analysis.SPURIOUS_RETRANSMISSION) && !(flags & Analysis.RETRANSMISSION)) {
        ctx.generated(analysisFields['analysis.retransmission'], undefined);
      }
      ctx.expert(severity, ExpertGroup.Sequence, message);
      text = flagText + text;
    }
    ctx.close();
  }
  ctx.close();
  return text;
}
