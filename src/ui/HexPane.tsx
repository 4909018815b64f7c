// The bytes of the selected frame (or of the reassembled buffer the selected field lives in): offset,
// hex and ASCII, the field's bytes inverted, a find's matches highlighted and the rest of the field's layer shaded. Non-printable bytes show
// as `.`, so a payload cannot reach the terminal.
import { Box, Text } from 'ink';
import { FoundText } from './TreePane.js';

export const BYTES_PER_ROW = 16;

export interface ByteRange {
  start: number;
  length: number;
}

export interface HexPaneProps {
  bytes: Uint8Array;
  field: ByteRange | undefined;
  layer: ByteRange | undefined;
  /** What a find matched in these bytes. */
  found: readonly ByteRange[];
  /** First row shown. */
  top: number;
  height: number;
  colour: boolean;
}

type Shade = 'field' | 'found' | 'layer' | 'plain';

interface Ranges {
  field: ByteRange | undefined;
  found: readonly ByteRange[];
  layer: ByteRange | undefined;
}

const within = (at: number, range: ByteRange) => at >= range.start && at < range.start + range.length;

function shadeOf(at: number, { field, found, layer }: Ranges): Shade {
  if (field && field.length > 0 && within(at, field)) return 'field';
  if (found.some((range) => within(at, range))) return 'found';
  if (layer && at >= layer.start && at < layer.start + layer.length) return 'layer';
  return 'plain';
}

/** The first row to show when the bytes pane follows the selection: 0, or lower so the field's first byte is in view. */
export function hexTopFor(field: ByteRange | undefined, height: number): number {
  if (!field || field.length === 0) return 0;
  return Math.max(0, Math.floor(field.start / BYTES_PER_ROW) - height + 1);
}

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

function printable(byte: number): string {
  return byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.';
}

interface Span {
  shade: Shade;
  text: string;
}

/** Consecutive bytes of one shade as one span (hex and ASCII parts each). */
function spans(bytes: Uint8Array, from: number, to: number, ranges: Ranges): { hex: Span[]; ascii: Span[] } {
  const hex: Span[] = [];
  const ascii: Span[] = [];
  for (let at = from; at < to; at++) {
    const shade = shadeOf(at, ranges);
    const gap = at === from ? '' : at - from === BYTES_PER_ROW / 2 ? '  ' : ' ';
    const lastHex = hex[hex.length - 1];
    if (lastHex?.shade === shade) lastHex.text += gap + HEX[bytes[at]];
    else {
      // The gap before a new span takes the old span's shade, so a highlight covers only the bytes.
      if (lastHex) lastHex.text += gap;
      hex.push({ shade, text: HEX[bytes[at]] });
    }
    const lastAscii = ascii[ascii.length - 1];
    if (lastAscii?.shade === shade) lastAscii.text += printable(bytes[at]);
    else ascii.push({ shade, text: printable(bytes[at]) });
  }
  return { hex, ascii };
}

function Shaded({ span, colour }: { span: Span; colour: boolean }) {
  if (span.shade === 'field') return <Text inverse>{span.text}</Text>;
  if (span.shade === 'found') return <FoundText colour={colour}>{span.text}</FoundText>;
  if (span.shade === 'layer') return colour ? <Text color="cyan">{span.text}</Text> : <Text underline>{span.text}</Text>;
  return <Text>{span.text}</Text>;
}

export function HexPane({ bytes, field, layer, found, top, height, colour }: HexPaneProps) {
  const rows: number[] = [];
  for (let row = top; row < top + height && row * BYTES_PER_ROW < bytes.length; row++) rows.push(row);
  return (
    <Box flexDirection="column" height={height}>
      {rows.map((row) => {
        const from = row * BYTES_PER_ROW;
        const to = Math.min(bytes.length, from + BYTES_PER_ROW);
        const { hex, ascii } = spans(bytes, from, to, { field, found, layer });
        const missing = BYTES_PER_ROW - (to - from);
        const padding = ' '.repeat(missing * 3 + (to - from <= BYTES_PER_ROW / 2 ? 1 : 0));
        return (
          <Text key={row} wrap="truncate">
            {from.toString(16).padStart(4, '0')}
            {'  '}
            {hex.map((span, index) => (
              <Shaded key={index} span={span} colour={colour} />
            ))}
            {padding + '   '}
            {ascii.map((span, index) => (
              <Shaded key={index} span={span} colour={colour} />
            ))}
          </Text>
        );
      })}
    </Box>
  );
}
