// Following a TCP stream as Wireshark's follow_tcp_tap_listener does: each segment's new bytes in
// sequence order per side, a retransmission's old bytes left out, a segment ahead of a gap held until the
// gap fills, and, when the other side acknowledges bytes the capture never had, a chunk that says how
// many are missing. The first segment's sender is node 0 (the client). Chunks refer to where their bytes
// are in their frames, so a view can read them from the frame store rather than hold the stream.

/** A gap the capture missed, as Wireshark's follow writes it (its terminating NUL included). */
export function missingText(bytes: number): string {
  return `[${bytes} bytes missing in capture file]\u0000`;
}

export interface FollowChunk {
  /** Sent by node 1 (the server). */
  server: boolean;
  frame: number;
  /** Where the chunk's bytes start in the frame's data, and how many; for a gap, `missing` instead. */
  at: number;
  length: number;
  /** The bytes a gap lacked (the chunk's text is missingText). */
  missing: number | undefined;
  /** The chunk's own bytes, when they are in no one frame (an HTTP message's, reassembled or decoded). */
  copy?: Uint8Array;
}

/** One segment of the followed stream, as TCP dissected it. */
export interface FollowSegment {
  frame: number;
  /** Whether the sender is node 0's address and port. */
  fromClient: boolean;
  seq: number;
  ack: number;
  syn: boolean;
  /** The payload's length on the wire, and where its captured bytes are in the frame's data. */
  length: number;
  payloadAt: number;
  captured: number;
}

interface Held {
  frame: number;
  seq: number;
  at: number;
  length: number;
}

const lt = (a: number, b: number) => ((a - b) | 0) < 0;
const gt = (a: number, b: number) => ((a - b) | 0) > 0;

export class TcpFollower {
  /** In stream order. */
  readonly chunks: FollowChunk[] = [];
  /** Node 0 and 1 as address text and port, set by the first segment. */
  client: { address: string; port: number } | undefined;
  server: { address: string; port: number } | undefined;
  private readonly next = [0, 0];
  private readonly written = [0, 0];
  private readonly held: Held[][] = [[], []];

  /** Takes the next segment of the stream (in frame order). */
  add(segment: FollowSegment): void {
    const side = segment.fromClient ? 0 : 1;
    let sequence = segment.syn ? (segment.seq + 1) >>> 0 : segment.seq;
    let length = segment.length;
    let at = segment.payloadAt;
    let captured = segment.captured;
    // This segment may acknowledge bytes the other side sent that the capture missed.
    if (this.held[1 - side].length > 0) while (this.fitHeld(1 - side, segment.ack, segment.frame, true));
    if (this.written[side] === 0 && this.next[side] === 0) this.next[side] = sequence;
    if (lt(sequence, this.next[side])) {
      // Dated, but a retransmission may carry more than was seen: keep what is new.
      const end = (sequence + length) >>> 0;
      if (gt(end, this.next[side])) {
        const seen = (this.next[side] - sequence) >>> 0;
        captured = captured <= seen ? 0 : captured - seen;
        at += seen;
        sequence = this.next[side];
        length = (end - this.next[side]) >>> 0;
      }
    }
    if (captured === 0 || lt(sequence, this.next[side])) return;
    if (sequence === this.next[side]) {
      this.next[side] = (this.next[side] + length) >>> 0;
      this.written[side] += captured;
      this.chunks.push({ server: side === 1, frame: segment.frame, at, length: captured, missing: undefined });
      while (this.fitHeld(side, 0, segment.frame, false));
    } else {
      this.held[side].push({ frame: segment.frame, seq: sequence, at, length: captured });
    }
  }

  /** check_follow_fragments: one held segment that now fits (or a gap the peer acknowledged); false when none. */
  private fitHeld(side: number, acknowledged: number, frame: number, useAck: boolean): boolean {
    const held = this.held[side];
    if (held.length === 0) return false;
    let lowest = held[0].seq;
    for (let i = 0; i < held.length; i++) {
      const piece = held[i];
      if (gt(lowest, piece.seq)) lowest = piece.seq;
      if (lt(piece.seq, this.next[side])) {
        const end = (piece.seq + piece.length) >>> 0;
        if (gt(end, this.next[side])) {
          const seen = (this.next[side] - piece.seq) >>> 0;
          if (piece.length > seen) this.chunks.push({ server: side === 1, frame: piece.frame, at: piece.at + seen, length: piece.length - seen, missing: undefined });
          this.next[side] = (this.next[side] + piece.length - seen) >>> 0;
        }
        held.splice(i, 1);
        return true;
      }
      if (piece.seq === this.next[side]) {
        this.chunks.push({ server: side === 1, frame: piece.frame, at: piece.at, length: piece.length, missing: undefined });
        this.next[side] = (this.next[side] + piece.length) >>> 0;
        held.splice(i, 1);
        return true;
      }
    }
    if (useAck && gt(acknowledged, lowest)) {
      const missing = (lowest - this.next[side]) | 0;
      this.chunks.push({ server: side === 1, frame, at: 0, length: missingText(missing).length, missing });
      this.next[side] = lowest;
      return true;
    }
    return false;
  }
}
