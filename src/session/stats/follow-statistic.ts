// Follow a stream over a pass (print mode's `-z follow,tcp|udp|http,MODE,N`, the interface's Follow view):
// a TCP stream's segments, found by its `tcp.stream eq N` filter, go to a TcpFollower; a UDP stream's
// datagrams are a chunk each; a TCP stream's HTTP messages are a chunk for the header block and one for the
// decoded body, as Wireshark's HTTP follow tap gives them. TCP and UDP chunks point into the frames, and
// the payloads are kept here when asked (print mode has no frame store); HTTP chunks carry their bytes.
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

/** The protocols whose streams can be followed. */
export type FollowProtocol = 'tcp' | 'udp' | 'http';

const FOLLOW_FIELDS: Record<FollowProtocol, readonly string[]> = {
  tcp: ['tcp.seq_raw', 'tcp.ack_raw', 'tcp.flags.syn', 'tcp.len', 'tcp.payload'],
  udp: ['udp.payload'],
  http: [],
};
const KINDS: Record<FollowProtocol, ConversationKind> = { tcp: ConversationKind.TCP, udp: ConversationKind.UDP, http: ConversationKind.TCP };

/** The filter that selects a followed stream's frames: HTTP's is its TCP stream's, as in Wireshark. */
export function streamFilter({ protocol, stream }: FollowedStream): string {
  return `${protocol === 'udp' ? 'udp' : 'tcp'}.stream eq ${stream}`;
}

/** A stream to follow: `tcp.stream` or `udp.stream` N (HTTP: the TCP stream's messages). */
export interface FollowedStream {
  protocol: FollowProtocol;
  stream: number;
}

/** The two ends of a followed stream and its chunks, in stream order. */
export interface Follower {
  readonly chunks: readonly FollowChunk[];
  client: { address: string; port: number } | undefined;
  server: { address: string; port: number } | undefined;
}

/** A UDP stream's datagrams, or a TCP stream's HTTP messages: each piece with bytes is a chunk, in frame order. */
class PieceFollower implements Follower {
  readonly chunks: FollowChunk[] = [];
  client: { address: string; port: number } | undefined;
  server: { address: string; port: number } | undefined;

  add(frame: number, fromClient: boolean, at: number, captured: number, copy?: Uint8Array): void {
    if (captured > 0) this.chunks.push({ server: !fromClient, frame, at, length: captured, missing: undefined, copy });
  }
}

export class FollowStatistic implements FrameStatistic {
  readonly conversations = true;
  readonly fields: readonly FieldDef[];
  readonly filter: DisplayFilter;
  readonly follower: TcpFollower | PieceFollower;
  readonly httpMessages: boolean;
  /** Each frame's payload copied, by frame number, with where it was in the frame's data. */
  private readonly payloads = new Map<number, { at: number; bytes: Uint8Array }>();

  /** `keepPayloads`: copy each segment's bytes (else a frame store must give them back). */
  constructor(
    registry: Registry,
    readonly protocol: FollowProtocol,
    readonly stream: number,
    private readonly keepPayloads: boolean,
  ) {
    const compiled = compileFilter(streamFilter({ protocol, stream }), registry);
    if (!compiled.ok) throw new Error(compiled.error.message);
    this.filter = compiled.filter;
    this.fields = FOLLOW_FIELDS[protocol].map((name) => registry.field(name) as FieldDef);
    this.follower = protocol === 'tcp' ? new TcpFollower() : new PieceFollower();
    this.httpMessages = protocol === 'http';
  }

  add(dissection: Dissection, { layers, messages }: TappedFrame): void {
    const kind = KINDS[this.protocol];
    let transport;
    for (let i = 0; i < layers.count && transport === undefined; i++) {
      const layer = layers.at(i);
      if (layer.kind === kind && layer.id === this.stream) transport = layer;
    }
    // HTTP's ends are those of its first message, as Wireshark's follow tap takes them.
    if (transport === undefined || (this.httpMessages && messages.count === 0)) return;
    const values = this.fields.map((field) => dissection.valuesOf(field)[0]);
    const payload = values[values.length - 1];
    const follower = this.follower;
    const source = { address: addressText(transport.bytes, transport.srcAt, transport.length), port: transport.srcPort };
    if (follower.client === undefined) {
      follower.client = source;
      follower.server = { address: addressText(transport.bytes, transport.dstAt, transport.length), port: transport.dstPort };
    }
    const fromClient = source.address === follower.client.address && source.port === follower.client.port;
    if (this.httpMessages) {
      if (follower instanceof PieceFollower) for (let i = 0; i < messages.count; i++) follower.add(dissection.frame.number, fromClient, 0, messages.at(i).length, messages.at(i));
      return;
    }
    const bytes = payload instanceof Uint8Array ? payload : undefined;
    const frameData = dissection.frameData;
    const inFrame = bytes !== undefined && bytes.buffer === frameData.buffer;
    // Bytes from a reassembled IP datagram are not in the frame's data: kept whatever is asked.
    const payloadAt = inFrame ? bytes.byteOffset - frameData.byteOffset : 0;
    if (bytes !== undefined && (this.keepPayloads || !inFrame)) this.payloads.set(dissection.frame.number, { at: payloadAt, bytes: bytes.slice() });
    if (follower instanceof PieceFollower) return follower.add(dissection.frame.number, fromClient, payloadAt, bytes?.length ?? 0);
    const [seq, ack, syn, length] = values;
    follower.add({
      frame: dissection.frame.number,
      fromClient,
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
    if (chunk.copy !== undefined) return chunk.copy;
    if (chunk.missing !== undefined) return new TextEncoder().encode(missingText(chunk.missing));
    const kept = this.payloads.get(chunk.frame);
    if (kept !== undefined) return kept.bytes.subarray(chunk.at - kept.at, chunk.at - kept.at + chunk.length);
    if (frameData === undefined) throw new Error(`frame ${chunk.frame}'s bytes were not kept`);
    return frameData(chunk.frame).subarray(chunk.at, chunk.at + chunk.length);
  }
}
