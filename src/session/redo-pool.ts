// Worker threads that dissect slices of a session's frames again in parallel, for a display filter or a
// view's statistic. The in-order pass (DecodedStore) remembers what each frame needs from the frames
// before it, so any frame can be dissected alone: each worker gets a copy of that memory and of the frame
// index once (the bytes stay in the capture file, or in shared memory), then takes slices until the store
// is covered. Slices' results (a filter's rows, a statistic's parts) come back in frame order whatever
// order the slices finish in.
import { deserialize, serialize } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { MemorySnapshot } from '../decode/capture-memory.js';
import type { Registry } from '../decode/registry.js';
import { DecodedStore, type DecodedSnapshot } from './decoded-store.js';
import type { PooledView } from './stats/view-statistics.js';

/** What a job computes over each slice: the frames a filter passes, or a view's statistic. */
export type JobKind = { type: 'filter'; text: string } | { type: 'statistic'; view: PooledView };

export type PoolRequest =
  | { type: 'sync'; snapshot: DecodedSnapshot; remembered: SharedArrayBuffer }
  | { type: 'warm'; text: string; frames: number }
  | (JobKind & { job: number })
  | { type: 'slice'; job: number; start: number; end: number }
  | { type: 'done'; job: number };

/** A slice's result: a filter's rows (store indexes), or a statistic's part (MergeableStatistic.part). */
export type PoolReply = { type: 'part'; job: number; start: number; end: number; part: unknown } | { type: 'failed'; job: number; message: string };

/** Frames per slice: small enough to spread the work evenly and to stop soon when cancelled. */
const SLICE_FRAMES = 16_384;
/** Slices a worker is given ahead, so it never waits for the main thread between two. */
const SLICES_AHEAD = 2;
/**
 * Frames a worker filters by WARM_FILTER once it has its copy of a whole file, before any filter: a new
 * thread's code is not yet compiled, and on a million frames the first filter took 2.4 s without this,
 * 1.8-2.2 s with it (its first slices still take four times the later ones).
 */
const WARM_FRAMES = 32_768;
/** Fields of several layers and kinds (address, number, boolean), so that each kind's code is compiled. */
export const WARM_FILTER = 'ip.addr == 10.0.0.1 || tcp.port == 80 || udp.port == 53 || frame.len > 1000 || tcp.flags.reset == 1';
/**
 * A worker's young generation, in MiB. The process's is kept small (bin/tsshark.js) for the resident
 * memory of a long session; a worker's lives only as long as the session, and dissecting allocates fast:
 * at the process's 2 x 2 MiB a filter over a million frames took 2.7 s in one worker, 1.8 s at 8 MiB.
 */
const WORKER_YOUNG_MB = 8;

export class RedoPool {
  private readonly workers: Worker[] = [];
  /** The store the workers' copies are of, and how many frames they hold. */
  private syncedStore: DecodedStore | undefined;
  private synced = -1;
  private nextJob = 1;
  /** Why a worker stopped outside `close` (the pool is then of no use). */
  private broken: Error | undefined;

  /** The workers start at once, to be ready (their modules loaded) by the first filter. */
  constructor(
    readonly size: number,
    private readonly sliceFrames = SLICE_FRAMES,
  ) {
    this.start();
  }

  /**
   * The frames of [0, `end`) that `text` selects, given to `accept` in frame order, a slice at a time
   * with the index it reaches. Resolves false when cancelled; rejects when a worker fails (the caller
   * filters in its own thread instead).
   */
  filter(decoded: DecodedStore, text: string, end: number, accept: (rows: Uint32Array, upTo: number) => void, signal?: AbortSignal): Promise<boolean> {
    return this.run(decoded, { type: 'filter', text }, end, accept, signal);
  }

  /** A view's statistic over [0, `end`): its parts over consecutive slices, given to `accept` in frame order. */
  statistic<P>(decoded: DecodedStore, view: PooledView, end: number, accept: (part: P, upTo: number) => void, signal?: AbortSignal): Promise<boolean> {
    return this.run(decoded, { type: 'statistic', view }, end, accept, signal);
  }

  private async run<P>(decoded: DecodedStore, kind: JobKind, end: number, accept: (part: P, upTo: number) => void, signal?: AbortSignal): Promise<boolean> {
    if (this.broken) throw this.broken;
    this.start();
    this.sync(decoded);
    const job = this.nextJob++;
    for (const worker of this.workers) worker.postMessage({ ...kind, job } satisfies PoolRequest);
    return new Promise<boolean>((resolve, reject) => {
      // A store that carries on from another (--keep) holds frames from its first on.
      let dispatched = decoded.store.first;
      let accepted = decoded.store.first;
      const finished = new Map<number, { end: number; part: unknown }>();
      const dispatch = (worker: Worker) => {
        if (dispatched >= end) return;
        const start = dispatched;
        dispatched = Math.min(end, start + this.sliceFrames);
        worker.postMessage({ type: 'slice', job, start, end: dispatched } satisfies PoolRequest);
      };
      const listeners = this.workers.map((worker) => {
        const onMessage = (reply: PoolReply) => {
          if (reply.job !== job) return;
          if (reply.type === 'failed') return finish(new Error(`a filter worker failed: ${reply.message}`));
          finished.set(reply.start, reply);
          for (let slice = finished.get(accepted); slice !== undefined; slice = finished.get(accepted)) {
            finished.delete(accepted);
            accept(slice.part as P, slice.end);
            accepted = slice.end;
          }
          if (accepted >= end) return finish(true);
          dispatch(worker);
        };
        const onError = (error: Error) => finish(error);
        const onExit = (code: number) => finish(new Error(`a filter worker exited (${code})`));
        worker.on('message', onMessage);
        worker.on('error', onError);
        worker.on('exit', onExit);
        return { worker, onMessage, onError, onExit };
      });
      const onAbort = () => finish(false);
      const finish = (outcome: boolean | Error) => {
        signal?.removeEventListener('abort', onAbort);
        for (const { worker, onMessage, onError, onExit } of listeners) {
          worker.off('message', onMessage);
          worker.off('error', onError);
          worker.off('exit', onExit);
          worker.postMessage({ type: 'done', job } satisfies PoolRequest);
        }
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      if (signal?.aborted) return finish(false);
      signal?.addEventListener('abort', onAbort);
      if (end <= accepted) return finish(true);
      for (let round = 0; round < SLICES_AHEAD; round++) for (const worker of this.workers) dispatch(worker);
    });
  }

  /** Gives the workers their copy of the store ahead of a filter (a file read to its end). */
  prepare(decoded: DecodedStore): void {
    this.sync(decoded);
    for (const worker of this.workers) worker.postMessage({ type: 'warm', text: WARM_FILTER, frames: WARM_FRAMES } satisfies PoolRequest);
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    const workers = this.workers.splice(0);
    this.syncedStore = undefined;
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  private start(): void {
    while (this.workers.length < this.size) {
      const worker = new Worker(new URL('./redo-worker.js', import.meta.url), { resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB } });
      // An idle pool does not keep the process alive.
      worker.unref();
      // A worker that fails while no filter runs is not the user's error: the next filter is told.
      worker.on('error', (error) => (this.broken ??= error));
      worker.on('exit', (code) => {
        if (this.workers.includes(worker)) this.broken ??= new Error(`a filter worker exited (${code})`);
      });
      this.workers.push(worker);
    }
  }

  /** Gives the workers the store as it is now, unless they have it. */
  private sync(decoded: DecodedStore): void {
    if (decoded === this.syncedStore && decoded.count === this.synced) return;
    const request: PoolRequest = { type: 'sync', ...packSnapshot(decoded) };
    for (const worker of this.workers) worker.postMessage(request);
    this.syncedStore = decoded;
    this.synced = decoded.count;
  }
}

/**
 * The store as it is now, for worker threads. The columns and chunks are shared memory, which a message
 * hands over as it is; the remembered objects are serialised once for every worker rather than cloned
 * once per message.
 */
export function packSnapshot(decoded: DecodedStore): { snapshot: DecodedSnapshot; remembered: SharedArrayBuffer } {
  const snapshot = decoded.snapshot();
  const { distinct, instances } = snapshot.memory;
  const serialized = serialize({ distinct, instances });
  const remembered = new SharedArrayBuffer(serialized.length);
  new Uint8Array(remembered).set(serialized);
  snapshot.memory.distinct = [];
  snapshot.memory.instances = [];
  return { snapshot, remembered };
}

/** A worker's store from what packSnapshot made (after the message's structured clone). */
export function unpackSnapshot(snapshot: DecodedSnapshot, remembered: SharedArrayBuffer, registry: Registry): DecodedStore {
  Object.assign(snapshot.memory, deserialize(Buffer.from(remembered)) as Pick<MemorySnapshot, 'distinct' | 'instances'>);
  return DecodedStore.fromSnapshot(snapshot, registry);
}
