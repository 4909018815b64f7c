// Reads a byte stream in chunks so that no file is ever held whole: a parser asks for `n` bytes ahead,
// gets them synchronously when they are buffered and awaits a refill only at chunk boundaries.
import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';

const CHUNK_SIZE = 1 << 20;
/** The first read is smaller: the interface draws its first screen from the first few dozen frames. */
const FIRST_READ_SIZE = 64 << 10;

/** Where the bytes come from: a file (or fifo) by path, or a stream such as stdin. */
export interface ByteSource {
  read(target: Uint8Array, offset: number, length: number): Promise<number>;
  close(): Promise<void>;
}

export async function openFileSource(path: string): Promise<ByteSource> {
  const handle: FileHandle = await open(path, 'r');
  return {
    async read(target, offset, length) {
      const { bytesRead } = await handle.read(target, offset, length, null);
      return bytesRead;
    },
    close: () => handle.close(),
  };
}

export function streamSource(stream: Readable): ByteSource {
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let pending: Uint8Array | undefined;
  return {
    async read(target, offset, length) {
      if (!pending || pending.length === 0) {
        const next = await chunks.next();
        if (next.done) return 0;
        pending = next.value;
      }
      const n = Math.min(length, pending.length);
      target.set(pending.subarray(0, n), offset);
      pending = pending.subarray(n);
      return n;
    },
    async close() {
      await chunks.return?.();
    },
  };
}

export class ChunkedInput {
  buf: Uint8Array;
  view: DataView;
  /** Next unread byte in `buf`. */
  pos = 0;
  /** End of valid bytes in `buf`. */
  end = 0;
  /** Source offset of buf[0]. */
  private base = 0;
  private eof = false;
  /**
   * The next chunk, read while the parser works through this one (the read is a copy on another thread,
   * which would otherwise leave the parser idle for a quarter of a large file's loading): [spareStart, spareEnd).
   */
  private spare: Uint8Array | undefined;
  private spareStart = 0;
  private spareEnd = 0;
  private ahead: Promise<{ got: number; error: unknown }> | undefined;

  constructor(
    private readonly source: ByteSource,
    /** The largest single request a parser may make; bounds the buffer whatever the file claims. */
    readonly maxRequest: number,
  ) {
    this.buf = new Uint8Array(Math.max(CHUNK_SIZE, 64));
    this.view = new DataView(this.buf.buffer);
  }

  get available(): number {
    return this.end - this.pos;
  }

  /** Source offset of the next unread byte. */
  get offset(): number {
    return this.base + this.pos;
  }

  /** Source offset of buf[index]. */
  offsetOf(index: number): number {
    return this.base + index;
  }

  /** Makes `n` bytes available from `pos`; false when the source ends first. */
  async ensure(n: number): Promise<boolean> {
    if (this.end - this.pos >= n) return true;
    if (n > this.maxRequest) throw new RangeError(`request of ${n} bytes exceeds ${this.maxRequest}`);
    this.compact(n);
    while (this.end - this.pos < n && !this.eof) {
      const got = await this.fill(this.buf.length - this.end);
      if (got === 0) this.eof = true;
      this.end += got;
    }
    return this.end - this.pos >= n;
  }

  /** Appends up to `room` bytes to `buf`; 0 at the end of the source. */
  private async fill(room: number): Promise<number> {
    if (this.spare === undefined) {
      this.spare = new Uint8Array(CHUNK_SIZE);
      const got = await this.source.read(this.buf, this.end, Math.min(room, FIRST_READ_SIZE));
      if (got > 0) this.readAhead(this.spare);
      return got;
    }
    if (this.spareStart === this.spareEnd) {
      const { got, error } = await (this.ahead as Promise<{ got: number; error: unknown }>);
      if (error !== undefined) throw error;
      this.spareStart = 0;
      this.spareEnd = got;
      if (got === 0) return 0;
    }
    const got = Math.min(room, this.spareEnd - this.spareStart);
    this.buf.set(this.spare.subarray(this.spareStart, this.spareStart + got), this.end);
    this.spareStart += got;
    if (this.spareStart === this.spareEnd) this.readAhead(this.spare);
    return got;
  }

  private readAhead(into: Uint8Array): void {
    // Settled into a value at once: a failure is thrown when the parser reaches it, never left unhandled.
    this.ahead = this.source.read(into, 0, into.length).then(
      (got) => ({ got, error: undefined }),
      (error: unknown) => ({ got: 0, error }),
    );
  }

  skip(n: number): void {
    this.pos += n;
  }

  /** Moves the unread bytes to the front, growing the buffer only when one request needs more room. */
  private compact(n: number): void {
    const roomAtEnd = this.buf.length - this.end;
    if (this.pos + n <= this.buf.length && roomAtEnd >= CHUNK_SIZE / 4) return;
    const kept = this.end - this.pos;
    if (n + CHUNK_SIZE / 4 > this.buf.length) {
      const grown = new Uint8Array(n + CHUNK_SIZE);
      grown.set(this.buf.subarray(this.pos, this.end));
      this.buf = grown;
      this.view = new DataView(grown.buffer);
    } else {
      this.buf.copyWithin(0, this.pos, this.end);
    }
    this.base += this.pos;
    this.pos = 0;
    this.end = kept;
  }
}
