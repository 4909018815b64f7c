// The Time column in tshark's `-t` formats: relative to the first frame (r, the default; in the interface,
// to the time reference before it), delta from the previous captured (d) or displayed (dd) frame, seconds
// since the epoch (e), and the time of day in local time (a, ad with the date, adoy with the day of the
// year) or UTC (u, ud, udoy). The fraction has the capture's resolution (6 or 9 digits), as tshark prints it.
import type { Timestamp } from './decoder.js';
import type { FrameMeta } from './frame-meta.js';
import { nanosecondsText } from './field.js';

export const TIME_FORMATS = ['a', 'ad', 'adoy', 'd', 'dd', 'e', 'r', 'u', 'ud', 'udoy'] as const;
export type TimeFormat = (typeof TIME_FORMATS)[number];

export function isTimeFormat(text: string): text is TimeFormat {
  return (TIME_FORMATS as readonly string[]).includes(text);
}

export const TIME_FORMAT_NAMES: Readonly<Record<TimeFormat, string>> = {
  r: 'seconds since the first frame',
  d: 'seconds since the previous captured frame',
  dd: 'seconds since the previous displayed frame',
  a: 'time of day',
  ad: 'date and time of day',
  adoy: 'year, day of the year and time of day',
  e: 'seconds since the epoch',
  u: 'time of day, UTC',
  ud: 'date and time of day, UTC',
  udoy: 'year, day of the year and time of day, UTC',
};

const two = (value: number) => String(value).padStart(2, '0');
const MS_PER_DAY = 86_400_000;

const nanosecondsSince = (frame: FrameMeta, since: Timestamp) => (frame.tsSec - since.tsSec) * 1e9 + (frame.tsNsec - since.tsNsec);

/**
 * Frame `frame`'s time in `format` with `digits` places. `since`: for dd the previous displayed frame's
 * time (none: the first displayed, 0), for r a time reference's (none: from the first frame).
 */
export function timeText(format: TimeFormat, digits: number, frame: FrameMeta, since?: Timestamp): string {
  switch (format) {
    case 'r':
      return nanosecondsText(since ? nanosecondsSince(frame, since) : frame.relativeNs, digits);
    case 'd':
      return nanosecondsText(frame.deltaNs, digits);
    case 'dd':
      return nanosecondsText(since ? nanosecondsSince(frame, since) : 0, digits);
    case 'e':
      return `${frame.tsSec}.${fraction(frame.tsNsec, digits)}`;
    default:
      return timeOfDay(format, digits, frame);
  }
}

function timeOfDay(format: TimeFormat, digits: number, frame: FrameMeta): string {
  const date = new Date(frame.tsSec * 1000);
  const utc = format.startsWith('u');
  const year = utc ? date.getUTCFullYear() : date.getFullYear();
  const month = utc ? date.getUTCMonth() : date.getMonth();
  const day = utc ? date.getUTCDate() : date.getDate();
  const time = `${two(utc ? date.getUTCHours() : date.getHours())}:${two(utc ? date.getUTCMinutes() : date.getMinutes())}:${two(utc ? date.getUTCSeconds() : date.getSeconds())}.${fraction(frame.tsNsec, digits)}`;
  if (format === 'a' || format === 'u') return time;
  if (format === 'ad' || format === 'ud') return `${year}-${two(month + 1)}-${two(day)} ${time}`;
  // adoy, udoy: the day of the year, from 1.
  const dayOfYear = Math.round((Date.UTC(year, month, day) - Date.UTC(year, 0, 1)) / MS_PER_DAY) + 1;
  return `${year}/${String(dayOfYear).padStart(3, '0')} ${time}`;
}

function fraction(nanoseconds: number, digits: number): string {
  return String(nanoseconds).padStart(9, '0').slice(0, digits);
}

/** The column of print mode, whose frames come in order: dd counts from the last frame printed. */
export class TimeColumn {
  /** The last displayed frame's time (for dd), and the text given for it (a frame asked twice gets it again). */
  private readonly displayed: Timestamp = { tsSec: 0, tsNsec: 0 };
  private anyDisplayed = false;
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
    this.lastText = timeText(this.format, this.digits, frame, this.format === 'dd' && this.anyDisplayed ? this.displayed : undefined);
    this.displayed.tsSec = frame.tsSec;
    this.displayed.tsNsec = frame.tsNsec;
    this.anyDisplayed = true;
    return this.lastText;
  }
}
