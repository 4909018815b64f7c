// tsshark's preferences file, `$XDG_CONFIG_HOME/tsshark/preferences` (~/.config/tsshark/preferences), in
// Wireshark's `name: value` lines, and tshark's `-o name:value` over it. What it holds: the packet list's
// columns (`gui.column.format`, as Wireshark's), the hidden ones (`gui.column.hide`) and the widths set in
// the interface (`column.width`, which Wireshark keeps in its `recent` file). Print mode reads the columns
// too. The interface rewrites only the lines it owns; the rest of the file stays as the user wrote it.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { columnFormatText, DEFAULT_COLUMN_FORMAT, parseColumnFormat, quotedItem, quotedList, type ListColumn } from '../decode/column-format.js';
import type { FieldDef } from '../decode/field.js';

export const COLUMN_FORMAT = 'gui.column.format';
export const COLUMN_HIDE = 'gui.column.hide';
export const COLUMN_WIDTH = 'column.width';
const KNOWN = [COLUMN_FORMAT, COLUMN_HIDE, COLUMN_WIDTH];

export type Preferences = Map<string, string>;

export function preferencesPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME !== undefined && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'tsshark', 'preferences');
}

/** `name: value` lines ('#' starts a comment); an unknown name is an error with its line, as a typo would be. */
export function parsePreferences(text: string, source: string): Preferences {
  const preferences: Preferences = new Map();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    setPreference(preferences, line, `${source}:${i + 1}`);
  }
  return preferences;
}

/** One `name:value` (a file's line, or -o's argument) into `preferences`; throws with `where` when wrong. */
export function setPreference(preferences: Preferences, text: string, where: string): void {
  const colon = text.indexOf(':');
  const name = colon < 0 ? text.trim() : text.slice(0, colon).trim();
  if (colon < 0 || !KNOWN.includes(name)) throw new PreferenceError(`${where}: "${text}": tsshark's preferences are ${KNOWN.join(', ')} (name: value)`);
  preferences.set(name, text.slice(colon + 1).trim());
}

export class PreferenceError extends Error {}

/**
 * The preferences file at `path`; none when it does not exist, or is not ours to read (run with another
 * user's HOME, as sudo or setpriv leave it: capture must not stop on someone else's preferences).
 */
export function readPreferences(path: string): Preferences {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EACCES') return new Map();
    throw new PreferenceError(`cannot read ${path}: ${(error as Error).message}`);
  }
  return parsePreferences(text, path);
}

/** A list value: Wireshark's quoted strings, or plain words between commas. */
function listOf(text: string, where: string): string[] {
  if (!text.startsWith('"')) return text.split(',').map((item) => item.trim()).filter((item) => item !== '');
  const list = quotedList(text);
  if (!list.ok) throw new PreferenceError(`${where}: ${list.error}`);
  return list.items;
}

/** The packet list's columns from `preferences` (Wireshark's with the Tap column when they say nothing). */
export function listColumns(preferences: Preferences, field: (abbrev: string) => FieldDef | undefined): ListColumn[] {
  const parsed = parseColumnFormat(preferences.get(COLUMN_FORMAT) ?? DEFAULT_COLUMN_FORMAT, field);
  if (!parsed.ok) throw new PreferenceError(`${COLUMN_FORMAT}: ${parsed.error}`);
  const hidden = new Set(listOf(preferences.get(COLUMN_HIDE) ?? '', COLUMN_HIDE));
  const widthItems = listOf(preferences.get(COLUMN_WIDTH) ?? '', COLUMN_WIDTH);
  const widths = new Map<string, number>();
  for (let i = 0; i + 1 < widthItems.length; i += 2) {
    const width = Number(widthItems[i + 1]);
    if (!Number.isInteger(width) || width < 1) throw new PreferenceError(`${COLUMN_WIDTH}: "${widthItems[i + 1]}" is not a width for ${widthItems[i]}`);
    widths.set(widthItems[i], width);
  }
  return parsed.columns.map((spec) => ({ spec, hidden: hidden.has(spec.format), width: widths.get(spec.format) }));
}

/** The Process column --proc adds (before Info) when no column shows a proc.* field. */
const PROCESS_COLUMN = '"Process", "%Cus:proc.comm"';

export function withProcessColumn(columns: readonly ListColumn[], field: (abbrev: string) => FieldDef | undefined): ListColumn[] {
  if (columns.some(({ spec }) => spec.fields.some((each) => each.abbrev.startsWith('proc.')))) return [...columns];
  const parsed = parseColumnFormat(PROCESS_COLUMN, field);
  if (!parsed.ok) throw new Error(`the Process column's format: ${parsed.error}`);
  const info = columns.findIndex(({ spec }) => spec.kind === 'info');
  const at = info < 0 ? columns.length : info;
  return [...columns.slice(0, at), { spec: parsed.columns[0], hidden: false, width: undefined }, ...columns.slice(at)];
}

/** The three column preferences' values for `columns`. */
export function columnPreferences(columns: readonly ListColumn[]): Record<string, string> {
  return {
    [COLUMN_FORMAT]: columnFormatText(columns.map(({ spec }) => spec)),
    [COLUMN_HIDE]: columns.filter((column) => column.hidden).map(({ spec }) => quotedItem(spec.format)).join(', '),
    [COLUMN_WIDTH]: columns.flatMap(({ spec, width }) => (width === undefined ? [] : [quotedItem(spec.format), quotedItem(String(width))])).join(', '),
  };
}

/**
 * Writes `values` into the file at `path`: each name's line replaced (or added at the end), every other
 * line kept. Written to a file beside it and renamed over it, so a crash leaves the old one whole.
 */
export function savePreferences(path: string, values: Readonly<Record<string, string>>): void {
  let lines: string[];
  try {
    lines = readFileSync(path, 'utf8').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
  } catch {
    lines = ['# tsshark preferences (Wireshark\'s names); the interface rewrites the column lines.'];
  }
  const left = new Map(Object.entries(values));
  lines = lines.map((line) => {
    const name = line.includes(':') && !line.trimStart().startsWith('#') ? line.slice(0, line.indexOf(':')).trim() : undefined;
    const value = name === undefined ? undefined : left.get(name);
    if (name === undefined || value === undefined) return line;
    left.delete(name);
    return `${name}: ${value}`;
  });
  for (const [name, value] of left) lines.push(`${name}: ${value}`);
  mkdirSync(dirname(path), { recursive: true });
  const next = `${path}.${process.pid}.new`;
  writeFileSync(next, lines.join('\n') + '\n');
  renameSync(next, path);
}
