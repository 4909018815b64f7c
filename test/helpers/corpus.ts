// The shared capture corpus (../shared/corpus beside the repository). Tests that read it skip, saying
// why, when it is absent: it is never copied into the repository.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const CORPUS = resolve(repoRoot, '../shared/corpus');
export const corpusPresent = existsSync(join(CORPUS, 'tcpdump-tests.inventory.tsv'));
export const CORPUS_ABSENT = `skipped: the shared corpus is not at ${CORPUS} (a checkout without ../shared)`;

export interface CorpusEntry {
  path: string;
  name: string;
  /** tshark 4.0 opens it (its exit status was 0). */
  tsharkReads: boolean;
  tsharkFrames: number;
  /** The file's link type (the low 16 bits of the header's field); -1 where the inventory does not say. */
  linkType: number;
}

export function corpusEntries(): CorpusEntry[] {
  const entries: CorpusEntry[] = [];
  for (const set of ['tcpdump-tests', 'libpcap-tests']) {
    const rows = readFileSync(join(CORPUS, `${set}.inventory.tsv`), 'utf8').trim().split('\n').slice(1);
    for (const row of rows) {
      const columns = row.split('\t');
      entries.push({ path: join(CORPUS, set, columns[0]), name: `${set}/${columns[0]}`, tsharkReads: columns[6] === '0', tsharkFrames: Number(columns[7]), linkType: Number(columns[3]) & 0xffff });
    }
  }
  for (const name of readdirSync(join(CORPUS, 'recorded')).filter((file) => /\.pcap(ng)?$/.test(file))) {
    entries.push({ path: join(CORPUS, 'recorded', name), name: `recorded/${name}`, tsharkReads: true, tsharkFrames: -1, linkType: -1 });
  }
  return entries;
}

export { repoRoot };
