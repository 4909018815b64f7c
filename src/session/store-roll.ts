// --keep: the interface's memory bounded for a capture that runs for days. When the decoded store holds
// more than the bound, a store that carries on from its newest half (the same indexes, numbers and times;
// none of the older frames' memory, TCP streams or reassembly) is built in the background, a slice at a
// time, while the capture goes on appending to the old one; once it has caught up, the session takes it
// and lets the old one go (its spill file deleted). At most the bound and a half is held meanwhile.
import { MAX_CAPLEN } from '../capture/frame.js';
import { AddonMissingError, loadPcapAddon } from '../capture/native/addon.js';
import type { DecodedStore } from './decoded-store.js';

export type KeepBound = { frames: number } | { megabytes: number };

export type KeepParse = { ok: true; bound: KeepBound } | { ok: false; error: string };

/** What a store keeps when it lets the older frames go: the newest share of the bound. */
const KEPT_SHARE = 0.5;
/** Bytes a frame costs besides its own (the index's columns, the decoder's remembered results, summaries). */
const FRAME_OVERHEAD = 100;
/** Frames copied into the new store between two turns of the event loop (the interface stays live). */
const SLICE_FRAMES = 1_000;
/** glibc's own first mmap threshold: the store's chunks and the index's columns are well above it. */
const MMAP_THRESHOLD = 128 << 10;
/** The default for a live capture or a pipe: half a million frames, some 100-300 MB on a busy link. */
export const DEFAULT_KEEP: KeepBound = { frames: 500_000 };

/** `--keep 200000` (frames) or `--keep 300MB`. */
export function parseKeep(text: string): KeepParse {
  const match = /^(\d+)\s*(MB|M)?$/i.exec(text.trim());
  const value = match ? Number(match[1]) : 0;
  if (!match || value < 1) return { ok: false, error: `invalid --keep "${text}": expected a number of frames (200000) or megabytes (300MB)` };
  if (match[2]) return value < 10 ? { ok: false, error: `invalid --keep "${text}": at least 10MB` } : { ok: true, bound: { megabytes: value } };
  return value < 1000 ? { ok: false, error: `invalid --keep "${text}": at least 1000 frames` } : { ok: true, bound: { frames: value } };
}

export function describeKeep(bound: KeepBound): string {
  return 'frames' in bound ? `${bound.frames} frames` : `${bound.megabytes} MB`;
}

/** Whether `decoded` holds more than `bound`. */
function over(decoded: DecodedStore, bound: KeepBound): boolean {
  const store = decoded.store;
  const held = store.count - store.first;
  return 'frames' in bound ? held > bound.frames : store.bytesHeld + held * FRAME_OVERHEAD > bound.megabytes * 1_000_000;
}

/** The first frame the next store keeps: the newest share of what the bound allows. */
function keptFrom(decoded: DecodedStore, bound: KeepBound): number {
  const store = decoded.store;
  if ('frames' in bound) return store.count - Math.floor(bound.frames * KEPT_SHARE);
  // By bytes: back from the newest frame until the share of the bound is reached.
  const budget = bound.megabytes * 1_000_000 * KEPT_SHARE;
  let used = 0;
  let from = store.count;
  while (from > store.first && used + store.capturedLengthOf(from - 1) + FRAME_OVERHEAD <= budget) used += store.capturedLengthOf(--from) + FRAME_OVERHEAD;
  return Math.min(from, store.count - 1);
}

/**
 * Every roll frees a store's chunks and columns and allocates the next one's; glibc, left to raise its mmap
 * threshold, serves them from heaps they fragment (RSS doubled in bench/soak). The threshold is set through
 * the libpcap addon: without it (a build with no libpcap, reading a pipe) the process keeps glibc's default.
 */
function holdLargeBlocksMapped(): void {
  try {
    loadPcapAddon().holdMmapThreshold(MMAP_THRESHOLD);
  } catch (error) {
    if (!(error instanceof AddonMissingError)) throw error;
  }
}

export class StoreRoll {
  private building: AbortController | undefined;
  private readonly buffer = new Uint8Array(MAX_CAPLEN);

  /** `takeOver`: the new store has every frame the old one has; the session moves to it now. */
  constructor(
    readonly bound: KeepBound,
    private readonly takeOver: (next: DecodedStore) => void,
  ) {
    holdLargeBlocksMapped();
  }

  /** Called as frames are appended: starts a new store when `decoded` holds more than the bound. */
  check(decoded: DecodedStore): void {
    if (this.building !== undefined || !over(decoded, this.bound)) return;
    const controller = new AbortController();
    this.building = controller;
    void this.build(decoded, keptFrom(decoded, this.bound), controller.signal).finally(() => {
      if (this.building === controller) this.building = undefined;
    });
  }

  stop(): void {
    this.building?.abort();
    this.building = undefined;
  }

  private async build(old: DecodedStore, from: number, signal: AbortSignal): Promise<void> {
    const next = old.carriedOnFrom(from);
    // The old store keeps growing while this runs: the copy chases its end, a slice at a time.
    while (!signal.aborted) {
      const end = Math.min(old.count, next.count + SLICE_FRAMES);
      for (let index = next.count; index < end; index++) next.append(old.store.frame(index, this.buffer), old.store.interfaces);
      if (next.count === old.count) return this.takeOver(next);
      await new Promise((resume) => setImmediate(resume));
    }
    next.store.close();
  }
}
