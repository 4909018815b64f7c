// Keys map to named commands, one command per key, and every command has a key and a description.
import test from 'ava';
import type { Key } from 'ink';
import { COMMANDS, commandFor } from '../../src/ui/commands.js';

const NO_KEY: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
  super: false, hyper: false, capsLock: false, numLock: false,
};

test('each key press means one command', (t) => {
  const presses: [string, Partial<Key>, string][] = [
    ['j', {}, 'down'], ['', { downArrow: true }, 'down'], ['k', {}, 'up'], ['', { upArrow: true }, 'up'], ['', { pageDown: true }, 'pageDown'],
    ['', { pageUp: true }, 'pageUp'], ['g', {}, 'first'], ['', { home: true }, 'first'], ['G', {}, 'last'], ['', { end: true }, 'last'],
    ['', { tab: true }, 'nextPane'], ['', { tab: true, shift: true }, 'previousPane'], ['', { return: true }, 'expand'],
    ['', { rightArrow: true }, 'expand'], ['', { leftArrow: true }, 'collapse'], ['*', {}, 'expandAll'], ['/', {}, 'filter'],
    ['F', {}, 'follow'], [' ', {}, 'mark'], ['M', {}, 'markAll'], ['U', {}, 'clearMarks'], ['w', {}, 'export'], ['?', {}, 'help'],
    ['q', {}, 'quit'],
  ];
  for (const [input, key, expected] of presses) {
    const matching = COMMANDS.filter((command) => command.matches(input, { ...NO_KEY, ...key })).map((command) => command.name);
    t.deepEqual(matching, [expected], `${JSON.stringify(input)} ${JSON.stringify(key)}`);
  }
  t.is(commandFor('q', { ...NO_KEY, ctrl: true }), undefined, 'Ctrl-Q is not q');
  t.is(commandFor('x', NO_KEY), undefined);
  t.is(new Set(COMMANDS.map((c) => c.name)).size, COMMANDS.length);
  t.true(COMMANDS.every((c) => c.keys !== '' && c.description !== ''));
});
