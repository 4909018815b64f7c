// A followed stream as the lines the Follow view shows, made from its chunks as far as they are needed:
// a chunk's bytes are read (from the frame store) only to count or draw its lines, so a stream of any
// size opens at once and is never held whole. ASCII shows each line of text (other bytes as `.`), hex
// dumps each side at its own offsets, raw writes hex digits.
import type { FollowScan } from '../session/stats/follow-scan.js';
import type { FollowMode } from '../session/stats/follow-statistic.js';
import type { FollowChunk } from '../session/stats/tcp-follow.js';
import { BYTES_PER_LINE, hexLine } from '../util/hex-dump.js';


export interface FollowLine {
  /** Sent by node 1 (the server). */
  server: boolean;
  text: string;
  /** The chunk's first line (its frame starts there). */
  first: boolean;
  frame: number;
}

const RAW_BYTES_PER_LINE = 32;

function asciiText(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += byte === 0x0a ? '\n' : byte === 0x0d ? '' : byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.';
  return text;
}

export class FollowLines {
  /** The first line of each chunk counted so far, and the line after the last. */
  private readonly starts: number[] = [0];
  /** Each side's byte offset at the start of each chunk counted (hex offsets). */
  private readonly offsets: [number, number][] = [[0, 0]];

  constructor(
    private readonly scan: FollowScan,
    readonly mode: FollowMode,
  ) {}

  /** Lines of the chunks counted so far. */
  get counted(): number {
    return this.starts[this.starts.length - 1];
  }

  /** Whether every chunk found so far is counted. */
  get complete(): boolean {
    return this.starts.length - 1 >= this.scan.chunks.length;
  }

  /** Counts chunks until `line` is known (or all are); returns the lines counted. */
  countTo(line: number): number {
    const chunks = this.scan.chunks;
    while (this.counted <= line && this.starts.length - 1 < chunks.length) {
      const index = this.starts.length - 1;
      const chunk = chunks[index];
      this.starts.push(this.counted + this.render(chunk, this.offsets[index]).length);
      const [client, server] = this.offsets[index];
      this.offsets.push(chunk.server ? [client, server + chunk.length] : [client + chunk.length, server]);
    }
    return this.counted;
  }

  /** Lines [from, from+count), as far as the chunks go. */
  lines(from: number, count: number): FollowLine[] {
    this.countTo(from + count);
    const lines: FollowLine[] = [];
    let index = this.chunkAt(from);
    while (lines.length < count && index >= 0 && index < this.starts.length - 1) {
      const chunk = this.scan.chunks[index];
      const texts = this.render(chunk, this.offsets[index]);
      for (let i = Math.max(0, from + lines.length - this.starts[index]); i < texts.length && lines.length < count; i++) {
        lines.push({ server: chunk.server, text: texts[i], first: i === 0, frame: chunk.frame });
      }
      index++;
    }
    return lines;
  }

  /** The next line after `from` (before it when `backwards`) whose text holds `text`, wrapping; -1 when none. */
  find(text: string, from: number, backwards: boolean): number {
    this.countTo(Infinity);
    const chunks = this.starts.length - 1;
    const first = this.chunkAt(from);
    if (first < 0) return -1;
    // Chunk by chunk from the one holding `from`, each rendered once; that chunk again last, for its lines
    // on the other side of `from`.
    for (let step = 0; step <= chunks; step++) {
      const index = (((first + (backwards ? -step : step)) % chunks) + chunks) % chunks;
      const texts = this.render(this.scan.chunks[index], this.offsets[index]);
      for (let k = 0; k < texts.length; k++) {
        const i = backwards ? texts.length - 1 - k : k;
        const line = this.starts[index] + i;
        const pastFrom = backwards ? line < from : line > from;
        if (step === 0 && !pastFrom) continue;
        if (step === chunks && pastFrom) continue;
        if (texts[i].includes(text)) return line;
      }
    }
    return -1;
  }

  /** The chunk holding line `line` (binary search over what is counted). */
  private chunkAt(line: number): number {
    let low = 0;
    let high = this.starts.length - 2;
    if (high < 0) return -1;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if (this.starts[middle] <= line) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  private render(chunk: FollowChunk, offsets: [number, number]): string[] {
    const bytes = this.scan.bytesOf(chunk);
    if (this.mode === 'ascii') {
      const lines = asciiText(bytes).split('\n');
      if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
      return lines;
    }
    const lines: string[] = [];
    const step = this.mode === 'hex' ? BYTES_PER_LINE : RAW_BYTES_PER_LINE;
    const offset = offsets[chunk.server ? 1 : 0];
    for (let at = 0; at < bytes.length; at += step) {
      lines.push(this.mode === 'hex' ? hexLine(bytes, at, offset + at) : Buffer.from(bytes.subarray(at, at + step)).toString('hex'));
    }
    return lines;
  }
}
