// The packet list's state and commands: the selected frame (kept by frame, so it survives a filter),
// the first row in view, following the newest frame, and the rows in view (only those are dissected).
import { useState } from 'react';
import type { Timestamp } from '../decode/decoder.js';
import type { Dissection } from '../decode/dissection.js';
import { timeText, type TimeFormat } from '../decode/time-format.js';
import { columnText, type ColumnSpec } from '../decode/column-format.js';
import type { CaptureSession } from '../session/capture-session.js';
import type { PacketRow } from './PacketList.js';
import { packetRow } from './rows.js';
import { movement, type CommandHandlers } from './use-keys.js';

export interface PacketListState {
  rows: PacketRow[];
  /** Index in `rows` of the selected row (may be outside when nothing is displayed). */
  selectedInView: number;
  /** Store index of the selected frame; -1 when none is displayed. */
  currentFrame: number;
  following: boolean;
  commands: CommandHandlers;
  /** Selects the `offset`th row in view (a click). */
  selectInView(offset: number): void;
  /** Puts the selection on frame `index`, or on the next displayed frame after it. */
  selectFrame(index: number): void;
  /** Selects frame `number` (from 1, as listed); what to tell the user when it is not there to select. */
  goTo(number: number): string | undefined;
  /** Selects the next (1) or previous (-1) marked frame displayed; what to tell the user when there is none. */
  toMarked(step: 1 | -1): string | undefined;
  toggleFollow(): void;
}

/** What a time counts from: the previous displayed frame (dd), or the time reference before the frame (r). */
const since: Timestamp = { tsSec: 0, tsNsec: 0 };

/** Displayed row `row`'s Time column: *REF* on a time reference, as Wireshark shows it. */
function rowTime(session: CaptureSession, format: TimeFormat, digits: number, row: number, dissection: Dissection): string {
  const index = dissection.frame.number - 1;
  if (session.references.has(index)) return '*REF*';
  const from = format === 'dd' ? (row > 0 ? session.frameAt(row - 1) : undefined) : format === 'r' ? session.references.atOrBefore(index) : undefined;
  if (from !== undefined) session.decoded.store.timestampOf(from, since);
  return timeText(format, digits, dissection.frame, from === undefined ? undefined : since);
}

/** `extraColumns`: the shown columns whose texts are not a row's own (a custom field's, a port's, a time of its own format). */
export function usePacketList(session: CaptureSession, height: number, timeFormat: TimeFormat, timeDigits: number, extraColumns: readonly ColumnSpec[]): PacketListState {
  const [selectedFrame, setSelectedFrame] = useState(0);
  const [top, setTop] = useState(0);
  const [following, setFollowing] = useState(session.status.live);
  const displayed = session.displayed;
  const selectedRow = displayed === 0 ? -1 : following ? displayed - 1 : session.rowOf(selectedFrame);

  // The list scrolls as little as needed to keep the selection in view.
  let listTop = Math.max(0, Math.min(top, displayed - height));
  if (selectedRow >= 0 && selectedRow < listTop) listTop = selectedRow;
  if (selectedRow >= listTop + height) listTop = selectedRow - height + 1;

  const rows: PacketRow[] = [];
  for (let row = listTop; row < Math.min(displayed, listTop + height); row++) {
    const index = session.frameAt(row);
    const summary = session.decoded.summary(index);
    const extra = extraColumns.map((column) => columnText(column, summary, (timed) => rowTime(session, timed.time ?? timeFormat, timeDigits, row, summary)));
    rows.push(packetRow(summary, session.marks.has(index), rowTime(session, timeFormat, timeDigits, row, summary), extra));
  }

  const select = (row: number) => {
    if (displayed === 0) return;
    const clamped = Math.max(0, Math.min(displayed - 1, row));
    // Moving away from the newest frame stops following it.
    if (clamped < displayed - 1) setFollowing(false);
    setSelectedFrame(session.frameAt(clamped));
    setTop(listTop);
  };

  const goTo = (number: number): string | undefined => {
    const count = session.decoded.count;
    if (!Number.isInteger(number) || number < 1 || number > count) return `No frame ${number}: the capture has ${count}`;
    if (number <= session.framesLetGo) return `Frame ${number} was let go (--keep): the frames from ${session.framesLetGo + 1} on are kept`;
    if (displayed === 0) return 'No frame is displayed';
    const index = number - 1;
    setFollowing(false);
    setSelectedFrame(index);
    return session.frameAt(session.rowOf(index)) === index ? undefined : `Frame ${number} is not displayed: the next displayed frame is selected`;
  };

  const toMarked = (step: 1 | -1): string | undefined => {
    for (let row = selectedRow + step; selectedRow >= 0 && row >= 0 && row < displayed; row += step) {
      if (session.marks.has(session.frameAt(row))) {
        select(row);
        return undefined;
      }
    }
    return step > 0 ? 'No marked frame after this one' : 'No marked frame before this one';
  };

  return {
    rows,
    selectedInView: selectedRow - listTop,
    currentFrame: selectedRow < 0 ? -1 : session.frameAt(selectedRow),
    following,
    selectFrame: setSelectedFrame,
    selectInView: (offset) => {
      if (offset < rows.length) select(listTop + offset);
    },
    goTo,
    toMarked,
    toggleFollow: () => setFollowing(!following),
    commands: movement(selectedRow, height, displayed - 1, select),
  };
}
