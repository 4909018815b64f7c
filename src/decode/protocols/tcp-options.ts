// TCP options, RFC 9293 §3.2 (EOL, NOP, MSS), RFC 7323 (window scale, timestamps), RFC 2018 (SACK): their
// fields, and what the segment's Info and the sequence analysis take from them.
import type { ByteView } from '../byte-view.js';
import { ExpertGroup } from './expert.js';
import type { Dissection } from '../dissection.js';
import { defineFields } from '../field.js';
import { lt } from '../tcp-analysis.js';

const Option = { EOL: 0, NOP: 1, MSS: 2, WINDOW_SCALE: 3, SACK_PERMITTED: 4, SACK: 5, TIMESTAMP: 8 } as const;
/** A segment whose SYN carried no window scale option: its stream's windows are not scaled. */
export const WSCALE_UNUSED = -2;
/** Wireshark keeps three SACK blocks of a segment for its bytes-in-flight (MAX_TCP_SACK_RANGES - 1). */
const MAX_SACK_BLOCKS_KEPT = 3;

export const optionFields = defineFields('tcp', {
  options: { name: 'Options', type: 'bytes' },
  option_kind: { name: 'Kind', type: 'uint8', base: 'dec' },
  option_len: { name: 'Length', type: 'uint8', base: 'dec' },
  'options.mss_val': { name: 'MSS Value', type: 'uint16', base: 'dec' },
  'options.wscale.shift': { name: 'Shift count', type: 'uint8', base: 'dec' },
  'options.wscale.multiplier': { name: 'Multiplier', type: 'uint16', base: 'dec' },
  'options.sack_perm': { name: 'TCP Option - SACK permitted', type: 'none' },
  'options.sack_le': { name: 'left edge', type: 'uint32', base: 'dec' },
  'options.sack_re': { name: 'right edge', type: 'uint32', base: 'dec' },
  'options.sack.count': { name: 'TCP SACK Count', type: 'uint8', base: 'dec' },
  'options.sack.dsack_le': { name: 'TCP D-SACK Left Edge', type: 'uint32', base: 'dec' },
  'options.sack.dsack_re': { name: 'TCP D-SACK Right Edge', type: 'uint32', base: 'dec' },
  'options.sack.dsack': { name: 'D-SACK Sequence', type: 'none' },
  'options.timestamp.tsval': { name: 'Timestamp value', type: 'uint32', base: 'dec' },
  'options.timestamp.tsecr': { name: 'Timestamp echo reply', type: 'uint32', base: 'dec' },
});

const OPTION_NAMES: Readonly<Record<number, string>> = {
  0: 'End of Option List (EOL)', 1: 'No-Operation (NOP)', 2: 'Maximum segment size', 3: 'Window scale', 4: 'SACK permitted',
  5: 'SACK', 8: 'Timestamps',
};

export interface OptionSummary {
  text: string;
  windowShift: number;
  /** Bytes the first three SACK blocks cover; -1 without a SACK option. */
  sacked: number;
}

/**
 * RFC 2883 §4: the first block reports data received twice: below the ACK, or inside the second block.
 * `first` is the first block's offset, `end` the option's.
 */
function isDsack(view: ByteView, first: number, end: number, ack: number): boolean {
  const left = view.u32(first);
  const right = view.u32(first + 4);
  if (lt(left, ack)) return true;
  if (first + 16 > end) return false;
  return !lt(left, view.u32(first + 8)) && !lt(view.u32(first + 12), right);
}

/**
 * `sackBase`: the other direction's first sequence number, as SACK edges are shown relative to it; `ack`:
 * the segment's raw acknowledgment number, which a D-SACK block lies below.
 */
export function addOptions(view: ByteView, ctx: Dissection, start: number, end: number, sackBase: number, ack: number): OptionSummary {
  const summary: OptionSummary = { text: '', windowShift: WSCALE_UNUSED, sacked: -1 };
  ctx.open(optionFields.options, start, end - start);
  let at = start;
  while (at < end) {
    const kind = view.u8(at);
    if (kind === Option.EOL || kind === Option.NOP) {
      ctx.add(optionFields.option_kind, at, 1, kind);
      if (ctx.tree) ctx.label(`TCP Option - ${OPTION_NAMES[kind]}`);
      at++;
      if (kind === Option.EOL) break;
      continue;
    }
    const length = view.u8(at + 1);
    if (length < 2 || at + length > end) {
      ctx.expert('warn', ExpertGroup.Malformed, `TCP option ${kind} has bad length ${length}`, at, 2);
      break;
    }
    ctx.open(optionFields.option_kind, at, length, kind);
    if (ctx.tree) ctx.label(`TCP Option - ${OPTION_NAMES[kind] ?? `Unknown (${kind})`}`);
    ctx.add(optionFields.option_len, at + 1, 1, length);
    switch (kind) {
      case Option.MSS: {
        const mss = view.u16(at + 2);
        ctx.add(optionFields['options.mss_val'], at + 2, 2, mss);
        if (ctx.columns) summary.text += ` MSS=${mss}`;
        break;
      }
      case Option.WINDOW_SCALE: {
        const shift = view.u8(at + 2);
        ctx.add(optionFields['options.wscale.shift'], at + 2, 1, shift);
        ctx.add(optionFields['options.wscale.multiplier'], at + 2, 1, 2 ** Math.min(shift, 14));
        summary.windowShift = Math.min(shift, 14);
        if (ctx.columns) summary.text += ` WS=${2 ** Math.min(shift, 14)}`;
        break;
      }
      case Option.SACK_PERMITTED:
        ctx.add(optionFields['options.sack_perm'], at, length);
        if (ctx.columns) summary.text += ' SACK_PERM';
        break;
      case Option.SACK: {
        summary.sacked = 0;
        // The first block's edges, shown again when it is a D-SACK.
        let firstLeft = 0;
        let firstRight = 0;
        for (let edge = at + 2, block = 0; edge + 8 <= at + length; edge += 8, block++) {
          const left = (view.u32(edge) - sackBase) >>> 0;
          const right = (view.u32(edge + 4) - sackBase) >>> 0;
          ctx.add(optionFields['options.sack_le'], edge, 4, left);
          ctx.add(optionFields['options.sack_re'], edge + 4, 4, right);
          if (ctx.columns) summary.text += ` SLE=${left} SRE=${right}`;
          if (block < MAX_SACK_BLOCKS_KEPT) summary.sacked += (right - left) | 0;
          if (block === 0) {
            firstLeft = left;
            firstRight = right;
          }
        }
        ctx.generated(optionFields['options.sack.count'], (length - 2) >> 3);
        if (length >= 10 && isDsack(view, at + 2, at + length, ack)) {
          ctx.generated(optionFields['options.sack.dsack_le'], firstLeft);
          ctx.generated(optionFields['options.sack.dsack_re'], firstRight);
          ctx.generated(optionFields['options.sack.dsack'], undefined);
          ctx.expert('warn', ExpertGroup.Sequence, 'D-SACK Sequence');
        }
        break;
      }
      case Option.TIMESTAMP: {
        const tsval = view.u32(at + 2);
        const tsecr = view.u32(at + 6);
        ctx.add(optionFields['options.timestamp.tsval'], at + 2, 4, tsval);
        ctx.add(optionFields['options.timestamp.tsecr'], at + 6, 4, tsecr);
        if (ctx.columns) summary.text += ` TSval=${tsval} TSecr=${tsecr}`;
        break;
      }
    }
    ctx.close();
    at += length;
  }
  ctx.close();
  return summary;
}
