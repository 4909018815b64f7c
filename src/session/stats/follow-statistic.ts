// Follow a TCP stream over a pass (print mode's `-z follow,tcp,MODE,N`, the interface's Follow view): the
// stream's segments, found by its `tcp.stream eq N` filter, go to a TcpFollower; the chunks it makes
// point into the frames, and the payloads are kept here when asked (print mode has no frame store).
import { ConversationKind } from '../../decode/conversation-tap.js';
import type { Dissection } from '../../decode/dissection.js';
import type { FieldDef } from '../../decode/field.js';
import type { Registry } from '../../decode/registry.js';
import { compileFilter, type DisplayFilter } from '../../filter/display-filter.js';
import { addressText } from './conversations.js';
import type { FrameStatistic, TappedFrame } from './frame-statistics.js';
import { missingText, TcpFollower, type FollowChunk } from './tcp-follow.js';

/** How a followed stream is shown: text, a hex dump, or hex digits. */
export type FollowMode = 'ascii' | 'hex' | 'raw';
export const FOLLOW_MODES: readonly FollowMode[] = ['ascii', 'hex', 'raw'];

const FOLLOW_FIELDS = ['tcp.seq_raw', 'tcp.ack_raw', 'tcp.flags.syn', 'tcp.len', 'tcp.payload'] as const;

export class FollowStatistic implements FrameStatistic {
  readonly conversations = true;
  readonly fields: readonly FieldDef[];
  readonly filter: DisplayFilter;
  readonly follower = new TcpFollower();
  /** Each frame's payload copied, by frame number, with where it was in the frame's data. */
  private readonly payloads = new Map<number, { at: number; bytes: Uint8Array }>();

  /** `keepPayloads`: copy each segment's bytes (else a frame store must give them back). */
  constructor(
    registry: Registry,
    readonly stream: number,
    private readonly keepPayloads: boolean,
  ) {
    const compiled = compileFilter(`tcp.stream eq ${stream}`, registry);
    if (!compiled.ok) throw new Error(compiled.error.message);
    this.filter = compiled.filter;
    this.fields = FOLLOW_FIELDS.map((name) => registry.field(name) as FieldDef);
  }

  add(dissection: Dissection, { layers }: TappedFrame): void {
    let tcp;
    for (let i = 0; i < layers.count && tcp === undefined; i++) {
      const layer = layers.at(i);
      if (layer.kind === ConversationKind.TCP && layer.id === this.stream) tcp = layer;
    }
    if (tcp === undefined) return;
    const [seq, ack, syn, length, payload] = this.fields.map((field) => dissection.valuesOf(field)[0]);
    const follower = this.follower;
    const source = { address: addressText(tcp.bytes, tcp.srcAt, tcp.length), port: tcp.srcPort };
    if (follower.client === undefined) {
      follower.client = source;
      follower.server = { address: addressText(tcp.bytes, tcp.dstAt, tcp.length), port: tcp.dstPort };
    }
    const bytes = payload instanceof Uint8Array ? payload : undefined;
    const frameData = dissection.frameData;
    const inFrame = bytes !== undefined && bytes.buffer === frameData.buffer;
    // Bytes from a reassembled IP datagram are not in the frame's data: kept whatever is asked.
    const payloadAt = inFrame ? bytes.byteOffset - frameData.byteOffset : 0;
    if (bytes !== undefined && (this.keepPayloads || !inFrame)) this.payloads.set(dissection.frame.number, { at: payloadAt, bytes: bytes.slice() });
    follower.add({
      frame: dissection.frame.number,
      fromClient: source.address === follower.client.address && source.port === follower.client.port,
      seq: Number(seq),
      ack: Number(ack),
      syn: syn === true,
      length: Number(length ?? 0),
      payloadAt,
      captured: bytes?.length ?? 0,
    });
  }

  /** A chunk's bytes: kept here, else from `frameData` (the frame store's copy of its frame). */
  bytesOf(chunk: FollowChunk, frameData?: (frame: number) => Uint8Array): Uint8Array {
    if (chunk.missing !== undefined) return new TextEncoder().encode(missingText(chunk.missing));
    const kept = this.payloads.get(chunk.frame);
    if (kept !== undefined) return kept.bytes.subarray(chunk.at - kept.at, chunk.at - kept.at + chunk.length);
    if (frameData === undefined) throw new Error(`frame ${chunk.frame}'s bytes were not kept`);
    return frameData(chunk.frame).subarray(chunk.at, chunk.at + chunk.length);
  }
}
