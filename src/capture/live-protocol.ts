// What the main thread and the capture worker (live-worker.ts) say to each other.
import type { HandlePlan } from './live-sources.js';
import type { DropProbeOffsets } from './drop-probe.js';
import type { HandleStats, OpenedHandle } from './native/addon.js';

/** Slots of the shared Int32Array both threads see. */
export const Control = { STATE: 0, BYTES_IN_FLIGHT: 1 } as const;
export const CONTROL_SLOTS = 2;

/** The main thread moves STATE from OPENED to RUN (privileges dropped) and from either to STOP. */
export const ControlState = { OPENED: 0, RUN: 1, STOP: 2 } as const;

export interface WorkerData {
  handles: HandlePlan[];
  snaplen: number;
  promiscuous: boolean;
  bufferBytes: number;
  filter: string;
  /** Read the kernel's nftables trace events too (--trace). */
  traceEvents: boolean;
  /** Run the drop probe, built for these sk_buff offsets (--drops). */
  dropProbe: DropProbeOffsets | undefined;
  control: SharedArrayBuffer;
}

export type WorkerMessage =
  /** `dropProbeFailure`: why the drop probe asked for could not run (the capture goes on without it). */
  | { type: 'opened'; handles: OpenedHandle[]; dropProbeFailure: string | undefined }
  | { type: 'failed'; device: string; code: string; message: string }
  /** Records as pcap_binding.cc packs them, in timestamp order; `length` bytes of `buffer` are used. */
  | { type: 'batch'; buffer: ArrayBuffer; length: number }
  | { type: 'stats'; stats: HandleStats[] }
  /** A source whose handles failed (its device or its namespace went away) while the others go on. */
  | { type: 'ended'; interfaceId: number; message: string }
  /**
   * nftables trace events as nft_trace.cc packs them, read at `seconds` (since the epoch), sent before
   * the frames read with them; `overruns`: times the kernel had to drop events since the last message.
   */
  | { type: 'traces'; buffer: ArrayBuffer; length: number; seconds: number; overruns: number }
  /**
   * The drop probe's records (DROP_RECORD_BYTES each), read at `seconds` and sent before the frames read
   * with them; `lost`: records its ring had no room for, in all.
   */
  | { type: 'drops'; buffer: ArrayBuffer; length: number; seconds: number; lost: number }
  /** The last message: the final counts, and what stopped capture early, if anything did. */
  | { type: 'stopped'; stats: HandleStats[]; error: string | undefined };
