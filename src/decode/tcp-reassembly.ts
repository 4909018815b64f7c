// TCP reassembly as tshark 4.0 does it by default (desegmentation on, out-of-order reassembly off): the
// protocol above TCP says how many more bytes its PDU needs (Wireshark's desegment_offset / _len); the
// segments are kept until the PDU is whole, and the frame that completes it carries the PDU under a
// "Reassembled TCP" byte source. Bounded per PDU and overall; a lost segment abandons the PDU.
import type { ByteView } from './byte-view.js';
import type { Dissection } from './dissection.js';
import { defineFields } from './field.js';
import type { Session } from './session.js';

/** What a protocol asks for when it cannot tell its PDU's length yet: at least one more segment. */
export const MORE_BYTES_UNKNOWN = -1;
/** A PDU larger than this is not reassembled. */
export const MAX_PDU = 16 * 1024 * 1024;
/** Bytes held for all unfinished PDUs of a capture; past it the longest-idle are given up. */
export const MAX_WAITING = 64 * 1024 * 1024;
/** A PDU's first buffer: most are small; one that says it is larger grows by doubling as its bytes come. */
const INITIAL_CAPACITY = 16 * 1024;
/** A PDU of known size up to this is given its whole buffer at once. */
const UPFRONT_CAPACITY = 4 * 1024 * 1024;

export const reassemblyFields = defineFields('tcp', {
  reassembled_in: { name: 'Reassembled PDU in frame', type: 'framenum' },
  segment_data: { name: 'TCP segment data', type: 'bytes' },
  segments: { name: 'Reassembled TCP Segments', type: 'none' },
  segment: { name: 'TCP Segment', type: 'framenum' },
  'segment.count': { name: 'Segment count', type: 'uint32', base: 'dec' },
  'reassembled.length': { name: 'Reassembled TCP length', type: 'uint32', base: 'dec' },
  'reassembled.data': { name: 'Reassembled TCP Data', type: 'bytes' },
  'segment.error': { name: 'Reassembling error', type: 'framenum' },
});

/**
 * One segment's part of a PDU: `length` bytes at `offset` in the PDU, from bytes [at, at+length) of a
 * frame's data, or a copy when they were not a frame's own (a reassembled IP datagram).
 */
interface Piece {
  frame: number;
  offset: number;
  at: number;
  length: number;
  copy: Uint8Array | undefined;
}

/** A PDU over several segments; one of known length goes on across a lost segment, as Wireshark's does. */
export class Pdu {
  pieces: Piece[] = [];
  /** The bytes while the PDU waits, and the whole PDU once complete (released when frames can rebuild it). */
  bytes: Uint8Array | undefined;
  /** Bytes known from the start without a hole; `length` once complete. */
  covered = 0;
  /** Pieces past a hole, as [offset, end) ranges, until the hole is filled. */
  private readonly ahead: [number, number][] = [];
  length = 0;
  completedIn = 0;

  /** `start`, `end`: relative sequence numbers of its first byte and the byte after it (end unknown: MORE_BYTES_UNKNOWN). */
  constructor(
    readonly start: number,
    public end: number,
  ) {
    this.bytes = new Uint8Array(0);
  }

  /** Bytes allocated for it while it waits. */
  get capacity(): number {
    return this.bytes?.length ?? 0;
  }

  /** How many bytes more than it holds its buffer would take to hold up to offset `end`. */
  growthFor(end: number): number {
    const capacity = this.capacity;
    if (end <= capacity) return 0;
    // A PDU that says its size gets it at once (one allocation, no copies as it grows), up to a bound.
    if (this.end !== MORE_BYTES_UNKNOWN && this.end - this.start <= UPFRONT_CAPACITY) return this.end - this.start - capacity;
    const limit = this.end === MORE_BYTES_UNKNOWN ? MAX_PDU : this.end - this.start;
    return Math.min(limit, Math.max(end, capacity * 2, INITIAL_CAPACITY)) - capacity;
  }

  /** Adds `length` bytes from `source` at `at` as the PDU's bytes from `offset` (room claimed with growthFor). */
  add(frame: number, offset: number, source: Uint8Array, at: number, length: number, frameBytes: boolean): void {
    let bytes = this.bytes as Uint8Array;
    const growth = this.growthFor(offset + length);
    if (growth > 0) {
      const grown = new Uint8Array(bytes.length + growth);
      grown.set(bytes.subarray(0, this.length));
      bytes = this.bytes = grown;
    }
    bytes.set(source.subarray(at, at + length), offset);
    this.pieces.push({ frame, offset, at, length, copy: frameBytes ? undefined : source.slice(at, at + length) });
    this.cover(offset, offset + length);
    this.length = Math.max(this.length, offset + length);
  }

  /** Marks [from, to) as held: in order (the usual case) it extends what is covered, else it waits past the hole. */
  private cover(from: number, to: number): void {
    const ahead = this.ahead;
    if (from <= this.covered) {
      this.covered = Math.max(this.covered, to);
      // The hole may be filled now.
      while (ahead.length > 0 && ahead[0][0] <= this.covered) this.covered = Math.max(this.covered, (ahead.shift() as [number, number])[1]);
      return;
    }
    const last = ahead[ahead.length - 1];
    if (last !== undefined && from >= last[0]) {
      if (from <= last[1]) last[1] = Math.max(last[1], to);
      else ahead.push([from, to]);
      return;
    }
    ahead.push([from, to]);
    ahead.sort((x, y) => x[0] - y[0]);
    // Ranges past the hole may overlap each other; merged, they count once.
    for (let i = 1; i < ahead.length; ) {
      if (ahead[i][0] <= ahead[i - 1][1]) {
        ahead[i - 1][1] = Math.max(ahead[i - 1][1], ahead[i][1]);
        ahead.splice(i, 1);
      } else i++;
    }
  }

  /** Whether `length` bytes from relative sequence number `seq` lie within the PDU (of known length). */
  holds(seq: number, length: number): boolean {
    return this.end !== MORE_BYTES_UNKNOWN && seq >= this.start && seq + length <= this.end;
  }

  /** Whether every byte up to the known end is there (an unknown end: whatever came, without a hole). */
  get whole(): boolean {
    return this.ahead.length === 0 && (this.end === MORE_BYTES_UNKNOWN || this.covered >= this.end - this.start);
  }

  /** The PDU's first `length` bytes: kept, or rebuilt from the frames that carried them. */
  contents(session: Session, length: number): Uint8Array {
    if (this.bytes !== undefined) return this.bytes.subarray(0, length);
    const whole = new Uint8Array(length);
    for (const piece of this.pieces) {
      if (piece.offset >= length) continue;
      const from = piece.copy ?? session.frameData?.(piece.frame).subarray(piece.at, piece.at + piece.length);
      if (from !== undefined) whole.set(from.subarray(0, length - piece.offset), piece.offset);
    }
    return whole;
  }
}

/** One direction's reassembly. */
export interface ReassemblyFlow {
  pdu: Pdu | undefined;
  /** The stream bytes [start, end) of the PDU the flow completed or gave up last (-1: none yet). */
  lastPduStart: number;
  lastPduEnd: number;
}

function rememberRange(flow: ReassemblyFlow, start: number, end: number): void {
  flow.lastPduStart = start;
  flow.lastPduEnd = end;
}

/**
 * Whether the bytes [seq, seq + length) belong to the flow's waiting PDU or the one before it: Wireshark
 * keeps every PDU's range, a retransmission most often falls in one of these two.
 */
export function inPdu(flow: ReassemblyFlow, seq: number, length: number): boolean {
  if (flow.pdu?.holds(seq, length)) return true;
  return flow.lastPduStart >= 0 && seq >= flow.lastPduStart && seq + length <= flow.lastPduEnd;
}

/**
 * The memory the waiting PDUs of a capture hold, bounded: past MAX_WAITING the longest-idle are given up
 * (a PDU whose segment was lost never completes, and would otherwise be kept to the end of the capture).
 */
export class ReassemblyBudget {
  held = 0;
  /** Flows with a PDU holding bytes, the longest idle first. */
  private readonly waiting = new Set<ReassemblyFlow>();

  /** Room for `bytes` more for `flow`'s PDU; false when giving up every other PDU would not make it. */
  claim(flow: ReassemblyFlow, bytes: number): boolean {
    this.waiting.delete(flow);
    for (const other of this.waiting) {
      if (this.held + bytes <= MAX_WAITING) break;
      this.drop(other);
    }
    if (this.held + bytes > MAX_WAITING) return false;
    this.held += bytes;
    this.waiting.add(flow);
    return true;
  }

  /** The flow's PDU is given up: its bytes go. */
  drop(flow: ReassemblyFlow): void {
    const pdu = flow.pdu;
    if (pdu !== undefined) {
      this.held -= pdu.capacity;
      if (pdu.end !== MORE_BYTES_UNKNOWN) rememberRange(flow, pdu.start, pdu.end);
      // Never to be rebuilt: the frames it was waiting in keep only its identity (for reassembled_in).
      pdu.bytes = undefined;
      pdu.pieces = [];
      flow.pdu = undefined;
    }
    this.waiting.delete(flow);
  }

  /** The flow's PDU is complete: it waits no more (its bytes serve the frame that completed it). */
  done(flow: ReassemblyFlow, pdu: Pdu): void {
    rememberRange(flow, pdu.start, pdu.start + pdu.length);
    this.held -= pdu.capacity;
    this.waiting.delete(flow);
    flow.pdu = undefined;
  }
}

/** A segment's part in reassembly, decided the first time it is dissected and given back after. */
type Plan = Pdu | Completion | typeof FRESH | typeof FRESH_AFTER_LOSS;
const FRESH = 0;
const FRESH_AFTER_LOSS = 1;
/** The PDU could not be kept: too large, or too much already waiting. */
const OVER_LIMIT = 2;

interface Completion {
  pdu: Pdu;
  /** Payload bytes of this segment that end the PDU; the rest begins new PDUs. */
  used: number;
  /** The PDU's length then: one continued by later segments is longer when this frame is shown again. */
  length: number;
}

export interface Segment {
  frame: number;
  /** Relative sequence number of the first payload byte. */
  seq: number;
  payloadAt: number;
  /** The payload's length on the wire, and captured. */
  length: number;
  captured: number;
  srcPort: number;
  dstPort: number;
}

function plan(flow: ReassemblyFlow, budget: ReassemblyBudget, segment: Segment, view: ByteView, inFrame: boolean): Plan {
  const pdu = flow.pdu;
  if (pdu === undefined) return FRESH;
  const offset = segment.seq - pdu.start;
  const known = pdu.end !== MORE_BYTES_UNKNOWN;
  const size = known ? pdu.end - pdu.start : offset + segment.length;
  // Wireshark keeps a PDU of known length across a lost segment (it is then never whole); one of unknown
  // length wants the very next bytes.
  const inside = offset < size && offset + segment.length > 0 && (known || offset === pdu.covered);
  const from = Math.max(0, offset);
  const used = Math.min(segment.length, size - offset) - (from - offset);
  const fits = size <= MAX_PDU && budget.claim(flow, pdu.growthFor(from + used));
  if (!inside || !fits || segment.captured < segment.length) {
    budget.drop(flow);
    return FRESH_AFTER_LOSS;
  }
  pdu.add(segment.frame, from, view.bytes, segment.payloadAt + (from - offset), used, inFrame);
  if (!pdu.whole) return pdu;
  budget.done(flow, pdu);
  pdu.completedIn = segment.frame;
  return { pdu, used: from - offset + used, length: pdu.length };
}

/** Starts a PDU with the bytes [at, end) of the segment; OVER_LIMIT when it may not be kept. */
function startPdu(flow: ReassemblyFlow, budget: ReassemblyBudget, segment: Segment, view: ByteView, at: number, needs: number, inFrame: boolean): Pdu | typeof OVER_LIMIT {
  const have = segment.payloadAt + segment.length - at;
  const total = needs === MORE_BYTES_UNKNOWN ? have : have + needs;
  const start = segment.seq + (at - segment.payloadAt);
  const pdu = new Pdu(start, needs === MORE_BYTES_UNKNOWN ? MORE_BYTES_UNKNOWN : start + total);
  if (total > MAX_PDU || !budget.claim(flow, pdu.growthFor(have))) return OVER_LIMIT;
  pdu.add(segment.frame, 0, view.bytes, at, have, inFrame);
  flow.pdu = pdu;
  return pdu;
}

/**
 * The PDU again, waiting for more: the same one when all of it is still needed (no copy however many
 * segments a long header takes), else a new one from where the protocol stopped.
 */
function continuePdu(flow: ReassemblyFlow, budget: ReassemblyBudget, pdu: Pdu, frame: number, bytes: Uint8Array, at: number): Pdu {
  if (at === 0) {
    pdu.end = MORE_BYTES_UNKNOWN;
    pdu.completedIn = 0;
    flow.pdu = pdu;
    budget.claim(flow, pdu.capacity);
    return pdu;
  }
  const more = new Pdu(pdu.start + at, MORE_BYTES_UNKNOWN);
  flow.pdu = more;
  if (!budget.claim(flow, more.growthFor(bytes.length - at))) {
    flow.pdu = undefined;
    return more;
  }
  more.add(frame, 0, bytes, at, bytes.length - at, false);
  return more;
}

const SEGMENT_NOTE = '[TCP segment of a reassembled PDU]';

/** The frame holds only part of a PDU: Wireshark shows it as TCP with this note. */
function markSegment(ctx: Dissection, pdu: Pdu): void {
  if (ctx.columns) {
    ctx.cols.setProtocol('TCP');
    ctx.cols.appendInfo(SEGMENT_NOTE, ' ');
  }
  if (pdu.completedIn !== 0) ctx.generated(reassemblyFields.reassembled_in, pdu.completedIn);
}

function addSegmentsNode(ctx: Dissection, pdu: Pdu, bytes: Uint8Array): void {
  const pieces = pdu.pieces.filter((piece) => piece.offset < bytes.length).sort((a, b) => a.offset - b.offset);
  if (!ctx.wants(reassemblyFields.segments) && !ctx.wants(reassemblyFields.segment) && !ctx.wants(reassemblyFields['segment.count']) &&
    !ctx.wants(reassemblyFields['reassembled.length']) && !ctx.wants(reassemblyFields['reassembled.data'])) return;
  ctx.openTopLevel(reassemblyFields.segments, undefined);
  if (ctx.tree) {
    const list = pieces.map((piece) => `#${piece.frame}(${piece.length})`).join(', ');
    ctx.label(`[${pieces.length} Reassembled TCP Segments (${bytes.length} bytes): ${list}]`);
  }
  for (const piece of pieces) {
    ctx.generated(reassemblyFields.segment, piece.frame);
    if (ctx.tree) ctx.label(`[Frame: ${piece.frame}, payload: ${piece.offset}-${piece.offset + piece.length - 1} (${piece.length} bytes)]`);
  }
  ctx.generated(reassemblyFields['segment.count'], pieces.length);
  ctx.generated(reassemblyFields['reassembled.length'], bytes.length);
  ctx.generated(reassemblyFields['reassembled.data'], bytes);
  ctx.close();
}

/**
 * Hands a segment's payload to the protocol above, reassembling PDUs across segments. The steps that
 * change state run once per frame (Session.once), so a frame dissected again shows what it showed first.
 */
export function handOffPayload(view: ByteView, ctx: Dissection, flow: ReassemblyFlow, budget: ReassemblyBudget, segment: Segment): void {
  const session = ctx.session;
  const { payloadAt, length, srcPort, dstPort } = segment;
  const end = payloadAt + length;
  if (segment.captured < length && flow.pdu === undefined) {
    // Wireshark reassembles nothing from a segment cut short by the snaplen: it dissects what is there.
    ctx.dissectAbove('tcp.port', srcPort, dstPort, payloadAt, end);
    return;
  }
  const inFrame = ctx.inFrameBytes;
  const step = session.remembered ? session.recall<Plan>() : session.record(plan(flow, budget, segment, view, inFrame));
  if (step instanceof Pdu) {
    ctx.add(reassemblyFields.segment_data, payloadAt, length);
    markSegment(ctx, step);
    return;
  }
  let from = payloadAt;
  if (step === FRESH_AFTER_LOSS) ctx.expert('warn', '[Reassembly stopped: a segment of the PDU was not captured]', payloadAt, 0);
  if (typeof step === 'object') {
    const { pdu, used } = step;
    ctx.add(reassemblyFields.segment_data, payloadAt, used);
    const bytes = pdu.contents(session, step.length);
    addSegmentsNode(ctx, pdu, bytes);
    ctx.dissectAbove('tcp.port', srcPort, dstPort, 0, bytes.length, { name: `Reassembled TCP (${bytes.length} bytes)`, bytes });
    if (ctx.desegmentAt >= 0) {
      // Still not enough (a protocol that could not tell its length): the next segments continue it.
      const continued = session.once(() => continuePdu(flow, budget, pdu, segment.frame, bytes, ctx.desegmentAt));
      markSegment(ctx, continued);
      return;
    }
    // The UI rebuilds the PDU from its frames when it shows this frame again.
    if (session.frameData !== undefined) pdu.bytes = undefined;
    from = payloadAt + used;
    if (from >= end) return;
    if (ctx.columns) {
      ctx.cols.fenceInfo();
      ctx.cols.fixProtocol();
    }
  }
  ctx.dissectAbove('tcp.port', srcPort, dstPort, from, end);
  const at = ctx.desegmentAt;
  if (at < 0) return;
  const needs = ctx.desegmentNeeds;
  const started = session.once(() => startPdu(flow, budget, segment, view, at, needs, inFrame));
  if (started === OVER_LIMIT) {
    ctx.expert('warn', '[Reassembly limit reached]', at, end - at);
    return;
  }
  ctx.add(reassemblyFields.segment_data, at, end - at);
  // A segment that completed no PDU of its own is shown as a segment of the one it starts.
  if (at === from && typeof step !== 'object') markSegment(ctx, started);
}
