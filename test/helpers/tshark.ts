// Runs Debian's tshark, the oracle of the differential tests, a bounded number at a time.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './corpus.js';

const LISTENERS = join(repoRoot, 'test/filters/listeners.lua');

export const tsharkPresent = await new Promise<boolean>((done) => execFile('tshark', ['--version'], (error) => done(!error)));
export const TSHARK_ABSENT = 'skipped: tshark is not installed (apt-get install tshark; .ci/run installs it)';

export interface TsharkResult {
  status: number;
  stdout: string;
  stderr: string;
}

export function tshark(args: readonly string[]): Promise<TsharkResult> {
  return new Promise((done) => {
    execFile('tshark', [...args], { maxBuffer: 1 << 30, encoding: 'utf8', timeout: 120_000 }, (error, stdout, stderr) => {
      const status = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      done({ status, stdout, stderr });
    });
  });
}

/** tshark's output lines (throws when it fails). */
export async function tsharkLines(args: readonly string[]): Promise<string[]> {
  const result = await tshark(['-n', ...args]);
  if (result.status !== 0) throw new Error(`tshark ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.split('\n').filter((line) => line !== '');
}

/** `tshark -T fields` for these fields: one array of columns per frame. */
export async function tsharkFields(file: string, fields: readonly string[], extra: readonly string[] = []): Promise<string[][]> {
  return (await tsharkFieldsAndStatistics(file, fields, [], extra)).rows;
}

/** `tshark -T fields` for these fields, and what the `-z` arguments in `statistics` draw after the frames. */
export async function tsharkFieldsAndStatistics(
  file: string,
  fields: readonly string[],
  statistics: readonly string[],
  extra: readonly string[] = [],
): Promise<{ rows: string[][]; statistics: string }> {
  const result = await tshark(['-n', '-r', file, ...extra, '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,', ...fields.flatMap((f) => ['-e', f]), ...statistics]);
  if (result.status !== 0) throw new Error(`tshark failed on ${file}: ${result.stderr}`);
  const at = statistics.length === 0 ? result.stdout.length : statisticsStart(result.stdout);
  return { rows: result.stdout.slice(0, at).split('\n').slice(0, -1).map((line) => line.split('\t')), statistics: result.stdout.slice(at) };
}

/** Where tshark's statistics begin in its output: the first rule line, or the blank line before it. */
export function statisticsStart(output: string): number {
  const rule = /^=+$/m.exec(output);
  if (rule === null) return output.length;
  return output[rule.index - 2] === '\n' && output[rule.index - 1] === '\n' ? rule.index - 1 : rule.index;
}

export interface TsharkFilterResults {
  /** Per filter, the numbers of the frames it selects. */
  matches: number[][];
  /** Per filter, tshark's message when it rejects the filter. */
  errors: (string | undefined)[];
}

/**
 * Evaluates many display filters in one tshark pass: a Lua script registers one tap listener per
 * filter (a listener's filter is compiled and applied exactly as -Y's is).
 */
export async function tsharkFilters(file: string, filters: readonly string[]): Promise<TsharkFilterResults> {
  const dir = mkdtempSync(join(tmpdir(), 'tsshark-lua-'));
  try {
    const list = join(dir, 'filters.txt');
    const output = join(dir, 'matches.tsv');
    writeFileSync(list, filters.join('\n') + '\n');
    const result = await new Promise<TsharkResult>((done) => {
      const env = { ...process.env, TSSHARK_FILTERS: list, TSSHARK_MATCHES: output };
      execFile('tshark', ['-q', '-n', '-r', file, '-X', `lua_script:${LISTENERS}`], { env, maxBuffer: 1 << 26, encoding: 'utf8', timeout: 600_000 }, (error, stdout, stderr) => {
        done({ status: error ? 1 : 0, stdout, stderr });
      });
    });
    if (result.status !== 0) throw new Error(`tshark failed on ${file}: ${result.stderr}`);
    const matches = filters.map((): number[] => []);
    const errors = filters.map((): string | undefined => undefined);
    for (const line of readFileSync(output, 'utf8').split('\n')) {
      const [kind, index, value] = line.split('\t');
      if (kind === 'M') matches[Number(index) - 1].push(Number(value));
      else if (kind === 'E') errors[Number(index) - 1] = value;
    }
    return { matches, errors };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `work` over `items` with at most `limit` running at once. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  });
  await Promise.all(runners);
  return results;
}
