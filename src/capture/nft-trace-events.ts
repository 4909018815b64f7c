// The kernel's nftables trace events (netlink group NFNLGRP_NFTRACE), read from the messages the capture
// worker passes on as nft_trace.cc packs them: u32 length (machine order) | netlink message | padding.
// One event is one step of a traced packet through a base chain: a rule that matched, a return, or the
// chain's policy. The first event of each chain a packet passes carries its network and transport
// headers (at most 40 and 20 bytes); later events of that chain carry only the trace id.
import type { TraceStep } from './frame.js';
import { RECORD_LITTLE_ENDIAN } from './native/addon.js';

const NLMSG_HEADER = 16;
const NFGENMSG = 4;
const NLA_HEADER = 4;
/** NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_TRACE. */
const TRACE_MESSAGE_TYPE = (10 << 8) | 17;
/** nla_type's flag bits (NLA_F_NESTED, NLA_F_NET_BYTEORDER). */
const NLA_TYPE_MASK = 0x3fff;
const NlMsg = { LENGTH: 0, TYPE: 4 } as const;
const NfGen = { FAMILY: 0 } as const;

/** enum nft_trace_attributes. */
const Attribute = {
  TABLE: 1,
  CHAIN: 2,
  RULE_HANDLE: 3,
  TYPE: 4,
  VERDICT: 5,
  ID: 6,
  NETWORK_HEADER: 8,
  TRANSPORT_HEADER: 9,
  IIF: 10,
  OIF: 12,
  NFPROTO: 15,
  POLICY: 16,
} as const;
/** enum nft_verdict_attributes. */
const VerdictAttribute = { CODE: 1, CHAIN: 2 } as const;

/** nft's family names, by nfgenmsg family. */
export const FAMILY_NAMES: Readonly<Record<number, string>> = { 1: 'inet', 2: 'ip', 3: 'arp', 5: 'netdev', 7: 'bridge', 10: 'ip6' };


const latin1 = new TextDecoder('latin1');

function text(bytes: Uint8Array, at: number, length: number): string {
  // NLA_STRING values end in a NUL.
  let end = at + length;
  while (end > at && bytes[end - 1] === 0) end--;
  return latin1.decode(bytes.subarray(at, end));
}

/** Calls `visit` for each attribute in [at, end): its type (flags masked), value offset and length. */
function walkAttributes(view: DataView, at: number, end: number, visit: (type: number, valueAt: number, length: number) => void): void {
  let next = at;
  while (next + NLA_HEADER <= end) {
    const length = view.getUint16(next, RECORD_LITTLE_ENDIAN);
    if (length < NLA_HEADER || next + length > end) return;
    visit(view.getUint16(next + 2, RECORD_LITTLE_ENDIAN) & NLA_TYPE_MASK, next + NLA_HEADER, length - NLA_HEADER);
    next += (length + 3) & ~3;
  }
}

function readEvent(bytes: Uint8Array, view: DataView, at: number, end: number, seconds: number): TraceStep {
  const event: TraceStep = {
    id: 0,
    family: FAMILY_NAMES[bytes[at + NLMSG_HEADER + NfGen.FAMILY]] ?? `family ${bytes[at + NLMSG_HEADER + NfGen.FAMILY]}`,
    type: 0,
    table: '',
    chain: '',
    handle: 0,
    verdict: undefined,
    policy: undefined,
    verdictChain: '',
    iif: 0,
    oif: 0,
    network: undefined,
    transport: undefined,
    seconds,
  };
  // Attribute values are in network byte order.
  walkAttributes(view, at + NLMSG_HEADER + NFGENMSG, end, (type, valueAt, length) => {
    switch (type) {
      case Attribute.TABLE:
        event.table = text(bytes, valueAt, length);
        break;
      case Attribute.CHAIN:
        event.chain = text(bytes, valueAt, length);
        break;
      case Attribute.RULE_HANDLE:
        if (length >= 8) event.handle = Number(view.getBigUint64(valueAt));
        break;
      case Attribute.TYPE:
        if (length >= 4) event.type = view.getUint32(valueAt);
        break;
      case Attribute.ID:
        if (length >= 4) event.id = view.getUint32(valueAt);
        break;
      case Attribute.IIF:
        if (length >= 4) event.iif = view.getUint32(valueAt);
        break;
      case Attribute.OIF:
        if (length >= 4) event.oif = view.getUint32(valueAt);
        break;
      case Attribute.NETWORK_HEADER:
        event.network = bytes.slice(valueAt, valueAt + length);
        break;
      case Attribute.TRANSPORT_HEADER:
        event.transport = bytes.slice(valueAt, valueAt + length);
        break;
      case Attribute.VERDICT:
        walkAttributes(view, valueAt, valueAt + length, (inner, innerAt, innerLength) => {
          if (inner === VerdictAttribute.CODE && innerLength >= 4) event.verdict = view.getInt32(innerAt);
          else if (inner === VerdictAttribute.CHAIN) event.verdictChain = text(bytes, innerAt, innerLength);
        });
        break;
      case Attribute.POLICY:
        if (length >= 4) event.policy = view.getUint32(valueAt);
        break;
    }
  });
  return event;
}

/**
 * Calls `visit` with each trace event among the first `length` bytes of `bytes` (records as nft_trace.cc
 * packs them); other messages, and records cut short, are skipped. `seconds`: when they were read.
 */
export function readTraceEvents(bytes: Uint8Array, length: number, seconds: number, visit: (event: TraceStep) => void): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, length);
  for (let record = 0; record + 4 <= length; ) {
    const size = view.getUint32(record, RECORD_LITTLE_ENDIAN);
    const start = record + 4;
    const end = Math.min(start + size, length);
    record = start + ((size + 3) & ~3);
    // A datagram may hold several messages.
    for (let at = start; at + NLMSG_HEADER + NFGENMSG <= end; ) {
      const messageLength = view.getUint32(at + NlMsg.LENGTH, RECORD_LITTLE_ENDIAN);
      if (messageLength < NLMSG_HEADER || at + messageLength > end) break;
      if (view.getUint16(at + NlMsg.TYPE, RECORD_LITTLE_ENDIAN) === TRACE_MESSAGE_TYPE) visit(readEvent(bytes, view, at, at + messageLength, seconds));
      at += (messageLength + 3) & ~3;
    }
  }
}
