// The bundle's Ink keeps a bounded number of measured and wrapped texts (scripts/ink-bounded-caches.js):
// Ink 6's own caches keep every text ever rendered, which a live list following the capture grows by
// the megabyte. Ink's two modules are bundled with and without the rewrite and fed the same texts.
import test from 'ava';
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { repoRoot } from '../helpers/corpus.js';

interface InkTexts {
  wrapText(text: string, maxWidth: number, wrapType: string): string;
  measureText(text: string): { width: number; height: number };
}

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const directory = mkdtempSync(join(tmpdir(), 'tsshark-ink-caches-'));
test.after.always(() => rmSync(directory, { recursive: true, force: true }));

async function bundleInkTexts(bounded: boolean): Promise<InkTexts> {
  const { inkBoundedCaches } = (await import(pathToFileURL(join(repoRoot, 'scripts/ink-bounded-caches.js')).href)) as { inkBoundedCaches: never };
  const ink = join(repoRoot, 'node_modules/ink/build');
  const outfile = join(directory, `ink-texts-${bounded ? 'bounded' : 'as-published'}.js`);
  await build({
    stdin: { contents: `export { default as wrapText } from '${ink}/wrap-text.js'; export { default as measureText } from '${ink}/measure-text.js';`, resolveDir: repoRoot },
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    plugins: bounded ? [inkBoundedCaches] : [],
    logLevel: 'silent',
  });
  return (await import(pathToFileURL(outfile).href)) as InkTexts;
}

/** Heap bytes still held after `texts` distinct rows of a packet list went through Ink's measuring and wrapping. */
function heldAfterRows(ink: InkTexts, texts: number): number {
  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  for (let row = 0; row < texts; row++) {
    const text = `${String(row).padStart(8)} 12.${String(row).padStart(6, '0')} 10.88.0.1 → 10.88.0.2 UDP 60 40000 → 9000 Len=18`;
    ink.measureText(ink.wrapText(text, 200, 'truncate'));
  }
  collectGarbage();
  return process.memoryUsage().heapUsed - before;
}

test('rows rendered without end leave Ink holding a bounded number of texts', async (t) => {
  const ROWS = 40_000;
  const asPublished = heldAfterRows(await bundleInkTexts(false), ROWS);
  const bounded = heldAfterRows(await bundleInkTexts(true), ROWS);
  t.log(`held after ${ROWS} rows: Ink as published ${(asPublished / 1e6).toFixed(1)} MB, bounded ${(bounded / 1e6).toFixed(1)} MB`);
  // The comparison can fail: published Ink holds every row (twice, some 200 bytes each); bounded, 4096 at most.
  t.true(asPublished > 12e6);
  t.true(bounded < 4e6);
});

test('the bounded wrap cache keeps a text and a width apart', async (t) => {
  const ink = await bundleInkTexts(true);
  t.is(ink.wrapText('ab', 12, 'wrap'), 'ab');
  // Keyed as published, "ab" + "12" and "ab1" + "2" are one key and the second call returned "ab".
  t.is(ink.wrapText('ab1', 2, 'wrap'), 'ab\n1');
});

test('a rewrite that no longer matches Ink fails instead of shipping the leak', async (t) => {
  const { boundInkCaches } = (await import(pathToFileURL(join(repoRoot, 'scripts/ink-bounded-caches.js')).href)) as { boundInkCaches: (path: string, source: string) => string };
  t.throws(() => boundInkCaches('/x/node_modules/ink/build/measure-text.js', 'const cache = new WeakMap();'), { message: /not found; Ink changed/ });
  t.is(boundInkCaches('/x/node_modules/ink/build/output.js', 'unchanged'), 'unchanged');
});
