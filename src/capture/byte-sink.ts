// Buffered synchronous output to a file or stdout: capture writers emit many small records and a
// write call per record would dominate the cost of `-w`.
import { closeSync, openSync, writeSync } from 'node:fs';

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

  constructor(path: string) {
    this.ownsFd = path !== '-';
    this.fd = this.ownsFd ? openSync(path, 'w') : 1;
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
    while (offset < this.used) offset += writeSync(this.fd, this.buffer, offset, this.used - offset);
    this.flushedBytes += this.used;
    this.used = 0;
  }

  close(): void {
    this.flush();
    if (this.ownsFd) closeSync(this.fd);
  }
}
