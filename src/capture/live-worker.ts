// The capture worker: owns the pcap handles, waits on them, and sends frames to the main thread in batches
// (transferred ArrayBuffers, at most every BATCH_INTERVAL_MS or when full), merged across handles in
// timestamp order. The main thread is never blocked by capture, and capture never waits for the main
// thread: when too many bytes are unread there, the worker stops reading and the kernel counts the drops.
import { existsSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { Control, ControlState, type WorkerData, type WorkerMessage } from './live-protocol.js';
import { DROP_RECORD_BYTES } from './drop-probe.js';
import { loadPcapAddon, Record, RECORD_LITTLE_ENDIAN, type DropProbe, type HandleStats, type OpenedHandle } from './native/addon.js';

const STAGING_BYTES = 8 << 20;
const BATCH_BYTES = 1 << 20;
const BATCH_INTERVAL_MS = 20;
const POLL_MS = 10;
const STATS_INTERVAL_MS = 1000;
/**
 * The kernel hands frames over a ring block at a time: when the block fills, or BLOCK_TIMEOUT_MS after its
 * first frame. Not immediate mode: libpcap serves that with TPACKET_V2, one snaplen-sized slot per frame,
 * and its default 2 MiB buffer then holds 7 frames (bench/live: 27% of a 280k frames/s flood dropped).
 */
const BLOCK_TIMEOUT_MS = 10;
/**
 * How far behind the clock a handle that had nothing to read may still hold frames (a block not yet
 * handed over). Frames of other handles wait this long so that a late frame is not sent after a later one.
 */
const HOLDBACK_NS = 50e6;
const MAX_BYTES_IN_FLIGHT = 64 << 20;
/** Trace events one read takes at most (a few hundred bytes each). */
const TRACE_BYTES = 1 << 20;
/** Drop probe records one read takes at most; the rest wait in the probe's ring for the next. */
const DROP_BYTES = DROP_RECORD_BYTES * 4096;

interface Staged {
  id: number;
  interfaceId: number;
  /** Its handle failed (the device went away): it is read no more. */
  ended: boolean;
  bytes: Uint8Array;
  view: DataView;
  /** Records not yet sent lie in [start, end). */
  start: number;
  end: number;
  lastKey: number;
  /** No frames were left in the handle when it was last read, at this time (a key). */
  drainedAt: number | undefined;
}

const data = workerData as WorkerData;
const port = parentPort as NonNullable<typeof parentPort>;
const control = new Int32Array(data.control);
const addon = loadPcapAddon();
const opened: OpenedHandle[] = [];
let traceSocket: number | undefined;
let traceBytes = new Uint8Array(0);
let dropProbe: DropProbe | undefined;
let dropBytes = new Uint8Array(0);
let dropsLost = 0;

function post(message: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

function openAll(): boolean {
  for (const plan of data.handles) {
    try {
      const open = () => addon.open({ ...plan, snaplen: data.snaplen, promiscuous: data.promiscuous, timeoutMs: BLOCK_TIMEOUT_MS, bufferBytes: data.bufferBytes, filter: data.filter });
      // A handle opened with this thread in another namespace stays bound to it; the thread comes back.
      opened.push(plan.netns === undefined ? open() : addon.netnsRun(plan.netns, open));
    } catch (error) {
      for (const handle of opened) addon.close(handle.id);
      const code = (error as { code?: string }).code ?? 'EPCAP';
      post({ type: 'failed', device: plan.device, code, message: (error as Error).message });
      return false;
    }
  }
  if (data.traceEvents) {
    try {
      traceSocket = addon.nftTraceOpen();
      traceBytes = new Uint8Array(TRACE_BYTES);
    } catch (error) {
      for (const handle of opened) addon.close(handle.id);
      post({ type: 'failed', device: 'nftables trace', code: (error as { code?: string }).code ?? 'ENETLINK', message: (error as Error).message });
      return false;
    }
  }
  let dropProbeFailure: string | undefined;
  if (data.dropProbe !== undefined) {
    try {
      dropProbe = addon.dropProbeOpen(data.dropProbe);
      dropBytes = new Uint8Array(DROP_BYTES);
    } catch (error) {
      dropProbeFailure = (error as Error).message;
    }
  }
  post({ type: 'opened', handles: opened, dropProbeFailure });
  return true;
}

/** Sends the drop probe's records, before the frames read so far: a packet is copied before it is dropped. */
function sendDrops(): void {
  if (dropProbe === undefined) return;
  const { end, lost } = addon.dropProbeRead(dropProbe, dropBytes, 0);
  if (end === 0 && lost === dropsLost) return;
  dropsLost = lost;
  const buffer = dropBytes.buffer.slice(0, end) as ArrayBuffer;
  post({ type: 'drops', buffer, length: end, seconds: Date.now() / 1000, lost }, [buffer]);
}

/**
 * Sends the trace events waiting, before the frames read so far: a frame copied before netfilter saw its
 * packet was read before the events, which the kernel sends as the packet passes.
 */
function sendTraces(): void {
  if (traceSocket === undefined) return;
  const { end, overruns } = addon.nftTraceRead(traceSocket, traceBytes, 0);
  if (end === 0 && overruns === 0) return;
  const buffer = traceBytes.buffer.slice(0, end) as ArrayBuffer;
  post({ type: 'traces', buffer, length: end, seconds: Date.now() / 1000, overruns }, [buffer]);
}

/** Timestamps as nanoseconds since a base second: exact in a double for 100 days. */
let baseSec: number | undefined;

function keyAt(view: DataView, at: number): number {
  const sec = view.getUint32(at + Record.TS_SEC, RECORD_LITTLE_ENDIAN);
  baseSec ??= sec;
  return (sec - baseSec) * 1e9 + view.getUint32(at + Record.TS_NSEC, RECORD_LITTLE_ENDIAN);
}

function nowKey(): number {
  const ms = Date.now();
  baseSec ??= Math.floor(ms / 1000);
  return (ms - baseSec * 1000) * 1e6;
}

class Sender {
  private bytes = new Uint8Array(BATCH_BYTES);
  private end = 0;
  private startedAt = Date.now();

  /** Copies one record in, sending the batch first when it has no room. */
  add(source: Uint8Array, at: number, length: number): void {
    // A record (at most recordReserve bytes) always fits an empty batch.
    if (this.bytes.length - this.end < length) this.send();
    this.bytes.set(source.subarray(at, at + length), this.end);
    this.end += length;
  }

  sendIfDue(): void {
    if (this.end > 0 && Date.now() - this.startedAt >= BATCH_INTERVAL_MS) this.send();
  }

  send(): void {
    if (this.end > 0) {
      Atomics.add(control, Control.BYTES_IN_FLIGHT, this.end);
      post({ type: 'batch', buffer: this.bytes.buffer as ArrayBuffer, length: this.end }, [this.bytes.buffer as ArrayBuffer]);
      this.bytes = new Uint8Array(BATCH_BYTES);
    }
    this.end = 0;
    this.startedAt = Date.now();
  }
}

/**
 * A handle that fails ends its source, which the main thread is told of, and is closed; the capture goes on
 * with the others (a namespace removed while captured); the last one's failure ends the capture. Returns
 * the ids still to wait on.
 */
function endHandle(handle: Staged, staged: readonly Staged[], error: unknown): number[] {
  const live = staged.filter((other) => !other.ended && other !== handle);
  if (live.length === 0) throw error;
  handle.ended = true;
  // Its socket would keep the device's namespace alive until the capture ends.
  addon.close(handle.id);
  opened.splice(opened.findIndex((open) => open.id === handle.id), 1);
  // A source's other handle (its other direction) fails with it: the source is told of once.
  if (!staged.some((other) => other !== handle && other.ended && other.interfaceId === handle.interfaceId)) {
    post({ type: 'ended', interfaceId: handle.interfaceId, message: (error as Error).message });
  }
  return live.map((other) => other.id);
}

/**
 * A handle's socket keeps its namespace alive after `ip netns del` or its process's end: a source whose
 * namespace file is gone is ended and its handle closed, which lets the namespace and its devices go.
 */
function endRemovedNamespaces(staged: readonly Staged[], ids: number[]): number[] {
  staged.forEach((handle, index) => {
    const path = data.handles[index].netns;
    if (handle.ended || path === undefined || existsSync(path)) return;
    ids = endHandle(handle, staged, new Error('its network namespace was removed'));
  });
  return ids;
}

/** Reads whatever each handle has ready into its staging buffer; notes which handles were emptied. Returns the ids to wait on. */
function readAll(staged: readonly Staged[], ids: number[]): number[] {
  for (const handle of staged) {
    if (handle.ended) continue;
    if (handle.start > 0) {
      handle.bytes.copyWithin(0, handle.start, handle.end);
      handle.end -= handle.start;
      handle.start = 0;
    }
    const before = handle.end;
    const now = nowKey();
    try {
      handle.end = addon.capture(handle.id, handle.bytes, handle.end);
    } catch (error) {
      ids = endHandle(handle, staged, error);
      continue;
    }
    handle.drainedAt = handle.bytes.length - handle.end >= addon.recordReserve ? now : undefined;
    for (let at = before; at < handle.end; at += handle.view.getUint32(at + Record.LENGTH, RECORD_LITTLE_ENDIAN)) handle.lastKey = keyAt(handle.view, at);
  }
  return ids;
}

/** Sends, in timestamp order, every staged frame no handle can still precede; all of them when `flush`. */
function merge(staged: readonly Staged[], sender: Sender, flush: boolean): void {
  let safe = Infinity;
  if (!flush && staged.length > 1) {
    for (const handle of staged) {
      // An ended handle sends nothing more: it holds no other back.
      if (handle.ended) continue;
      const bound = handle.drainedAt === undefined ? handle.lastKey : Math.max(handle.lastKey, handle.drainedAt - HOLDBACK_NS);
      safe = Math.min(safe, bound);
    }
  }
  for (;;) {
    let next: Staged | undefined;
    let nextKey = safe;
    for (const handle of staged) {
      if (handle.start === handle.end) continue;
      const key = keyAt(handle.view, handle.start);
      if (key <= nextKey) {
        next = handle;
        nextKey = key;
      }
    }
    if (next === undefined) return;
    const length = next.view.getUint32(next.start + Record.LENGTH, RECORD_LITTLE_ENDIAN);
    sender.add(next.bytes, next.start, length);
    next.start += length;
  }
}

/** A handle whose statistics cannot be read (its interface went away) counts nothing. */
function statsOf(): HandleStats[] {
  return opened.map((handle) => {
    try {
      return addon.stats(handle.id);
    } catch {
      return { received: 0, dropped: 0, interfaceDropped: 0 };
    }
  });
}

function capture(): void {
  const staged: Staged[] = opened.map((handle, index) => {
    const bytes = new Uint8Array(STAGING_BYTES);
    return { id: handle.id, interfaceId: data.handles[index].interfaceId, ended: false, bytes, view: new DataView(bytes.buffer), start: 0, end: 0, lastKey: -Infinity, drainedAt: undefined };
  });
  let ids = opened.map((handle) => handle.id);
  const sender = new Sender();
  let statsAt = Date.now();
  try {
    while (Atomics.load(control, Control.STATE) === ControlState.RUN) {
      if (Atomics.load(control, Control.BYTES_IN_FLIGHT) > MAX_BYTES_IN_FLIGHT) {
        Atomics.wait(control, Control.STATE, ControlState.RUN, POLL_MS);
        continue;
      }
      addon.wait(ids, POLL_MS);
      ids = readAll(staged, ids);
      sendTraces();
      sendDrops();
      merge(staged, sender, false);
      sender.sendIfDue();
      if (Date.now() - statsAt >= STATS_INTERVAL_MS) {
        statsAt = Date.now();
        ids = endRemovedNamespaces(staged, ids);
        post({ type: 'stats', stats: statsOf() });
      }
    }
    // What the kernel already holds is part of the capture: read it before stopping.
    readAll(staged, ids);
    sendTraces();
    sendDrops();
    merge(staged, sender, true);
    sender.send();
    post({ type: 'stopped', stats: statsOf(), error: undefined });
  } catch (error) {
    merge(staged, sender, true);
    sender.send();
    post({ type: 'stopped', stats: statsOf(), error: (error as Error).message });
  } finally {
    for (const handle of opened) addon.close(handle.id);
    if (traceSocket !== undefined) addon.nftTraceClose(traceSocket);
    if (dropProbe !== undefined) addon.dropProbeClose(dropProbe);
  }
}

if (openAll()) {
  // The main thread drops privileges (setuid applies to every thread) before it lets us read a frame.
  Atomics.wait(control, Control.STATE, ControlState.OPENED);
  capture();
}
