// BSD loopback encapsulation: LINKTYPE_NULL (family in the writer's byte order) and LINKTYPE_LOOP
// (network order), https://www.tcpdump.org/linktypes/LINKTYPE_NULL.html
import type { Dissector } from '../dissector.js';
import { defineFields, defineProtocol } from '../field.js';

const HEADER_LENGTH = 4;
const AF_INET = 2;
/** AF_INET6 differs by system: Linux 10, NetBSD/OpenBSD 24, FreeBSD 28, Darwin 30. */
const AF_INET6 = new Set([10, 24, 28, 30]);

const fields = defineFields('null', {
  family: { name: 'Family', type: 'uint32', base: 'dec', values: { 2: 'IP', 10: 'IPv6', 24: 'IPv6', 28: 'IPv6', 30: 'IPv6' } },
});

export const nullLink: Dissector = {
  protocol: defineProtocol('null', 'Null/Loopback'),
  short: 'NULL',
  fields,
  bindings: [
    { table: 'linktype', key: 0 },
    { table: 'linktype', key: 108 },
  ],
  dissect(view, offset, ctx) {
    const bigEndian = view.u32(offset);
    // The writer's byte order is not recorded: a family is small, so the order that gives one wins.
    const family = bigEndian <= 0xffff ? bigEndian : view.u32le(offset);
    ctx.add(fields.family, offset, HEADER_LENGTH, family);
    if (ctx.tree) ctx.layerSummary('Null/Loopback', HEADER_LENGTH);
    const version = family === AF_INET ? 4 : AF_INET6.has(family) ? 6 : -1;
    ctx.next('ip.version', version, offset + HEADER_LENGTH);
  },
};
