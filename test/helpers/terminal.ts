// A real terminal for end-to-end tests: tmux runs the built CLI (with CI unset, which Ink reads as "not
// interactive"), keys are sent, and the screen is read back with capture-pane. Each Terminal has its own
// tmux server (-L); close() kills it.
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { repoRoot } from './corpus.js';
import { NO_PREFERENCES } from './run.js';

export const tmuxPresent = await new Promise<boolean>((done) => execFile('tmux', ['-V'], (error) => done(!error)));
export const TMUX_ABSENT = 'skipped: tmux is not installed (apt-get install tmux; .ci/run installs it)';
const CLI = join(repoRoot, 'bin/tsshark.js');

let servers = 0;

export class Terminal {
  private readonly socket = `tsshark-test-${process.pid}-${servers++}`;

  /**
   * Runs tsshark with `args`, after `prefix` when given (`ip netns exec NS` for a namespace), with its
   * preferences under `configHome` (XDG_CONFIG_HOME).
   */
  constructor(
    columns: number,
    rows: number,
    args: readonly string[],
    prefix: readonly string[] = [],
    configHome = NO_PREFERENCES,
  ) {
    const quoted = [...prefix, 'env', '-u', 'CI', 'TERM=xterm-256color', `XDG_CONFIG_HOME=${configHome}`, process.execPath, CLI, ...args].map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ');
    // The shell stays after tsshark exits so its status and the restored screen can be read.
    this.tmux(['new-session', '-d', '-x', String(columns), '-y', String(rows), `${quoted}; echo "exit status $?"; sleep 60`]);
    this.tmux(['set-option', '-g', 'set-titles', 'on']);
  }

  tmux(args: readonly string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8', timeout: 10_000 });
  }

  screen(): string {
    return this.tmux(['capture-pane', '-p']);
  }

  keys(...keys: string[]): void {
    this.tmux(['send-keys', ...keys]);
  }

  /** Literal text, as typed. */
  type(text: string): void {
    this.tmux(['send-keys', '-l', text]);
  }

  /**
   * Waits for the screen to match: at most 60 s, for a CI run's other tests (tshark over the corpus) can
   * leave tsshark a fraction of a core while it reads a capture.
   */
  async waitFor(t: ExecutionContext, pattern: RegExp): Promise<string> {
    const deadline = Date.now() + 60_000;
    let screen = '';
    while (Date.now() < deadline) {
      screen = this.screen();
      if (pattern.test(screen)) return screen;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    t.fail(`the screen never matched ${pattern}:\n${screen}`);
    return screen;
  }

  close(): void {
    try {
      this.tmux(['kill-server']);
    } catch {
      // Already gone.
    }
  }
}
