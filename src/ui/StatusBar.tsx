// The bottom line: the session's state (use-status-bar.ts), inverted across the whole width.
import { Text } from 'ink';

export function StatusBar({ text, width }: { text: string; width: number }) {
  return (
    <Text inverse wrap="truncate">
      {(' ' + text).padEnd(width)}
    </Text>
  );
}
