// The Time column in tshark's `-t` formats: relative to the first frame (r, the default), delta from the
// previous captured (d) or displayed (dd) frame, seconds since the epoch (e), and the time of day in
// local time (a, ad with the date, adoy with the day of the year) or UTC (u, ud, udoy). The fraction has
// the capture's resolution (6 or 9 digits), as tshark prints it.
import type { FrameMeta } from '../decode/frame-meta.js';
import { nanosecondsText } from '../decode/field.js';

export const TIME_FORMATS = ['a', 'ad', 'adoy', 'd', 'dd', 'e', 'r', 'u', 'ud', 'udoy'] as const;
export type TimeFormat = (typeof TIME_FORMATS)[number];

export function isTimeFormat(text: string): text is TimeFormat {
  return (TIME_FORMATS as readonly string[]).includes(text);
}

const two = (value: number) => String(value).padStart(2, '0');
const MS_PER_DAY = 86_400_000;

export class TimeColumn {
  /** The last displayed frame's time (for dd), and the text given for it (a frame asked twice gets it again). */
  private displayedSec: number | undefined;
  private displayedNsec = 0;
  private lastNumber = -1;
  private lastText = '';

  constructor(
    private readonly format: TimeFormat,
    private readonly digits: number,
  ) {}

  /** The column for `frame`, which is being displayed. */
  text(frame: FrameMeta): string {
    if (frame.number === this.lastNumber) return this.lastText;
    this.lastNumber = frame.number;
    this.lastText = this.format === 'dd' ? this.deltaDisplayed(frame) : this.textOf(frame);
    return this.lastText;
  }

  private textOf(frame: FrameMeta): string {
    switch (this.format) {
      case 'r':
        return nanosecondsText(frame.relativeNs, this.digits);
      case 'd':
        return nanosecondsText(frame.deltaNs, this.digits);
      case 'e':
        return `${frame.tsSec}.${this.fraction(frame.tsNsec)}`;
      default:
        return this.timeOfDay(frame);
    }
  }

  private deltaDisplayed(frame: FrameMeta): string {
    const previousSec = this.displayedSec ?? frame.tsSec;
    const previousNsec = this.displayedSec === undefined ? frame.tsNsec : this.displayedNsec;
    this.displayedSec = frame.tsSec;
    this.displayedNsec = frame.tsNsec;
    return nanosecondsText((frame.tsSec - previousSec) * 1e9 + (frame.tsNsec - previousNsec), this.digits);
  }

  private timeOfDay(frame: FrameMeta): string {
    const date = new Date(frame.tsSec * 1000);
    const utc = this.format.startsWith('u');
    const year = utc ? date.getUTCFullYear() : date.getFullYear();
    const month = utc ? date.getUTCMonth() : date.getMonth();
    const day = utc ? date.getUTCDate() : date.getDate();
    const time = `${two(utc ? date.getUTCHours() : date.getHours())}:${two(utc ? date.getUTCMinutes() : date.getMinutes())}:${two(utc ? date.getUTCSeconds() : date.getSeconds())}.${this.fraction(frame.tsNsec)}`;
    if (this.format === 'a' || this.format === 'u') return time;
    if (this.format === 'ad' || this.format === 'ud') return `${year}-${two(month + 1)}-${two(day)} ${time}`;
    // adoy, udoy: the day of the year, from 1.
    const dayOfYear = Math.round((Date.UTC(year, month, day) - Date.UTC(year, 0, 1)) / MS_PER_DAY) + 1;
    return `${year}/${String(dayOfYear).padStart(3, '0')} ${time}`;
  }

  private fraction(nanoseconds: number): string {
    return String(nanoseconds).padStart(9, '0').slice(0, this.digits);
  }
}
