// Runs Debian's tshark, the oracle of the differential tests, a bounded number at a time.
import { execFile } from 'node:child_process';

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

/** `tshark -T fields` for these fields: one array of columns per frame. */
export async function tsharkFields(file: string, fields: readonly string[], extra: readonly string[] = []): Promise<string[][]> {
  const result = await tshark(['-n', '-r', file, ...extra, '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,', ...fields.flatMap((f) => ['-e', f])]);
  if (result.status !== 0) throw new Error(`tshark failed on ${file}: ${result.stderr}`);
  return result.stdout.split('\n').slice(0, -1).map((line) => line.split('\t'));
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
