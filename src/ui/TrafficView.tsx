// The Conversations and Endpoints views: the kinds as tabs with their row counts, the columns that fit the
// width (the rightmost give way first), the sorted column marked, the selected row inverted.
import { Box, Text } from 'ink';
import type { TrafficViewState } from './use-traffic-view.js';

export interface TrafficViewProps {
  state: TrafficViewState;
  columns: number;
  rows: number;
  /** Which frames the tables count, when not all of the capture's (--keep let older ones go). */
  covers: string;
}

const GAP = 2;

export function TrafficView({ state, columns, rows, covers }: TrafficViewProps) {
  const widths = state.headers.map((header, index) => Math.max(header.title.length + 1, ...state.rows.map((cells) => cells[index].length)));
  let shown = 0;
  for (let used = 0; shown < widths.length && used + widths[shown] <= columns; shown++) used += widths[shown] + GAP;
  const line = (cells: string[]) =>
    cells
      .slice(0, Math.max(1, shown))
      .map((cell, index) => (state.headers[index].numeric ? cell.padStart(widths[index]) : cell.padEnd(widths[index])))
      .join(' '.repeat(GAP));
  const tabs = state.tabs.map((tab, index) => (index === state.tab ? `[${tab.name} ${tab.rows}]` : ` ${tab.name} ${tab.rows} `)).join(' ');
  const title = ` ${state.title}: ${tabs}${covers ? ` │ ${covers}` : ''}${state.progress ? ` │ ${state.progress}` : ''}`;
  return (
    <Box flexDirection="column" width={columns} height={rows}>
      <Text bold inverse wrap="truncate">
        {title.padEnd(columns)}
      </Text>
      <Text bold wrap="truncate">
        {line(state.headers.map((header) => header.title + header.sorted))}
      </Text>
      {state.rows.map((cells, index) => (
        <Text key={index} inverse={index === state.selectedInView} wrap="truncate">
          {line(cells)}
        </Text>
      ))}
      {state.rows.length === 0 ? <Text>{state.progress ? 'Counting…' : 'None in this capture.'}</Text> : null}
    </Box>
  );
}
