// Buffered text output to a file descriptor. Writes are synchronous so print mode needs no event-loop
// turns per frame; a closed pipe (`tsshark ... | head`) ends output quietly instead of failing.
import { writeSync } from 'node:fs';

const FLUSH_AT = 1 << 16;

export class TextOutput {
  private pending = '';
  /** Set once the reader of our output has gone away. */
  closed = false;

  constructor(private readonly fd: number) {}

  write(text: string): void {
    this.pending += text;
    if (this.pending.length >= FLUSH_AT) this.flush();
  }

  flush(): void {
    if (this.pending === '' || this.closed) return;
    const bytes = Buffer.from(this.pending, 'utf8');
    this.pending = '';
    let offset = 0;
    while (offset < bytes.length) {
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
