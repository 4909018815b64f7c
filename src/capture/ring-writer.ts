// Multiple files for an unattended capture (tshark's and dumpcap's `-b`): the frames go to a file until it
// reaches a size, a duration or a count of packets, then to the next, each a complete capture file of its
// own (pcapng: its own section and interfaces, the taps' annotations kept); with `files:N` only the newest
// N are kept. Files are named as dumpcap names them: `out.pcapng` gives `out_00001_20261201205632.pcapng`
// (a number, then the local time the file was begun). Every frame is written to exactly one file.
import { unlinkSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { createCaptureWriter, type CaptureWriter, type WriterOptions } from './capture-writer.js';
import type { Frame, InterfaceInfo, TapAnnotation } from './frame.js';

export interface RingOptions {
  /** Switch after a file reaches this many kB (1000 bytes, as dumpcap counts them). */
  filesizeKB?: number;
  /** Switch once a frame is this many seconds after the file's first. */
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
  private firstSecond = 0;
  private written = 0;

  /** `now`: the clock files are named by (a test's own). */
  constructor(
    private readonly path: string,
    private readonly writerOptions: WriterOptions,
    private readonly ring: RingOptions,
    private readonly now: () => Date = () => new Date(),
  ) {}

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
    const duration = this.ring.durationSec;
    if (this.current !== undefined && duration !== undefined && frame.tsSec + frame.tsNsec / 1e9 - this.firstSecond >= duration) this.next();
    if (this.current === undefined) this.open(frame);
    (this.current as CaptureWriter).write(frame, iface, tap);
    this.written++;
    this.framesInFile++;
    const size = this.ring.filesizeKB;
    if ((size !== undefined && this.bytesInFile() >= size * 1000) || (this.ring.packets !== undefined && this.framesInFile >= this.ring.packets)) this.next();
  }

  close(): void {
    this.current?.close();
    this.current = undefined;
  }

  private bytesInFile(): number {
    return this.current?.bytesWritten ?? 0;
  }

  private open(frame: Frame): void {
    const path = ringFileName(this.path, ++this.fileNumber, this.now());
    this.current = createCaptureWriter(path, this.writerOptions);
    this.paths.push(path);
    this.framesInFile = 0;
    this.firstSecond = frame.tsSec + frame.tsNsec / 1e9;
    const keep = this.ring.files;
    if (keep !== undefined && keep > 0) while (this.paths.length > keep) unlinkSync(this.paths.shift() as string);
  }

  /** The file is complete: the next frame begins another. */
  private next(): void {
    this.current?.close();
    this.current = undefined;
  }
}
