// A worker thread of the redo pool (redo-pool.ts): it holds a copy of the session's decoded store (the
// frame index, the bytes where they are, the in-order pass's memory) and dissects any slice of its frames
// again, as the main thread would, for a display filter.
import { parentPort } from 'node:worker_threads';
import { createRegistry } from '../decode/decoder.js';
import type { Dissection } from '../decode/dissection.js';
import { compileFilter, type DisplayFilter } from '../filter/display-filter.js';
import { doubled } from '../util/typed-arrays.js';
import type { DecodedStore } from './decoded-store.js';
import { unpackSnapshot, type PoolReply, type PoolRequest } from './redo-pool.js';

const registry = createRegistry();
let decoded: DecodedStore | undefined;
const filters = new Map<number, { filter: DisplayFilter; dissection: Dissection }>();

function handle(request: PoolRequest): PoolReply | undefined {
  switch (request.type) {
    case 'sync': {
      decoded?.store.close();
      decoded = unpackSnapshot(request.snapshot, request.remembered, registry);
      filters.clear();
      return undefined;
    }
    case 'warm': {
      if (decoded === undefined) return undefined;
      const compiled = compileFilter(request.text, registry);
      if (!compiled.ok) throw new Error(`the warm-up filter does not compile: ${compiled.error.message}`);
      const dissection = decoded.createDissection({ tree: false, columns: false, fields: compiled.filter.fields });
      const end = Math.min(decoded.count, request.frames);
      for (let index = 0; index < end; index++) compiled.filter.matches(decoded.again(index, dissection));
      return undefined;
    }
    case 'filter': {
      const compiled = compileFilter(request.text, registry);
      if (!compiled.ok) return { type: 'failed', job: request.job, message: compiled.error.message };
      if (decoded === undefined) return { type: 'failed', job: request.job, message: 'a filter before the store was synced' };
      const dissection = decoded.createDissection({ tree: false, columns: false, fields: compiled.filter.fields });
      filters.set(request.job, { filter: compiled.filter, dissection });
      return undefined;
    }
    case 'slice': {
      const job = filters.get(request.job);
      if (job === undefined || decoded === undefined) return { type: 'failed', job: request.job, message: `no filter for job ${request.job}` };
      let rows = new Uint32Array(Math.min(request.end - request.start, 4096));
      let count = 0;
      for (let index = request.start; index < request.end; index++) {
        if (!job.filter.matches(decoded.again(index, job.dissection))) continue;
        if (count === rows.length) rows = doubled(rows);
        rows[count++] = index;
      }
      return { type: 'rows', job: request.job, start: request.start, end: request.end, rows: rows.slice(0, count) };
    }
    case 'done':
      filters.delete(request.job);
      return undefined;
  }
}

parentPort?.on('message', (request: PoolRequest) => {
  let reply: PoolReply | undefined;
  try {
    reply = handle(request);
  } catch (error) {
    reply = { type: 'failed', job: 'job' in request ? request.job : -1, message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  if (reply === undefined) return;
  parentPort?.postMessage(reply, reply.type === 'rows' ? [reply.rows.buffer] : []);
});
