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

/**
 * A frame the chosen output format cannot hold (another link type in pcap, a time past 2106), or a file the
 * system would not let us write (`path` then names it: a ring's files are not the name given).
 */
export class CaptureWriteError extends Error {
  constructor(
    detail: string,
    readonly path?: string,
  ) {
    super(detail);
    this.name = 'CaptureWriteError';
  }
}

const SYSTEM_REASONS: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOENT: 'its directory does not exist',
  ENOTDIR: 'its directory does not exist',
  EISDIR: 'it is a directory',
  EROFS: 'the file system is read-only',
  EFBIG: 'the file is too large for the file system',
  EPIPE: 'the reader closed the pipe',
  EIO: 'input/output error',
};

/** A system call's failure on a file being written, as the user's error; anything else is ours and rethrown. */
export function writeFailure(path: string, error: unknown): CaptureWriteError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === undefined) throw error;
  return new CaptureWriteError(SYSTEM_REASONS[code] ?? (error as Error).message, path);
}
