// TCP, RFC 9293 §3.1 (header), RFC 7323 (window scale, timestamps), RFC 2018 (SACK). Sequence numbers
// are also shown relative to each direction's first, and streams are numbered, as Wireshark does.
import { ConversationKind, tapTransport } from '../conversation-tap.js';
import { conversationKey, endpointFirst } from '../conversation-key.js';
import { ExpertGroup } from './expert.js';
import type { ByteView } from '../byte-view.js';
import type { Conversation, Dissector } from '../dissector.js';
import type { Dissection } from '../dissection.js';
import { rememberedClass } from '../capture-memory.js';
import { defineFields, defineProtocol, fieldsByAbbrev } from '../field.js';
import { addPorts } from './ports.js';
import { asciiText } from '../text.js';
import { addOptions, optionFields, WSCALE_UNUSED } from './tcp-options.js';
import { Analysis, analysisFields, analyzeSegment, infoPrefix, newAnalysisFlow, newAnalysisTimes, RETRANSMITTED, type AnalysisFlow, type AnalysisStream, type SegmentFacts } from '../tcp-analysis.js';
import { copyFields } from '../taps/copy-fields.js';
import { Sightings } from '../taps/tap-copies.js';
import { handOffPayload, ReassemblyBudget, startsPdu, reassemblyFields, type Segment } from '../tcp-reassembly.js';

export const FIELD = { PORTS: 0, SEQ: 4, ACK: 8, OFFSET_FLAGS: 12, WINDOW: 14, CHECKSUM: 16, URGENT: 18 } as const;
export const MIN_HEADER = 20;
const Flag = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20, ECE: 0x40, CWR: 0x80, AE: 0x100 } as const;
const FLAG_NAMES: readonly [number, string][] = [
  [Flag.FIN, 'FIN'], [Flag.SYN, 'SYN'], [Flag.RST, 'RST'], [Flag.PSH, 'PSH'], [Flag.ACK, 'ACK'], [Flag.URG, 'URG'],
  [Flag.ECE, 'ECE'], [Flag.CWR, 'CWR'], [Flag.AE, 'AE'],
];
/** Streams remembered; past this the oldest is forgotten (a later packet of it starts a new stream). */
const MAX_STREAMS = 1 << 18;
const WSCALE_UNKNOWN = -1;

const ownFields = defineFields('tcp', {
  srcport: { name: 'Source Port', type: 'uint16', base: 'dec' },
  dstport: { name: 'Destination Port', type: 'uint16', base: 'dec' },
  port: { name: 'Source or Destination Port', type: 'uint16', base: 'dec' },
  stream: { name: 'Stream index', type: 'uint32', base: 'dec' },
  len: { name: 'TCP Segment Len', type: 'uint32', base: 'dec' },
  seq: { name: 'Sequence Number', type: 'uint32', base: 'dec' },
  seq_raw: { name: 'Sequence Number (raw)', type: 'uint32', base: 'dec' },
  nxtseq: { name: 'Next Sequence Number', type: 'uint32', base: 'dec' },
  ack: { name: 'Acknowledgment Number', type: 'uint32', base: 'dec' },
  ack_raw: { name: 'Acknowledgment number (raw)', type: 'uint32', base: 'dec' },
  hdr_len: { name: 'Header Length', type: 'uint8', base: 'dec' },
  flags: { name: 'Flags', type: 'uint16', base: 'hex', mask: 0x0fff },
  'flags.res': { name: 'Reserved', type: 'boolean', mask: 0xe00 },
  'flags.ae': { name: 'Accurate ECN', type: 'boolean', mask: 0x100 },
  'flags.cwr': { name: 'Congestion Window Reduced', type: 'boolean', mask: 0x80 },
  'flags.ece': { name: 'ECN-Echo', type: 'boolean', mask: 0x40 },
  'flags.urg': { name: 'Urgent', type: 'boolean', mask: 0x20 },
  'flags.ack': { name: 'Acknowledgment', type: 'boolean', mask: 0x10 },
  'flags.push': { name: 'Push', type: 'boolean', mask: 0x08 },
  'flags.reset': { name: 'Reset', type: 'boolean', mask: 0x04 },
  'flags.syn': { name: 'Syn', type: 'boolean', mask: 0x02 },
  'flags.fin': { name: 'Fin', type: 'boolean', mask: 0x01 },
  'flags.str': { name: 'TCP Flags', type: 'string' },
  window_size_value: { name: 'Window', type: 'uint16', base: 'dec' },
  window_size: { name: 'Calculated window size', type: 'uint32', base: 'dec' },
  window_size_scalefactor: { name: 'Window size scaling factor', type: 'int32', base: 'dec' },
  checksum: { name: 'Checksum', type: 'uint16', base: 'hex' },
  urgent_pointer: { name: 'Urgent Pointer', type: 'uint16', base: 'dec' },
  payload: { name: 'TCP payload', type: 'bytes' },
  reset_cause: { name: 'Reset cause', type: 'string' },
});
const fields = { ...ownFields, ...optionFields, ...reassemblyFields, ...analysisFields };
const registered = fieldsByAbbrev(ownFields, optionFields, reassemblyFields, analysisFields, copyFields);


const protocol = defineProtocol('tcp', 'Transmission Control Protocol');

interface Flow {
  base: number;
  baseSet: boolean;
  windowShift: number;
  /** This side sent a FIN before the other did (Wireshark's closing_initiator). */
  closing: boolean;
}

/**
 * Sequence analysis and reassembly of a stream, per direction, its times, and the conversation the protocols
 * above keep their state by: the stream's, or one tap point's.
 */
interface StreamAnalysis extends Conversation {
  readonly analysis: [AnalysisFlow, AnalysisFlow];
  readonly times: AnalysisStream;
}

function newStreamAnalysis(): StreamAnalysis {
  return {
    analysis: [newAnalysisFlow(), newAnalysisFlow()],
    times: newAnalysisTimes(),
    dissectorIndex: -1,
    dissectorFrom: 0,
  };
}

class Stream implements StreamAnalysis {
  dissectorIndex = -1;
  dissectorFrom = 0;
  readonly flows: [Flow, Flow] = [newFlow(), newFlow()];
  readonly analysis: [AnalysisFlow, AnalysisFlow] = [newAnalysisFlow(), newAnalysisFlow()];
  readonly times: AnalysisStream = newAnalysisTimes();
  /** Each tap point's own analysis, when the stream is analysed per tap point. */
  private sites: Map<string, StreamAnalysis> | undefined;
  /** The stream as seen from each endpoint, made once: the UI remembers every segment's stream. */
  readonly sides: [StreamSide, StreamSide] = [{ stream: this, forward: true }, { stream: this, forward: false }];

  /** `reusedIn`: the frame whose SYN started this stream on the ports of an earlier one (0: none). */
  constructor(
    readonly index: number,
    readonly reusedIn: number,
  ) {}

  at(site: string): StreamAnalysis {
    this.sites ??= new Map();
    let analysis = this.sites.get(site);
    if (analysis === undefined) {
      analysis = newStreamAnalysis();
      this.sites.set(site, analysis);
    }
    return analysis;
  }
}

rememberedClass('Stream', Stream);

/** A segment's stream, and whether its source is the stream's first endpoint. */
interface StreamSide {
  stream: Stream;
  forward: boolean;
}

interface TcpState {
  streams: Map<string, Stream>;
  nextIndex: number;
  budget: ReassemblyBudget;
  recent: RecentStream;
}

/**
 * The stream found last and its endpoints, first endpoint first: consecutive segments are mostly of one
 * stream, found again without building its key.
 */
class RecentStream {
  /** Address bytes and port of the first endpoint, then of the second. */
  private readonly tuple = new Uint8Array(2 * (16 + 2));
  private length = 0;
  stream: Stream | undefined = undefined;

  matches(bytes: Uint8Array, length: number, firstAt: number, firstPort: number, secondAt: number, secondPort: number): boolean {
    if (this.stream === undefined || length !== this.length) return false;
    const tuple = this.tuple;
    for (let i = 0; i < length; i++) if (tuple[i] !== bytes[firstAt + i] || tuple[length + 2 + i] !== bytes[secondAt + i]) return false;
    return ((tuple[length] << 8) | tuple[length + 1]) === firstPort && ((tuple[2 * length + 2] << 8) | tuple[2 * length + 3]) === secondPort;
  }

  remember(stream: Stream, bytes: Uint8Array, length: number, firstAt: number, firstPort: number, secondAt: number, secondPort: number): void {
    const tuple = this.tuple;
    for (let i = 0; i < length; i++) {
      tuple[i] = bytes[firstAt + i];
      tuple[length + 2 + i] = bytes[secondAt + i];
    }
    tuple[length] = firstPort >> 8;
    tuple[length + 1] = firstPort & 0xff;
    tuple[2 * length + 2] = secondPort >> 8;
    tuple[2 * length + 3] = secondPort & 0xff;
    this.length = length;
    this.stream = stream;
  }
}

function newFlow(): Flow {
  return { base: 0, baseSet: false, windowShift: WSCALE_UNKNOWN, closing: false };
}

function tcpState(ctx: Dissection): TcpState {
  return ctx.memory.stateOf(protocol, (): TcpState => ({ streams: new Map(), nextIndex: 0, budget: new ReassemblyBudget(), recent: new RecentStream() }));
}

/**
 * Finds or starts the stream of this segment; `forward` says whether src is its first endpoint. A SYN
 * whose sequence number is not the one its direction started from reuses the ports for a new stream,
 * as Wireshark decides.
 */
function streamOf(ctx: Dissection, srcPort: number, dstPort: number, seq: number, flags: number): StreamSide | undefined {
  const network = ctx.network;
  if (!network) return undefined;
  const { bytes, length, srcAt, dstAt } = network;
  const forward = endpointFirst(bytes, length, srcAt, srcPort, dstAt, dstPort);
  const firstAt = forward ? srcAt : dstAt;
  const firstPort = forward ? srcPort : dstPort;
  const secondAt = forward ? dstAt : srcAt;
  const secondPort = forward ? dstPort : srcPort;
  const state = tcpState(ctx);
  const recent = state.recent;
  let stream = recent.matches(bytes, length, firstAt, firstPort, secondAt, secondPort) ? recent.stream : undefined;
  let key: string | undefined;
  if (stream === undefined) {
    key = conversationKey(bytes, length, firstAt, firstPort, secondAt, secondPort);
    stream = state.streams.get(key);
  }
  const flow = stream?.flows[forward ? 0 : 1];
  let reusedIn = 0;
  if (flow?.baseSet && (flags & (Flag.SYN | Flag.ACK)) === Flag.SYN && seq !== flow.base) {
    key ??= conversationKey(bytes, length, firstAt, firstPort, secondAt, secondPort);
    state.streams.delete(key);
    stream = undefined;
    reusedIn = ctx.frame.number;
  }
  if (!stream) {
    key ??= conversationKey(bytes, length, firstAt, firstPort, secondAt, secondPort);
    if (state.streams.size >= MAX_STREAMS) state.streams.delete(state.streams.keys().next().value as string);
    stream = new Stream(state.nextIndex++, reusedIn);
    state.streams.set(key, stream);
  }
  if (stream !== recent.stream) recent.remember(stream, bytes, length, firstAt, firstPort, secondAt, secondPort);
  return stream.sides[forward ? 0 : 1];
}

/** `SYN, ACK` for each 12-bit flags word, made once per word seen: every segment's Info needs one. */
const flagsTexts: (string | undefined)[] = new Array(0x1000);

function flagsText(flags: number): string {
  let text = flagsTexts[flags];
  if (text === undefined) {
    text = FLAG_NAMES.filter(([bit]) => flags & bit).map(([, name]) => name).join(', ');
    flagsTexts[flags] = text;
  }
  return text;
}

/** Wireshark's tcp.flags.str: one character per bit from the AE bit down, `·` where clear. */
function flagsString(flags: number): string {
  const letters = 'RRRACEUAPRSF';
  let text = '';
  for (let bit = 11; bit >= 0; bit--) text += flags & (1 << bit) ? (bit >= 9 ? 'R' : letters[11 - bit]) : '·';
  return text;
}

interface Payload {
  payloadAt: number;
  payloadLength: number;
  relativeSeq: number;
  srcPort: number;
  dstPort: number;
  flags: number;
}

// Filled anew for each segment and read only while it is dissected: no object per frame.
const facts: SegmentFacts = { frame: 0, time: 0, seq: 0, ack: 0, length: 0, flags: 0, window: 0, reverseShift: 0, sacked: -1 };
const payloadScratch: Payload = { payloadAt: 0, payloadLength: 0, relativeSeq: 0, srcPort: 0, dstPort: 0, flags: 0 };
const segment: Segment = { frame: 0, seq: 0, payloadAt: 0, length: 0, captured: 0, srcPort: 0, dstPort: 0 };

function setPayload(payloadAt: number, payloadLength: number, relativeSeq: number, srcPort: number, dstPort: number, flags: number): Payload {
  const payload = payloadScratch;
  payload.payloadAt = payloadAt;
  payload.payloadLength = payloadLength;
  payload.relativeSeq = relativeSeq;
  payload.srcPort = srcPort;
  payload.dstPort = dstPort;
  payload.flags = flags;
  return payload;
}

/** The segment's data: a reset's cause, or handed to the protocol above (not for a retransmission, nor a copy). */
function dissectPayload(view: ByteView, ctx: Dissection, conversation: StreamSide | undefined, local: StreamAnalysis | undefined, analysis: number, payload: Payload): void {
  const { payloadAt, payloadLength, srcPort, dstPort } = payload;
  const captured = Math.min(payloadLength, view.remaining(payloadAt));
  if (payload.flags & Flag.RST) {
    // RFC 1122 §4.2.2.12: data in a reset says why; Wireshark shows it as text and dissects nothing.
    ctx.add(fields.reset_cause, payloadAt, captured, asciiText(view.slice(payloadAt, captured)));
    return;
  }
  ctx.add(fields.payload, payloadAt, captured);
  // The sending side's reassembly (the stream's, or its tap point's).
  const flow = conversation !== undefined && local !== undefined ? local.analysis[conversation.forward ? 0 : 1] : undefined;
  // Like Wireshark, a retransmission is not dissected again, nor added to a PDU still waiting: its bytes
  // are "Retransmitted TCP segment data"; a spurious one's only when a waiting PDU starts with them.
  if (analysis & RETRANSMITTED) {
    const seq = payload.relativeSeq;
    const seen = analysis & Analysis.RETRANSMISSION || (flow !== undefined && ctx.memory.once(() => startsPdu(flow, seq)));
    if (seen) ctx.add(reassemblyFields.segment_data, payloadAt, captured);
    return;
  }
  if (conversation === undefined || local === undefined || flow === undefined) {
    ctx.nextByPorts('tcp.port', srcPort, dstPort, payloadAt);
    return;
  }
  const transport = ctx.transport;
  transport.stream = local;
  transport.forward = conversation.forward;
  transport.srcPort = srcPort;
  transport.dstPort = dstPort;
  segment.frame = ctx.frame.number;
  segment.seq = payload.relativeSeq;
  segment.payloadAt = payloadAt;
  segment.length = payloadLength;
  segment.captured = captured;
  segment.srcPort = srcPort;
  segment.dstPort = dstPort;
  handOffPayload(view, ctx, flow, tcpState(ctx).budget, segment, !(analysis & Analysis.OUT_OF_ORDER));
}

/** The notes Wireshark gives a segment that opens, closes or resets its connection. */
function addConnectionNotes(ctx: Dissection, flags: number, srcPort: number, dstPort: number, forward: Flow | undefined, reverse: Flow | undefined): void {
  if (flags & Flag.SYN) {
    if (flags & Flag.ACK) ctx.expert('chat', ExpertGroup.Sequence, `Connection establish acknowledge (SYN+ACK): server port ${srcPort}`);
    else ctx.expert('chat', ExpertGroup.Sequence, `Connection establish request (SYN): server port ${dstPort}`);
  }
  if (flags & Flag.FIN) {
    ctx.expert('chat', ExpertGroup.Sequence, 'Connection finish (FIN)');
    if (forward && reverse) {
      const memory = ctx.memory;
      // The side whose FIN came first initiates; decided when the frame is first seen.
      const initiates = memory.remembered ? memory.recall<boolean>() : memory.record(!reverse.closing && (forward.closing = true));
      ctx.expert('note', ExpertGroup.Sequence, initiates ? 'This frame initiates the connection closing' : 'This frame undergoes the connection closing');
    }
  }
  if (flags & Flag.RST) ctx.expert('warn', ExpertGroup.Sequence, 'Connection reset (RST)');
}

export const tcp: Dissector = {
  protocol,
  short: 'TCP',
  fields: registered,
  bindings: [{ table: 'ip.proto', key: 6 }],
  dissect(view, offset, ctx) {
    // Read here, not returned as a pair: an array a segment would be garbage.
    const srcPort = view.u16(offset + FIELD.PORTS);
    const dstPort = view.u16(offset + FIELD.PORTS + 2);
    addPorts(ctx, offset + FIELD.PORTS, fields, srcPort, dstPort);
    const seq = view.u32(offset + FIELD.SEQ);
    const offsetFlags = view.u16(offset + FIELD.OFFSET_FLAGS);
    const headerLength = (offsetFlags >>> 12) * 4;
    const flags = offsetFlags & 0x0fff;
    // A stream is counted once the fixed header is there, as in Wireshark.
    const memory = ctx.memory;
    const conversation =
      ctx.inErrorPacket || view.remaining(offset) < MIN_HEADER ? undefined
      : memory.remembered ? memory.recall<StreamSide | undefined>()
      : memory.record(streamOf(ctx, srcPort, dstPort, seq, flags));
    if (conversation) ctx.generated(fields.stream, conversation.stream.index);
    const payloadLength = Math.max(0, view.reportedRemaining(offset) - headerLength);
    // In a lone first fragment or a quoted packet the segment's length is unknown: Wireshark then
    // computes no lengths or relative numbers.
    const lengthKnown = !ctx.fragmented && !ctx.inErrorPacket;
    if (lengthKnown) ctx.generated(fields.len, payloadLength);
    const forwardFlow = conversation?.stream.flows[conversation.forward ? 0 : 1];
    const reverseFlow = conversation?.stream.flows[conversation.forward ? 1 : 0];
    if (forwardFlow && !forwardFlow.baseSet) {
      // Without the SYN, Wireshark takes the first segment's sequence number as relative 1.
      forwardFlow.base = flags & Flag.SYN ? seq : (seq - 1) >>> 0;
      forwardFlow.baseSet = true;
    }
    const relativeSeq = forwardFlow && lengthKnown ? (seq - forwardFlow.base) >>> 0 : seq;
    ctx.add(fields.seq, offset + FIELD.SEQ, 4, relativeSeq);
    ctx.add(fields.seq_raw, offset + FIELD.SEQ, 4, seq);
    const synFin = (flags & Flag.SYN ? 1 : 0) + (flags & Flag.FIN ? 1 : 0);
    if (lengthKnown) ctx.generated(fields.nxtseq, (relativeSeq + payloadLength + synFin) >>> 0);
    const ack = view.u32(offset + FIELD.ACK);
    // Without the ACK flag the field means nothing; Wireshark shows it unchanged.
    let relativeAck = ack;
    if (flags & Flag.ACK && lengthKnown) {
      if (reverseFlow && !reverseFlow.baseSet) {
        reverseFlow.base = (ack - 1) >>> 0;
        reverseFlow.baseSet = true;
      }
      relativeAck = reverseFlow ? (ack - reverseFlow.base) >>> 0 : ack;
    }
    ctx.add(fields.ack, offset + FIELD.ACK, 4, relativeAck);
    ctx.add(fields.ack_raw, offset + FIELD.ACK, 4, ack);
    if (!(flags & Flag.ACK) && ack !== 0) ctx.expert('note', ExpertGroup.Protocol, 'The acknowledgment number field is nonzero while the ACK flag is not set', offset + FIELD.ACK, 4);
    ctx.add(fields.hdr_len, offset + FIELD.OFFSET_FLAGS, 1, headerLength);
    ctx.open(fields.flags, offset + FIELD.OFFSET_FLAGS, 2, flags);
    if (ctx.tree) ctx.label(`Flags: 0x${flags.toString(16).padStart(3, '0')} (${flagsText(flags)})`);
    ctx.add(fields['flags.res'], offset + FIELD.OFFSET_FLAGS, 2, (flags & 0xe00) !== 0);
    ctx.add(fields['flags.ae'], offset + FIELD.OFFSET_FLAGS, 2, (flags & Flag.AE) !== 0);
    ctx.add(fields['flags.cwr'], offset + FIELD.OFFSET_FLAGS, 2, (flags & Flag.CWR) !== 0);
    ctx.add(fields['flags.ece'], offset + FIELD.OFFSET_FLAGS, 2, (flags & Flag.ECE) !== 0);
    ctx.add(fields['flags.urg'], offset + FIELD.OFFSET_FLAGS, 2, (flags & Flag.URG) !== 0);
    ctx.add(fields['flags.ack'], offset + FIELD.OFFSET_FLAGS, 2, (flags & Flag.ACK) !== 0);
    ctx.add(fields['flags.push'], offset + FIELD.OFFSET_FLAGS, 2, (flags & Flag.PSH) !== 0);
    ctx.add(fields['flags.reset'], offset + FIELD.OFFSET_FLAGS, 2, (flags & Flag.RST) !== 0);
    ctx.add(fields['flags.syn'], offset + FIELD.OFFSET_FLAGS, 2, (flags & Flag.SYN) !== 0);
    ctx.add(fields['flags.fin'], offset + FIELD.OFFSET_FLAGS, 2, (flags & Flag.FIN) !== 0);
    if (ctx.wants(fields['flags.str'])) ctx.generated(fields['flags.str'], flagsString(flags));
    if (flags & (Flag.SYN | Flag.FIN | Flag.RST)) addConnectionNotes(ctx, flags, srcPort, dstPort, forwardFlow, reverseFlow);
    ctx.close();
    const window = view.u16(offset + FIELD.WINDOW);
    ctx.add(fields.window_size_value, offset + FIELD.WINDOW, 2, window);
    // A SYN's window is never scaled; later ones are once both sides offered the option.
    const shift = flags & Flag.SYN || !forwardFlow || !reverseFlow ? WSCALE_UNKNOWN : forwardFlow.windowShift;
    const scaling = shift >= 0 && reverseFlow !== undefined && reverseFlow.windowShift >= 0;
    // Shifts, not `2 ** shift`: a shift is at most 14, and exponentiation is a slow call on every segment.
    const scaled = scaling ? window << shift : window;
    ctx.generated(fields.window_size, scaled);
    ctx.generated(fields.window_size_scalefactor, scaling ? 1 << shift : shift === WSCALE_UNUSED ? -2 : -1);
    ctx.add(fields.checksum, offset + FIELD.CHECKSUM, 2, view.u16(offset + FIELD.CHECKSUM));
    const urgent = view.u16(offset + FIELD.URGENT);
    ctx.add(fields.urgent_pointer, offset + FIELD.URGENT, 2, urgent);
    if (!(flags & Flag.URG) && urgent !== 0) ctx.expert('note', ExpertGroup.Protocol, 'The urgent pointer field is nonzero while the URG flag is not set', offset + FIELD.URGENT, 2);
    if (headerLength < MIN_HEADER) {
      ctx.expert('error', ExpertGroup.Malformed, `Bogus TCP header length (${headerLength}, must be at least ${MIN_HEADER})`, offset + FIELD.OFFSET_FLAGS, 1);
      if (ctx.columns) ctx.cols.info = `${srcPort} → ${dstPort} [${flagsText(flags)}] [Bogus TCP header length]`;
      return;
    }
    const sackBase = reverseFlow?.baseSet && lengthKnown ? reverseFlow.base : 0;
    const options = headerLength > MIN_HEADER ? addOptions(view, ctx, offset + MIN_HEADER, offset + headerLength, sackBase, view.u32(offset + FIELD.ACK)) : undefined;
    if (forwardFlow && flags & Flag.SYN) forwardFlow.windowShift = options?.windowShift ?? WSCALE_UNUSED;
    // As Wireshark's TCP, a segment whose header is bogus or cut short is not counted in the statistics.
    if (conversation && offset + headerLength <= view.captured) tapTransport(ctx, ConversationKind.TCP, srcPort, dstPort, conversation.stream.index);
    if (ctx.tree) {
      ctx.layerSummary(
        `Transmission Control Protocol, Src Port: ${srcPort}, Dst Port: ${dstPort}, Seq: ${relativeSeq}` +
          (flags & Flag.ACK ? `, Ack: ${relativeAck}` : '') + `, Len: ${payloadLength}`,
        headerLength,
      );
    }
    if (ctx.columns) {
      ctx.cols.info =
        `${srcPort} → ${dstPort} [${flagsText(flags)}] Seq=${relativeSeq}` + (flags & Flag.ACK ? ` Ack=${relativeAck}` : '') +
        ` Win=${scaled} Len=${payloadLength}${options?.text ?? ''}`;
    }
    const payloadAt = offset + headerLength;
    let analysis = 0;
    if (conversation && lengthKnown) {
      const stream = conversation.stream;
      const sightings = ctx.memory.stateOf(Sightings, () => new Sightings());
      const local = sightings.perSite ? stream.at(sightings.siteOf(ctx)) : stream;
      const [fwd, rev] = conversation.forward ? local.analysis : [local.analysis[1], local.analysis[0]];
      facts.frame = ctx.frame.number;
      facts.time = Number(ctx.frame.relativeNs);
      facts.seq = seq;
      facts.ack = ack;
      facts.length = payloadLength;
      facts.flags = flags;
      facts.window = scaled;
      facts.reverseShift = reverseFlow?.windowShift ?? WSCALE_UNKNOWN;
      facts.sacked = options?.sacked ?? -1;
      analysis = analyzeSegment(ctx, fwd, rev, local.times, stream, facts, stream.reusedIn === ctx.frame.number);
      // Before the payload, as Wireshark does: the protocols above write after the notes.
      if (ctx.columns) ctx.cols.prependInfo(infoPrefix());
      if (payloadLength > 0) dissectPayload(view, ctx, conversation, local, analysis, setPayload(payloadAt, payloadLength, relativeSeq, srcPort, dstPort, flags));
      // After its FIN or RST a side sends nothing new: a PDU it left waiting will not be completed.
      if (flags & (Flag.FIN | Flag.RST) && !(analysis & RETRANSMITTED)) {
        ctx.memory.once(() => {
          tcpState(ctx).budget.drop(fwd);
          return 0;
        });
      }
    } else if (payloadLength > 0) {
      dissectPayload(view, ctx, undefined, undefined, 0, setPayload(payloadAt, payloadLength, relativeSeq, srcPort, dstPort, flags));
    }
  },
};
