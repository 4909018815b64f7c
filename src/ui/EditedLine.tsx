// A line being edited: its prompt, the text with the cursor shown inverted, and a span underlined (a
// filter's error).
import { Text } from 'ink';
import type { LineState } from './line-editor.js';

export interface EditedLineProps {
  prompt: string;
  line: LineState;
  colour?: string;
  underline?: { start: number; end: number };
}

export function EditedLine({ prompt, line, colour, underline }: EditedLineProps) {
  // The text in parts so the error span can be underlined, and the cursor shown inverted.
  const text = line.text + ' ';
  const parts: { text: string; under: boolean; cursor: boolean }[] = [];
  for (let at = 0; at < text.length; at++) {
    const under = underline !== undefined && at >= underline.start && at < underline.end;
    const cursor = at === line.cursor;
    const last = parts[parts.length - 1];
    if (last && last.under === under && !last.cursor && !cursor) last.text += text[at];
    else parts.push({ text: text[at], under, cursor });
  }
  return (
    <Text wrap="truncate-start">
      <Text bold>{prompt}</Text>
      {parts.map((part, index) => (
        <Text key={index} color={colour} underline={part.under} inverse={part.cursor}>
          {part.text}
        </Text>
      ))}
    </Text>
  );
}
