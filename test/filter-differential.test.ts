// Display filters against tshark: for every filter of test/filters/cases.ts, the frames it selects on
// the bundled sample and on a capture concatenated from the shared corpus must be those tshark selects
// (over the frames whose protocols tsshark implements), and filters tshark refuses must be refused.
// tshark evaluates all filters in one pass through tap listeners (test/filters/listeners.lua).
import { join } from 'node:path';
import test from 'ava';
import { openCapture } from '../src/capture/capture-reader.js';
import { FrameDecoder } from '../src/decode/decoder.js';
import type { FieldDef } from '../src/decode/field.js';
import { compileFilter, type DisplayFilter } from '../src/filter/display-filter.js';
import { ACCEPTED, EXTENSIONS, REJECTED } from './filters/cases.js';
import { corpusPresent, CORPUS_ABSENT, repoRoot } from './helpers/corpus.js';
import { registry } from './helpers/decode.js';
import { fullyImplemented } from './helpers/differential.js';
import { buildFilterInputs } from './helpers/filter-inputs.js';
import { tsharkFields, tsharkFilters, tsharkPresent, TSHARK_ABSENT } from './helpers/tshark.js';

const SAMPLE = join(repoRoot, 'samples/lab.pcap');
const accepted = Object.values(ACCEPTED).flat();
/** Our side of each extension, and the tshark filter it must select the same frames as. */
const extended = EXTENSIONS.map(([ours]) => ours);
const equivalents = EXTENSIONS.map(([, theirs]) => theirs);

function compile(text: string): DisplayFilter {
  const result = compileFilter(text, registry);
  if (!result.ok) throw new Error(`tsshark rejects "${text}": ${result.error.message}`);
  return result.filter;
}

/** One pass over the file evaluating every filter on every frame: the matching frame numbers of each. */
async function tssharkMatches(path: string, filters: readonly DisplayFilter[]): Promise<number[][]> {
  const decoder = new FrameDecoder(registry, { tree: false, columns: false, fields: filters.flatMap((f) => f.fields) });
  const matches = filters.map((): number[] => []);
  const reader = await openCapture(path);
  try {
    await reader.read((frame) => {
      const dissection = decoder.decode(frame, reader.interfaces[frame.interfaceId]);
      filters.forEach((filter, i) => {
        if (filter.matches(dissection)) matches[i].push(dissection.frame.number);
      });
    });
  } finally {
    await reader.close();
  }
  return matches;
}

/** What both tools are asked about every frame, to decide whether filter results on it can be compared. */
const FRAME_CHECKS = ['frame.protocols', '_ws.malformed', '_ws.short', 'frame.time_epoch', 'frame.time_delta', 'frame.cap_len', 'ip.len'];
/** tshark 4.0 compares times of 2^31 s or more (past 2038, or such deltas) as if negative. */
const TIME_LIMIT = 2 ** 31;

/** Per frame, tsshark's protocol stack and whether it marked the frame malformed or cut short. */
async function ourFrameChecks(path: string): Promise<{ stack: string; cutShort: boolean }[]> {
  const [protocols, malformed, short] = ['frame.protocols', '_ws.malformed', '_ws.short'].map((name) => registry.field(name) as FieldDef);
  const decoder = new FrameDecoder(registry, { tree: false, columns: false, fields: [protocols, malformed, short] });
  const checks: { stack: string; cutShort: boolean }[] = [];
  const reader = await openCapture(path);
  try {
    await reader.read((frame) => {
      const d = decoder.decode(frame, reader.interfaces[frame.interfaceId]);
      checks.push({ stack: String(d.valuesOf(protocols)[0]), cutShort: d.valuesOf(malformed).length + d.valuesOf(short).length > 0 });
    });
  } finally {
    await reader.close();
  }
  return checks;
}

/** Why filter results on a frame cannot be compared, or undefined when they can. */
function exclusion(theirs: readonly string[], ours: { stack: string; cutShort: boolean }): string | undefined {
  const [stack, malformed, short, epoch, delta, capturedLength, ipLength] = theirs;
  if (stack !== ours.stack) return 'the protocol stacks differ (tshark has a dissector for a port or payload tsshark leaves as data)';
  if (!fullyImplemented(stack)) return 'tshark finds protocols tsshark does not implement';
  if (malformed !== '' || short !== '' || ours.cutShort) {
    return 'a dissector ran out of bytes (tshark then lacks the protocol fields it could not add)';
  }
  // tshark's raw IPv4 link passes the frame's own buffer to IP, which cuts it at the total length.
  if (stack.startsWith('ip:') && Number(capturedLength) > Number(ipLength.split(',')[0])) return 'raw IPv4 frames hold bytes past the datagram, which tshark cuts from the frame';
  if (Math.abs(Number(epoch)) >= TIME_LIMIT || Math.abs(Number(delta)) >= TIME_LIMIT) return 'times reach 2^31 s, which tshark 4.0 compares wrongly';
  return undefined;
}

function difference(label: string, ours: readonly number[], theirs: readonly number[], counted: (frame: number) => boolean): string | undefined {
  const mine = new Set(ours.filter(counted));
  const reference = new Set(theirs.filter(counted));
  const extra = [...mine].filter((n) => !reference.has(n));
  const missing = [...reference].filter((n) => !mine.has(n));
  if (extra.length === 0 && missing.length === 0) return undefined;
  return `${label}: tshark ${reference.size} frames; tsshark ${extra.length} more (${extra.slice(0, 6).join(' ')}), ${missing.length} fewer (${missing.slice(0, 6).join(' ')})`;
}

test('the suite has at least 200 accepted filters, ten or more per construct', (t) => {
  t.true(accepted.length >= 200, `${accepted.length} filters`);
  t.is(new Set(accepted).size, accepted.length, 'no filter is listed twice');
  for (const [group, filters] of Object.entries(ACCEPTED)) t.true(filters.length >= 10, group);
});

async function compareOn(t: { log: (message: string) => void }, name: string, path: string): Promise<string[]> {
  const filters = accepted.map(compile);
  const [stacks, ourStacks, theirs, theirsEquivalent, ours, oursExtended] = await Promise.all([
    tsharkFields(path, FRAME_CHECKS),
    ourFrameChecks(path),
    tsharkFilters(path, accepted),
    tsharkFilters(path, equivalents),
    tssharkMatches(path, filters),
    tssharkMatches(path, extended.map(compile)),
  ]);
  const excluded = new Map<string, number>();
  const countedFrames = stacks.map((row, i) => {
    const reason = exclusion(row, ourStacks[i]);
    if (reason) excluded.set(reason, (excluded.get(reason) ?? 0) + 1);
    return reason === undefined;
  });
  const counted = (frame: number) => countedFrames[frame - 1] === true;
  const failures: string[] = [];
  accepted.forEach((filter, i) => {
    if (theirs.errors[i] !== undefined) failures.push(`${filter}: tshark rejects it: ${theirs.errors[i]}`);
    const failure = difference(`${name}: ${filter}`, ours[i], theirs.matches[i], counted);
    if (failure) failures.push(failure);
  });
  EXTENSIONS.forEach(([filter, equivalent], i) => {
    const failure = difference(`${name}: ${filter} (as ${equivalent})`, oursExtended[i], theirsEquivalent.matches[i], counted);
    if (failure) failures.push(failure);
  });
  const selecting = theirs.matches.filter((frames) => frames.some(counted)).length;
  const frames = countedFrames.filter(Boolean).length;
  t.log(`${name}: ${stacks.length} frames, ${frames} compared, ${accepted.length} filters, ${selecting} select at least one compared frame`);
  for (const [reason, count] of excluded) t.log(`  not compared: ${count} frames where ${reason}`);
  return failures;
}

test('filters select the frames tshark selects on the bundled sample', async (t) => {
  if (!tsharkPresent) return t.pass(TSHARK_ABSENT);
  t.deepEqual(await compareOn(t, 'samples/lab.pcap', SAMPLE), []);
});

test('filters select the frames tshark selects on the corpus', async (t) => {
  if (!corpusPresent) return t.pass(CORPUS_ABSENT);
  if (!tsharkPresent) return t.pass(TSHARK_ABSENT);
  const inputs = await buildFilterInputs();
  try {
    t.deepEqual(await compareOn(t, 'corpus mix', inputs.path), []);
  } finally {
    inputs.remove();
  }
});

test('filters tshark rejects are rejected', async (t) => {
  if (!tsharkPresent) return t.pass(TSHARK_ABSENT);
  const theirs = await tsharkFilters(SAMPLE, REJECTED);
  const wrong: string[] = [];
  REJECTED.forEach((filter, i) => {
    if (theirs.errors[i] === undefined) wrong.push(`tshark accepts ${filter}`);
    if (compileFilter(filter, registry).ok) wrong.push(`tsshark accepts ${filter}`);
  });
  t.deepEqual(wrong, []);
});
