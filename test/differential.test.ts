// tsshark against tshark on every capture of the shared corpus that tshark reads, and on the bundled
// sample our lab recorded: frame count, timestamps, lengths, and the core fields on every frame whose
// protocols tsshark implements.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { corpusEntries, corpusPresent, CORPUS_ABSENT, repoRoot } from './helpers/corpus.js';
import { compareWithTshark, describeMismatches, type Mismatch } from './helpers/differential.js';
import { mapLimit, tsharkPresent, TSHARK_ABSENT } from './helpers/tshark.js';

test('fields equal tshark on the bundled lab sample', async (t) => {
  if (!tsharkPresent) return t.pass(TSHARK_ABSENT);
  const result = await compareWithTshark(join(repoRoot, 'samples/lab.pcap'), 'samples/lab.pcap');
  t.is(result.skipped, 0);
  t.deepEqual(describeMismatches(result.mismatches).examples, []);
});

test('fields equal tshark on every corpus frame tsshark decodes', async (t) => {
  if (!corpusPresent) return t.pass(CORPUS_ABSENT);
  if (!tsharkPresent) return t.pass(TSHARK_ABSENT);
  const entries = corpusEntries().filter((entry) => entry.tsharkReads);
  const mismatches: Mismatch[] = [];
  let compared = 0;
  let skipped = 0;
  await mapLimit(entries, 2, async (entry) => {
    const result = await compareWithTshark(entry.path, entry.name);
    mismatches.push(...result.mismatches);
    compared += result.compared;
    skipped += result.skipped;
  });
  t.log(`${entries.length} files, ${compared} frames compared, ${skipped} frames skipped (protocols tsshark does not implement)`);
  // For working through a failure: TSSHARK_DIFF_REPORT=file writes every mismatch as JSON lines.
  if (process.env.TSSHARK_DIFF_REPORT) writeFileSync(process.env.TSSHARK_DIFF_REPORT, mismatches.map((m) => JSON.stringify(m)).join('\n') + '\n');
  const { summary, examples } = describeMismatches(mismatches);
  t.deepEqual(examples, [], `${mismatches.length} mismatches (${summary})`);
});
