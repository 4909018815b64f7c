// Copying to the user's own clipboard from a server over SSH: OSC 52 (`ESC ] 52 ; c ; BASE64 BEL`), which
// the local terminal (and tmux, with set-clipboard on) takes from the program's output. The payload is
// base64 alone, so nothing from a capture reaches the terminal as is. Whether it arrives cannot be known
// from a terminal; tmux says whether it would drop it, and GNU screen needs it passed through.
import { execFileSync } from 'node:child_process';

export type CopyResult = { ok: true; message: string } | { ok: false; reason: string };

export interface Clipboard {
  copy(text: string): CopyResult;
}

/**
 * Bytes of text copied at most: a terminal bounds what it takes (xterm and several others at ~100,000
 * base64 characters); larger copies go to a file.
 */
export const MOST_COPIED = 74_000;

/** The OSC 52 sequence that puts `text` (as UTF-8) in the clipboard; `screen`: wrapped for GNU screen. */
export function osc52(text: string, screen = false): string {
  const sequence = `\u001b]52;c;${Buffer.from(text, 'utf8').toString('base64')}\u0007`;
  return screen ? `\u001bP${sequence}\u001b\\` : sequence;
}

/** What makes tmux drop a program's OSC 52: its set-clipboard option other than on (external keeps it to tmux's own copies). */
export function tmuxRefusal(setClipboard: string): string | undefined {
  const value = setClipboard.trim();
  return value === 'on' ? undefined : `tmux's set-clipboard is ${value || 'unknown'}`;
}

/** Reads tmux's set-clipboard, from the tmux the process runs in: at each copy, as the user may change it meanwhile. */
function tmuxSetClipboard(): string {
  try {
    return execFileSync('tmux', ['show-options', '-gv', 'set-clipboard'], { encoding: 'utf8', timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
}

/** The clipboard of the terminal on `write`'s other end, as the environment describes it. */
export function terminalClipboard(write: (sequence: string) => void, env: NodeJS.ProcessEnv = process.env): Clipboard {
  return {
    copy(text) {
      const bytes = Buffer.byteLength(text, 'utf8');
      if (bytes > MOST_COPIED) return { ok: false, reason: `${bytes} bytes, more than a terminal takes` };
      if (env.TMUX) {
        const refusal = tmuxRefusal(tmuxSetClipboard());
        if (refusal) return { ok: false, reason: refusal };
      }
      write(osc52(text, env.STY !== undefined && !env.TMUX));
      return { ok: true, message: `Copied ${bytes} byte${bytes === 1 ? '' : 's'} through the terminal (OSC 52)` };
    },
  };
}
