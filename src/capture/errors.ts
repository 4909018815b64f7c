/** A capture file that cannot be read further: says which file, at which byte, and what was wrong. */
export class CaptureFileError extends Error {
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly detail: string,
  ) {
    super(`${file}: ${detail} (at byte ${offset})`);
    this.name = 'CaptureFileError';
  }
}

/** A frame the chosen output format cannot hold (another link type in pcap, a time past 2106). */
export class CaptureWriteError extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'CaptureWriteError';
  }
}
