// Entry point: parses arguments, runs print mode or writes a capture, and returns an exit status.
// Only bin/tsshark.js calls process.exit.
import { readFileSync } from 'node:fs';
import { isatty } from 'node:tty';
import { openCapture, type CaptureReader } from '../capture/capture-reader.js';
import { interfaceLabel } from '../capture/frame.js';
import { createCaptureWriter, type CaptureWriter } from '../capture/capture-writer.js';
import { RingWriter } from '../capture/ring-writer.js';
import { PcapngWriter } from '../capture/pcapng-writer.js';
import { CaptureFileError, CaptureWriteError } from '../capture/errors.js';
import { DeviceCounters } from '../capture/device-counters.js';
import { KernelDrops, KernelDropsError } from '../capture/kernel-drops.js';
import { LiveCapture, LiveCaptureError, type CaptureCounts, type NetfilterTrace } from '../capture/live-capture.js';
import { AddonMissingError, loadPcapAddon, type DeviceDescription } from '../capture/native/addon.js';
import { registryDecodingAs } from '../decode/decoder.js';
import type { StartChoice } from '../ui/StartScreen.js';
import type { Registry } from '../decode/registry.js';
import { compileFilter, describeFilterError, type DisplayFilter } from '../filter/display-filter.js';
import { packageFile } from '../package-file.js';
import { DropWatch } from '../session/drop-watch.js';
import { followFates } from '../session/packet-fates.js';
import type { DropLinks } from '../decode/taps/drop-links.js';
import type { PacketFates } from '../decode/taps/packet-fates.js';
import type { NetfilterVerdicts } from '../decode/taps/verdicts.js';
import { PrintPass, type FrameOutput } from '../session/print-pass.js';
import { parseOptions, UsageError, USAGE, type Options } from './args.js';
import { listColumns, PreferenceError, preferencesPath, readPreferences, setPreference, withProcessColumn } from './preferences.js';
import type { ListColumn } from '../decode/column-format.js';
import { explain } from './explain.js';
import { requestStatistics, type StatisticsRequest } from './statistics.js';
import { describeDevice, describeNamespaces } from './interfaces.js';
import { ALL_DEVICES_LIMIT } from '../capture/live-sources.js';
import { listNamespaces as listAllNamespaces } from '../capture/netns.js';
import { TextOutput } from './output.js';
import { drawDrops } from './drops-report.js';
import { TimeColumn } from '../decode/time-format.js';
import { FieldsPrinter, JsonPrinter, resolveFields, TextPrinter } from './print.js';

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
  const manifest = JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

/** Flags that contradict each other: refused rather than one of them ignored. */
function conflict(options: Options): string | undefined {
  const live = options.interfaces.length > 0;
  if (live && options.readFile !== undefined) return 'give either -r (read a file) or -i (capture live), not both';
  if (!live && options.captureFilter !== undefined) {
    return 'capture filters (-f) apply to live capture (-i); to select frames of a file use a display filter (-Y)';
  }
  if (!live && options.trace !== undefined) return "--trace traces netfilter while capturing live (-i); a file (-r) keeps no verdicts";
  if (!live && options.processes) return '--proc asks the kernel which process owns each flow while capturing live (-i); a file (-r) keeps no processes';
  if (options.allNetns && !options.listInterfaces) return '--all-netns goes with -D (list the interfaces of every network namespace)';
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
  const contradiction = conflict(options);
  if (contradiction) {
    streams.stderr(`tsshark: ${contradiction}\n`);
    return ExitStatus.USAGE;
  }
  if (options.listInterfaces) return options.allNetns ? listNamespaces(streams) : listInterfaces(streams);
  if (options.explain) return explainPipelines(options.explain.interface, streams);
  // Neither a file nor an interface, on a terminal: the start screen asks which interfaces.
  if (options.readFile === undefined && options.interfaces.length === 0 && isatty(0) && isatty(1) && !options.print) {
    const choice = await chooseInterfaces(streams);
    if (typeof choice === 'number') return choice;
    options = { ...options, interfaces: choice.interfaces, captureFilter: choice.captureFilter };
  }
  const live = options.interfaces.length > 0;
  if (options.readFile === undefined && !live) {
    streams.stderr('tsshark: no input: give -r FILE (or -r - for standard input), or -i INTERFACE to capture\n');
    return ExitStatus.FAILURE;
  }
  if (options.tui && !isatty(1)) {
    streams.stderr('tsshark: the interactive interface (--tui) needs a terminal on standard output\n');
    return ExitStatus.FAILURE;
  }
  const decodingAs = registryDecodingAs(options.decodeAs);
  if (!decodingAs.ok) {
    streams.stderr(`tsshark: ${decodingAs.error.replace(/\n/g, '\ntsshark: ')}\n`);
    return ExitStatus.USAGE;
  }
  const registry = decodingAs.registry;
  const { fields, unknown } = resolveFields(registry, options.fields);
  if (unknown.length > 0) {
    streams.stderr(`tsshark: Some fields aren't valid:\n${unknown.map((name) => `\t${name}\n`).join('')}`);
    return ExitStatus.USAGE;
  }
  let columns: ListColumn[];
  try {
    const preferences = readPreferences(preferencesPath());
    for (const setting of options.preferences) setPreference(preferences, setting, '-o');
    columns = listColumns(preferences, (abbrev) => registry.field(abbrev));
    if (options.processes) columns = withProcessColumn(columns, (abbrev) => registry.field(abbrev));
  } catch (error) {
    if (!(error instanceof PreferenceError)) throw error;
    streams.stderr(`tsshark: ${error.message}\n`);
    return ExitStatus.USAGE;
  }
  const compiled = compileFilter(options.displayFilter ?? '', registry);
  if (!compiled.ok) {
    streams.stderr(`tsshark: ${describeFilterError(options.displayFilter ?? '', compiled.error)}\n`);
    return ExitStatus.FAILURE;
  }
  const countDrops = options.drops || options.statistics.includes(DROPS);
  const frameStatistics = options.statistics.filter((spec) => spec !== DROPS);
  if (countDrops && !live) {
    streams.stderr(`tsshark: --drops and -z ${DROPS} count the kernel's drops while capturing live (-i); a file (-r) has none\n`);
    return ExitStatus.USAGE;
  }
  const statistics = requestStatistics(frameStatistics, registry);
  if (!statistics.ok) {
    streams.stderr(`tsshark: ${statistics.error}\n`);
    return ExitStatus.USAGE;
  }

  // Opened first, as root: the drop probe names reasons from its tracefs event.
  let dropSource: KernelDrops | undefined;
  if (countDrops) {
    try {
      dropSource = KernelDrops.open();
    } catch (error) {
      if (!(error instanceof KernelDropsError)) throw error;
      streams.stderr(`tsshark: counting the kernel's drops: ${error.message}\n`);
      return ExitStatus.FAILURE;
    }
  }
  let reader: CaptureReader;
  try {
    reader = live ? await openLive(options, countDrops || options.trace !== undefined, dropSource) : await openCapture(options.readFile as string, streams.stdin);
  } catch (error) {
    dropSource?.close();
    if (error instanceof LiveCaptureError || error instanceof AddonMissingError) {
      streams.stderr(`tsshark: ${error.message}\n`);
      return ExitStatus.FAILURE;
    }
    const path = options.readFile as string;
    streams.stderr(`tsshark: ${error instanceof CaptureFileError ? error.message : describeOpenError(path, error)}\n`);
    return ExitStatus.FAILURE;
  }
  const liveCapture = reader instanceof LiveCapture ? reader : undefined;
  const blindSpots = liveCapture?.blindSpots;
  const trace = liveCapture?.trace;
  const fates = followFates(liveCapture);
  const probeUnavailable = liveCapture?.drops?.unavailable;
  const probeNote = probeUnavailable === undefined ? [] : [`the kernel's drops are counted but not linked to frames: ${probeUnavailable}`];
  // Said once, in print mode and the interface alike: what tracing cannot show.
  const leftOut = liveCapture?.devicesLeftOut ?? 0;
  const captureWarnings = [
    ...(trace?.legacy ?? []).map((tables) => `legacy ${tables} tables are loaded: nftables does not trace their rules (iptables-legacy); only nftables rules show in tap.verdict`),
    ...(leftOut > 0 ? [`-i all captures the first ${ALL_DEVICES_LIMIT} devices: ${leftOut} more are not captured`] : []),
  ];
  // A capture filter hides packets on purpose: the devices' counters then say nothing of the taps.
  const counters = liveCapture && options.captureFilter === undefined ? new DeviceCounters(liveCapture.interfaces.map((iface) => (iface.netns === undefined ? iface.name ?? '' : ''))) : undefined;
  const stopOnSignal = () => liveCapture?.stop();
  const durationTimer = liveCapture && options.durationSec !== undefined ? setTimeout(stopOnSignal, options.durationSec * 1000) : undefined;
  try {
    if (interactive(options, streams)) {
      // Ink and React take about 0.4 s to load: print mode, which scripts run, does not pay for them.
      const { runTui } = await import('../ui/run-tui.js');
      return await runTui({ path: options.readFile, live: liveCapture, drops: dropSource, fates, warnings: [...(blindSpots?.findings ?? []), ...captureWarnings, ...probeNote], counters, displayFilter: options.displayFilter, workers: options.workers, mouse: options.mouse, keep: options.keep, columns }, reader, registry);
    }
    // Ctrl-C or SIGTERM ends a live capture as tcpdump's does: what was captured is written, and counted.
    if (liveCapture) {
      liveCapture.onSourceEnded = () => streams.stderr(`tsshark: ${liveCapture.endedSources.at(-1)}\n`);
      for (const signal of STOP_SIGNALS) process.on(signal, stopOnSignal);
      streams.stderr(`Capturing on ${liveCapture.interfaces.map((iface) => `'${interfaceLabel(iface)}'`).join(' and ')}\n`);
      for (const finding of blindSpots?.findings ?? []) streams.stderr(`tsshark: warning: ${finding}\n`);
      for (const tool of blindSpots?.unread ?? []) streams.stderr(`tsshark: blind spots not looked for: ${tool}\n`);
      if (trace !== undefined) streams.stderr(`tsshark: ${trace.tracer.description}\n`);
      for (const warning of captureWarnings) streams.stderr(`tsshark: warning: ${warning}\n`);
      for (const note of probeNote) streams.stderr(`tsshark: ${note}\n`);
    }
    const probe = liveCapture?.drops;
    const drops = dropSource && new DropWatch(dropSource, undefined, probe?.unavailable === undefined ? probe?.here : undefined);
    // The drops are counted until the last frame is in; a pcapng file keeps their table at its end.
    let dropsTable: string | undefined;
    const finishing = (writer: CaptureWriter | undefined) => {
      if (!drops) return;
      drops.close();
      dropsTable = drawDrops(drops.counts, drops.seconds, drops.here);
      const file = writer instanceof RingWriter ? writer.writer : writer;
      if (file instanceof PcapngWriter) file.writeEndComment(dropsTable, Date.now());
    };
    // A pcapng file keeps what its taps could not see, as its section header's comment.
    const warnings = [...(blindSpots?.findings ?? []), ...captureWarnings];
    const warned = warnings.length > 0 ? warnings.map((warning) => `tsshark warning: ${warning}`).join('\n') : undefined;
    const status = await run(options, reader, registry, fields, columns, compiled.filter, frameStatistics.length > 0 ? statistics : undefined, streams, finishing, warned, fates);
    if (dropsTable !== undefined) flushAndReturn(streams, dropsTable);
    if (liveCapture) {
      streams.stderr(describeCounts(liveCapture.counts));
      if (trace !== undefined && fates?.verdicts !== undefined) streams.stderr(describeTrace(trace, fates.verdicts));
      if (fates?.drops !== undefined) streams.stderr(describeDropLinks(fates.drops, liveCapture.drops?.lost ?? 0));
      for (const gap of counters?.gaps((id, direction) => liveCapture.seen(id, direction), liveCapture.counts.dropped) ?? []) streams.stderr(`tsshark: warning: ${gap}\n`);
    }
    return status;
  } finally {
    dropSource?.close();
    clearTimeout(durationTimer);
    for (const signal of STOP_SIGNALS) process.off(signal, stopOnSignal);
    await reader.close();
  }
}

const LIVE_FLUSH_MS = 100;
/** `-z drops`: the kernel's drops while capturing, not a statistic of the frames. */
const DROPS = 'drops';
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** What --trace saw, after tcpdump's counts. */
function describeTrace(trace: NetfilterTrace, verdicts: NetfilterVerdicts): string {
  const { overruns } = trace;
  const lost = overruns > 0 ? `; the kernel dropped trace events ${plural(overruns, 'time')} (its socket buffer was full)` : '';
  return `${plural(verdicts.traced, 'packet')} traced by netfilter, ${verdicts.dropped} dropped by a rule or policy${lost}\n`;
}

/** What the drop probe linked, after tcpdump's counts. */
function describeDropLinks(drops: DropLinks, lost: number): string {
  const unkept = lost > 0 ? `; ${plural(lost, 'drop')} not copied (the probe's ring was full)` : '';
  return `${plural(drops.seen, 'drop')} copied by the drop probe, ${drops.ip} of IP packets, ${drops.linked} linked to captured frames${unkept}\n`;
}

function openLive(options: Options, keepPrivileges: boolean, drops: KernelDrops | undefined): Promise<LiveCapture> {
  return LiveCapture.open({
    // Another user's process keeps its /proc/PID/fd from anyone but root.
    keepPrivileges: keepPrivileges || options.processes,
    processes: options.processes,
    linkDrops: drops && { reasons: drops.reasonNames() },
    trace: options.trace,
    sources: options.interfaces,
    snaplen: options.snaplen,
    promiscuous: options.promiscuous,
    bufferBytes: options.bufferMiB === undefined ? undefined : options.bufferMiB * 1024 * 1024,
    captureFilter: options.captureFilter,
  });
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** tcpdump's closing counts. */
function describeCounts(counts: CaptureCounts): string {
  const lines = [
    `${plural(counts.captured, 'packet')} captured`,
    `${plural(counts.received, 'packet')} received by filter`,
    `${plural(counts.dropped, 'packet')} dropped by kernel`,
  ];
  if (counts.interfaceDropped > 0) lines.push(`${plural(counts.interfaceDropped, 'packet')} dropped by interface`);
  return lines.map((line) => `${line}\n`).join('');
}

/** tcpdump -D's numbered list (`-i 2` takes the number), with each interface's addresses. */
function explainPipelines(iface: string | undefined, streams: Streams): number {
  const { text, error } = explain(iface);
  if (error !== undefined) {
    streams.stderr(`tsshark: ${error}\n`);
    return ExitStatus.FAILURE;
  }
  const out = new TextOutput(streams.stdoutFd);
  out.write(text);
  out.flush();
  return ExitStatus.OK;
}

/** The start screen's choice, or the exit status when the user quits or there is nothing to list. */
async function chooseInterfaces(streams: Streams): Promise<StartChoice | number> {
  try {
    // Loaded only here, as the interface is: print mode does not pay for Ink.
    const { runStartScreen } = await import('../ui/run-start.js');
    return (await runStartScreen()) ?? ExitStatus.OK;
  } catch (error) {
    if (!(error instanceof AddonMissingError) && (error as { code?: string }).code !== 'EPCAP') throw error;
    streams.stderr(`tsshark: ${(error as Error).message}\n`);
    return ExitStatus.FAILURE;
  }
}

function listInterfaces(streams: Streams): number {
  let devices: DeviceDescription[];
  try {
    devices = loadPcapAddon().listInterfaces();
  } catch (error) {
    if (!(error instanceof AddonMissingError) && (error as { code?: string }).code !== 'EPCAP') throw error;
    streams.stderr(`tsshark: ${(error as Error).message}\n`);
    return ExitStatus.FAILURE;
  }
  return flushAndReturn(streams, devices.map((device, index) => `${index + 1}.${describeDevice(device)}\n`).join(''));
}

function listNamespaces(streams: Streams): number {
  let text: string;
  try {
    const addon = loadPcapAddon();
    text = describeNamespaces(
      listAllNamespaces(),
      (netns) => addon.netnsRun(netns.path, () => addon.netnsLinks()),
      (netns, other) => addon.netnsRun(netns.path, () => addon.netnsId(other.path)),
    );
  } catch (error) {
    if (!(error instanceof AddonMissingError) && (error as { code?: string }).code === undefined) throw error;
    streams.stderr(`tsshark: ${(error as Error).message}${(error as { code?: string }).code === 'EPERM' ? ' (entering another network namespace needs root)' : ''}\n`);
    return ExitStatus.FAILURE;
  }
  return flushAndReturn(streams, text);
}

/**
 * The interactive interface opens for --tui, or when standard output is a terminal and nothing asks for
 * printed output (as tshark prints when it is not); reading a capture from standard input, keys come
 * from /dev/tty.
 */
function interactive(options: Options, streams: Streams): boolean {
  if (options.tui) return true;
  if (options.print || options.writeFile !== undefined || options.output !== 'text' || options.count !== undefined) return false;
  if (options.quiet || options.statistics.length > 0) return false;
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
  columns: readonly ListColumn[],
  filter: DisplayFilter,
  statistics: Extract<StatisticsRequest, { ok: true }> | undefined,
  streams: Streams,
  finishing: (writer: CaptureWriter | undefined) => void,
  sectionComment: string | undefined,
  fates: PacketFates | undefined,
): Promise<number> {
  const out = new TextOutput(streams.stdoutFd);
  let writer: CaptureWriter | undefined;
  let printer: FrameOutput | undefined;
  if (options.writeFile !== undefined) {
    try {
      const writerOptions = { format: options.writeFormat, nanosecond: reader.nanosecond, comment: sectionComment };
      writer = options.ring ? new RingWriter(options.writeFile, writerOptions, options.ring, reader instanceof LiveCapture) : createCaptureWriter(options.writeFile, writerOptions);
    } catch (error) {
      const told = error instanceof CaptureWriteError ? describeWriteError(error, options.writeFile, undefined) : describeOpenError(options.writeFile, error).replace("can't be opened", "can't be written");
      streams.stderr(`tsshark: ${told}\n`);
      return ExitStatus.FAILURE;
    }
  } else if (!options.quiet) {
    const time = new TimeColumn(options.timeFormat, reader.nanosecond ? 9 : 6);
    printer =
      options.output === 'fields' ? new FieldsPrinter(out, fields, options.fields, options.fieldOptions, time)
      : options.output === 'json' ? new JsonPrinter(out, fields, time)
      : new TextPrinter(out, time, columns.filter((column) => !column.hidden).map((column) => column.spec), reader.nanosecond ? 9 : 6);
  }
  const pass = new PrintPass(reader, registry, {
    filter,
    output: printer,
    writer,
    statistics: statistics?.pass,
    goOn: (count) => !out.closed && (options.count === undefined || count < options.count),
    fates,
  });
  let status: number = ExitStatus.OK;
  // A file's output is flushed as the buffer fills; a live capture's lines should show as frames come.
  // A ring's duration ends on the wall clock, so its file switches with no frame to write.
  const flushTimer = reader instanceof LiveCapture ? setInterval(() => {
    out.flush();
    // A file the ring could not begin ends the capture; closing the ring tells why.
    if (writer instanceof RingWriter && !writer.tick()) reader.stop();
  }, LIVE_FLUSH_MS) : undefined;
  try {
    await pass.run();
  } catch (error) {
    if (!(error instanceof CaptureFileError) && !(error instanceof CaptureWriteError) && !(error instanceof LiveCaptureError)) throw error;
    // The frames before a damaged one are output before the error, as without held frames.
    if (!(error instanceof CaptureWriteError)) pass.flush();
    out.flush();
    streams.stderr(`tsshark: ${error instanceof CaptureWriteError ? describeWriteError(error, options.writeFile, pass.framesRead + 1) : error.message}\n`);
    status = ExitStatus.FAILURE;
  } finally {
    clearInterval(flushTimer);
    // What the statistics saw up to a fault is drawn too.
    if (statistics) out.write(statistics.draw());
    out.flush();
  }
  try {
    finishing(writer);
    writer?.close();
  } catch (error) {
    if (!(error instanceof CaptureWriteError)) throw error;
    // A write that failed already was told; closing the file fails the same way.
    if (status === ExitStatus.OK) streams.stderr(`tsshark: ${describeWriteError(error, options.writeFile, undefined)}\n`);
    status = ExitStatus.FAILURE;
  }
  return status;
}

/** A frame the format cannot hold names the frame; a file the system refused names the file. */
function describeWriteError(error: CaptureWriteError, writeFile: string | undefined, frameNumber: number | undefined): string {
  if (error.path !== undefined) return `"${error.path}" can't be written: ${error.message}`;
  return `${writeFile}: ${frameNumber === undefined ? '' : `frame ${frameNumber}: `}${error.message}`;
}
