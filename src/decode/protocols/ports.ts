// TCP and UDP both start with source and destination ports (RFC 9293 §3.1, RFC 768), and Wireshark
// adds each to its protocol's `port` alias too, so `tcp.port == 53` matches either end.
import type { ByteView } from '../byte-view.js';
import type { Dissection } from '../dissection.js';
import type { FieldDef } from '../field.js';

export interface PortFields {
  srcport: FieldDef;
  dstport: FieldDef;
  port: FieldDef;
}

/** Adds both ports and their aliases; returns [source, destination]. */
export function addPorts(view: ByteView, ctx: Dissection, offset: number, fields: PortFields): [number, number] {
  const srcPort = view.u16(offset);
  const dstPort = view.u16(offset + 2);
  ctx.add(fields.srcport, offset, 2, srcPort);
  ctx.add(fields.dstport, offset + 2, 2, dstPort);
  ctx.add(fields.port, offset, 2, srcPort);
  ctx.add(fields.port, offset + 2, 2, dstPort);
  return [srcPort, dstPort];
}
