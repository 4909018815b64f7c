// UDP, RFC 768: 8-byte header; the payload goes to the lower port's dissector, then the higher's.
import type { Dissector } from '../dissector.js';
import { ExpertGroup } from './expert.js';
import { ConversationKind, tapTransport } from '../conversation-tap.js';
import { datagramKey } from '../conversation-key.js';
import type { Dissection } from '../dissection.js';
import { defineFields, defineProtocol } from '../field.js';
import { addPorts } from './ports.js';

export const FIELD = { PORTS: 0, LENGTH: 4, CHECKSUM: 6 } as const;
export const HEADER_LENGTH = 8;

const fields = defineFields('udp', {
  srcport: { name: 'Source Port', type: 'uint16', base: 'dec' },
  dstport: { name: 'Destination Port', type: 'uint16', base: 'dec' },
  port: { name: 'Source or Destination Port', type: 'uint16', base: 'dec' },
  length: { name: 'Length', type: 'uint16', base: 'dec' },
  checksum: { name: 'Checksum', type: 'uint16', base: 'hex' },
  stream: { name: 'Stream index', type: 'uint32', base: 'dec' },
  payload: { name: 'Payload', type: 'bytes' },
});

/** Conversations numbered at most; the oldest is forgotten past it (a flood of spoofed sources). */
const MAX_STREAMS = 1 << 18;

interface UdpState {
  streams: Map<string, number>;
  next: number;
}

const protocol = defineProtocol('udp', 'User Datagram Protocol');

/**
 * The datagram's conversation, numbered in the order conversations first appear (udp.stream, what
 * follow,udp selects): decided once, given back when the frame is dissected again.
 */
function streamOf(ctx: Dissection, srcPort: number, dstPort: number): number | undefined {
  const network = ctx.network;
  if (network === undefined) return undefined;
  const memory = ctx.memory;
  if (memory.remembered) return memory.recall<number>();
  const state = memory.stateOf(protocol, (): UdpState => ({ streams: new Map(), next: 0 }));
  const key = datagramKey(network, srcPort, dstPort);
  let stream = state.streams.get(key);
  if (stream === undefined) {
    if (state.streams.size >= MAX_STREAMS) state.streams.delete(state.streams.keys().next().value as string);
    stream = state.next++;
    state.streams.set(key, stream);
  }
  return memory.record(stream);
}

export const udp: Dissector = {
  protocol,
  short: 'UDP',
  fields,
  bindings: [{ table: 'ip.proto', key: 17 }],
  dissect(view, offset, ctx) {
    // Read here, not returned as a pair: an array a segment would be garbage.
    const srcPort = view.u16(offset + FIELD.PORTS);
    const dstPort = view.u16(offset + FIELD.PORTS + 2);
    addPorts(ctx, offset + FIELD.PORTS, fields, srcPort, dstPort);
    const length = view.u16(offset + FIELD.LENGTH);
    ctx.add(fields.length, offset + FIELD.LENGTH, 2, length);
    const available = view.reportedRemaining(offset);
    // In an IPv6 jumbogram UDP's length is 0 and the IP payload's length counts (RFC 2675 §4).
    const datagramLength = length === 0 && ctx.network?.length === 16 ? available : length;
    if (ctx.tree) ctx.layerSummary(`User Datagram Protocol, Src Port: ${srcPort}, Dst Port: ${dstPort}`, HEADER_LENGTH);
    if (ctx.columns) ctx.cols.info = `${srcPort} → ${dstPort} Len=${Math.max(0, datagramLength - HEADER_LENGTH)}`;
    if (datagramLength < HEADER_LENGTH) {
      ctx.expert('error', ExpertGroup.Malformed, `Bad length value ${length} < ${HEADER_LENGTH}`, offset + FIELD.LENGTH, 2);
      return;
    }
    ctx.add(fields.checksum, offset + FIELD.CHECKSUM, 2, view.u16(offset + FIELD.CHECKSUM));
    const stream = streamOf(ctx, srcPort, dstPort);
    if (stream !== undefined) ctx.generated(fields.stream, stream);
    // As Wireshark's UDP, a datagram shorter than its header is not counted in the statistics.
    tapTransport(ctx, ConversationKind.UDP, srcPort, dstPort, stream);
    // A first fragment or a quoted packet is shorter than its length by nature.
    if (datagramLength > available && !ctx.fragmented && !ctx.inErrorPacket) {
      ctx.expert('error', ExpertGroup.Malformed, `Bad length value ${length} > IP payload length`, offset + FIELD.LENGTH, 2);
      return;
    }
    const end = offset + Math.min(datagramLength, available);
    if (end > offset + HEADER_LENGTH) ctx.add(fields.payload, offset + HEADER_LENGTH, end - offset - HEADER_LENGTH);
    ctx.nextByPorts('udp.port', srcPort, dstPort, offset + HEADER_LENGTH, end);
  },
};
