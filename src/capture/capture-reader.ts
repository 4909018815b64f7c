// Opens a capture by path (or `-` for stdin) and picks the reader by the file's first four bytes.
import { ChunkedInput, openFileSource, streamSource, type ByteSource } from './chunked-input.js';
import { CaptureFileError } from './errors.js';
import type { Frame, InterfaceInfo } from './frame.js';
import { isPcapMagic, PcapReader } from './pcap-reader.js';
import { MAX_BLOCK_LENGTH } from './pcapng-format.js';
import { isPcapngMagic, PcapngReader } from './pcapng-reader.js';

export type FrameCallback = (frame: Frame) => boolean | void;

export interface CaptureReader {
  /** Grows as interface descriptions are read; a frame's interfaceId indexes it. */
  readonly interfaces: readonly InterfaceInfo[];
  /** Whether timestamps carry more than microsecond precision (pcap writers then use the ns magic). */
  readonly nanosecond: boolean;
  /**
   * Calls `onFrame` for each frame in file order until it returns false or the file ends. A fault in
   * the file throws CaptureFileError, after every frame before it was delivered.
   */
  read(onFrame: FrameCallback): Promise<void>;
  close(): Promise<void>;
}

export async function openCapture(path: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<CaptureReader> {
  const name = path === '-' ? 'standard input' : path;
  const source: ByteSource = path === '-' ? streamSource(stdin as import('node:stream').Readable) : await openFileSource(path);
  try {
    const input = new ChunkedInput(source, MAX_BLOCK_LENGTH);
    if (!(await input.ensure(4))) {
      throw new CaptureFileError(name, input.end, `file is too short to be a capture (${input.end} bytes)`);
    }
    const magic = input.view.getUint32(0, false);
    if (isPcapMagic(magic)) return await PcapReader.open(name, input, source);
    if (isPcapngMagic(magic)) return await PcapngReader.open(name, input, source);
    throw new CaptureFileError(name, 0, `not a pcap or pcapng file (magic 0x${magic.toString(16).padStart(8, '0')})`);
  } catch (error) {
    await source.close();
    throw error;
  }
}
