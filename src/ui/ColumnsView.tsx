// The columns view (O): every column of the packet list, shown or hidden, with its format and width; the
// cursor's column is the one Space, < >, + - = and d change. Changes are saved as they are made.
import { Box, Text } from 'ink';
import { sanitize } from '../decode/sanitize.js';
import { fit } from './PacketList.js';
import type { ColumnsState } from './use-columns.js';

const TITLE_WIDTH = 22;
const FORMAT_WIDTH = 36;

export function ColumnsView({ state, columns, rows, savedTo }: { state: ColumnsState; columns: number; rows: number; savedTo: string | undefined }) {
  const height = Math.max(1, rows - 2);
  const top = Math.max(0, Math.min(state.cursor - height + 1, state.all.length - height));
  return (
    <Box flexDirection="column" width={columns} height={rows}>
      <Text bold inverse wrap="truncate">
        {fit(` Columns │ Space hide/show, < > move, + - width, = fitted, d remove, Esc back │ ${savedTo === undefined ? 'not saved' : `saved in ${savedTo}`}`, columns)}
      </Text>
      {state.all.slice(top, top + height).map((column, offset) => {
        const index = top + offset;
        const width = column.width === undefined ? 'fitted' : `${column.width} wide`;
        return (
          <Text key={index} inverse={index === state.cursor} wrap="truncate">
            {`${index === state.cursor ? '>' : ' '} [${column.hidden ? ' ' : 'x'}] ${fit(sanitize(column.spec.title), TITLE_WIDTH)} ${fit(sanitize(column.spec.format), FORMAT_WIDTH)} ${width}`}
          </Text>
        );
      })}
    </Box>
  );
}
