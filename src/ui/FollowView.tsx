// The Follow view: the stream's lines, node 0's red and marked `>`, node 1's blue and marked `<` (the
// marks are there without colour too), the searched line inverted. Text from the capture is already
// reduced to printable ASCII by FollowLines.
import { Box, Text } from 'ink';
import type { FollowViewState } from './use-follow-view.js';

export interface FollowViewProps {
  state: FollowViewState;
  columns: number;
  rows: number;
  colour: boolean;
}

export function FollowView({ state, columns, rows, colour }: FollowViewProps) {
  return (
    <Box flexDirection="column" width={columns} height={rows}>
      <Text bold inverse wrap="truncate">
        {` ${state.heading}`.padEnd(columns)}
      </Text>
      {state.lines.map((line, index) => (
        <Text key={index} wrap="truncate" color={colour ? (line.server ? 'blueBright' : 'redBright') : undefined} inverse={index === state.matchInView}>
          {`${line.server ? '<' : '>'} ${line.text}`}
        </Text>
      ))}
      {state.lines.length === 0 ? <Text>Searching the capture for the stream's data…</Text> : null}
    </Box>
  );
}
