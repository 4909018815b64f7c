// Buffered text output to a file descriptor. Writes are synchronous so print mode needs no event-loop
// turns per frame; a closed pipe (`tsshark ... | head`) ends output quietly instead of failing.
import { writeSync } from 'node:fs';

const BUFFER_BYTES = 1 << 18;
/** UTF-8 takes at most three bytes for one UTF-16 code unit. */
const MAX_BYTES_PER_UNIT = 3;

export class TextOutput {
  /** Each piece is encoded into it as it comes: no string of a whole block to build and encode again. */
  private readonly buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;
  /** Set once the reader of our output has gone away. */
  closed = false;

  constructor(private readonly fd: number) {}

  write(text: string): void {
    const most = text.length * MAX_BYTES_PER_UNIT;
    if (this.used + most > BUFFER_BYTES) {
      this.flush();
      if (most > BUFFER_BYTES) {
        this.writeAll(Buffer.from(text, 'utf8'));
        return;
      }
    }
    this.used += this.buffer.write(text, this.used, 'utf8');
  }

  flush(): void {
    if (this.used === 0) return;
    const used = this.used;
    this.used = 0;
    this.writeAll(this.buffer.subarray(0, used));
  }

  private writeAll(bytes: Uint8Array): void {
    let offset = 0;
    while (offset < bytes.length && !this.closed) {
      try {
        offset += writeSync(this.fd, bytes, offset, bytes.length - offset);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
          continue;
        }
        if (code === 'EPIPE') {
          this.closed = true;
          return;
        }
        throw error;
      }
    }
  }
}
