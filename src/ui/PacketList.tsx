// The packet list: only the rows in view, laid out to the terminal's width, coloured by protocol (unless
// colour is off), the selected row inverted. Every text that came from a capture is sanitised here.
import { Box, Text } from 'ink';
import stringWidth from 'string-width';
import { sanitize } from '../decode/sanitize.js';

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
export function columnWidths(width: number, largestNumber: number, shown: ShownWidths): ColumnWidths {
  const number = Math.max(3, String(largestNumber).length);
  let time = Math.max(MIN_TIME_WIDTH, shown.time);
  let tap = Math.min(7, Math.max(3, shown.tap));
  // As wide as their headers too, while Info keeps its room.
  let source = Math.min(MAX_ADDRESS_WIDTH, Math.max('Source'.length, shown.source));
  let destination = Math.min(MAX_ADDRESS_WIDTH, Math.max('Destination'.length, shown.destination));
  const room = () => width - GAPS - number - time - tap - source - destination - PROTOCOL_WIDTH - LENGTH_WIDTH;
  const cutAddressesTo = (least: number) => {
    while (room() < MIN_INFO_WIDTH && (source > least || destination > least)) {
      if (source >= destination) source--;
      else destination--;
    }
  };
  if (room() < MIN_INFO_WIDTH) tap = TAP_ARROW_WIDTH;
  cutAddressesTo(WHOLE_IPV4_WIDTH);
  if (room() < MIN_INFO_WIDTH) time = Math.max(MIN_TIME_WIDTH, time - DROPPABLE_TIME_DIGITS);
  cutAddressesTo(MIN_ADDRESS_WIDTH);
  if (room() < MIN_INFO_WIDTH) time = Math.max(MIN_TIME_WIDTH, time - (MIN_INFO_WIDTH - room()));
  // What the cuts left over Info's least goes back to Time's digits first.
  if (room() > MIN_INFO_WIDTH) time = Math.min(Math.max(MIN_TIME_WIDTH, shown.time), time + room() - MIN_INFO_WIDTH);
  return { number, time, tap, source, destination, protocol: PROTOCOL_WIDTH, length: LENGTH_WIDTH, info: Math.max(0, room()) };
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

export function rowText(row: PacketRow, widths: ColumnWidths): string {
  return [
    fit(String(row.number), widths.number, true),
    // A time too wide loses its last digits (a shorter fraction), not its start.
    fit(row.time.length > widths.time ? row.time.slice(0, widths.time) : row.time, widths.time, true),
    // Narrow, the Tap column keeps the direction (and netfilter's ✗), not a cut interface name.
    fit(sanitize(widths.tap <= TAP_ARROW_WIDTH ? row.tap.split(' ')[0] : row.tap), widths.tap),
    fit(sanitize(row.source), widths.source),
    fit(sanitize(row.destination), widths.destination),
    fit(row.protocol, widths.protocol),
    fit(String(row.length), widths.length, true),
    fit(sanitize(row.info), widths.info),
  ].join(' ');
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
}

export function PacketList({ rows, selected, width, largestNumber, colour }: PacketListProps) {
  // Three columns in front: `>` on the selected row (visible even where the terminal shows no inverse), `*` on
  // marked ones and `!` where Wireshark's "Bad TCP" rule would colour the row (visible without colour).
  const shown: ShownWidths = { time: 0, tap: 0, source: 0, destination: 0 };
  for (const row of rows) {
    shown.time = Math.max(shown.time, row.time.length);
    shown.tap = Math.max(shown.tap, stringWidth(sanitize(row.tap)));
    shown.source = Math.max(shown.source, stringWidth(sanitize(row.source)));
    shown.destination = Math.max(shown.destination, stringWidth(sanitize(row.destination)));
  }
  const widths = columnWidths(width - 3, largestNumber, shown);
  // A narrow address column is headed by the short name rather than a cut one.
  const named = (long: string, short: string, width: number) => (long.length <= width ? long : short);
  const headerText = [
    fit('No.', widths.number, true),
    fit('Time', widths.time, true),
    fit('Tap', widths.tap),
    fit(named('Source', 'Src', widths.source), widths.source),
    fit(named('Destination', 'Dst', widths.destination), widths.destination),
    fit('Proto', widths.protocol),
    fit('Len', widths.length, true),
    fit('Info', widths.info),
  ].join(' ');
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
          {(index === selected ? '>' : ' ') + (row.marked ? '*' : ' ') + (row.alert ? '!' : ' ') + rowText(row, widths)}
        </Text>
      ))}
    </Box>
  );
}
