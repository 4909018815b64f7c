// DLT_NFLOG (239): https://www.tcpdump.org/linktypes/LINKTYPE_NFLOG.html and libpcap's pcap/nflog.h.
// A 4-byte header, then TLVs whose length and type are in the capturing host's byte order.
import type { ByteView } from '../byte-view.js';
import type { Dissector } from '../dissector.js';
import { defineFields, defineProtocol } from '../field.js';

export const HEADER = { FAMILY: 0, VERSION: 1, RESOURCE_ID: 2, LENGTH: 4 } as const;
/** NFULA_PACKET_HDR's value: struct nfulnl_msg_packet_hdr. */
export const PACKET_HDR = { HW_PROTOCOL: 0, HOOK: 2 } as const;

/** NFULA_* attribute types. */
export const NflogTlv = {
  PACKET_HDR: 1,
  MARK: 2,
  TIMESTAMP: 3,
  IFINDEX_INDEV: 4,
  IFINDEX_OUTDEV: 5,
  IFINDEX_PHYSINDEV: 6,
  IFINDEX_PHYSOUTDEV: 7,
  PAYLOAD: 9,
  PREFIX: 10,
  UID: 11,
  GID: 14,
} as const;

/** Netfilter hooks of the inet families (NF_INET_*). */
export const NF_HOOK_NAMES: Readonly<Record<number, string>> = {
  0: 'NF_INET_PRE_ROUTING',
  1: 'NF_INET_LOCAL_IN',
  2: 'NF_INET_FORWARD',
  3: 'NF_INET_LOCAL_OUT',
  4: 'NF_INET_POST_ROUTING',
};

const fields = defineFields('nflog', {
  family: { name: 'Family', type: 'uint8', base: 'dec', values: { 2: 'IPv4', 10: 'IPv6' } },
  version: { name: 'Version', type: 'uint8', base: 'dec' },
  res_id: { name: 'Resource id', type: 'uint16', base: 'dec' },
  tlv: { name: 'TLV', type: 'bytes' },
  tlv_length: { name: 'Length', type: 'uint16', base: 'dec' },
  tlv_type: { name: 'Type', type: 'uint16', base: 'dec', mask: 0x7fff },
  protocol: { name: 'HW protocol', type: 'uint16', base: 'hex' },
  hook: { name: 'Netfilter hook', type: 'uint8', base: 'dec', values: { 0: 'Pre-routing', 1: 'Local in', 2: 'Forward', 3: 'Local out', 4: 'Post-routing' } },
  ifindex_indev: { name: 'IFINDEX_INDEV', type: 'uint32', base: 'dec' },
  ifindex_outdev: { name: 'IFINDEX_OUTDEV', type: 'uint32', base: 'dec' },
  prefix: { name: 'Prefix', type: 'string' },
  uid: { name: 'UID', type: 'int32', base: 'dec' },
  gid: { name: 'GID', type: 'int32', base: 'dec' },
  tlv_value: { name: 'Value', type: 'bytes' },
});

const TLV_NAMES: Readonly<Record<number, string>> = {
  1: 'NFULA_PACKET_HDR', 2: 'NFULA_MARK', 3: 'NFULA_TIMESTAMP', 4: 'NFULA_IFINDEX_INDEV', 5: 'NFULA_IFINDEX_OUTDEV',
  6: 'NFULA_IFINDEX_PHYSINDEV', 7: 'NFULA_IFINDEX_PHYSOUTDEV', 8: 'NFULA_HWADDR', 9: 'NFULA_PAYLOAD', 10: 'NFULA_PREFIX',
  11: 'NFULA_UID', 12: 'NFULA_SEQ', 13: 'NFULA_SEQ_GLOBAL', 14: 'NFULA_GID', 15: 'NFULA_HWTYPE', 16: 'NFULA_HWHEADER',
  17: 'NFULA_HWLEN', 18: 'NFULA_CT', 19: 'NFULA_CT_INFO',
};

/**
 * Whether TLV lengths are little-endian: the capturing host's order is not recorded, so, as Wireshark
 * does, take the order in which the first TLV's length fits the record.
 */
function nflogLittleEndian(view: ByteView): boolean {
  if (view.remaining(HEADER.LENGTH) < 4) return true;
  const length = view.u16le(HEADER.LENGTH);
  return length >= 4 && length <= view.remaining(HEADER.LENGTH);
}

/** Visits each TLV as (type, value offset, value length) until `visit` returns false. */
export function walkNflogTlvs(view: ByteView, visit: (type: number, at: number, length: number, tlvAt: number) => boolean | void): void {
  const littleEndian = nflogLittleEndian(view);
  let at = HEADER.LENGTH;
  while (view.remaining(at) >= 4) {
    const length = littleEndian ? view.u16le(at) : view.u16(at);
    const type = (littleEndian ? view.u16le(at + 2) : view.u16(at + 2)) & 0x7fff;
    if (length < 4) return;
    if (visit(type, at + 4, length - 4, at) === false) return;
    at += (length + 3) & ~3;
  }
}

/** The prefix TLV's text without its terminating NUL. */
export function nflogPrefix(view: ByteView, at: number, length: number): string {
  const bytes = view.slice(at, length);
  const nul = bytes.indexOf(0);
  return new TextDecoder().decode(nul >= 0 ? bytes.subarray(0, nul) : bytes);
}

export const nflog: Dissector = {
  protocol: defineProtocol('nflog', 'Linux Netfilter NFLOG'),
  short: 'NFLOG',
  fields,
  bindings: [{ table: 'linktype', key: 239 }],
  dissect(view, offset, ctx) {
    const family = view.u8(offset + HEADER.FAMILY);
    ctx.add(fields.family, offset + HEADER.FAMILY, 1, family);
    ctx.add(fields.version, offset + HEADER.VERSION, 1, view.u8(offset + HEADER.VERSION));
    ctx.add(fields.res_id, offset + HEADER.RESOURCE_ID, 2, view.u16(offset + HEADER.RESOURCE_ID));
    let payload = -1;
    let payloadLength = 0;
    walkNflogTlvs(view, (type, at, length, tlvAt) => {
      ctx.open(fields.tlv, tlvAt, length + 4);
      if (ctx.tree) ctx.label(`TLV Type: ${TLV_NAMES[type] ?? type} (${type}), Length: ${length + 4}`);
      ctx.add(fields.tlv_length, tlvAt, 2, length + 4);
      ctx.add(fields.tlv_type, tlvAt + 2, 2, type);
      switch (type) {
        case NflogTlv.PACKET_HDR:
          ctx.add(fields.protocol, at + PACKET_HDR.HW_PROTOCOL, 2, view.u16(at + PACKET_HDR.HW_PROTOCOL));
          ctx.add(fields.hook, at + PACKET_HDR.HOOK, 1, view.u8(at + PACKET_HDR.HOOK));
          break;
        case NflogTlv.IFINDEX_INDEV:
          ctx.add(fields.ifindex_indev, at, 4, view.u32(at));
          break;
        case NflogTlv.IFINDEX_OUTDEV:
          ctx.add(fields.ifindex_outdev, at, 4, view.u32(at));
          break;
        case NflogTlv.PREFIX:
          ctx.add(fields.prefix, at, length, nflogPrefix(view, at, length));
          break;
        case NflogTlv.UID:
          ctx.add(fields.uid, at, 4, view.u32(at) | 0);
          break;
        case NflogTlv.GID:
          ctx.add(fields.gid, at, 4, view.u32(at) | 0);
          break;
        case NflogTlv.PAYLOAD:
          payload = at;
          payloadLength = length;
          break;
        default:
          ctx.add(fields.tlv_value, at, length);
      }
      ctx.close();
    });
    if (payload < 0) return;
    const ipVersion = family === 2 ? 4 : family === 10 ? 6 : -1;
    ctx.next('ip.version', ipVersion, payload, payload + payloadLength);
  },
};
