// Writes chosen frames of the store to a capture file: pcap when the name ends in .pcap, else pcapng
// with each frame's tap (annotation.ts).
import { createCaptureWriter } from '../capture/capture-writer.js';
import { CaptureWriteError } from '../capture/errors.js';
import { MAX_CAPLEN } from '../capture/frame.js';
import type { DecodedStore } from './decoded-store.js';

export type ExportResult = { ok: true; written: number; format: 'pcap' | 'pcapng' } | { ok: false; error: string };

/** `nanosecond`: the source has sub-microsecond timestamps, which a pcap export keeps (nanosecond magic). */
export function exportFrames(decoded: DecodedStore, indexes: Iterable<number>, path: string, nanosecond: boolean): ExportResult {
  const store = decoded.store;
  const format = /\.pcap$/i.test(path) ? 'pcap' : 'pcapng';
  const buffer = new Uint8Array(MAX_CAPLEN);
  let writer;
  try {
    writer = createCaptureWriter(path, { format, nanosecond });
  } catch (error) {
    return { ok: false, error: `Cannot write ${path}: ${(error as Error).message}` };
  }
  try {
    for (const index of indexes) {
      const frame = store.frame(index, buffer);
      // pcapng keeps where the kernel copied each frame; pcap has nowhere to put it.
      writer.write(frame, store.interfaces[frame.interfaceId], format === 'pcapng' ? decoded.tapAnnotation(index) : undefined);
    }
    writer.close();
  } catch (error) {
    if (!(error instanceof CaptureWriteError) && !(error as NodeJS.ErrnoException).code) throw error;
    const written = writer.framesWritten;
    try {
      writer.close();
    } catch {
      // The first error is the one to report; the file is incomplete either way.
    }
    return { ok: false, error: `Cannot write ${path}: ${(error as Error).message} (after ${written} frames)` };
  }
  return { ok: true, written: writer.framesWritten, format };
}
