// Keys map to named commands in each scope (a pane, a line being edited, the help screen): one command
// per key and scope, every command with its keys, a description and a place on the help screen; the line
// editor's commands edit as readline does.
import test from 'ava';
import type { Key } from 'ink';
import { COMMANDS, commandFor, HELP_SECTIONS, sectionCommands, type Scope } from '../../src/ui/commands.js';
import { editLine, lineOf } from '../../src/ui/line-editor.js';

const NO_KEY: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
  super: false, hyper: false, capsLock: false, numLock: false,
};

type Press = [string, Partial<Key>, string];

function check(t: import('ava').ExecutionContext, scope: Scope, presses: Press[]): void {
  for (const [input, key, expected] of presses) {
    const matching = COMMANDS.filter((command) => command.scopes.includes(scope) && command.matches(input, { ...NO_KEY, ...key })).map((command) => command.name);
    t.deepEqual(matching, [expected], `${scope}: ${JSON.stringify(input)} ${JSON.stringify(key)}`);
  }
}

test('in the panes each key press means one command', (t) => {
  check(t, 'list', [
    ['j', {}, 'down'], ['', { downArrow: true }, 'down'], ['k', {}, 'up'], ['', { upArrow: true }, 'up'], ['', { pageDown: true }, 'pageDown'],
    ['', { pageUp: true }, 'pageUp'], ['g', {}, 'first'], ['', { home: true }, 'first'], ['G', {}, 'last'], ['', { end: true }, 'last'],
    ['', { tab: true }, 'nextPane'], ['', { tab: true, shift: true }, 'previousPane'], ['', { return: true }, 'expand'],
    ['', { rightArrow: true }, 'expand'], ['*', {}, 'expandAll'], ['/', {}, 'filter'], ['', { escape: true }, 'cancelFilter'],
    ['F', {}, 'follow'], [' ', {}, 'mark'], ['M', {}, 'markAll'], ['U', {}, 'clearMarks'], ['w', {}, 'export'], ['?', {}, 'help'],
    ['q', {}, 'quit'], ['c', { ctrl: true }, 'interrupt'],
  ]);
  check(t, 'tree', [['', { leftArrow: true }, 'collapse'], ['', { return: true }, 'expand']]);
  t.is(commandFor('hex', '', { ...NO_KEY, leftArrow: true }), undefined, 'nothing to collapse in the bytes');
  t.is(commandFor('list', 'q', { ...NO_KEY, ctrl: true }), undefined, 'Ctrl-Q is not q');
  t.is(commandFor('list', 'x', NO_KEY), undefined);
});

test('in a line being edited each key edits, and a typed q is text', (t) => {
  const editing: Press[] = [
    ['', { leftArrow: true }, 'cursorLeft'], ['b', { ctrl: true }, 'cursorLeft'], ['', { rightArrow: true }, 'cursorRight'],
    ['a', { ctrl: true }, 'lineStart'], ['', { home: true }, 'lineStart'], ['e', { ctrl: true }, 'lineEnd'], ['', { end: true }, 'lineEnd'],
    ['', { delete: true }, 'deleteBack'], ['', { backspace: true }, 'deleteBack'], ['d', { ctrl: true }, 'deleteForward'],
    ['w', { ctrl: true }, 'deleteWord'], ['k', { ctrl: true }, 'killToEnd'], ['u', { ctrl: true }, 'clearLine'],
    ['q', {}, 'insert'], ['/', {}, 'insert'], ['ip.addr == 10.0.0.1', {}, 'insert'],
    ['', { return: true }, 'accept'], ['', { escape: true }, 'cancel'], ['c', { ctrl: true }, 'interrupt'],
  ];
  check(t, 'filter', [...editing, ['', { tab: true }, 'complete'], ['', { upArrow: true }, 'older'], ['', { downArrow: true }, 'newer']]);
  check(t, 'path', editing);
  t.is(commandFor('path', '', { ...NO_KEY, tab: true }), undefined, 'no field names to complete in a path');
});

test('the help screen scrolls and closes; every command is on it once', (t) => {
  check(t, 'help', [['j', {}, 'down'], ['', { pageDown: true }, 'pageDown'], ['', { escape: true }, 'closeHelp'], ['q', {}, 'closeHelp'], ['?', {}, 'closeHelp']]);
  t.is(commandFor('help', 'x', NO_KEY), undefined);
  const listed = HELP_SECTIONS.flatMap((_, index) => sectionCommands(index).map((command) => command.name));
  t.deepEqual([...listed].sort(), COMMANDS.map((command) => command.name).sort());
  t.is(new Set(COMMANDS.map((c) => c.name)).size, COMMANDS.length);
  t.true(COMMANDS.every((c) => c.keys !== '' && c.description !== '' && c.scopes.length > 0));
});

test('line editing commands', (t) => {
  const line = { text: 'ip.src == 1 && tcp', cursor: 11 };
  t.deepEqual(editLine(line, 'cursorLeft'), { text: line.text, cursor: 10 });
  t.deepEqual(editLine(line, 'lineStart'), { text: line.text, cursor: 0 });
  t.deepEqual(editLine(line, 'lineEnd'), lineOf(line.text));
  t.deepEqual(editLine(line, 'deleteBack'), { text: 'ip.src ==  && tcp', cursor: 10 });
  t.deepEqual(editLine(line, 'deleteForward'), { text: 'ip.src == 1&& tcp', cursor: 11 });
  t.deepEqual(editLine(line, 'deleteWord'), { text: 'ip.src ==  && tcp', cursor: 10 });
  t.deepEqual(editLine(line, 'killToEnd'), { text: 'ip.src == 1', cursor: 11 });
  t.deepEqual(editLine(line, 'clearLine'), { text: '', cursor: 0 });
  t.deepEqual(editLine(line, 'insert', '0\n'), { text: 'ip.src == 10 && tcp', cursor: 12 }, 'a pasted line break is dropped');
  t.deepEqual(editLine({ text: 'x', cursor: 0 }, 'deleteBack'), { text: 'x', cursor: 0 });
});
