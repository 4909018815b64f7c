// What the UI shows of a frame, read from its dissection: the packet list's row and the Tap column.
import type { Dissection } from '../decode/dissection.js';
import { TAP_COLUMN_FIELDS, tapArrow, tapInterface, verdictMark } from '../decode/protocols/tap.js';
import { BAD_TCP_FIELDS, isBadTcp } from '../decode/tcp-analysis.js';
import type { PacketRow } from './PacketList.js';

/** The fields a row reads besides the columns: the Tap column's and the "Bad TCP" rule's. */
export const ROW_FIELDS = [...TAP_COLUMN_FIELDS, ...BAD_TCP_FIELDS];

/**
 * `↓ eth0`: the direction the kernel copied the frame in, and the interface when the capture names it;
 * `↓✗ eth0` when netfilter dropped the packet (--trace), marked before the name that a narrow column cuts.
 */
export function tapText(dissection: Dissection): string {
  const arrow = tapArrow(dissection) + verdictMark(dissection);
  const name = tapInterface(dissection);
  return name === undefined ? arrow : `${arrow}${arrow ? ' ' : ''}${name}`;
}

/** `time`: the Time column's text, in the format chosen (time-format.ts). */
export function packetRow(dissection: Dissection, marked: boolean, time: string): PacketRow {
  const frame = dissection.frame;
  const cols = dissection.cols;
  return {
    number: frame.number,
    time,
    tap: tapText(dissection),
    source: cols.src,
    destination: cols.dst,
    protocol: cols.protocol,
    length: frame.originalLength,
    info: cols.info,
    marked,
    alert: isBadTcp(dissection),
  };
}
