// IEEE 802.1Q VLAN tag (and 802.1ad service tag, same layout): TCI then the inner ethertype.
import type { Dissector } from '../dissector.js';
import { defineFields, defineProtocol } from '../field.js';

const FIELD = { TCI: [0, 2], ETYPE: [2, 2] } as const;
const HEADER_LENGTH = 4;

const fields = defineFields('vlan', {
  priority: { name: 'Priority', type: 'uint16', base: 'dec', mask: 0xe000 },
  dei: { name: 'DEI', type: 'boolean', truth: ['Eligible', 'Ineligible'], mask: 0x1000, blurb: 'Drop Eligible Indicator' },
  id: { name: 'ID', type: 'uint16', base: 'dec', mask: 0x0fff, blurb: 'VLAN ID' },
  etype: { name: 'Type', type: 'uint16', base: 'hex', blurb: 'Ethertype' },
  len: { name: 'Length', type: 'uint16', base: 'dec' },
});

export const vlan: Dissector = {
  protocol: defineProtocol('vlan', '802.1Q Virtual LAN'),
  short: '802.1Q',
  fields,
  bindings: [
    { table: 'ethertype', key: 0x8100 },
    { table: 'ethertype', key: 0x88a8 },
    { table: 'ethertype', key: 0x9100 },
  ],
  dissect(view, offset, ctx) {
    const tciAt = offset + FIELD.TCI[0];
    const tci = view.u16(tciAt);
    const id = tci & 0x0fff;
    ctx.add(fields.priority, tciAt, 2, tci >>> 13);
    ctx.add(fields.dei, tciAt, 2, (tci & 0x1000) !== 0);
    ctx.add(fields.id, tciAt, 2, id);
    const type = view.u16(offset + FIELD.ETYPE[0]);
    ctx.add(type >= 1536 ? fields.etype : fields.len, offset + FIELD.ETYPE[0], 2, type);
    if (ctx.tree) ctx.layerSummary(`802.1Q Virtual LAN, PRI: ${tci >>> 13}, DEI: ${(tci >>> 12) & 1}, ID: ${id}`, HEADER_LENGTH);
    if (ctx.columns) ctx.cols.info = `PRI: ${tci >>> 13}  DEI: ${(tci >>> 12) & 1}  ID: ${id}`;
    ctx.next('ethertype', type >= 1536 ? type : -1, offset + HEADER_LENGTH);
  },
};
