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
/** Bytes waiting in all unfinished PDUs of a capture; past it a new PDU is not started. */
export const MAX_WAITING = 64 * 1024 * 1024;

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
  readonly pieces: Piece[] = [];
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
    capacity: number,
  ) {
    this.bytes = new Uint8Array(capacity);
  }

  /** Adds `length` bytes from `source` at `at` as the PDU's bytes from `offset`; returns how many it did not hold yet. */
  add(frame: number, offset: number, source: Uint8Array, at: number, length: number, frameBytes: boolean): number {
    let bytes = this.bytes as Uint8Array;
    if (offset + length > bytes.length) {
      const grown = new Uint8Array(Math.min(MAX_PDU, Math.max(offset + length, bytes.length * 2)));
      grown.set(bytes.subarray(0, this.length));
      bytes = this.bytes = grown;
    }
    bytes.set(source.subarray(at, at + length), offset);
    this.pieces.push({ frame, offset, at, length, copy: frameBytes ? undefined : source.slice(at, at + length) });
    const before = this.covered + this.ahead.reduce((sum, [from, to]) => sum + to - from, 0);
    this.ahead.push([offset, offset + length]);
    this.ahead.sort((x, y) => x[0] - y[0]);
    while (this.ahead.length > 0 && this.ahead[0][0] <= this.covered) {
      this.covered = Math.max(this.covered, (this.ahead.shift() as [number, number])[1]);
    }
    // Ranges past the hole may overlap each other; merged, they count once.
    for (let i = 1; i < this.ahead.length; ) {
      if (this.ahead[i][0] <= this.ahead[i - 1][1]) {
        this.ahead[i - 1][1] = Math.max(this.ahead[i - 1][1], this.ahead[i][1]);
        this.ahead.splice(i, 1);
      } else i++;
    }
    this.length = Math.max(this.length, offset + length);
    return this.covered + this.ahead.reduce((sum, [from, to]) => sum + to - from, 0) - before;
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
}

/** The whole capture's unfinished bytes. */
export interface ReassemblyBudget {
  waiting: number;
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

function abandon(flow: ReassemblyFlow, budget: ReassemblyBudget, pdu: Pdu): void {
  flow.pdu = undefined;
  budget.waiting -= pdu.length;
  pdu.bytes = undefined;
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
  const tooLarge = !known && (size > MAX_PDU || budget.waiting + segment.length > MAX_WAITING);
  if (!inside || tooLarge || segment.captured < segment.length) {
    abandon(flow, budget, pdu);
    return FRESH_AFTER_LOSS;
  }
  const from = Math.max(0, offset);
  const used = Math.min(segment.length, size - offset) - (from - offset);
  budget.waiting += pdu.add(segment.frame, from, view.bytes, segment.payloadAt + (from - offset), used, inFrame);
  if (!pdu.whole) return pdu;
  flow.pdu = undefined;
  budget.waiting -= pdu.length;
  pdu.completedIn = segment.frame;
  return { pdu, used: from - offset + used, length: pdu.length };
}

/** Starts a PDU with the bytes [at, end) of the segment; OVER_LIMIT when it may not be kept. */
function startPdu(flow: ReassemblyFlow, budget: ReassemblyBudget, segment: Segment, view: ByteView, at: number, needs: number, inFrame: boolean): Pdu | typeof OVER_LIMIT {
  const have = segment.payloadAt + segment.length - at;
  const total = needs === MORE_BYTES_UNKNOWN ? have : have + needs;
  if (total > MAX_PDU || budget.waiting + have > MAX_WAITING) return OVER_LIMIT;
  const start = segment.seq + (at - segment.payloadAt);
  const pdu = new Pdu(start, needs === MORE_BYTES_UNKNOWN ? MORE_BYTES_UNKNOWN : start + total, needs === MORE_BYTES_UNKNOWN ? have * 2 : total);
  budget.waiting += pdu.add(segment.frame, 0, view.bytes, at, have, inFrame);
  flow.pdu = pdu;
  return pdu;
}

/**
 * The PDU again, waiting for more: the same one when all of it is still needed (no copy however many
 * segments a long header takes), else a new one from where the protocol stopped.
 */
function continuePdu(flow: ReassemblyFlow, budget: ReassemblyBudget, pdu: Pdu, frame: number, bytes: Uint8Array, at: number): Pdu {
  budget.waiting += bytes.length - at;
  if (at === 0) {
    pdu.end = MORE_BYTES_UNKNOWN;
    pdu.completedIn = 0;
    flow.pdu = pdu;
    return pdu;
  }
  const more = new Pdu(pdu.start + at, MORE_BYTES_UNKNOWN, bytes.length - at);
  more.add(frame, 0, bytes, at, bytes.length - at, false);
  flow.pdu = more;
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
  const step = session.once(() => plan(flow, budget, segment, view, inFrame));
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
