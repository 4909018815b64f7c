// The Frame pseudo-protocol: what the capture file says about each frame (Wireshark's packet-frame.c).
import type { Dissector } from '../dissector.js';
import { defineFields, defineProtocol } from '../field.js';

const fields = defineFields('frame', {
  interface_id: { name: 'Interface id', type: 'uint32', base: 'dec' },
  interface_name: { name: 'Interface name', type: 'string', blurb: 'The friendly name for this interface' },
  comment: { name: 'Comment', type: 'string' },
  time: { name: 'Arrival Time', type: 'absolute_time', blurb: 'Absolute time when this frame was captured' },
  time_epoch: { name: 'Epoch Time', type: 'relative_time', blurb: 'Epoch time when this frame was captured' },
  time_delta: { name: 'Time delta from previous captured frame', type: 'relative_time' },
  time_relative: { name: 'Time since reference or first frame', type: 'relative_time', blurb: 'Time relative to time reference or first frame' },
  number: { name: 'Frame Number', type: 'uint32', base: 'dec' },
  len: { name: 'Frame Length', type: 'uint32', base: 'dec', blurb: 'Frame length on the wire' },
  cap_len: { name: 'Capture Length', type: 'uint32', base: 'dec', blurb: 'Frame length stored into the capture file' },
  protocols: { name: 'Protocols in frame', type: 'string', blurb: 'Protocols carried by this frame' },
});

export const frameProtocol: Dissector = {
  protocol: defineProtocol('frame', 'Frame'),
  short: 'Frame',
  fields,
  bindings: [],
  dissect(_view, _offset, ctx) {
    const frame = ctx.frame;
    if (ctx.tree) {
      ctx.layerSummary(
        `Frame ${frame.number}: ${frame.originalLength} bytes on wire (${frame.originalLength * 8} bits), ` +
          `${frame.capturedLength} bytes captured (${frame.capturedLength * 8} bits)` +
          (frame.interfaceName !== undefined ? ` on interface ${frame.interfaceName}, id ${frame.interfaceId}` : ''),
      );
    }
    if (frame.interfaceName !== undefined) {
      ctx.generated(fields.interface_id, frame.interfaceId);
      ctx.generated(fields.interface_name, frame.interfaceName);
    }
    if (frame.comment !== undefined) ctx.generated(fields.comment, frame.comment);
    if (ctx.wants(fields.time) || ctx.wants(fields.time_epoch)) {
      const nanoseconds = BigInt(frame.tsSec) * 1_000_000_000n + BigInt(frame.tsNsec);
      ctx.generated(fields.time, nanoseconds);
      ctx.generated(fields.time_epoch, nanoseconds);
    }
    ctx.generated(fields.time_delta, frame.deltaNs);
    ctx.generated(fields.time_relative, frame.relativeNs);
    ctx.generated(fields.number, frame.number);
    ctx.generated(fields.len, frame.originalLength);
    ctx.generated(fields.cap_len, frame.capturedLength);
    // libpcap and Wireshark read such frames (the corpus has dozens): said in the tree, not as an expert
    // note, which Wireshark does not make.
    if (ctx.tree && frame.snaplen > 0 && frame.capturedLength > frame.snaplen) {
      ctx.label(`${fields.cap_len.name}: ${frame.capturedLength} bytes, more than the file's snapshot length ${frame.snaplen}`);
    }
  },
  finish(ctx) {
    if (ctx.wants(fields.protocols)) ctx.generated(fields.protocols, ctx.layers.join(':'));
  },
};
