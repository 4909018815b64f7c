// Runs the built CLI as a user would.
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './corpus.js';

export const BIN = join(repoRoot, 'bin/tsshark.js');
/** XDG_CONFIG_HOME for the tests' tsshark: a directory never made, so a user's own preferences cannot change what is tested. */
export const NO_PREFERENCES = join(tmpdir(), 'tsshark-tests-without-preferences');

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `configHome`: where tsshark reads its preferences (XDG_CONFIG_HOME). */
export function runCli(args: readonly string[], input?: Uint8Array, configHome = NO_PREFERENCES): Promise<RunResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, XDG_CONFIG_HOME: configHome } });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', fail);
    child.on('close', (status) => {
      clearTimeout(timer);
      done({ status, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') });
    });
    child.stdin.end(input);
  });
}
