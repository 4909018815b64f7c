// What the UI shows of a frame, read from its dissection: the packet list's row and the Tap column.
import type { Dissection } from '../decode/dissection.js';
import { TAP_COLUMN_FIELDS } from '../decode/protocols/tap.js';
import { tapText } from '../decode/column-format.js';
import { BAD_TCP_FIELDS, isBadTcp } from '../decode/tcp-analysis.js';
import type { PacketRow } from './PacketList.js';

/** The fields a row reads besides the columns: the Tap column's and the "Bad TCP" rule's. */
export const ROW_FIELDS = [...TAP_COLUMN_FIELDS, ...BAD_TCP_FIELDS];

/**
 * `time`: the Time column's text, in the format chosen (time-format.ts); `extra`: the texts of the columns
 * that are not the row's own (PacketList's isNamedColumn).
 */
export function packetRow(dissection: Dissection, marked: boolean, time: string, extra: string[]): PacketRow {
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
    extra,
    marked,
    alert: isBadTcp(dissection),
  };
}
