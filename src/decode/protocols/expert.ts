// Wireshark's `_ws.*` pseudo-fields: expert notes and the markers for malformed and cut-short packets.
import { defineFields, defineProtocol } from '../field.js';

export const expertFields = {
  malformed: defineProtocol('_ws.malformed', 'Malformed Packet'),
  short: defineProtocol('_ws.short', 'Packet size limited during capture'),
  message: defineFields('_ws', { expert: { name: 'Expert Info', type: 'string', blurb: 'Wireshark expert information' } }).expert,
};
