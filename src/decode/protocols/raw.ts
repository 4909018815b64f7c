// LINKTYPE_RAW (101, and DLT_RAW's 12 and 14 on some systems): an IP packet with no link header;
// the version nibble says which IP.
import type { Dissector } from '../dissector.js';
import { defineProtocol } from '../field.js';

export const raw: Dissector = {
  protocol: defineProtocol('raw', 'Raw packet data'),
  short: 'Raw',
  fields: {},
  bindings: [
    { table: 'linktype', key: 101 },
    { table: 'linktype', key: 12 },
    { table: 'linktype', key: 14 },
  ],
  dissect(view, offset, ctx) {
    if (ctx.tree) ctx.layerSummary('Raw packet data', 0);
    if (ctx.columns) ctx.cols.info = 'Raw packet data';
    ctx.next('ip.version', view.u8(offset) >>> 4, offset);
  },
};
