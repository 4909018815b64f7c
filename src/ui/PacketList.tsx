// The packet list: only the rows in view, laid out to the terminal's width, coloured by protocol (unless
// colour is off), the selected row inverted. Every text that came from a capture is sanitised here.
import { Box, Text } from 'ink';
import stringWidth from 'string-width';
import { sanitize } from '../decode/sanitize.js';
import type { ColumnKind, ListColumn } from '../decode/column-format.js';

export interface PacketRow {
  number: number;
  time: string;
  /** Direction arrow and interface, e.g. `↓ eth0`. */
  tap: string;
  source: string;
  destination: string;
  protocol: string;
  length: number;
  info: string;
  /** The texts of the columns that are not one of the above (custom fields, ports, a time in a format of its own), in order. */
  extra: string[];
  marked: boolean;
  /** Wireshark's "Bad TCP" rule matches (a retransmission, a lost segment, a duplicate ACK, a zero window...). */
  alert: boolean;
}

/** Wireshark's default colouring rules, reduced to the protocol column. */
const PROTOCOL_COLOURS: Readonly<Record<string, string>> = {
  TCP: 'magentaBright',
  UDP: 'cyanBright',
  DNS: 'cyan',
  MDNS: 'cyan',
  LLMNR: 'cyan',
  ARP: 'yellow',
  ICMP: 'magenta',
  ICMPv6: 'magenta',
  NFLOG: 'green',
};

/** Wireshark's "Bad TCP" colouring: red on black. */
const BAD_TCP = { color: '#f78787', background: 'black' } as const;

export interface ColumnWidths {
  number: number;
  time: number;
  tap: number;
  source: number;
  destination: number;
  protocol: number;
  length: number;
  info: number;
}

const GAPS = 7;
/** The kinds the list fits to the terminal, as wide as what they show; the others are sized alone. */
const FITTED_KINDS: ReadonlySet<ColumnKind> = new Set(['number', 'time', 'tap', 'source', 'destination', 'protocol', 'length', 'info']);
/** A custom column's widest, unless set wider in the columns view. */
const MAX_EXTRA_WIDTH = 30;

/** The Time column's least width: a relative time to the millisecond, 0.123. */
const MIN_TIME_WIDTH = 5;
/** Info's share at least, before which the other columns give up room (issue 18: 30 at 80 columns). */
export const MIN_INFO_WIDTH = 30;
const PROTOCOL_WIDTH = 6;
const LENGTH_WIDTH = 5;
const MAX_ADDRESS_WIDTH = 39;
const MIN_ADDRESS_WIDTH = 7;
/** An IPv4 address whole: cut before Time's digits are. */
const WHOLE_IPV4_WIDTH = 15;
/** The Tap column's direction alone (`↓✗`), without the interface: as wide as its header. */
const TAP_ARROW_WIDTH = 3;
/** Digits of the fraction the Time column may drop (µs to ms) for Info's room. */
const DROPPABLE_TIME_DIGITS = 3;

/** What the rows in view need: the widest time, Tap, source and destination texts. */
export interface ShownWidths {
  time: number;
  tap: number;
  source: number;
  destination: number;
}

/**
 * Column widths for a terminal `width` columns wide: each column as wide as what it shows (addresses up to
 * 39), Info the rest. When Info would get less than MIN_INFO_WIDTH, the others give way, in order: the
 * Tap column keeps its arrow alone, longer addresses (IPv6) are cut to an IPv4 address's width, Time drops
 * its last three digits, the addresses are cut further, then Time drops more digits.
 */
export function columnWidths(width: number, largestNumber: number, shown: ShownWidths, present: ReadonlySet<ColumnKind> = FITTED_KINDS, taken = GAPS): ColumnWidths {
  const has = (kind: ColumnKind) => present.has(kind);
  const number = has('number') ? Math.max(3, String(largestNumber).length) : 0;
  let time = has('time') ? Math.max(MIN_TIME_WIDTH, shown.time) : 0;
  let tap = has('tap') ? Math.min(7, Math.max(3, shown.tap)) : 0;
  // As wide as their headers too, while Info keeps its room.
  let source = has('source') ? Math.min(MAX_ADDRESS_WIDTH, Math.max('Source'.length, shown.source)) : 0;
  let destination = has('destination') ? Math.min(MAX_ADDRESS_WIDTH, Math.max('Destination'.length, shown.destination)) : 0;
  const protocol = has('protocol') ? PROTOCOL_WIDTH : 0;
  const length = has('length') ? LENGTH_WIDTH : 0;
  const room = () => width - taken - number - time - tap - source - destination - protocol - length;
  const cutAddressesTo = (least: number) => {
    while (room() < MIN_INFO_WIDTH && (source > least || destination > least)) {
      if (source >= destination) source--;
      else destination--;
    }
  };
  if (room() < MIN_INFO_WIDTH && has('tap')) tap = TAP_ARROW_WIDTH;
  cutAddressesTo(WHOLE_IPV4_WIDTH);
  if (room() < MIN_INFO_WIDTH && has('time')) time = Math.max(MIN_TIME_WIDTH, time - DROPPABLE_TIME_DIGITS);
  cutAddressesTo(MIN_ADDRESS_WIDTH);
  if (room() < MIN_INFO_WIDTH && has('time')) time = Math.max(MIN_TIME_WIDTH, time - (MIN_INFO_WIDTH - room()));
  // What the cuts left over Info's least goes back to Time's digits first.
  if (room() > MIN_INFO_WIDTH && has('time')) time = Math.min(Math.max(MIN_TIME_WIDTH, shown.time), time + room() - MIN_INFO_WIDTH);
  return { number, time, tap, source, destination, protocol, length, info: Math.max(0, room()) };
}

/**
 * Cuts or pads text to exactly `width` terminal columns (wide characters count two); an ellipsis marks
 * a cut.
 */
export function fit(text: string, width: number, alignRight = false): string {
  if (width <= 0) return '';
  let used = stringWidth(text);
  if (used > width) {
    let cut = '';
    used = 0;
    for (const character of text) {
      const next = stringWidth(character);
      if (used + next > width - 1) break;
      cut += character;
      used += next;
    }
    text = cut + '…';
    used++;
  }
  const padding = ' '.repeat(width - used);
  return alignRight ? padding + text : text + padding;
}

/** Whether a column's text is one of a row's own (not in `extra`): a %t time, not one of a format of its own. */
export function isNamedColumn({ spec }: ListColumn): boolean {
  return FITTED_KINDS.has(spec.kind) && (spec.kind !== 'time' || spec.time === undefined);
}

/** A shown column laid out. */
interface PlacedColumn {
  column: ListColumn;
  width: number;
  /** Index in the row's `extra`, for a column that is not a named one; -1 otherwise. */
  extra: number;
}

/** Each shown column's width for `width` terminal columns: fitted kinds as columnWidths makes them, the others alone. */
export function placeColumns(width: number, largestNumber: number, rows: readonly PacketRow[], columns: readonly ListColumn[]): PlacedColumn[] {
  const shown: ShownWidths = { time: 0, tap: 0, source: 0, destination: 0 };
  for (const row of rows) {
    shown.time = Math.max(shown.time, row.time.length);
    shown.tap = Math.max(shown.tap, stringWidth(sanitize(row.tap)));
    shown.source = Math.max(shown.source, stringWidth(sanitize(row.source)));
    shown.destination = Math.max(shown.destination, stringWidth(sanitize(row.destination)));
  }
  // The first column of each fitted kind is fitted (width -1 until columnWidths gives it); the others are sized alone.
  const present = new Set<ColumnKind>();
  let extras = 0;
  let taken = Math.max(0, columns.length - 1);
  const placed = columns.map((column): PlacedColumn => {
    const named = isNamedColumn(column);
    const extra = named ? -1 : extras++;
    if (column.width === undefined && named && !present.has(column.spec.kind)) {
      present.add(column.spec.kind);
      return { column, width: -1, extra };
    }
    const own = column.width ?? Math.min(MAX_EXTRA_WIDTH, Math.max(stringWidth(column.spec.title), ...rows.map((row) => stringWidth(sanitize(extra >= 0 ? row.extra[extra] : '')))));
    taken += own;
    return { column, width: own, extra };
  });
  const widths = columnWidths(width, largestNumber, shown, present, taken);
  for (const place of placed) if (place.width < 0) place.width = widths[place.column.spec.kind as keyof ColumnWidths];
  return placed;
}

const RIGHT_ALIGNED: ReadonlySet<ColumnKind> = new Set(['number', 'time', 'length', 'srcport', 'dstport']);

/** A row's text in one column. */
function cellText(row: PacketRow, { column, width, extra }: PlacedColumn): string {
  switch (extra >= 0 ? 'extra' : column.spec.kind) {
    case 'number':
      return String(row.number);
    // A time too wide loses its last digits (a shorter fraction), not its start.
    case 'time':
      return row.time.length > width ? row.time.slice(0, width) : row.time;
    // Narrow, the Tap column keeps the direction (and netfilter's ✗), not a cut interface name.
    case 'tap':
      return sanitize(width <= TAP_ARROW_WIDTH ? row.tap.split(' ')[0] : row.tap);
    case 'source':
      return sanitize(row.source);
    case 'destination':
      return sanitize(row.destination);
    case 'protocol':
      return row.protocol;
    case 'length':
      return String(row.length);
    case 'info':
      return sanitize(row.info);
    default:
      return sanitize(row.extra[extra] ?? '');
  }
}

export function rowText(row: PacketRow, placed: readonly PlacedColumn[]): string {
  return placed.map((place) => fit(cellText(row, place), place.width, RIGHT_ALIGNED.has(place.column.spec.kind))).join(' ');
}

export interface PacketListProps {
  /** The rows in view, top first. */
  rows: readonly PacketRow[];
  /** Index in `rows` of the selected packet, or -1. */
  selected: number;
  width: number;
  /** Largest frame number the list may show, so the number column does not jump while loading. */
  largestNumber: number;
  colour: boolean;
  /** The columns shown, in order. */
  columns: readonly ListColumn[];
}

/** A narrow column is headed by a short name rather than a cut one. */
const SHORT_TITLES: Readonly<Record<string, string>> = { Source: 'Src', Destination: 'Dst', Protocol: 'Proto', Length: 'Len' };

export function PacketList({ rows, selected, width, largestNumber, colour, columns }: PacketListProps) {
  // Three columns in front: `>` on the selected row (visible even where the terminal shows no inverse), `*` on
  // marked ones and `!` where Wireshark's "Bad TCP" rule would colour the row (visible without colour).
  const placed = placeColumns(width - 3, largestNumber, rows, columns);
  const headerText = placed
    .map(({ column, width }) => {
      const title = column.spec.title.length > width ? (SHORT_TITLES[column.spec.title] ?? column.spec.title) : column.spec.title;
      return fit(sanitize(title), width, RIGHT_ALIGNED.has(column.spec.kind));
    })
    .join(' ');
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate">
        {'   ' + headerText}
      </Text>
      {rows.map((row, index) => (
        <Text
          key={row.number}
          wrap="truncate"
          inverse={index === selected}
          color={colour ? (row.alert ? BAD_TCP.color : PROTOCOL_COLOURS[row.protocol]) : undefined}
          backgroundColor={colour && row.alert ? BAD_TCP.background : undefined}
        >
          {(index === selected ? '>' : ' ') + (row.marked ? '*' : ' ') + (row.alert ? '!' : ' ') + rowText(row, placed)}
        </Text>
      ))}
    </Box>
  );
}
