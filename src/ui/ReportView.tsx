// A report view (Expert information, Taps, Kernel drops): a title line, the column header, the lines with the selected
// one in inverse; headings in bold.
import { Box, Text } from 'ink';
import type { ReportViewState } from './use-report-view.js';

/** `covers`: which frames the statistics count, when not all of the capture's (--keep let older ones go). */
export function ReportView({ state, columns, rows, covers }: { state: ReportViewState; columns: number; rows: number; covers: string }) {
  return (
    <Box flexDirection="column" width={columns} height={rows}>
      <Text bold inverse wrap="truncate">
        {` ${state.title}${covers ? ` │ ${covers}` : ''}${state.progress ? ` │ ${state.progress}` : ''} │ ${state.hint ?? "Enter filters to the line's frames"}`.padEnd(columns)}
      </Text>
      <Text bold wrap="truncate">
        {state.header}
      </Text>
      {state.lines.map((line, index) => (
        <Text key={index} bold={line.heading} inverse={index === state.selectedInView} wrap="truncate">
          {line.text === '' ? ' ' : line.text}
        </Text>
      ))}
    </Box>
  );
}
