// The I/O graph: a bar a column, one interval each, in block characters eighth by eighth; every frame's
// bar and, over it, the applied filter's (in colour: cyan and yellow; without colour the filter's bars
// solid and the rest shaded). The value scale on the left, the time of the intervals below.
import { Box, Text } from 'ink';
import { sanitize } from '../decode/sanitize.js';
import { count } from './numbers.js';
import type { IoGraphState } from './use-io-graph.js';

const EIGHTHS = ' ▁▂▃▄▅▆▇█';
/** Columns left of the bars: the value scale and the axis. */
export const IO_SCALE_WIDTH = 9;

type Series = 'all' | 'filtered' | 'none';

/** The character and series of the cell `row` (from the bottom) of a bar `allEighths` high with `filteredEighths` of it filtered. */
function cell(row: number, allEighths: number, filteredEighths: number, colour: boolean): { text: string; series: Series } {
  const bottom = row * 8;
  if (filteredEighths > bottom) return { text: EIGHTHS[Math.min(8, filteredEighths - bottom)], series: 'filtered' };
  if (allEighths > bottom) return { text: colour ? EIGHTHS[Math.min(8, allEighths - bottom)] : '░', series: 'all' };
  return { text: ' ', series: 'none' };
}

function seconds(ns: number): string {
  return ns >= 1e9 || ns === 0 ? `${+(ns / 1e9).toFixed(3)} s` : `${+(ns / 1e6).toFixed(3)} ms`;
}

export function IoGraphView({ state, columns, rows, colour, covers }: { state: IoGraphState; columns: number; rows: number; colour: boolean; covers: string }) {
  const height = Math.max(2, rows - 3);
  const values = (counts: { frames: number[]; bytes: number[] }) => counts[state.unit];
  const all = values(state.all);
  const filtered = state.filtered ? values(state.filtered.counts) : [];
  const most = Math.max(1, ...all);
  const eighths = (value: number) => Math.round((value / most) * height * 8);
  const legend = state.filtered ? ` │ all${colour ? '' : ' ░'}, filter ${sanitize(state.filtered.text)}${colour ? '' : ' █'}` : '';
  const title = ` I/O graph │ ${state.unit} per ${seconds(state.intervalNs)}${legend}${covers ? ` │ ${covers}` : ''} │ + - interval, b bytes/frames, ← → earlier/later`;
  const lines = [];
  for (let row = height - 1; row >= 0; row--) {
    const label = row === height - 1 ? count(most) : row === 0 ? '0' : '';
    const spans: { text: string; series: Series }[] = [];
    for (let bucket = 0; bucket < all.length; bucket++) {
      const { text, series } = cell(row, eighths(all[bucket]), eighths(filtered[bucket] ?? 0), colour);
      const last = spans[spans.length - 1];
      if (last?.series === series) last.text += text;
      else spans.push({ text, series });
    }
    lines.push(
      <Text key={row} wrap="truncate">
        {label.padStart(IO_SCALE_WIDTH - 2) + ' │'}
        {spans.map((span, index) => (
          <Text key={index} color={colour ? (span.series === 'filtered' ? 'yellow' : span.series === 'all' ? 'cyan' : undefined) : undefined}>
            {span.text}
          </Text>
        ))}
      </Text>,
    );
  }
  // A time below the axis every 12 columns: the start of that interval, from the capture's first frame.
  let axis = ' '.repeat(IO_SCALE_WIDTH);
  for (let column = 0; column < all.length; column += 12) axis = (axis + `└${seconds((state.firstBucket + column) * state.intervalNs)}`).padEnd(IO_SCALE_WIDTH + column + 12);
  return (
    <Box flexDirection="column" width={columns} height={rows}>
      <Text bold inverse wrap="truncate">
        {title.padEnd(columns)}
      </Text>
      {lines}
      <Text wrap="truncate">{axis}</Text>
    </Box>
  );
}
