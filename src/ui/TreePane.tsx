// The selected frame's protocol tree: the lines in view, the cursor's line bold (inverted while the pane
// has the focus), a find's matches highlighted. Every text from the capture is sanitised here.
import { Box, Text } from 'ink';
import type { TreeNode } from '../decode/tree.js';
import { sanitize } from '../decode/sanitize.js';
import { lineText, type TreeLine } from './tree-lines.js';

export interface TreePaneProps {
  lines: readonly TreeLine[];
  top: number;
  cursor: number;
  height: number;
  focused: boolean;
  /** The nodes a find matched in this frame. */
  found: ReadonlySet<TreeNode>;
  colour: boolean;
}

export function TreePane({ lines, top, cursor, height, focused, found, colour }: TreePaneProps) {
  return (
    <Box flexDirection="column" height={height}>
      {lines.slice(top, top + height).map((line, index) => (
        <Text key={line.key} wrap="truncate" inverse={top + index === cursor && focused} bold={top + index === cursor}>
          {found.has(line.node) ? <FoundText colour={colour}>{sanitize(lineText(line))}</FoundText> : sanitize(lineText(line))}
        </Text>
      ))}
    </Box>
  );
}

/** A find's match: black on yellow, as Wireshark's; underlined without colour. */
export function FoundText({ colour, children }: { colour: boolean; children: string }) {
  return colour ? (
    <Text color="black" backgroundColor="yellow">
      {children}
    </Text>
  ) : (
    <Text underline>{children}</Text>
  );
}
