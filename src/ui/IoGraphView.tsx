// The I/O graph. Bars: a column an interval, in block characters eighth by eighth, every frame's bar and
// over it one other graph's (the applied filter's or a graph filter's; Tab steps; without colour the other
// solid and the rest shaded). Braille: two intervals a column, every graph at once as a line, each in its
// colour. The value scale on the left, the time of the intervals below, the graphs named under it.
import { Box, Text } from 'ink';
import { sanitize } from '../decode/sanitize.js';
import { brailleGraph, type BrailleCell } from './braille.js';
import { EditedLine } from './EditedLine.js';
import { count } from './numbers.js';
import type { IoGraphState } from './use-io-graph.js';

const EIGHTHS = ' ▁▂▃▄▅▆▇█';
/** Columns left of the bars: the value scale and the axis. */
export const IO_SCALE_WIDTH = 9;
/** Each graph's colour, in order: every frame's, then the others'. */
const COLOURS = ['cyan', 'yellow', 'green', 'magenta', 'red', 'blue', 'white'] as const;
/** Lines besides the graph: the title, the time axis, the names (or the line being edited). */
const FRAME_LINES = 3;
/** A time below the axis every this many columns. */
const AXIS_STEP = 12;

const colourOf = (series: number) => (series < 0 ? undefined : COLOURS[series % COLOURS.length]);

/** The cell `row` (from the bottom) of a bar `allEighths` high, with `overEighths` of it the other graph's. */
function barCell(row: number, allEighths: number, overEighths: number, colour: boolean, overlay: number): BrailleCell {
  const bottom = row * 8;
  if (overEighths > bottom) return { text: EIGHTHS[Math.min(8, overEighths - bottom)], series: overlay };
  if (allEighths > bottom) return { text: colour ? EIGHTHS[Math.min(8, allEighths - bottom)] : '░', series: 0 };
  return { text: ' ', series: -1 };
}

function barRows(state: IoGraphState, values: readonly (readonly number[])[], most: number, height: number, colour: boolean): BrailleCell[][] {
  const eighths = (value: number) => Math.round((value / most) * height * 8);
  const over = state.overlay > 0 ? values[state.overlay] : [];
  const rows: BrailleCell[][] = [];
  for (let row = height - 1; row >= 0; row--) rows.push(values[0].map((value, bucket) => barCell(row, eighths(value), eighths(over[bucket] ?? 0), colour, state.overlay)));
  return rows;
}

function seconds(ns: number): string {
  return ns >= 1e9 || ns === 0 ? `${+(ns / 1e9).toFixed(3)} s` : `${+(ns / 1e6).toFixed(3)} ms`;
}

/** Adjacent cells of one graph in one Text each. */
function spansOf(cells: readonly BrailleCell[]): BrailleCell[] {
  const spans: BrailleCell[] = [];
  for (const cell of cells) {
    const last = spans[spans.length - 1];
    if (last?.series === cell.series) last.text += cell.text;
    else spans.push({ ...cell });
  }
  return spans;
}

/** The graphs' names in their colours (without colour, bars mark every frame's ░ and the other █). */
function Legend({ state, colour }: { state: IoGraphState; colour: boolean }) {
  const mark = (index: number) => (colour ? '■' : state.style === 'braille' ? `${index + 1}.` : index === 0 ? '░' : index === state.overlay ? '█' : ' ');
  return (
    <Text wrap="truncate">
      {state.series.map((series, index) => (
        <Text key={index} color={colour ? colourOf(index) : undefined} bold={index === state.overlay}>
          {` ${mark(index)} ${sanitize(series.name)}`}
        </Text>
      ))}
      {state.message ? `  ${sanitize(state.message)}` : ''}
    </Text>
  );
}

export function IoGraphView({ state, columns, rows, colour, covers, editing }: { state: IoGraphState; columns: number; rows: number; colour: boolean; covers: string; editing: boolean }) {
  const height = Math.max(2, rows - 1 - FRAME_LINES);
  const values = state.series.map((series) => series.counts[state.unit]);
  const most = Math.max(1, ...(values[0] ?? []));
  const width = Math.ceil((values[0]?.length ?? 0) / state.perColumn);
  const title = ` I/O graph │ ${state.unit} per ${seconds(state.intervalNs)}${covers ? ` │ ${covers}` : ''} │ + - interval, b bytes/frames, l bars/lines, a add graph, d remove, Tab next, ← → earlier/later`;
  const cells = values.length === 0 ? [] : state.style === 'braille' ? brailleGraph(values, most, width, height) : barRows(state, values, most, height, colour);
  const lines = cells.map((row, index) => {
    const label = index === 0 ? count(most) : index === cells.length - 1 ? '0' : '';
    return (
      <Text key={index} wrap="truncate">
        {label.padStart(IO_SCALE_WIDTH - 2) + ' │'}
        {spansOf(row).map((span, spanIndex) => (
          <Text key={spanIndex} color={colour ? colourOf(span.series) : undefined}>
            {span.text}
          </Text>
        ))}
      </Text>
    );
  });
  // A time below the axis every few columns: the start of that column's first interval, from the capture's first frame.
  let axis = ' '.repeat(IO_SCALE_WIDTH);
  for (let column = 0; column < width; column += AXIS_STEP) axis = (axis + `└${seconds((state.firstBucket + column * state.perColumn) * state.intervalNs)}`).padEnd(IO_SCALE_WIDTH + column + AXIS_STEP);
  return (
    <Box flexDirection="column" width={columns} height={rows}>
      <Text bold inverse wrap="truncate">
        {title.padEnd(columns)}
      </Text>
      {lines}
      <Text wrap="truncate">{axis}</Text>
      {editing ? <EditedLine prompt="Graph filter: " line={state.line.editor.line} /> : <Legend state={state} colour={colour} />}
    </Box>
  );
}
