// Multiple files for an unattended capture (tshark's and dumpcap's `-b`): the frames go to a file until it
// reaches a size, a duration or a count of packets, then to the next, each a complete capture file of its
// own (pcapng: its own section and interfaces, the taps' annotations kept); with `files:N` only the newest
// N are kept. Files are named as dumpcap names them: `out.pcapng` gives `out_00001_20261201205632.pcapng`
// (a number, then the local time the file was begun). Every frame is written to exactly one file.
// A live capture counts a duration on the wall clock from the file's opening, as dumpcap does: the first
// file is opened at the start and a quiet link still gets its (empty) file each period. Reading a file
// (which tshark refuses to split) counts it in frame time, from the file's first frame.
import { unlinkSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { CaptureWriteError } from './errors.js';
import { createCaptureWriter, type CaptureWriter, type WriterOptions } from './capture-writer.js';
import type { Frame, InterfaceInfo, TapAnnotation } from './frame.js';

export interface RingOptions {
  /** Switch after a file reaches this many kB (1000 bytes, as dumpcap counts them). */
  filesizeKB?: number;
  /** Switch once the file is this many seconds old (wall clock, or frame time reading a file). */
  durationSec?: number;
  /** Switch after this many packets. */
  packets?: number;
  /** Keep only the newest this many files (0 or absent: all). */
  files?: number;
}

export type RingParse = { ok: true; options: RingOptions } | { ok: false; error: string };

const KEYS = { filesize: 'filesizeKB', duration: 'durationSec', packets: 'packets', files: 'files' } as const;

/** `-b` arguments as tshark takes them, with its messages. */
export function parseRingOptions(settings: readonly string[]): RingParse {
  const options: RingOptions = {};
  for (const setting of settings) {
    const match = /^([a-z]+):(.*)$/.exec(setting);
    const key = match !== null && match[1] in KEYS ? KEYS[match[1] as keyof typeof KEYS] : undefined;
    if (match === null || key === undefined) return { ok: false, error: `invalid -b "${setting}": expected filesize:KB, duration:SECONDS, packets:N or files:N` };
    const value = match[2];
    const valid = key === 'durationSec' ? /^\d+(\.\d+)?$/.test(value) && Number(value) > 0 : /^\d+$/.test(value) && (key === 'files' || Number(value) > 0);
    if (!valid) return { ok: false, error: `The specified ring buffer ${match[1]} "${value}" isn't a ${key === 'durationSec' ? 'positive number' : 'positive decimal number'}` };
    options[key] = Number(value);
  }
  if (options.filesizeKB === undefined && options.durationSec === undefined && options.packets === undefined) {
    return { ok: false, error: 'Multiple capture files requested, but no maximum capture file size, duration, interval or packets were specified.' };
  }
  return { ok: true, options };
}

const two = (value: number) => String(value).padStart(2, '0');

/** dumpcap's name for file `number` of `path`, begun at `when`. */
export function ringFileName(path: string, number: number, when: Date): string {
  const suffix = extname(path);
  const prefix = basename(path, suffix);
  const stamp = `${when.getFullYear()}${two(when.getMonth() + 1)}${two(when.getDate())}${two(when.getHours())}${two(when.getMinutes())}${two(when.getSeconds())}`;
  return join(dirname(path), `${prefix}_${String(number).padStart(5, '0')}_${stamp}${suffix}`);
}

export class RingWriter implements CaptureWriter {
  private current: CaptureWriter | undefined;
  private fileNumber = 0;
  /** The files written, oldest first (those `files:N` removed are gone from it). */
  readonly paths: string[] = [];
  private framesInFile = 0;
  /** When the file was begun, in seconds on the clock durations are counted by. */
  private begunSecond = 0;
  private written = 0;
  private closed = false;
  /** Why the file a tick was to begin could not be: the next write or the close throws it. */
  private failure: CaptureWriteError | undefined;

  /**
   * `now`: the clock files are named by, and with `live` the one durations are counted by; a live writer
   * opens its first file at once and its owner calls `tick` so that a duration ends without a frame.
   */
  constructor(
    private readonly path: string,
    private readonly writerOptions: WriterOptions,
    private readonly ring: RingOptions,
    private readonly live = false,
    private readonly now: () => Date = () => new Date(),
  ) {
    if (live) this.open(this.wallSecond());
  }

  get framesWritten(): number {
    return this.written;
  }

  get bytesWritten(): number {
    return this.bytesInFile();
  }

  /** The file being written, for what is added at its end (the drops' table). */
  get writer(): CaptureWriter | undefined {
    return this.current;
  }

  write(frame: Frame, iface: InterfaceInfo, tap?: TapAnnotation): void {
    if (this.failure !== undefined) throw this.failure;
    const second = this.live ? this.wallSecond() : frame.tsSec + frame.tsNsec / 1e9;
    this.switchIfOld(second);
    if (this.current === undefined) this.open(second);
    (this.current as CaptureWriter).write(frame, iface, tap);
    this.written++;
    this.framesInFile++;
    const size = this.ring.filesizeKB;
    if ((size !== undefined && this.bytesInFile() >= size * 1000) || (this.ring.packets !== undefined && this.framesInFile >= this.ring.packets)) this.next();
  }

  /**
   * A live writer's duration ends on time: the next file is begun even if no frame comes. False when that
   * file could not be begun (a timer has no caller to throw to).
   */
  tick(): boolean {
    if (!this.live || this.closed || this.failure !== undefined) return this.failure === undefined;
    try {
      const second = this.wallSecond();
      if (this.switchIfOld(second) || this.current === undefined) this.open(second);
      return true;
    } catch (error) {
      if (!(error instanceof CaptureWriteError)) throw error;
      this.failure = error;
      return false;
    }
  }

  close(): void {
    this.closed = true;
    this.current?.close();
    this.current = undefined;
    if (this.failure !== undefined) throw this.failure;
  }

  private bytesInFile(): number {
    return this.current?.bytesWritten ?? 0;
  }

  private wallSecond(): number {
    return this.now().getTime() / 1000;
  }

  private switchIfOld(second: number): boolean {
    const duration = this.ring.durationSec;
    if (this.current === undefined || duration === undefined || second - this.begunSecond < duration) return false;
    this.next();
    return true;
  }

  private open(second: number): void {
    const path = ringFileName(this.path, ++this.fileNumber, this.now());
    this.current = createCaptureWriter(path, this.writerOptions);
    this.paths.push(path);
    this.framesInFile = 0;
    this.begunSecond = second;
    const keep = this.ring.files;
    if (keep !== undefined && keep > 0) while (this.paths.length > keep) unlinkSync(this.paths.shift() as string);
  }

  /** The file is complete: the next frame begins another. */
  private next(): void {
    this.current?.close();
    this.current = undefined;
  }
}
