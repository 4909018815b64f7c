// Entry point: parses arguments, runs print mode or writes a capture, and returns an exit status.
// Only bin/tsshark.js calls process.exit.
import { existsSync, readFileSync } from 'node:fs';
import { isatty } from 'node:tty';
import { openCapture, type CaptureReader } from '../capture/capture-reader.js';
import { createCaptureWriter, type CaptureWriter } from '../capture/capture-writer.js';
import { CaptureFileError, CaptureWriteError } from '../capture/errors.js';
import { createRegistry, FrameDecoder } from '../decode/decoder.js';
import type { Dissection } from '../decode/dissection.js';
import type { Registry } from '../decode/registry.js';
import { compileFilter, describeFilterError, type DisplayFilter } from '../filter/display-filter.js';
import { parseOptions, UsageError, USAGE, type Options } from './args.js';
import { TextOutput } from './output.js';
import { FieldsPrinter, JsonPrinter, resolveFields, TextPrinter, type FramePrinter } from './print.js';

export const ExitStatus = { OK: 0, USAGE: 1, FAILURE: 2 } as const;

export interface Streams {
  stdoutFd: number;
  stderr: (text: string) => void;
  stdin: NodeJS.ReadableStream;
}

const defaultStreams: Streams = {
  stdoutFd: 1,
  stderr: (text) => process.stderr.write(text),
  stdin: process.stdin,
};

function version(): string {
  // Compiled, this module is dist/src/cli/main.js; bundled for bin/tsshark.js, dist/bundle/main.js.
  const manifestUrl = ['../../package.json', '../../../package.json']
    .map((relative) => new URL(relative, import.meta.url))
    .find((url) => existsSync(url));
  if (manifestUrl === undefined) return 'unknown';
  const manifest = JSON.parse(readFileSync(manifestUrl, 'utf8')) as { version: string };
  return manifest.version;
}

/** Flags whose issue has not landed: refuse them rather than ignore them. */
function unavailable(options: Options): string | undefined {
  if (options.interfaces.length > 0 || options.listInterfaces) return 'live capture (-i, -D) is not available yet';
  if (options.captureFilter !== undefined) return 'capture filters (-f) are not available yet';
  return undefined;
}

function describeOpenError(path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `The file "${path}" doesn't exist.`;
  if (code === 'EACCES') return `The file "${path}" can't be read: permission denied.`;
  if (code === 'EISDIR') return `"${path}" is a directory, not a capture file.`;
  return `The file "${path}" can't be opened: ${(error as Error).message}`;
}

export async function main(argv: readonly string[], streams: Streams = defaultStreams): Promise<number> {
  let options: Options;
  try {
    options = parseOptions(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    streams.stderr(`tsshark: ${error.message}\n\n${USAGE}`);
    return ExitStatus.USAGE;
  }
  if (options.help) return flushAndReturn(streams, USAGE);
  if (options.version) return flushAndReturn(streams, `tsshark ${version()}\n`);
  const missing = unavailable(options);
  if (missing) {
    streams.stderr(`tsshark: ${missing}\n`);
    return ExitStatus.FAILURE;
  }
  if (options.readFile === undefined) {
    streams.stderr('tsshark: no input: give -r FILE, or -r - for standard input\n');
    return ExitStatus.FAILURE;
  }
  if (options.tui && !isatty(1)) {
    streams.stderr('tsshark: the interactive interface (--tui) needs a terminal on standard output\n');
    return ExitStatus.FAILURE;
  }
  const registry = createRegistry();
  const { fields, unknown } = resolveFields(registry, options.fields);
  if (unknown.length > 0) {
    streams.stderr(`tsshark: Some fields aren't valid:\n${unknown.map((name) => `\t${name}\n`).join('')}`);
    return ExitStatus.USAGE;
  }
  const compiled = compileFilter(options.displayFilter ?? '', registry);
  if (!compiled.ok) {
    streams.stderr(`tsshark: ${describeFilterError(options.displayFilter ?? '', compiled.error)}\n`);
    return ExitStatus.FAILURE;
  }
  let reader: CaptureReader;
  try {
    reader = await openCapture(options.readFile, streams.stdin);
  } catch (error) {
    streams.stderr(`tsshark: ${error instanceof CaptureFileError ? error.message : describeOpenError(options.readFile, error)}\n`);
    return ExitStatus.FAILURE;
  }
  try {
    if (interactive(options, streams)) {
      // Ink and React take about 0.4 s to load: print mode, which scripts run, does not pay for them.
      const { runTui } = await import('../ui/run-tui.js');
      return await runTui({ path: options.readFile, displayFilter: options.displayFilter }, reader, registry);
    }
    return await run(options, reader, registry, fields, compiled.filter, streams);
  } finally {
    await reader.close();
  }
}

/**
 * The interactive interface opens for --tui, or when standard output is a terminal and nothing asks for
 * printed output (as tshark prints when it is not); reading a capture from standard input, keys come
 * from /dev/tty.
 */
function interactive(options: Options, streams: Streams): boolean {
  if (options.tui) return true;
  if (options.print || options.writeFile !== undefined || options.output !== 'text' || options.count !== undefined) return false;
  return streams.stdoutFd === 1 && isatty(1) && isatty(0) === (options.readFile !== '-');
}

function flushAndReturn(streams: Streams, text: string): number {
  const out = new TextOutput(streams.stdoutFd);
  out.write(text);
  out.flush();
  return ExitStatus.OK;
}

async function run(
  options: Options,
  reader: CaptureReader,
  registry: Registry,
  fields: ReturnType<typeof resolveFields>['fields'],
  filter: DisplayFilter,
  streams: Streams,
): Promise<number> {
  const out = new TextOutput(streams.stdoutFd);
  let writer: CaptureWriter | undefined;
  let printer: FramePrinter | undefined;
  if (options.writeFile !== undefined) {
    try {
      writer = createCaptureWriter(options.writeFile, { format: options.writeFormat, nanosecond: reader.nanosecond });
    } catch (error) {
      streams.stderr(`tsshark: ${describeOpenError(options.writeFile, error).replace("can't be opened", "can't be written")}\n`);
      return ExitStatus.FAILURE;
    }
  } else {
    const digits = reader.nanosecond ? 9 : 6;
    printer =
      options.output === 'fields' ? new FieldsPrinter(out, fields, options.fields, options.fieldOptions, digits)
      : options.output === 'json' ? new JsonPrinter(out, fields, digits)
      : new TextPrinter(out, digits);
  }
  // With a filter, each frame is dissected for the filter's fields only, and the frames it keeps again
  // for printing: most frames then never cost a column or a tree. A plain copy dissects nothing.
  const filtering = filter.fields.length > 0;
  const printOptions = printer && { tree: printer.tree, columns: printer.columns, fields: printer.fields };
  const decoder = filtering ? new FrameDecoder(registry, { tree: false, columns: false, fields: filter.fields }) : printOptions && new FrameDecoder(registry, printOptions);
  const printing = filtering && printOptions ? decoder?.createDissection(printOptions) : undefined;
  let count = 0;
  let status: number = ExitStatus.OK;
  try {
    await reader.read((frame) => {
      const iface = reader.interfaces[frame.interfaceId];
      const dissection = decoder?.decode(frame, iface);
      if (!dissection || filter.matches(dissection)) {
        if (writer) writer.write(frame, iface);
        if (printer) printer.print(printing ? (decoder as FrameDecoder).again(printing) : (dissection as Dissection));
      }
      count++;
      return !out.closed && (options.count === undefined || count < options.count);
    });
  } catch (error) {
    if (!(error instanceof CaptureFileError) && !(error instanceof CaptureWriteError)) throw error;
    out.flush();
    const where = error instanceof CaptureWriteError ? `${options.writeFile}: frame ${count + 1}: ` : '';
    streams.stderr(`tsshark: ${where}${error.message}\n`);
    status = ExitStatus.FAILURE;
  } finally {
    out.flush();
    writer?.close();
  }
  return status;
}
