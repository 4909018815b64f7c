// The filter being edited, validated as typed: green when valid, red with Wireshark's message and the
// span underlined; after a Tab, the names that could complete the word.
import { Box, Text } from 'ink';
import type { Registry } from '../decode/registry.js';
import { compileFilter } from '../filter/display-filter.js';
import { EditedLine } from './EditedLine.js';
import type { LineState } from './line-editor.js';

export interface FilterBarProps {
  line: LineState;
  candidates: string[];
  colour: boolean;
  registry: Registry;
}

const CANDIDATES_SHOWN = 20;

export function FilterBar({ line, candidates, colour, registry }: FilterBarProps) {
  const compiled = line.text.trim() === '' ? undefined : compileFilter(line.text, registry);
  const error = compiled && !compiled.ok ? compiled.error : undefined;
  const verdict = compiled === undefined ? 'Enter clears the filter' : error ? `✗ ${error.message}` : '✓ valid';
  const more = candidates.length > CANDIDATES_SHOWN ? ` … (${candidates.length})` : '';
  const hint = candidates.length > 0 ? candidates.slice(0, CANDIDATES_SHOWN).join(' ') + more : verdict;
  const textColour = colour && compiled ? (error ? 'red' : 'green') : undefined;
  return (
    <Box flexDirection="column">
      <EditedLine prompt="/" line={line} colour={textColour} underline={error && { start: error.start, end: Math.max(error.end, error.start + 1) }} />
      <Text wrap="truncate" color={textColour}>
        {hint}
      </Text>
    </Box>
  );
}
