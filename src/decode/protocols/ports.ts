// TCP and UDP both start with source and destination ports (RFC 9293 §3.1, RFC 768), and Wireshark
// adds each to its protocol's `port` alias too, so `tcp.port == 53` matches either end.
import type { Dissection } from '../dissection.js';
import type { FieldDef } from '../field.js';

export interface PortFields {
  srcport: FieldDef;
  dstport: FieldDef;
  port: FieldDef;
}

/** Adds both ports (source at `offset`, destination after it) and their aliases. */
export function addPorts(ctx: Dissection, offset: number, fields: PortFields, srcPort: number, dstPort: number): void {
  ctx.add(fields.srcport, offset, 2, srcPort);
  ctx.add(fields.dstport, offset + 2, 2, dstPort);
  ctx.add(fields.port, offset, 2, srcPort);
  ctx.add(fields.port, offset + 2, 2, dstPort);
}
