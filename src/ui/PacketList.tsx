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

/** The Time column's least width: six decimals and three integer digits. */
const MIN_TIME_WIDTH = 10;

/**
 * Column widths for a terminal `width` columns wide: fixed columns first (Time as wide as the widest time
 * shown, so nanoseconds are never cut), addresses share what is left with Info.
 */
export function columnWidths(width: number, largestNumber: number, timeWidth = MIN_TIME_WIDTH): ColumnWidths {
  const fixed = { number: Math.max(3, String(largestNumber).length), time: Math.max(MIN_TIME_WIDTH, timeWidth), tap: 7, protocol: 6, length: 5 };
  const rest = Math.max(0, width - GAPS - fixed.number - fixed.time - fixed.tap - fixed.protocol - fixed.length);
  const address = Math.min(39, Math.max(11, Math.floor(rest * 0.25)));
  return { ...fixed, source: address, destination: address, info: Math.max(0, rest - 2 * address) };
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
    fit(row.time, widths.time, true),
    fit(sanitize(row.tap), widths.tap),
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
  let timeWidth = MIN_TIME_WIDTH;
  for (const row of rows) timeWidth = Math.max(timeWidth, row.time.length);
  const widths = columnWidths(width - 3, largestNumber, timeWidth);
  const header = ['No.', 'Time', 'Tap', 'Source', 'Destination', 'Proto', 'Len', 'Info'];
  const headerText = [
    fit(header[0], widths.number, true),
    fit(header[1], widths.time, true),
    fit(header[2], widths.tap),
    fit(header[3], widths.source),
    fit(header[4], widths.destination),
    fit(header[5], widths.protocol),
    fit(header[6], widths.length, true),
    fit(header[7], widths.info),
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
