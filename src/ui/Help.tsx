// The `?` screen: every key of every scope with what it does, a screen at a time.
import { Box, Text } from 'ink';
import { HELP_LINES } from './use-help.js';

export interface HelpProps {
  columns: number;
  rows: number;
  top: number;
}

export function Help({ columns, rows, top }: HelpProps) {
  const height = rows - 1;
  const more = top + height < HELP_LINES.length;
  return (
    <Box flexDirection="column" width={columns} height={rows}>
      <Text bold inverse wrap="truncate">
        {` tsshark keys${more || top > 0 ? ` (${top + 1}–${Math.min(HELP_LINES.length, top + height)} of ${HELP_LINES.length}, j/k PgDn/PgUp scroll)` : ''}; Esc, q or ? closes`.padEnd(columns)}
      </Text>
      {HELP_LINES.slice(top, top + height).map((line, index) => (
        <Text key={top + index} bold={line.heading} wrap="truncate">
          {line.text}
        </Text>
      ))}
    </Box>
  );
}
