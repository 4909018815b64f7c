// ARP, RFC 826 (and RARP, RFC 903): hardware and protocol address sizes come from the header.
import type { Dissector } from '../dissector.js';
import { defineFields, defineProtocol } from '../field.js';
import { formatIPv4Bytes, formatMac } from '../address.js';

const FIELD = { HW_TYPE: 0, PROTO_TYPE: 2, HW_SIZE: 4, PROTO_SIZE: 5, OPCODE: 6, ADDRESSES: 8 } as const;
const ETHERNET_SIZE = 6;
const HW_ETHERNET = 1;
const HW_IEEE802 = 6;
const IPV4_SIZE = 4;

const OPCODES: Readonly<Record<number, string>> = {
  1: 'request', 2: 'reply', 3: 'reverse request', 4: 'reverse reply', 8: 'inverse request', 9: 'inverse reply',
};

const fields = defineFields('arp', {
  'hw.type': { name: 'Hardware type', type: 'uint16', base: 'dec', values: { 1: 'Ethernet' } },
  'proto.type': { name: 'Protocol type', type: 'uint16', base: 'hex', values: { 0x0800: 'IPv4' } },
  'hw.size': { name: 'Hardware size', type: 'uint8', base: 'dec' },
  'proto.size': { name: 'Protocol size', type: 'uint8', base: 'dec' },
  opcode: { name: 'Opcode', type: 'uint16', base: 'dec', values: OPCODES },
  'src.hw': { name: 'Sender hardware address', type: 'bytes' },
  'src.hw_mac': { name: 'Sender MAC address', type: 'ether' },
  'src.proto': { name: 'Sender protocol address', type: 'bytes' },
  'src.proto_ipv4': { name: 'Sender IP address', type: 'ipv4' },
  'dst.hw': { name: 'Target hardware address', type: 'bytes' },
  'dst.hw_mac': { name: 'Target MAC address', type: 'ether' },
  'dst.proto': { name: 'Target protocol address', type: 'bytes' },
  'dst.proto_ipv4': { name: 'Target IP address', type: 'ipv4' },
});

export const arp: Dissector = {
  protocol: defineProtocol('arp', 'Address Resolution Protocol'),
  short: 'ARP',
  fields,
  bindings: [
    { table: 'ethertype', key: 0x0806 },
    { table: 'ethertype', key: 0x8035 },
  ],
  dissect(view, offset, ctx) {
    const hwType = view.u16(offset + FIELD.HW_TYPE);
    const protoType = view.u16(offset + FIELD.PROTO_TYPE);
    const hwSize = view.u8(offset + FIELD.HW_SIZE);
    const protoSize = view.u8(offset + FIELD.PROTO_SIZE);
    const opcode = view.u16(offset + FIELD.OPCODE);
    ctx.add(fields['hw.type'], offset + FIELD.HW_TYPE, 2, hwType);
    ctx.add(fields['proto.type'], offset + FIELD.PROTO_TYPE, 2, protoType);
    ctx.add(fields['hw.size'], offset + FIELD.HW_SIZE, 1, hwSize);
    ctx.add(fields['proto.size'], offset + FIELD.PROTO_SIZE, 1, protoSize);
    ctx.add(fields.opcode, offset + FIELD.OPCODE, 2, opcode);
    const senderHw = offset + FIELD.ADDRESSES;
    const senderProto = senderHw + hwSize;
    const targetHw = senderProto + protoSize;
    const targetProto = targetHw + hwSize;
    view.check(senderHw, 2 * (hwSize + protoSize));
    const ethernet = hwSize === ETHERNET_SIZE && (hwType === HW_ETHERNET || hwType === HW_IEEE802);
    const ipv4 = protoSize === IPV4_SIZE && protoType === 0x0800;
    ctx.add(ethernet ? fields['src.hw_mac'] : fields['src.hw'], senderHw, hwSize);
    if (ipv4) ctx.add(fields['src.proto_ipv4'], senderProto, protoSize, view.u32(senderProto));
    else ctx.add(fields['src.proto'], senderProto, protoSize);
    ctx.add(ethernet ? fields['dst.hw_mac'] : fields['dst.hw'], targetHw, hwSize);
    if (ipv4) ctx.add(fields['dst.proto_ipv4'], targetProto, protoSize, view.u32(targetProto));
    else ctx.add(fields['dst.proto'], targetProto, protoSize);
    const name = opcode === 3 || opcode === 4 ? 'Reverse Address Resolution Protocol' : 'Address Resolution Protocol';
    if (ctx.tree) ctx.layerSummary(`${name} (${OPCODES[opcode] ?? 'unknown'})`, 8 + 2 * (hwSize + protoSize));
    if (!ctx.columns) return;
    if (opcode === 3 || opcode === 4) ctx.cols.protocol = 'RARP';
    if (!(ethernet && ipv4)) {
      ctx.cols.info = `${OPCODES[opcode] ?? `Unknown ARP opcode 0x${opcode.toString(16).padStart(4, '0')}`}`;
      return;
    }
    const senderIp = formatIPv4Bytes(view.bytes, senderProto);
    const targetIp = formatIPv4Bytes(view.bytes, targetProto);
    const senderMac = formatMac(view.bytes, senderHw);
    switch (opcode) {
      case 1:
        ctx.cols.info = senderIp === targetIp ? `ARP Announcement for ${senderIp}` : `Who has ${targetIp}? Tell ${senderIp}`;
        break;
      case 2:
        ctx.cols.info = `${senderIp} is at ${senderMac}`;
        break;
      case 3:
        ctx.cols.info = `Who is ${formatMac(view.bytes, targetHw)}? Tell ${senderMac}`;
        break;
      case 4:
        ctx.cols.info = `${formatMac(view.bytes, targetHw)} is at ${targetIp}`;
        break;
      default:
        ctx.cols.info = `Unknown ARP opcode 0x${opcode.toString(16).padStart(4, '0')}`;
    }
  },
};
