// The full-screen session's hold on the terminal: the alternate screen and a hidden cursor, given back
// whatever way the process ends (quit, Ctrl-C, SIGTERM, SIGHUP, a crash), so the shell is never left
// in a broken state.
import { writeSync } from 'node:fs';
import { MOUSE_OFF, MOUSE_ON } from './mouse.js';

const ENTER = '\u001b[?1049h\u001b[?25l\u001b[H\u001b[2J';
const LEAVE = '\u001b[?25h\u001b[?1049l';
const SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGHUP', 'SIGINT'];

export interface TerminalHold {
  /** Gives the terminal back; safe to call more than once. */
  release(): void;
}

/**
 * Switches `fd` to the alternate screen, with the mouse's reports on when `mouse`. `onSignal` runs for
 * SIGTERM/SIGHUP/SIGINT after the terminal is restored (the caller ends the session); a crash restores
 * it before the error is printed.
 */
export function holdTerminal(fd: number, onSignal: (signal: NodeJS.Signals) => void, mouse = false): TerminalHold {
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    try {
      writeSync(fd, (mouse ? MOUSE_OFF : '') + LEAVE);
    } catch {
      // The terminal is gone (SSH dropped): nothing left to restore.
    }
    process.off('exit', release);
    process.off('uncaughtException', crash);
    for (const signal of SIGNALS) process.off(signal, signalled);
  };
  const signalled = (signal: NodeJS.Signals) => {
    release();
    onSignal(signal);
  };
  const crash = (error: Error) => {
    release();
    process.stderr.write(`tsshark: internal error: ${error.stack ?? String(error)}\n`);
    process.exit(70);
  };
  writeSync(fd, ENTER + (mouse ? MOUSE_ON : ''));
  process.on('exit', release);
  process.on('uncaughtException', crash);
  for (const signal of SIGNALS) process.on(signal, signalled);
  return { release };
}
