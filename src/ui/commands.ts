// Every key the UI answers maps to a named command; the descriptions make the `?` help screen, so what
// the keys do is written once.
import type { Key } from 'ink';

export type CommandName =
  | 'down'
  | 'up'
  | 'pageDown'
  | 'pageUp'
  | 'first'
  | 'last'
  | 'nextPane'
  | 'previousPane'
  | 'expand'
  | 'collapse'
  | 'expandAll'
  | 'filter'
  | 'follow'
  | 'mark'
  | 'markAll'
  | 'clearMarks'
  | 'export'
  | 'help'
  | 'quit';

export interface Command {
  name: CommandName;
  /** The keys as the help screen shows them. */
  keys: string;
  description: string;
  matches(input: string, key: Key): boolean;
}

const character = (...characters: string[]) => (input: string, key: Key) => !key.ctrl && !key.meta && characters.includes(input);

export const COMMANDS: readonly Command[] = [
  { name: 'down', keys: 'j ↓', description: 'next packet (or tree line, or hex row)', matches: (input, key) => key.downArrow || character('j')(input, key) },
  { name: 'up', keys: 'k ↑', description: 'previous packet', matches: (input, key) => key.upArrow || character('k')(input, key) },
  { name: 'pageDown', keys: 'PgDn', description: 'a screen down', matches: (_, key) => key.pageDown },
  { name: 'pageUp', keys: 'PgUp', description: 'a screen up', matches: (_, key) => key.pageUp },
  { name: 'first', keys: 'g Home', description: 'first packet', matches: (input, key) => key.home || character('g')(input, key) },
  { name: 'last', keys: 'G End', description: 'last packet', matches: (input, key) => key.end || character('G')(input, key) },
  { name: 'nextPane', keys: 'Tab', description: 'next pane: list, tree, bytes', matches: (_, key) => key.tab && !key.shift },
  { name: 'previousPane', keys: 'Shift-Tab', description: 'previous pane', matches: (_, key) => key.tab && key.shift },
  { name: 'expand', keys: 'Enter →', description: 'expand the tree node', matches: (_, key) => key.return || key.rightArrow },
  { name: 'collapse', keys: '←', description: 'collapse the tree node', matches: (_, key) => key.leftArrow },
  { name: 'expandAll', keys: '*', description: 'expand the whole tree', matches: character('*') },
  { name: 'filter', keys: '/', description: 'edit the display filter (Enter applies, Esc cancels)', matches: character('/') },
  { name: 'follow', keys: 'F', description: 'follow new packets on or off', matches: character('F') },
  { name: 'mark', keys: 'Space', description: 'mark or unmark the packet', matches: character(' ') },
  { name: 'markAll', keys: 'M', description: 'mark every displayed packet', matches: character('M') },
  { name: 'clearMarks', keys: 'U', description: 'clear all marks', matches: character('U') },
  { name: 'export', keys: 'w', description: 'write marked (else displayed) packets to a file', matches: character('w') },
  { name: 'help', keys: '?', description: 'show these keys', matches: character('?') },
  { name: 'quit', keys: 'q', description: 'quit', matches: character('q') },
];

/** The command a key press means, if any. */
export function commandFor(input: string, key: Key): CommandName | undefined {
  return COMMANDS.find((command) => command.matches(input, key))?.name;
}
