// The help screen's lines (every command of every scope, from commands.ts) and its scrolling: at 80x24
// the list is longer than the screen.
import { useState } from 'react';
import { HELP_SECTIONS, sectionCommands } from './commands.js';
import { movement, type CommandHandlers } from './use-keys.js';

export interface HelpLine {
  text: string;
  heading: boolean;
}

const KEYS_WIDTH = 15;

export const HELP_LINES: readonly HelpLine[] = HELP_SECTIONS.flatMap((section, index) => [
  { text: section.title, heading: true },
  ...sectionCommands(index).map((command) => ({ text: '  ' + command.keys.padEnd(KEYS_WIDTH) + command.description, heading: false })),
]);

export interface HelpState {
  top: number;
  commands: CommandHandlers;
}

export function useHelp(height: number, close: () => void): HelpState {
  const [scroll, setScroll] = useState(0);
  const top = Math.max(0, Math.min(scroll, HELP_LINES.length - height));
  const scrollTo = (line: number) => setScroll(Math.max(0, Math.min(line, HELP_LINES.length - height)));
  return {
    top,
    commands: {
      ...movement(top, height, HELP_LINES.length, scrollTo),
      closeHelp: () => {
        setScroll(0);
        close();
      },
    },
  };
}
