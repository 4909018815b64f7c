// `-t`: the Time column in each of tshark's formats equals tshark's, as `_ws.col.Time` and in the text
// line, with a display filter in place (dd counts from the previous displayed frame, r and d from the
// captured ones), in a time zone east of UTC (a, ad, adoy are local time) and at a capture's resolution:
// microseconds on the bundled sample, nanoseconds on the corpus' cli-nano.pcap.
import { join } from 'node:path';
import test from 'ava';
import { TIME_FORMATS } from '../src/decode/time-format.js';
import { CORPUS, CORPUS_ABSENT, corpusPresent } from './helpers/corpus.js';
import { runCli } from './helpers/run.js';
import { tsharkLines, tsharkPresent, TSHARK_ABSENT } from './helpers/tshark.js';

// Both tools, spawned from here, read it: local time half an hour off the hour and a day ahead of UTC near midnight.
process.env.TZ = 'Asia/Kolkata';

const FILTER = 'frame.number >= 2 && frame.number != 4 && frame.number != 6 && frame.number != 9';

async function compareFormats(t: import('ava').ExecutionContext, file: string): Promise<void> {
  for (const format of TIME_FORMATS) {
    const args = ['-r', file, '-t', format, '-Y', FILTER, '-T', 'fields', '-e', 'frame.number', '-e', '_ws.col.Time'];
    const ours = await runCli(args);
    t.is(ours.status, 0, ours.stderr);
    t.deepEqual(ours.stdout.split('\n').filter((line) => line !== ''), await tsharkLines(args), `-t ${format} on ${file}`);
  }
}

test('-t: every format equals tshark on the microsecond sample, with a filter, in local time east of UTC', async (t) => {
  if (!tsharkPresent) return t.pass(TSHARK_ABSENT);
  await compareFormats(t, 'samples/lab.pcap');
  // The text line carries it in the Time column's place.
  const line = (await runCli(['-r', 'samples/lab.pcap', '-t', 'ud', '-c', '1'])).stdout.split('\n')[0];
  const theirs = (await tsharkLines(['-r', 'samples/lab.pcap', '-t', 'ud', '-c', '1']))[0];
  t.is(line.slice(0, 32), theirs.slice(0, 32));
});

test('-t: every format equals tshark at nanosecond resolution', async (t) => {
  if (!tsharkPresent) return t.pass(TSHARK_ABSENT);
  if (!corpusPresent) return t.pass(CORPUS_ABSENT);
  await compareFormats(t, join(CORPUS, 'recorded/cli-nano.pcap'));
});

test('-t names the formats when given another', async (t) => {
  const result = await runCli(['-r', 'samples/lab.pcap', '-t', 'x']);
  t.not(result.status, 0);
  t.regex(result.stderr, /^tsshark: invalid -t "x": expected one of a, ad, adoy, d, dd, e, r, u, ud, udoy$/m);
});
