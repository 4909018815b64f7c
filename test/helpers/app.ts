// The whole UI in ink-testing-library: a session over the lab sample's frames, keys pressed one at a time
// with the app settled between them, and screens awaited (redraws are slower while other tests run).
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import type { Frame, InterfaceInfo } from '../../src/capture/frame.js';
import { FrameStore } from '../../src/capture/frame-store.js';
import { DecodedStore } from '../../src/session/decoded-store.js';
import { CaptureSession } from '../../src/session/capture-session.js';
import { TAP_COLUMN_FIELDS } from '../../src/decode/protocols/tap.js';
import type { PacketFates } from '../../src/decode/taps/packet-fates.js';
import { readAll } from './capture.js';
import { repoRoot } from './corpus.js';
import { registry } from './decode.js';

export const SAMPLE = join(repoRoot, 'samples/lab.pcap');
export const SIZE = { columns: 100, rows: 30 };

export async function sampleFrames(): Promise<{ frames: Frame[]; interfaces: readonly InterfaceInfo[] }> {
  const capture = await readAll(SAMPLE);
  const interfaces: InterfaceInfo[] = [];
  for (const { frame, iface } of capture.frames) interfaces[frame.interfaceId] = iface;
  return { frames: capture.frames.map(({ frame }) => frame), interfaces };
}

export function sessionOf(frames: readonly Frame[], interfaces: readonly InterfaceInfo[], live = false, fates?: PacketFates): CaptureSession {
  const decoded = new DecodedStore(new FrameStore(), registry, TAP_COLUMN_FIELDS, undefined, fates);
  for (const frame of frames) decoded.append(frame, interfaces);
  const session = new CaptureSession(decoded, { name: 'lab.pcap', live });
  if (!live) session.update({ running: false });
  return session;
}

export const plain = (frame: string | undefined) => (frame ?? '').replace(/\u001b\[[0-9;]*m/g, '');
export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Waits until the app has drawn nothing new for 100 ms (at most 5 s): a key can take several redraws,
 * each slower while other tests load the machine.
 */
export async function settle(app: { frames: string[] }): Promise<void> {
  const deadline = Date.now() + 5000;
  let seen = -1;
  while (Date.now() < deadline && app.frames.length !== seen) {
    seen = app.frames.length;
    await pause(100);
  }
}

/**
 * Asserts that the screen shows `pattern`, waiting for it (at most 30 s): keys are handled one per
 * redraw, and redraws are slower while other tests load the machine.
 */
export async function expectShown(t: ExecutionContext, app: { lastFrame(): string | undefined }, pattern: RegExp, message?: string): Promise<string> {
  let screen = plain(app.lastFrame());
  for (const deadline = Date.now() + 30_000; !pattern.test(screen) && Date.now() < deadline; screen = plain(app.lastFrame())) await pause(20);
  t.regex(screen, pattern, message);
  return screen;
}

/** Ink starts reading keys after its first render's effects: wait for them. */
export const started = () => new Promise((resolve) => setTimeout(resolve, 150));

export async function press(app: { stdin: { write(data: string): void }; frames: string[] }, ...keys: string[]): Promise<void> {
  for (const key of keys) {
    app.stdin.write(key);
    await settle(app);
  }
}

export const KEY = { pageDown: '\u001b[6~', down: '\u001b[B', up: '\u001b[A', tab: '\t', enter: '\r', escape: '\u001b', left: '\u001b[D', ctrlU: '\u0015', ctrlW: '\u0017', end: '\u001b[F' };

