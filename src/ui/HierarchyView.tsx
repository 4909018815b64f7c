// The Protocol Hierarchy view: each protocol indented under the one it rides on, with its share and count
// of the frames and bytes, as Wireshark's Statistics > Protocol Hierarchy.
import { Box, Text } from 'ink';
import type { HierarchyViewState } from './use-hierarchy-view.js';

const NAME_WIDTH = 36;

export function HierarchyView({ state, columns, rows }: { state: HierarchyViewState; columns: number; rows: number }) {
  const line = (name: string, framesShare: string, frames: string, bytesShare: string, bytes: string) =>
    `${name.padEnd(NAME_WIDTH)} ${framesShare.padStart(8)} ${frames.padStart(10)} ${bytesShare.padStart(8)} ${bytes.padStart(13)}`;
  return (
    <Box flexDirection="column" width={columns} height={rows}>
      <Text bold inverse wrap="truncate">
        {` Protocol hierarchy${state.progress ? ` │ ${state.progress}` : ''} │ Enter filters to the protocol`.padEnd(columns)}
      </Text>
      <Text bold wrap="truncate">
        {line('Protocol', '% Frames', 'Frames', '% Bytes', 'Bytes')}
      </Text>
      {state.rows.map((row, index) => (
        <Text key={index} inverse={index === state.selectedInView} wrap="truncate">
          {line('  '.repeat(row.depth) + row.name, row.framesShare.toFixed(1), String(row.frames), row.bytesShare.toFixed(1), String(row.bytes))}
        </Text>
      ))}
    </Box>
  );
}
