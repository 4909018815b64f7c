// Opens the interactive interface on a capture: the file or live capture is read into a decoded store in
// the background (the first screen shows at once, the status bar shows progress) while Ink draws the App.
import { openSync, statSync } from 'node:fs';
import { ReadStream } from 'node:tty';
import { render, type Instance } from 'ink';
import { interfaceLabel } from '../capture/frame.js';
import type { CaptureReader } from '../capture/capture-reader.js';
import type { DeviceCounters } from '../capture/device-counters.js';
import type { LiveCapture } from '../capture/live-capture.js';
import { FrameStore } from '../capture/frame-store.js';
import type { DropSource } from '../capture/kernel-drops.js';
import { CaptureSession } from '../session/capture-session.js';
import { DecodedStore } from '../session/decoded-store.js';
import { RedoPool } from '../session/redo-pool.js';
import { DEFAULT_KEEP, type KeepBound } from '../session/store-roll.js';
import type { Registry } from '../decode/registry.js';
import type { PacketFates } from '../decode/taps/packet-fates.js';
import { App } from './App.js';
import { ROW_FIELDS } from './rows.js';
import type { ListColumn } from '../decode/column-format.js';
import { columnPreferences, preferencesPath, savePreferences } from '../cli/preferences.js';
import { holdTerminal } from './terminal.js';

export interface TuiOptions {
  /** The capture's path, or `-` for standard input (keys then come from /dev/tty); undefined when live. */
  path: string | undefined;
  live: LiveCapture | undefined;
  /** The kernel's drops, counted while the capture runs (--drops). */
  drops: DropSource | undefined;
  /** Netfilter's verdicts and the kernel's drops of the live capture's packets (--trace, --drops). */
  fates: PacketFates | undefined;
  /** What the live capture's taps cannot see (blind-spots.ts), one line each. */
  warnings: readonly string[];
  /** A live capture's devices' counters, when no capture filter hides packets from its taps on purpose. */
  counters?: DeviceCounters;
  /** Clicks and the wheel (off: --no-mouse). */
  mouse: boolean;
  /** --keep; a live capture or a pipe has a default, a file none. */
  keep: KeepBound | undefined;
  /** The packet list's columns, from the preferences file and -o (preferences.ts). */
  columns: ListColumn[];
  /** A display filter to apply once the screen is up. */
  displayFilter: string | undefined;
  /** Threads a display filter uses (1: the main thread alone). */
  workers: number;
}

/** Colour unless NO_COLOR is set (to anything) or the terminal is dumb. */
export function colourAllowed(env: NodeJS.ProcessEnv): boolean {
  return env.NO_COLOR === undefined && env.TERM !== 'dumb';
}

const SIGNAL_NUMBERS: Readonly<Record<string, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/** Frames per second Ink redraws at most; appends are announced less often (capture-session.ts). */
const MAX_FPS = 60;
const FIRST_FRAMES_WAIT_MS = 100;
/** How often a live capture's device counters are set against its taps (device-counters.ts). */
const COUNTER_CHECK_MS = 5000;
/** More live interfaces than this are counted in the status bar, not named. */
const NAMED_INTERFACES = 4;

export async function runTui(options: TuiOptions, reader: CaptureReader, registry: Registry): Promise<number> {
  const { path, live } = options;
  const stats = path === undefined || path === '-' ? undefined : statSync(path);
  const regularFile = stats?.isFile() ?? false;
  const size = regularFile && stats ? stats.size : 0;
  const store = new FrameStore(regularFile && path !== undefined ? { file: path } : {});
  const decoded = new DecodedStore(store, registry, ROW_FIELDS, undefined, options.fates);
  // A pipe has no end to show progress towards: it is followed like a live capture.
  // `-i all` may name dozens: the status bar counts them instead.
  const name = live ? (live.interfaces.length > NAMED_INTERFACES ? `${live.interfaces.length} interfaces` : live.interfaces.map(interfaceLabel).join(', ')) : path === '-' ? 'standard input' : (path ?? '');
  const session = new CaptureSession(decoded, { name, live: !regularFile }, reader.nanosecond, options.workers > 1 ? new RedoPool(options.workers) : undefined);
  if (live) {
    let checkedAt = performance.now();
    let gaps: string[] = [];
    // Warnings: those found at the start, sources that stopped, then what the devices' counters say the taps missed so far.
    const warn = () => (session.warnings = [...options.warnings, ...live.endedSources, ...gaps]);
    live.onCounts = () => {
      const counters = options.counters;
      if (counters !== undefined && performance.now() - checkedAt >= COUNTER_CHECK_MS) {
        checkedAt = performance.now();
        gaps = counters.settledGaps((id, direction) => live.seen(id, direction), live.counts.dropped);
        warn();
      }
      session.update({ drops: live.counts.dropped });
    };
    live.onSourceEnded = () => {
      warn();
      session.update();
    };
  }
  const keep = options.keep ?? (regularFile ? undefined : DEFAULT_KEEP);
  if (keep) session.keepAtMost(keep);
  if (options.drops) session.countKernelDrops(options.drops, live?.drops?.unavailable === undefined ? live?.drops?.here : undefined);
  session.warnings = options.warnings;
  const keys = path === '-' ? new ReadStream(openSync('/dev/tty', 'r')) : process.stdin;

  let quit!: (status: number) => void;
  let fail!: (error: unknown) => void;
  const finished = new Promise<number>((resolve, reject) => {
    quit = resolve;
    fail = reject;
  });
  const terminal = holdTerminal(1, (signal) => quit(128 + (SIGNAL_NUMBERS[signal] ?? 0)), options.mouse);
  const reading = session.readFrom(reader, size).catch(fail);

  const preferences = preferencesPath();
  const saveColumns = {
    path: preferences,
    save: (columns: readonly ListColumn[]) => {
      try {
        savePreferences(preferences, columnPreferences(columns));
        return undefined;
      } catch (error) {
        return (error as Error).message;
      }
    },
  };
  let instance: Instance | undefined;
  try {
    // One first render with the first frames in it: drawing an empty list first would cost a whole
    // extra render before them. A source with nothing to show within FIRST_FRAMES_WAIT_MS is drawn empty.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(shown, FIRST_FRAMES_WAIT_MS);
      const unsubscribe = session.subscribe(shown);
      finished.then(shown, shown);
      function shown(): void {
        clearTimeout(timer);
        unsubscribe();
        resolve();
      }
    });
    instance = render(<App session={session} colour={colourAllowed(process.env)} initialFilter={options.displayFilter} mouse={options.mouse} columns={options.columns} saveColumns={saveColumns} onQuit={() => quit(0)} />, {
      stdin: keys,
      exitOnCtrlC: false,
      patchConsole: false,
      maxFps: MAX_FPS,
      // Not incrementalRendering: Ink 6.8 places a frame one row low with it when the frame has a
      // trailing newline (ours does: a frame as tall as the terminal would be cleared and redrawn whole).
    });
    // A render that throws ends Ink's app: that is an internal error, not a quiet exit.
    instance.waitUntilExit().catch(fail);
    return await finished;
  } finally {
    // The reader may be waiting on a pipe that never ends: it is not awaited (the process exits).
    session.stop();
    void session.close();
    instance?.unmount();
    terminal.release();
    if (keys !== process.stdin) keys.destroy();
    void reading;
  }
}
