// Every key the UI answers, in every mode, maps to a named command; the descriptions make the `?` help
// screen, so what the keys do is written once. A key means at most one command in each scope: the pane
// that has the focus, the line being edited, or the help screen.
import type { Key } from 'ink';

export type Scope = 'list' | 'tree' | 'hex' | 'filter' | 'path' | 'find' | 'packetFind' | 'command' | 'copy' | 'ioGraph' | 'graphFilter' | 'columns' | 'help' | 'traffic' | 'follow' | 'report' | 'start';

export type CommandName =
  | 'down' | 'up' | 'pageDown' | 'pageUp' | 'first' | 'last'
  | 'nextPane' | 'previousPane' | 'expand' | 'collapse' | 'expandAll'
  | 'filter' | 'cancelFilter' | 'follow' | 'mark' | 'markAll' | 'clearMarks' | 'export' | 'help' | 'quit' | 'interrupt'
  | 'accept' | 'cancel' | 'complete' | 'older' | 'newer'
  | 'cursorLeft' | 'cursorRight' | 'lineStart' | 'lineEnd' | 'deleteBack' | 'deleteForward' | 'deleteWord' | 'killToEnd' | 'clearLine' | 'insert'
  | 'closeHelp'
  | 'conversations' | 'endpoints' | 'nextKind' | 'previousKind' | 'sortNext' | 'sortReverse' | 'applyRow' | 'closeView'
  | 'hierarchy' | 'expert' | 'taps' | 'processes' | 'drops' | 'verdicts' | 'warnings' | 'goToFrame' | 'nextMarked' | 'previousMarked' | 'followStream' | 'commandLine' | 'nextMode' | 'nextStream' | 'previousStream' | 'search' | 'nextMatch' | 'previousMatch' | 'save'
  | 'findPacket' | 'findNext' | 'findPrevious' | 'nextFindKind' | 'timeFormat' | 'timeReference' | 'pause' | 'fold'
  | 'ioGraph' | 'longerInterval' | 'shorterInterval' | 'toggleUnit' | 'earlier' | 'later' | 'toggleGraphStyle' | 'addGraph' | 'removeGraph' | 'nextGraph'
  | 'addColumn' | 'columns' | 'toggleColumn' | 'moveColumnLeft' | 'moveColumnRight' | 'widerColumn' | 'narrowerColumn' | 'fitColumn' | 'removeColumn'
  | 'applyAsFilter' | 'applyAndFilter' | 'applyOrFilter' | 'applyNotFilter' | 'prepareAsFilter' | 'decodeAs'
  | 'copy' | 'copyValue' | 'copyFilter' | 'copySummary' | 'copyHex' | 'closeMenu'
  /** The mouse wheel's, which no key gives (mouse.ts). */
  | 'scrollDown' | 'scrollUp';

export interface Command {
  name: CommandName;
  /** The keys as the help screen shows them (with the `:` command that does the same, if any). */
  keys: string;
  description: string;
  scopes: readonly Scope[];
  matches(input: string, key: Key): boolean;
}

const PANES: readonly Scope[] = ['list', 'tree', 'hex'];
const LINES: readonly Scope[] = ['filter', 'path', 'find', 'packetFind', 'command', 'graphFilter'];
const VIEWS: readonly Scope[] = ['traffic', 'follow', 'report', 'ioGraph', 'columns'];
/** The views whose rows Enter applies as a filter. */
const TABLES: readonly Scope[] = ['traffic', 'report'];
const EVERYWHERE: readonly Scope[] = [...PANES, ...LINES, 'copy', 'help', ...VIEWS, 'start'];
/** Where the moving keys move: a pane, the help screen, a view's rows. */
const MOVING: readonly Scope[] = [...PANES, 'help', ...VIEWS, 'start'];

const plain = (key: Key) => !key.ctrl && !key.meta;
const character = (...characters: string[]) => (input: string, key: Key) => plain(key) && characters.includes(input);
const ctrl = (letter: string) => (input: string, key: Key) => key.ctrl && input === letter;
/** A key that types nothing: arrows, paging, Enter, Esc, Tab, erasing. */
const special = (key: Key) =>
  key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown || key.home || key.end ||
  key.return || key.escape || key.tab || key.backspace || key.delete;

export const COMMANDS: readonly Command[] = [
  { name: 'down', keys: 'j ↓', description: 'down a line: packet, tree line, hex row, table row', scopes: MOVING, matches: (input, key) => key.downArrow || character('j')(input, key) },
  { name: 'up', keys: 'k ↑', description: 'up a line', scopes: MOVING, matches: (input, key) => key.upArrow || character('k')(input, key) },
  { name: 'pageDown', keys: 'PgDn', description: 'a screen down', scopes: MOVING, matches: (_, key) => key.pageDown },
  { name: 'pageUp', keys: 'PgUp', description: 'a screen up', scopes: MOVING, matches: (_, key) => key.pageUp },
  { name: 'first', keys: 'g Home', description: 'to the top', scopes: MOVING, matches: (input, key) => key.home || character('g')(input, key) },
  { name: 'last', keys: 'G End', description: 'to the bottom', scopes: MOVING, matches: (input, key) => key.end || character('G')(input, key) },
  { name: 'nextPane', keys: 'Tab', description: 'next pane: list, tree, bytes', scopes: PANES, matches: (_, key) => key.tab && !key.shift },
  { name: 'previousPane', keys: 'Shift-Tab', description: 'previous pane', scopes: PANES, matches: (_, key) => key.tab && key.shift },
  { name: 'expand', keys: 'Enter →', description: 'list: open the tree; tree: expand or collapse the node', scopes: ['list', 'tree'], matches: (_, key) => key.return || key.rightArrow },
  { name: 'collapse', keys: '←', description: 'collapse the node, or go to its parent', scopes: ['tree'], matches: (_, key) => key.leftArrow },
  { name: 'applyAsFilter', keys: 'a', description: 'apply the field as the filter: field == its value (a protocol: its name)', scopes: ['tree'], matches: character('a') },
  { name: 'applyAndFilter', keys: '&', description: 'apply the filter && the field', scopes: ['tree'], matches: character('&') },
  { name: 'applyOrFilter', keys: '|', description: 'apply the filter || the field', scopes: ['tree'], matches: character('|') },
  { name: 'applyNotFilter', keys: '!', description: 'apply the filter && !(the field): hide packets like this one', scopes: ['tree'], matches: character('!') },
  { name: 'prepareAsFilter', keys: 'A', description: 'put field == its value in the filter line, to edit before Enter', scopes: ['tree'], matches: character('A') },
  { name: 'expandAll', keys: '*', description: 'expand the whole tree', scopes: PANES, matches: character('*') },
  { name: 'filter', keys: '/ :filter X', description: 'edit the display filter (:filter applies X); on the start screen, the capture filter', scopes: [...PANES, 'start'], matches: character('/') },
  { name: 'cancelFilter', keys: 'Esc', description: 'cancel a filter being applied, or a find', scopes: PANES, matches: (_, key) => key.escape },
  { name: 'fold', keys: 'z :fold', description: "one row a packet: its copies at other tap points folded under its first (listed in its tree), or unfolded", scopes: PANES, matches: character('z') },
  { name: 'pause', keys: 'p', description: 'pause the list (the capture goes on: the status bar counts what waits), or resume it', scopes: PANES, matches: character('p') },
  { name: 'follow', keys: 'F', description: 'follow new packets on or off', scopes: PANES, matches: character('F') },
  { name: 'mark', keys: 'Space', description: 'mark or unmark the packet (the interface, on the start screen)', scopes: [...PANES, 'start'], matches: character(' ') },
  { name: 'markAll', keys: 'M', description: 'mark every displayed packet', scopes: PANES, matches: character('M') },
  { name: 'nextMarked', keys: '>', description: 'select the next marked packet', scopes: PANES, matches: character('>') },
  { name: 'previousMarked', keys: '<', description: 'select the previous marked packet', scopes: PANES, matches: character('<') },
  { name: 'goToFrame', keys: 'Ctrl-G :N', description: 'go to packet N (type its number)', scopes: PANES, matches: ctrl('g') },
  { name: 'findPacket', keys: 'Ctrl-F', description: 'find a packet: by display filter, hex bytes, or a string in the bytes, Info or the tree', scopes: PANES, matches: ctrl('f') },
  { name: 'findNext', keys: 'n', description: 'the next packet found, wrapping', scopes: PANES, matches: character('n') },
  { name: 'findPrevious', keys: 'N', description: 'the previous packet found', scopes: PANES, matches: character('N') },
  { name: 'timeFormat', keys: 't :time F', description: "the Time column's format, in turn: r d dd a ad e u ud (:time takes any of tshark's -t)", scopes: PANES, matches: character('t') },
  { name: 'timeReference', keys: 'Ctrl-T', description: 'set or clear a time reference: relative times after it count from it', scopes: PANES, matches: ctrl('t') },
  { name: 'copy', keys: 'y', description: "copy to your clipboard (OSC 52, through ssh and tmux): the field's value, its filter, the row, the hex dump", scopes: PANES, matches: character('y') },
  { name: 'clearMarks', keys: 'U', description: 'clear all marks', scopes: PANES, matches: character('U') },
  { name: 'export', keys: 'w :write', description: 'write marked (else displayed) packets to a file', scopes: PANES, matches: character('w') },
  { name: 'conversations', keys: 'C :conv', description: 'conversations: Ethernet, IPv4, IPv6, TCP, UDP', scopes: PANES, matches: character('C') },
  { name: 'endpoints', keys: 'E :endpoints', description: 'endpoints of each kind', scopes: PANES, matches: character('E') },
  { name: 'addColumn', keys: 'c', description: 'add the field as a column of the packet list (before Info; saved)', scopes: ['tree'], matches: character('c') },
  { name: 'columns', keys: 'O :columns', description: 'the columns: hide, move, size, remove (saved in the preferences file)', scopes: PANES, matches: character('O') },
  { name: 'ioGraph', keys: 'I :io', description: 'I/O graph: frames or bytes per interval, all and the filtered ones', scopes: PANES, matches: character('I') },
  { name: 'hierarchy', keys: 'P :phs', description: 'protocol hierarchy: frames and bytes of each protocol', scopes: PANES, matches: character('P') },
  { name: 'expert', keys: 'X :expert', description: 'expert information: every note by severity, with counts', scopes: PANES, matches: character('X') },
  { name: 'taps', keys: 'T :taps', description: 'taps: frames per tap point, packets per path across them', scopes: PANES, matches: character('T') },
  { name: 'processes', keys: 'R :proc', description: 'processes: frames, bytes and flows of each (live, --proc); Enter lists its frames', scopes: PANES, matches: character('R') },
  { name: 'drops', keys: 'D :drops', description: "the kernel's drops by reason, function and protocol (live, --drops)", scopes: PANES, matches: character('D') },
  { name: 'verdicts', keys: 'V :verdicts', description: "netfilter's verdicts by rule, with the packets each ended (live, --trace)", scopes: PANES, matches: character('V') },
  { name: 'warnings', keys: 'W :warnings', description: "what the live capture's taps cannot see (XDP, tc egress, offload, pktgen)", scopes: PANES, matches: character('W') },
  { name: 'decodeAs', keys: 'd :decode-as R', description: "Decode As: the packet's port (IP protocol, EtherType) handed to the protocol you type, every frame decoded again (:decode-as none undoes)", scopes: PANES, matches: character('d') },
  { name: 'followStream', keys: 'f :follow [udp|http] N', description: "follow the packet's TCP or UDP stream, or stream N (applies tcp.stream eq N or udp.stream eq N)", scopes: PANES, matches: character('f') },
  { name: 'commandLine', keys: ':', description: 'type a command: N (go to packet N), time F, conv, endpoints, phs, expert, taps, drops, verdicts, warnings, proc, io, columns, fold, follow N, filter X, decode-as R, write, help, quit', scopes: PANES, matches: character(':') },
  { name: 'help', keys: '? :help', description: 'show these keys', scopes: PANES, matches: character('?') },
  { name: 'quit', keys: 'q :quit', description: 'quit', scopes: [...PANES, 'start'], matches: character('q') },
  { name: 'interrupt', keys: 'Ctrl-C', description: 'quit, from anywhere', scopes: EVERYWHERE, matches: ctrl('c') },
  { name: 'accept', keys: 'Enter', description: 'apply the filter (empty: none), write the file, search, run the command; start capturing', scopes: [...LINES, 'start'], matches: (_, key) => key.return },
  { name: 'cancel', keys: 'Esc', description: 'leave the line; the filter applied before stays', scopes: LINES, matches: (_, key) => key.escape },
  { name: 'complete', keys: 'Tab', description: 'complete the field name', scopes: ['filter'], matches: (_, key) => key.tab },
  { name: 'nextFindKind', keys: 'Tab', description: 'find by: display filter, hex bytes (de:ad:be:ef), string in the bytes, in Info, in the tree', scopes: ['packetFind'], matches: (_, key) => key.tab },
  { name: 'older', keys: '↑', description: 'an earlier filter', scopes: ['filter'], matches: (_, key) => key.upArrow },
  { name: 'newer', keys: '↓', description: 'a later filter', scopes: ['filter'], matches: (_, key) => key.downArrow },
  { name: 'cursorLeft', keys: '← Ctrl-B', description: 'cursor left', scopes: LINES, matches: (input, key) => key.leftArrow || ctrl('b')(input, key) },
  { name: 'cursorRight', keys: '→ Ctrl-F', description: 'cursor right', scopes: LINES, matches: (input, key) => key.rightArrow || ctrl('f')(input, key) },
  { name: 'lineStart', keys: 'Home Ctrl-A', description: 'to the start of the line', scopes: LINES, matches: (input, key) => key.home || ctrl('a')(input, key) },
  { name: 'lineEnd', keys: 'End Ctrl-E', description: 'to the end of the line', scopes: LINES, matches: (input, key) => key.end || ctrl('e')(input, key) },
  // Terminals send DEL (which Ink calls delete) for the Backspace key: both erase backwards.
  { name: 'deleteBack', keys: 'Backspace', description: 'erase the character before the cursor', scopes: LINES, matches: (_, key) => key.backspace || key.delete },
  { name: 'deleteForward', keys: 'Ctrl-D', description: 'erase the character under the cursor', scopes: LINES, matches: ctrl('d') },
  { name: 'deleteWord', keys: 'Ctrl-W', description: 'erase the word before the cursor', scopes: LINES, matches: ctrl('w') },
  { name: 'killToEnd', keys: 'Ctrl-K', description: 'erase to the end of the line', scopes: LINES, matches: ctrl('k') },
  { name: 'clearLine', keys: 'Ctrl-U', description: 'erase the whole line', scopes: LINES, matches: ctrl('u') },
  { name: 'insert', keys: 'text', description: 'typed or pasted text goes in at the cursor', scopes: LINES, matches: (input, key) => plain(key) && !special(key) && input !== '' },
  { name: 'nextKind', keys: 'Tab →', description: 'next kind: Ethernet, IPv4, IPv6, TCP, UDP', scopes: ['traffic'], matches: (_, key) => (key.tab && !key.shift) || key.rightArrow },
  { name: 'previousKind', keys: 'Shift-Tab ←', description: 'previous kind', scopes: ['traffic'], matches: (_, key) => (key.tab && key.shift) || key.leftArrow },
  { name: 'sortNext', keys: 's', description: 'sort by the next column', scopes: ['traffic'], matches: character('s') },
  { name: 'sortReverse', keys: 'r', description: 'reverse the order', scopes: ['traffic'], matches: character('r') },
  { name: 'applyRow', keys: 'Enter', description: "filter the packet list to the row's traffic, protocol, note or tap", scopes: TABLES, matches: (_, key) => key.return },
  { name: 'closeView', keys: 'Esc q', description: 'back to the packet list', scopes: VIEWS, matches: (input, key) => key.escape || character('q')(input, key) },
  { name: 'toggleColumn', keys: 'Space', description: 'hide or show the column', scopes: ['columns'], matches: character(' ') },
  { name: 'moveColumnLeft', keys: '<', description: 'move the column left (up this list)', scopes: ['columns'], matches: character('<') },
  { name: 'moveColumnRight', keys: '>', description: 'move the column right (down this list)', scopes: ['columns'], matches: character('>') },
  { name: 'widerColumn', keys: '+', description: 'one column wider', scopes: ['columns'], matches: character('+') },
  { name: 'narrowerColumn', keys: '-', description: 'one column narrower', scopes: ['columns'], matches: character('-') },
  { name: 'fitColumn', keys: '=', description: 'fitted to what the rows show again', scopes: ['columns'], matches: character('=') },
  { name: 'removeColumn', keys: 'd', description: 'remove the column', scopes: ['columns'], matches: character('d') },
  { name: 'longerInterval', keys: '+', description: 'a longer interval', scopes: ['ioGraph'], matches: character('+') },
  { name: 'shorterInterval', keys: '-', description: 'a shorter interval', scopes: ['ioGraph'], matches: character('-') },
  { name: 'toggleUnit', keys: 'b', description: 'bytes or frames', scopes: ['ioGraph'], matches: character('b') },
  { name: 'toggleGraphStyle', keys: 'l', description: 'bars (block characters) or lines (braille: two intervals a column, every graph at once)', scopes: ['ioGraph'], matches: character('l') },
  { name: 'addGraph', keys: 'a', description: "add a graph: the frames a display filter passes (as Wireshark's I/O graphs)", scopes: ['ioGraph'], matches: character('a') },
  { name: 'removeGraph', keys: 'd', description: 'remove the graph drawn over all (else the last added)', scopes: ['ioGraph'], matches: character('d') },
  { name: 'nextGraph', keys: 'Tab', description: 'bars: the next graph drawn over all', scopes: ['ioGraph'], matches: (_, key) => key.tab },
  { name: 'earlier', keys: '←', description: 'earlier intervals', scopes: ['ioGraph'], matches: (_, key) => key.leftArrow },
  { name: 'later', keys: '→', description: 'later intervals, up to the newest', scopes: ['ioGraph'], matches: (_, key) => key.rightArrow },
  { name: 'nextMode', keys: 'm', description: 'show as ASCII, hex dump or raw hex', scopes: ['follow'], matches: character('m') },
  { name: 'nextStream', keys: ']', description: 'follow the next stream', scopes: ['follow'], matches: character(']') },
  { name: 'previousStream', keys: '[', description: 'follow the previous stream', scopes: ['follow'], matches: character('[') },
  { name: 'search', keys: '/', description: 'search the stream for text', scopes: ['follow'], matches: character('/') },
  { name: 'nextMatch', keys: 'n', description: 'next match, wrapping', scopes: ['follow'], matches: character('n') },
  { name: 'previousMatch', keys: 'N', description: 'previous match', scopes: ['follow'], matches: character('N') },
  { name: 'save', keys: 'w', description: "save the stream's bytes (both sides, in order) to a file", scopes: ['follow'], matches: character('w') },
  { name: 'copyValue', keys: 'v', description: "the selected field's value, as -T fields prints it", scopes: ['copy'], matches: character('v') },
  { name: 'copyFilter', keys: 'f', description: 'the selected field as a filter: field == value', scopes: ['copy'], matches: character('f') },
  { name: 'copySummary', keys: 's', description: 'the selected packet as a line of text, as tshark prints it', scopes: ['copy'], matches: character('s') },
  { name: 'copyHex', keys: 'x', description: 'the bytes pane as a hex dump', scopes: ['copy'], matches: character('x') },
  { name: 'closeMenu', keys: 'Esc', description: 'copy nothing', scopes: ['copy'], matches: (_, key) => key.escape },
  { name: 'closeHelp', keys: 'Esc q ? Enter', description: 'close this screen', scopes: ['help'], matches: (input, key) => key.escape || key.return || character('q', '?')(input, key) },
];

/** The command a key press means in `scope`, if any. */
export function commandFor(scope: Scope, input: string, key: Key): CommandName | undefined {
  return COMMANDS.find((command) => command.scopes.includes(scope) && command.matches(input, key))?.name;
}

/** The help screen's sections: each command under the first that holds all its scopes it is in. */
export const HELP_SECTIONS: readonly { title: string; scopes: readonly Scope[] }[] = [
  { title: 'Anywhere', scopes: EVERYWHERE },
  { title: 'Every pane (list, tree, bytes)', scopes: PANES },
  { title: 'Packet list', scopes: ['list'] },
  { title: 'Tree', scopes: ['tree'] },
  { title: 'Filter, path, search and command lines', scopes: LINES },
  { title: 'Every view (conversations, hierarchy, expert, taps, follow)', scopes: VIEWS },
  { title: 'Conversations, protocol hierarchy, expert information, taps, drops, verdicts and warnings', scopes: TABLES },
  { title: 'Filter line', scopes: ['filter'] },
  { title: 'Find line (Ctrl-F)', scopes: ['packetFind'] },
  { title: 'Conversations and endpoints (C, E)', scopes: ['traffic'] },
  { title: 'Follow stream (f)', scopes: ['follow'] },
  { title: 'I/O graph (I)', scopes: ['ioGraph'] },
  { title: 'Columns (O)', scopes: ['columns'] },
  { title: 'Copy (y)', scopes: ['copy'] },
  { title: 'This screen', scopes: ['help'] },
];

/** The commands of a help section: in all its scopes, and not in an earlier section. */
export function sectionCommands(index: number): Command[] {
  const inSection = (command: Command, scopes: readonly Scope[]) => scopes.every((scope) => command.scopes.includes(scope));
  return COMMANDS.filter((command) => inSection(command, HELP_SECTIONS[index].scopes) && !HELP_SECTIONS.slice(0, index).some((earlier) => inSection(command, earlier.scopes)));
}
