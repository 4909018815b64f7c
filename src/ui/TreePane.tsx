// The selected frame's protocol tree: the lines in view, the cursor's line bold (inverted while the pane
// has the focus). Every text from the capture is sanitised here.
import { Box, Text } from 'ink';
import { sanitize } from '../decode/sanitize.js';
import { lineText, type TreeLine } from './tree-lines.js';

export interface TreePaneProps {
  lines: readonly TreeLine[];
  top: number;
  cursor: number;
  height: number;
  focused: boolean;
}

export function TreePane({ lines, top, cursor, height, focused }: TreePaneProps) {
  return (
    <Box flexDirection="column" height={height}>
      {lines.slice(top, top + height).map((line, index) => (
        <Text key={line.key} wrap="truncate" inverse={top + index === cursor && focused} bold={top + index === cursor}>
          {sanitize(lineText(line))}
        </Text>
      ))}
    </Box>
  );
}
