// Runs the built CLI as a user would.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './corpus.js';

export const BIN = join(repoRoot, 'bin/tsshark.js');

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: readonly string[], input?: Uint8Array): Promise<RunResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
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
