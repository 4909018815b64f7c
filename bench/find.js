#!/usr/bin/env -S node --max-semi-space-size=2
// bench/find: Find by display filter against applying the same filter, on the ~1,000,000-frame capture,
// in one process as the interface holds it (its session, its decoded store, its redo pool of 2 workers).
// For each filter: the time to apply it as the display filter, then the time from Ctrl-F's Enter on the
// first frame until `n` lands (the next match after frame 1), and until the find has looked at every
// frame, alternating the two ROUNDS times (the workers warm up on the first). Target: the next match
// within 1.5x of applying the filter.
// Usage: node bench/find.js [ROUNDS]
import { statSync } from 'node:fs';
import { openCapture } from '../dist/src/capture/capture-reader.js';
import { FrameStore } from '../dist/src/capture/frame-store.js';
import { createRegistry } from '../dist/src/decode/decoder.js';
import { compileFind, stepFound } from '../dist/src/session/frame-find.js';
import { CaptureSession } from '../dist/src/session/capture-session.js';
import { DecodedStore } from '../dist/src/session/decoded-store.js';
import { RedoPool } from '../dist/src/session/redo-pool.js';
import { ROW_FIELDS } from '../dist/src/ui/rows.js';
import { big, build } from './big-capture.js';

const ROUNDS = Number(process.argv[2] ?? 3);
// A match near the end (the last copy's client), one in every copy, one in no frame at all.
const FILTERS = ['tcp.flags.syn == 1 && tcp.flags.ack == 0 && ip.ttl <= 64', 'dns.qry.name contains "web"', 'tcp.port == 9'];

build();
const registry = createRegistry();
const reader = await openCapture(big);
const decoded = new DecodedStore(new FrameStore({ file: big }), registry, ROW_FIELDS);
const session = new CaptureSession(decoded, { name: big, live: false }, reader.nanosecond, new RedoPool(2));
const loadStart = performance.now();
await session.readFrom(reader, statSync(big).size);
console.log(`${decoded.count.toLocaleString('en')} frames read in ${((performance.now() - loadStart) / 1000).toFixed(2)} s`);

/** Resolves when `ready()` is true, polled as the interface's redraws would see it. */
async function until(ready) {
  while (!ready()) await new Promise((resolve) => setTimeout(resolve, 5));
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
for (const filter of FILTERS) {
  const applied = [];
  const nextMatch = [];
  const whole = [];
  let landing;
  for (let round = 0; round < ROUNDS; round++) {
    let start = performance.now();
    await session.applyFilter(filter);
    applied.push(performance.now() - start);
    await session.applyFilter('');

    const compiled = compileFind('filter', filter, registry);
    start = performance.now();
    const finding = session.find(compiled.query.test);
    await until(() => (landing = stepFound(session.found, 0, 1, (index) => session.isDisplayed(index))) !== 'searching');
    nextMatch.push(performance.now() - start);
    await finding;
    whole.push(performance.now() - start);
  }
  const shown = (values) => `${(median(values) / 1000).toFixed(2)} s (${values.map((value) => (value / 1000).toFixed(2)).join(', ')})`;
  const lands = typeof landing === 'string' ? landing : `frame ${landing.frame + 1}${landing.wrapped ? ', wrapped' : ''}`;
  console.log(`${filter}\n  apply ${shown(applied)}; find: next match (${lands}) ${shown(nextMatch)}, every frame ${shown(whole)}; next match / apply ${(median(nextMatch) / median(applied)).toFixed(2)}`);
}
await session.close();
