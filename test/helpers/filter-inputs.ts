// The capture the filter differential runs on besides the bundled sample: one file concatenated from the
// shared corpus (its test captures, then real recordings), so that tshark reads it once.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CORPUS, corpusEntries } from './corpus.js';
import { FILES_WITH_KNOWN_DIFFERENCES } from './differential.js';

const run = promisify(execFile);

/** Recordings with what the test captures lack: directions, NAT, NFLOG hooks, TCP transfers, GSO frames. */
const RECORDINGS = ['rtr-any-sll2.pcap', 'rtr-two-ifaces.pcapng', 'rtr-nflog.pcap', 'gso-offload-on-cli.pcap'];

export interface FilterInputs {
  path: string;
  remove(): void;
}

/** Concatenates (mergecap -a) every corpus file tshark reads and agrees on with tsshark, then the recordings. */
export async function buildFilterInputs(): Promise<FilterInputs> {
  const dir = mkdtempSync(join(tmpdir(), 'tsshark-filters-'));
  const tests = corpusEntries().filter(
    (entry) => entry.tsharkReads && !entry.name.startsWith('recorded/') && !FILES_WITH_KNOWN_DIFFERENCES.has(entry.name),
  );
  const mix = join(dir, 'corpus-mix.pcapng');
  await run('mergecap', ['-a', '-F', 'pcapng', '-w', mix, ...tests.map((entry) => entry.path), ...RECORDINGS.map((name) => join(CORPUS, 'recorded', name))], {
    maxBuffer: 1 << 24,
  });
  return { path: mix, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
