// Reading whole captures into memory for tests, and writing them back.
import { createHash } from 'node:crypto';
import { openCapture } from '../../src/capture/capture-reader.js';
import { createCaptureWriter, type CaptureFormat } from '../../src/capture/capture-writer.js';
import type { Frame, InterfaceInfo } from '../../src/capture/frame.js';
import { tshark } from './tshark.js';

export interface StoredFrame {
  frame: Frame;
  iface: InterfaceInfo;
}

export interface Capture {
  frames: StoredFrame[];
  nanosecond: boolean;
  /** The reader's error, if the file is damaged: frames before it are in `frames`. */
  error: Error | undefined;
}

export async function readAll(path: string): Promise<Capture> {
  let reader;
  try {
    reader = await openCapture(path);
  } catch (error) {
    return { frames: [], nanosecond: false, error: error as Error };
  }
  const frames: StoredFrame[] = [];
  let error: Error | undefined;
  try {
    await reader.read((frame) => {
      frames.push({ frame: { ...frame, data: frame.data.slice() }, iface: reader.interfaces[frame.interfaceId] });
    });
  } catch (caught) {
    error = caught as Error;
  } finally {
    await reader.close();
  }
  return { frames, nanosecond: reader.nanosecond, error };
}

export function writeAll(path: string, capture: Capture, format: CaptureFormat): void {
  const writer = createCaptureWriter(path, { format, nanosecond: capture.nanosecond });
  try {
    for (const { frame, iface } of capture.frames) writer.write(frame, iface);
  } finally {
    writer.close();
  }
}

/** One line per frame as the round-trip compares them: epoch ns, lengths, md5 of the bytes. */
export function frameSignature(frame: Frame): string {
  const ns = BigInt(frame.tsSec) * 1_000_000_000n + BigInt(frame.tsNsec);
  return `${ns} ${frame.originalLength} ${frame.capturedLength} ${createHash('md5').update(frame.data).digest('hex')}`;
}

/** tshark prints `seconds.nanoseconds` with the nanoseconds as an integer (even when ≥ 1e9). */
export function tsharkSignature(epoch: string, len: string, capLen: string, md5: string): string {
  const [seconds, nanoseconds] = epoch.split('.');
  return `${BigInt(seconds) * 1_000_000_000n + BigInt(nanoseconds)} ${len} ${capLen} ${md5}`;
}

/** Every frame of `file` as tshark reads it, in frameSignature's form; an error when tshark cannot read it. */
export async function tsharkSignatures(file: string): Promise<string[]> {
  const result = await tshark(['-r', file, '-o', 'frame.generate_md5_hash:TRUE', '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.len', '-e', 'frame.cap_len', '-e', 'frame.md5_hash']);
  if (result.status !== 0) throw new Error(`tshark cannot read ${file}: ${result.stderr}`);
  return result.stdout.split('\n').slice(0, -1).map((line) => {
    const [epoch, len, capLen, md5] = line.split('\t');
    return tsharkSignature(epoch, len, capLen, md5);
  });
}
