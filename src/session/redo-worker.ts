// A worker thread of the redo pool (redo-pool.ts): it holds a copy of the session's decoded store (the
// frame index, the bytes where they are, the in-order pass's memory) and dissects any slice of its frames
// again, as the main thread would, for a display filter or a view's statistic.
import { parentPort, type TransferListItem } from 'node:worker_threads';
import { registryDecodingAs } from '../decode/decoder.js';
import type { Registry } from '../decode/registry.js';
import { compileFilter } from '../filter/display-filter.js';
import { doubled } from '../util/typed-arrays.js';
import type { DecodedStore } from './decoded-store.js';
import { unpackSnapshot, type JobKind, type PoolReply, type PoolRequest } from './redo-pool.js';
import { StatisticsPass, type MergeableStatistic } from './stats/frame-statistics.js';
import { POOLED_VIEWS } from './stats/view-statistics.js';

let decoded: DecodedStore | undefined;
/** The registry of the last store synced, with the Decode As rules it was made by. */
let decodingAs: { key: string; registry: Registry } | undefined;

/** The registry of a store decoded by `rules` (the session's -d and those given in the interface). */
function registryFor(rules: readonly string[]): Registry {
  const key = rules.join('\n');
  if (decodingAs?.key === key) return decodingAs.registry;
  // The rules were checked where they were given: an error here is a bug, which the pool reports.
  const made = registryDecodingAs(rules);
  if (!made.ok) throw new Error(made.error);
  decodingAs = { key, registry: made.registry };
  return made.registry;
}

/** A slice's result, and what of it the message hands over rather than copies. */
interface SliceResult {
  part: unknown;
  transfer: TransferListItem[];
}

/** A job's slices, over the copy of the store it started on (a later sync leaves it that copy). */
interface Job {
  slice: (start: number, end: number) => SliceResult;
  store: DecodedStore;
}
const jobs = new Map<number, Job>();

/** Closes a copy of the store that is neither the current one nor still read by a job. */
function release(store: DecodedStore | undefined): void {
  if (store === undefined || store === decoded) return;
  for (const job of jobs.values()) if (job.store === store) return;
  store.store.close();
}

/** A job over the store; a string says why it cannot run. */
function createJob(kind: JobKind, store: DecodedStore): Job | string {
  if (kind.type === 'statistic') return { slice: statisticSlices(POOLED_VIEWS[kind.view], store), store };
  const compiled = compileFilter(kind.text, store.registry);
  if (!compiled.ok) return compiled.error.message;
  const { filter } = compiled;
  const dissection = store.createDissection({ tree: false, columns: false, fields: filter.fields });
  const slice = (start: number, end: number): SliceResult => {
    let rows = new Uint32Array(Math.min(end - start, 4096));
    let count = 0;
    for (let index = start; index < end; index++) {
      if (!filter.matches(store.again(index, dissection))) continue;
      if (count === rows.length) rows = doubled(rows);
      rows[count++] = index;
    }
    const part = rows.slice(0, count);
    return { part, transfer: [part.buffer] };
  };
  return { slice, store };
}

/** Each slice is counted by a statistic of its own: its part is what that slice adds. */
function statisticSlices(create: () => MergeableStatistic<unknown>, store: DecodedStore): Job['slice'] {
  return (start, end) => {
    const statistic = create();
    const pass = new StatisticsPass([statistic]);
    const dissection = store.createDissection(pass.dissectOptions);
    for (let index = start; index < end; index++) {
      pass.begin();
      pass.add(store.again(index, dissection));
    }
    return { part: statistic.part(), transfer: [] };
  };
}

/** What the main thread is told, and what the message hands over. */
function handle(request: PoolRequest): [PoolReply, TransferListItem[]] | undefined {
  switch (request.type) {
    case 'sync': {
      const previous = decoded;
      decoded = unpackSnapshot(request.snapshot, request.remembered, registryFor(request.snapshot.decodeAs));
      release(previous);
      return undefined;
    }
    case 'warm': {
      if (decoded === undefined) return undefined;
      const compiled = compileFilter(request.text, decoded.registry);
      if (!compiled.ok) throw new Error(`the warm-up filter does not compile: ${compiled.error.message}`);
      const dissection = decoded.createDissection({ tree: false, columns: false, fields: compiled.filter.fields });
      const first = decoded.store.first;
      const end = Math.min(decoded.count, first + request.frames);
      for (let index = first; index < end; index++) compiled.filter.matches(decoded.again(index, dissection));
      return undefined;
    }
    case 'filter':
    case 'statistic': {
      const job = decoded === undefined ? 'a job before the store was synced' : createJob(request, decoded);
      if (typeof job === 'string') return [{ type: 'failed', job: request.job, message: job }, []];
      jobs.set(request.job, job);
      return undefined;
    }
    case 'slice': {
      const job = jobs.get(request.job);
      if (job === undefined) return [{ type: 'failed', job: request.job, message: `no job ${request.job}` }, []];
      const { part, transfer } = job.slice(request.start, request.end);
      return [{ type: 'part', job: request.job, start: request.start, end: request.end, part }, transfer];
    }
    case 'done': {
      const store = jobs.get(request.job)?.store;
      jobs.delete(request.job);
      release(store);
      return undefined;
    }
  }
}

parentPort?.on('message', (request: PoolRequest) => {
  let reply: [PoolReply, TransferListItem[]] | undefined;
  try {
    reply = handle(request);
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    reply = [{ type: 'failed', job: 'job' in request ? request.job : -1, message }, []];
  }
  if (reply !== undefined) parentPort?.postMessage(...reply);
});
