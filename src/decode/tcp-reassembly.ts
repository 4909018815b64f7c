// TCP reassembly as tshark 4.0 does it by default (desegmentation on, out-of-order reassembly off): the
// protocol above TCP says how many more bytes its PDU needs (Wireshark's desegment_offset / _len); the
// segments are kept until the PDU is whole, and the frame that completes it carries the PDU under a
// "Reassembled TCP" byte source. Bounded per PDU and overall. A PDU of known length across a lost
// segment waits on, as Wireshark's does, while the next ones start after its end.
import type { ByteView } from './byte-view.js';
import { ExpertGroup } from './protocols/expert.js';
import type { Dissection } from './dissection.js';
import { defineFields } from './field.js';
import { MAX_PDU, MAX_WAITING, MORE_BYTES_UNKNOWN, Pdu } from './tcp-pdu.js';

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

/** One direction's reassembly. */
export interface ReassemblyFlow {
  /**
   * PDUs waiting for more bytes, by start: most often none or one. One of known length that a lost segment
   * left with a hole waits on (a late segment may fill it) while the next ones start after its end.
   */
  pdus: Pdu[];
  /** The stream bytes [start, end) of the PDU the flow completed last (-1: none yet): a late segment inside it is an error. */
  lastPduStart: number;
  lastPduEnd: number;
}

export function newReassemblyFlow(): ReassemblyFlow {
  return { pdus: [], lastPduStart: -1, lastPduEnd: -1 };
}

/** Whether a PDU of the flow (waiting, or completed last) starts at `seq`: a segment sent again there shows as its data. */
export function startsPdu(flow: ReassemblyFlow, seq: number): boolean {
  return seq === flow.lastPduStart || flow.pdus.some((pdu) => pdu.start === seq);
}

/**
 * The memory the waiting PDUs of a capture hold, bounded: past MAX_WAITING the longest-idle flows' are given
 * up (a PDU whose segment was lost may never complete, and would otherwise be kept to the end).
 */
export class ReassemblyBudget {
  held = 0;
  /** Flows with PDUs holding bytes, the longest idle first. */
  private readonly waiting = new Set<ReassemblyFlow>();
  private latest: ReassemblyFlow | undefined;

  /** Room for `bytes` more for one of `flow`'s PDUs; false when giving up every other flow's would not make it. */
  claim(flow: ReassemblyFlow, bytes: number): boolean {
    // The flow that claimed last is already the most recent: most segments continue the same stream.
    if (flow === this.latest && this.held + bytes <= MAX_WAITING) {
      this.held += bytes;
      return true;
    }
    this.waiting.delete(flow);
    for (const other of this.waiting) {
      if (this.held + bytes <= MAX_WAITING) break;
      this.drop(other);
    }
    if (this.held + bytes > MAX_WAITING) return false;
    this.held += bytes;
    this.waiting.add(flow);
    this.latest = flow;
    return true;
  }

  /** Every PDU the flow waits for is given up (its FIN, or room for others). */
  drop(flow: ReassemblyFlow): void {
    while (flow.pdus.length > 0) this.giveUp(flow, flow.pdus[flow.pdus.length - 1]);
  }

  /** One PDU is given up: its bytes go. */
  giveUp(flow: ReassemblyFlow, pdu: Pdu): void {
    this.release(flow, pdu);
    // Never to be rebuilt: the frames it was waiting in keep only its identity (for reassembled_in).
    pdu.bytes = undefined;
    pdu.pieces = [];
  }

  /** The PDU is complete: it waits no more (its bytes serve the frame that completed it). */
  done(flow: ReassemblyFlow, pdu: Pdu): void {
    flow.lastPduStart = pdu.start;
    flow.lastPduEnd = pdu.start + pdu.length;
    this.release(flow, pdu);
  }

  /** A PDU starts waiting, in its place by start. */
  wait(flow: ReassemblyFlow, pdu: Pdu): void {
    const pdus = flow.pdus;
    let at = pdus.length;
    while (at > 0 && pdus[at - 1].start > pdu.start) at--;
    pdus.splice(at, 0, pdu);
  }

  private release(flow: ReassemblyFlow, pdu: Pdu): void {
    const index = flow.pdus.indexOf(pdu);
    if (index < 0) return;
    this.held -= pdu.capacity;
    flow.pdus.splice(index, 1);
    if (flow.pdus.length > 0) return;
    this.waiting.delete(flow);
    if (this.latest === flow) this.latest = undefined;
  }
}

/** A PDU larger than this keeps references to its frames' bytes instead of a copy, where frames are kept. */
const BY_REFERENCE_FROM = 64 * 1024;

/** A segment's part in reassembly, decided the first time it is dissected and given back after. */
type Plan = Pdu | PduEnd | typeof FRESH | typeof FRESH_AFTER_LOSS | typeof SEEN_BEFORE | typeof OVERLAPS_DONE;
const FRESH = 0;
const FRESH_AFTER_LOSS = 1;
/** The PDU could not be kept: too large, or too much already waiting. */
const OVER_LIMIT = 2;
/** A segment again that started a PDU: its data is that PDU's, not dissected again. */
const SEEN_BEFORE = 3;
/** A late segment inside the PDU completed last, in an earlier frame: Wireshark's reassembly error. */
const OVERLAPS_DONE = 4;

/** The segment reaches the end of its PDU: completing it, or past a hole it leaves; the rest is new PDUs. */
interface PduEnd {
  pdu: Pdu;
  /** Payload bytes of this segment that end the PDU. */
  used: number;
  /** The PDU's length then, when complete: one continued by later segments is longer when shown again. */
  length: number;
  complete: boolean;
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

/** The waiting PDU a segment continues, as Wireshark looks it up: the last starting before it, if it reaches the segment. */
function pduOf(flow: ReassemblyFlow, seq: number): Pdu | undefined {
  const pdus = flow.pdus;
  for (let i = pdus.length - 1; i >= 0; i--) {
    const pdu = pdus[i];
    if (pdu.start > seq) continue;
    return pdu;
  }
  return undefined;
}

function plan(flow: ReassemblyFlow, budget: ReassemblyBudget, segment: Segment, view: ByteView, inFrame: boolean): Plan {
  if (flow.pdus.length === 0 && flow.lastPduStart < 0) return FRESH;
  const pdu = pduOf(flow, segment.seq);
  // A segment again at a waiting PDU's start (a frame has one segment: the PDU began in an earlier one).
  if (pdu !== undefined && pdu.start === segment.seq) return SEEN_BEFORE;
  const offset = pdu === undefined ? 0 : segment.seq - pdu.start;
  const known = pdu !== undefined && pdu.end !== MORE_BYTES_UNKNOWN;
  // One of known length goes on across a lost segment; one of unknown length wants the bytes right after its own.
  const inside = pdu !== undefined && (known ? segment.seq < pdu.end : offset <= pdu.covered);
  if (!inside) {
    if (segment.seq === flow.lastPduStart) return SEEN_BEFORE;
    if (segment.seq > flow.lastPduStart && segment.seq < flow.lastPduEnd) return OVERLAPS_DONE;
    // What waits for the very next bytes will not get them.
    const skipped = flow.pdus.filter((waiting) => waiting.end === MORE_BYTES_UNKNOWN && waiting.start < segment.seq);
    for (const waiting of skipped) budget.giveUp(flow, waiting);
    return skipped.length > 0 ? FRESH_AFTER_LOSS : FRESH;
  }
  const size = known ? pdu.end - pdu.start : offset + segment.length;
  const used = Math.min(segment.length, size - offset);
  const fits = size <= MAX_PDU && budget.claim(flow, pdu.growthFor(offset + used));
  if (!fits || segment.captured < segment.length) {
    budget.giveUp(flow, pdu);
    return FRESH_AFTER_LOSS;
  }
  pdu.add(segment.frame, offset, view.bytes, segment.payloadAt, used, inFrame);
  if (pdu.whole) {
    budget.done(flow, pdu);
    pdu.completedIn = segment.frame;
    return { pdu, used, length: pdu.length, complete: true };
  }
  return used < segment.length ? { pdu, used, length: 0, complete: false } : pdu;
}

/** Starts a PDU with the bytes [at, end) of the segment; OVER_LIMIT when it may not be kept. */
function startPdu(flow: ReassemblyFlow, budget: ReassemblyBudget, segment: Segment, view: ByteView, at: number, needs: number, inFrame: boolean, framesKept: boolean): Pdu | typeof OVER_LIMIT {
  const have = segment.payloadAt + segment.length - at;
  const total = needs === MORE_BYTES_UNKNOWN ? have : have + needs;
  const start = segment.seq + (at - segment.payloadAt);
  // A large PDU is not copied where the frames are kept: a lost segment may keep it from ever completing.
  const byReference = framesKept && inFrame && needs !== MORE_BYTES_UNKNOWN && total > BY_REFERENCE_FROM;
  const pdu = new Pdu(start, needs === MORE_BYTES_UNKNOWN ? MORE_BYTES_UNKNOWN : start + total, byReference);
  if (total > MAX_PDU || !budget.claim(flow, pdu.growthFor(have))) return OVER_LIMIT;
  pdu.add(segment.frame, 0, view.bytes, at, have, inFrame);
  budget.wait(flow, pdu);
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
    if (budget.claim(flow, pdu.capacity)) budget.wait(flow, pdu);
    return pdu;
  }
  const more = new Pdu(pdu.start + at, MORE_BYTES_UNKNOWN);
  if (budget.claim(flow, more.growthFor(bytes.length - at))) {
    more.add(frame, 0, bytes, at, bytes.length - at, false);
    budget.wait(flow, more);
  }
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
  ctx.closeTopLevel();
}

const REASSEMBLY_ERROR = '[Reassembly error, protocol TCP: New fragment overlaps old data (retransmission?)]';

/**
 * Hands a segment's payload to the protocol above, reassembling PDUs across segments. The steps that
 * change state run once per frame (CaptureMemory.once), so a frame dissected again shows what it showed first.
 * `dissect` false: an out-of-order segment, which joins its PDU but is not handed to a protocol (tshark's
 * tcp.no_subdissector_on_error), not even the PDU it completes.
 */
export function handOffPayload(view: ByteView, ctx: Dissection, flow: ReassemblyFlow, budget: ReassemblyBudget, segment: Segment, dissect: boolean): void {
  const memory = ctx.memory;
  const { payloadAt, length, srcPort, dstPort } = segment;
  const end = payloadAt + length;
  if (segment.captured < length && flow.pdus.length === 0) {
    // Wireshark reassembles nothing from a segment cut short by the snaplen: it dissects what is there.
    if (dissect) ctx.dissectAbove('tcp.port', srcPort, dstPort, payloadAt, end);
    return;
  }
  const inFrame = ctx.inFrameBytes;
  const step = memory.remembered ? memory.recall<Plan>() : memory.record(plan(flow, budget, segment, view, inFrame));
  if (step instanceof Pdu) {
    ctx.add(reassemblyFields.segment_data, payloadAt, length);
    markSegment(ctx, step);
    return;
  }
  if (step === SEEN_BEFORE) {
    ctx.add(reassemblyFields.segment_data, payloadAt, length);
    return;
  }
  if (step === OVERLAPS_DONE) {
    if (ctx.columns) ctx.cols.appendInfo(REASSEMBLY_ERROR, '');
    ctx.expert('error', ExpertGroup.Malformed, REASSEMBLY_ERROR, payloadAt, length);
    return;
  }
  let from = payloadAt;
  if (step === FRESH_AFTER_LOSS) ctx.expert('warn', ExpertGroup.Reassemble, '[Reassembly stopped: a segment of the PDU was not captured]', payloadAt, 0);
  if (typeof step === 'object') {
    const { pdu, used } = step;
    ctx.add(reassemblyFields.segment_data, payloadAt, used);
    if (!step.complete) markSegment(ctx, pdu);
    else {
      const bytes = pdu.contents(memory, step.length);
      if (dissect) ctx.dissectAbove('tcp.port', srcPort, dstPort, 0, bytes.length, { name: `Reassembled TCP (${bytes.length} bytes)`, bytes });
      // As Wireshark's tree: the segments after the protocols they carried.
      addSegmentsNode(ctx, pdu, bytes);
      if (dissect && ctx.desegmentAt >= 0) {
        // Still not enough (a protocol that could not tell its length): the next segments continue it.
        const continued = memory.once(() => continuePdu(flow, budget, pdu, segment.frame, bytes, ctx.desegmentAt));
        markSegment(ctx, continued);
        return;
      }
      // The UI rebuilds the PDU from its frames when it shows this frame again.
      if (memory.frameData !== undefined) pdu.bytes = undefined;
    }
    from = payloadAt + used;
    if (from >= end) return;
    if (ctx.columns) {
      ctx.cols.fenceInfo();
      ctx.cols.fixProtocol();
    }
  }
  if (!dissect) return;
  ctx.dissectAbove('tcp.port', srcPort, dstPort, from, end);
  const at = ctx.desegmentAt;
  if (at < 0) return;
  const needs = ctx.desegmentNeeds;
  const started = memory.once(() => startPdu(flow, budget, segment, view, at, needs, inFrame, memory.frameData !== undefined));
  if (started === OVER_LIMIT) {
    ctx.expert('warn', ExpertGroup.Reassemble, '[Reassembly limit reached]', at, end - at);
    return;
  }
  ctx.add(reassemblyFields.segment_data, at, end - at);
  // A segment that completed no PDU of its own is shown as a segment of the one it starts.
  if (at === from && typeof step !== 'object') markSegment(ctx, started);
}
