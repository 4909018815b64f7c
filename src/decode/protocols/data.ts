// Bytes no dissector claimed, as Wireshark's `data` shows them. It leaves the Protocol column to the
// layer that carried it.
import type { Dissector } from '../dissector.js';
import { defineFields, defineProtocol } from '../field.js';

const fields = defineFields('data', {
  data: { name: 'Data', type: 'bytes' },
  len: { name: 'Length', type: 'int32', base: 'dec' },
});

export const data: Dissector = {
  protocol: defineProtocol('data', 'Data'),
  short: '',
  fields,
  bindings: [],
  dissect(view, offset, ctx) {
    const length = view.remaining(offset);
    ctx.add(fields.data, offset, length);
    ctx.generated(fields.len, length);
    if (ctx.tree) ctx.layerSummary(`Data (${length} bytes)`, length);
  },
};
