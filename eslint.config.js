// Lint runs on the TypeScript sources with type-aware rules off: tsc already type-checks them.
// The import rules keep the layers: data flows source -> store -> dissect -> filter -> session -> view.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/** Modules that reach the outside world (files, terminals, processes, sockets, threads). */
const NODE_IO = ['fs', 'fs/promises', 'net', 'tty', 'child_process', 'worker_threads', 'dgram', 'http', 'https', 'os', 'readline', 'process'].flatMap(
  (name) => [name, `node:${name}`],
);
const VIEWS = { regex: '(^|/)(ui|cli)/|^(ink|react)$', message: 'views sit on top: nothing below them imports one' };
const SESSION = { regex: '(^|/)session/', message: 'the session layer sits above decode and filter' };

/** `no-restricted-imports` for files of one layer. */
function layer(files, patterns, paths = []) {
  return { files, rules: { 'no-restricted-imports': ['error', { patterns, paths: paths.map((name) => ({ name, message: 'decode and filter do no I/O' })) }] } };
}

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'bench/out/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-control-regex': 'off',
    },
  },
  layer(
    ['src/decode/**', 'src/filter/**'],
    [VIEWS, SESSION, { regex: '(^|/)capture/(?!frame\\.js$)', message: 'decode and filter take frame types from capture, nothing else' }],
    NODE_IO,
  ),
  layer(['src/session/**'], [VIEWS]),
  layer(['src/capture/**'], [VIEWS, SESSION, { regex: '(^|/)(decode|filter)/', message: 'capture sits below dissection' }]),
  layer(['src/util/**'], [{ regex: '^\\.', message: 'util depends on nothing of the project' }]),
);
