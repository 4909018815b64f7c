// Buffered synchronous output to a file or stdout: capture writers emit many small records and a
// write call per record would dominate the cost of `-w`.
import { closeSync, openSync, writeSync } from 'node:fs';
import { writeFailure } from './errors.js';

const BUFFER_SIZE = 1 << 20;

export class ByteSink {
  private readonly buffer = new Uint8Array(BUFFER_SIZE);
  readonly view = new DataView(this.buffer.buffer);
  private used = 0;
  private readonly fd: number;
  private readonly ownsFd: boolean;
  /** Bytes written so far, including what is still buffered. */
  written = 0;
  /** Bytes already handed to the file (readable from it). */
  flushedBytes = 0;

  constructor(private readonly path: string) {
    this.ownsFd = path !== '-';
    try {
      this.fd = this.ownsFd ? openSync(path, 'w') : 1;
    } catch (error) {
      throw writeFailure(path, error);
    }
  }

  /** Reserves `length` contiguous bytes and returns their index in `bytes`; the caller fills them. */
  reserve(length: number): number {
    if (this.used + length > BUFFER_SIZE) this.flush();
    if (length > BUFFER_SIZE) throw new RangeError(`record of ${length} bytes exceeds the sink buffer`);
    const at = this.used;
    this.used += length;
    this.written += length;
    return at;
  }

  get bytes(): Uint8Array {
    return this.buffer;
  }

  flush(): void {
    let offset = 0;
    try {
      while (offset < this.used) offset += writeSync(this.fd, this.buffer, offset, this.used - offset);
    } catch (error) {
      throw writeFailure(this.path, error);
    }
    this.flushedBytes += this.used;
    this.used = 0;
  }

  close(): void {
    try {
      this.flush();
    } finally {
      if (this.ownsFd) closeSync(this.fd);
    }
  }
}
