// Throw-away network namespaces for live tests: a client and a server joined by a veth pair, IPv4 only
// (no IPv6 neighbour or listener chatter to count). Every lab is removed by its test's teardown, and by
// the process's exit if a test dies first; every process started in one has a time limit.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { packageFile } from '../../src/package-file.js';
import { BIN, type RunResult } from './run.js';

export const CLIENT_IP = '10.66.0.1';
export const SERVER_IP = '10.66.0.2';
export const CLIENT_IF = 'veth-c';
export const SERVER_IF = 'veth-s';
const PROCESS_LIMIT_MS = 60_000;

/** Why the live tests cannot run here, or undefined. */
export function labUnavailable(tools: readonly string[] = ['ip', 'tcpdump', 'ping']): string | undefined {
  if (process.getuid?.() !== 0) return 'skipped: the namespace lab needs root (ip netns add); CI runs as root';
  for (const tool of tools) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return `skipped: the namespace lab needs ${tool} (.ci/run installs it)`;
    }
  }
  return undefined;
}

/** Why the live-capture addon cannot be used here: it was not built (no libpcap-dev at install). */
export function addonUnavailable(): string | undefined {
  if (existsSync(packageFile('build/Release/tsshark_pcap.node'))) return undefined;
  return 'skipped: the live-capture addon is not built (apt-get install libpcap-dev, npm rebuild; .ci/run does)';
}

/** Why live capture cannot run here: the addon's reason, or the lab's. */
export function liveUnavailable(tools?: readonly string[]): string | undefined {
  return addonUnavailable() ?? labUnavailable(tools);
}

export interface Lab {
  client: string;
  server: string;
  remove(): void;
}

const pending = new Set<{ remove(): void }>();
process.on('exit', () => {
  for (const namespaces of pending) namespaces.remove();
});

let namespaceCount = 0;

/**
 * One namespace per role, named `${prefix}-${role}-${pid}-${n}`, IPv6 off and lo up; `remove` deletes
 * those that were made, and the process's exit does if a test dies first.
 */
export function addNamespaces<Role extends string>(prefix: string, roles: readonly Role[]): { names: Record<Role, string>; remove(): void } {
  const tag = `${process.pid}-${namespaceCount++}`;
  const names = Object.fromEntries(roles.map((role) => [role, `${prefix}-${role}-${tag}`])) as Record<Role, string>;
  const made: string[] = [];
  const namespaces = {
    names,
    remove() {
      pending.delete(namespaces);
      // A test may have removed one itself (a namespace gone during a capture).
      for (const ns of made.splice(0)) if (existsSync(`/run/netns/${ns}`)) execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    },
  };
  pending.add(namespaces);
  for (const ns of Object.values<string>(names)) {
    execFileSync('ip', ['netns', 'add', ns], { stdio: 'ignore' });
    made.push(ns);
    execFileSync('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up'], { stdio: 'ignore' });
  }
  return namespaces;
}

/**
 * A lab for test `t`, removed when it ends; undefined (the test passes, saying why) when live capture
 * or one of `tools` is not available here.
 */
export function labFor(t: { pass(message: string): void; teardown(fn: () => void): void }, tools?: readonly string[]): Lab | undefined {
  const unavailable = liveUnavailable(tools);
  if (unavailable) {
    t.pass(unavailable);
    return undefined;
  }
  const lab = createLab();
  t.teardown(() => lab.remove());
  return lab;
}

export function createLab(): Lab {
  const { names, remove } = addNamespaces('tss-live', ['c', 's']);
  const lab: Lab = { client: names.c, server: names.s, remove };
  const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'ignore' });
  ip('link', 'add', CLIENT_IF, 'netns', lab.client, 'type', 'veth', 'peer', 'name', SERVER_IF, 'netns', lab.server);
  for (const [ns, dev, address] of [
    [lab.client, CLIENT_IF, CLIENT_IP],
    [lab.server, SERVER_IF, SERVER_IP],
  ]) {
    ip('-n', ns, 'addr', 'add', `${address}/24`, 'dev', dev);
    ip('-n', ns, 'link', 'set', dev, 'up');
  }
  return lab;
}

export interface Started {
  child: ChildProcess;
  /** Resolves when stderr has shown `readyText` (the capture is running). */
  ready: Promise<void>;
  done: Promise<RunResult>;
}

/** Starts a command in a namespace, with a time limit. */
export function startIn(ns: string, command: readonly string[], readyText?: string, env: NodeJS.ProcessEnv = process.env): Started {
  const child = spawn('ip', ['netns', 'exec', ns, ...command], { stdio: ['ignore', 'pipe', 'pipe'], env });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  if (readyText === undefined) markReady();
  const timer = setTimeout(() => child.kill('SIGKILL'), PROCESS_LIMIT_MS);
  child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr.push(chunk);
    if (readyText !== undefined && Buffer.concat(stderr).toString().includes(readyText)) markReady();
  });
  const done = new Promise<RunResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      markReady();
      resolve({ status, stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString() });
    });
  });
  return { child, ready, done };
}

/** tsshark in a namespace; ready once it says it is capturing. */
export function tssharkIn(ns: string, args: readonly string[], env?: NodeJS.ProcessEnv): Started {
  return startIn(ns, [process.execPath, BIN, ...args], 'Capturing on', env);
}

/**
 * tcpdump in a namespace, ready once it is listening: nanosecond pcap, written as root (Debian's drops to
 * user tcpdump), in immediate mode (else the ring's blocks wait up to a second and Ctrl-C loses them).
 */
export function tcpdumpIn(ns: string, args: readonly string[]): Started {
  return startIn(ns, ['tcpdump', '-Z', 'root', '--immediate-mode', '--time-stamp-precision', 'nano', '-U', ...args], 'listening on');
}

export function runIn(ns: string, command: readonly string[]): void {
  execFileSync('ip', ['netns', 'exec', ns, ...command], { stdio: 'ignore', timeout: PROCESS_LIMIT_MS });
}

/** `count` UDP datagrams from `ns` to `host`:`port` with Node's dgram, from its `source` address if given. */
export function sendDatagrams(ns: string, host: string, port: number, count: number, source?: string): void {
  const bind = source === undefined ? 'next()' : `s.bind({ address: '${source}' }, next)`;
  const script = `const s = require('dgram').createSocket('udp4'); let n = 0; const next = () => n++ < ${count} ? s.send('drop me ' + n, ${port}, '${host}', () => next()) : s.close(); s.on('error', () => {}); ${bind};`;
  runIn(ns, [process.execPath, '-e', script]);
}

/** Where a cgroup can be made for a test: cgroup v2's hierarchy (no controllers are needed to move a process). */
function cgroupV2Root(): string | undefined {
  return ['/sys/fs/cgroup/unified', '/sys/fs/cgroup'].find((root) => existsSync(`${root}/cgroup.controllers`));
}

/**
 * Puts process `pid` in the cgroup a Kubernetes pod's container has under containerd with systemd's driver
 * (`kubepods.slice/kubepods-besteffort-pod<uid>.slice/cri-containerd-<id>.scope`), which is how tsshark
 * tells a namespace's or a socket's container and pod; the returned function moves it back and removes
 * the cgroups. Undefined when this machine has no cgroup v2 hierarchy.
 */
export function inFakePod(pid: number, containerId: string, podUid: string): (() => void) | undefined {
  const root = cgroupV2Root();
  if (root === undefined) return undefined;
  const pod = `${root}/kubepods.slice/kubepods-besteffort-pod${podUid.replaceAll('-', '_')}.slice`;
  const directories = [`${root}/kubepods.slice`, pod, `${pod}/cri-containerd-${containerId}.scope`];
  for (const directory of directories) if (!existsSync(directory)) mkdirSync(directory);
  writeFileSync(`${directories[2]}/cgroup.procs`, String(pid));
  return () => {
    try {
      writeFileSync(`${root}/cgroup.procs`, String(pid));
    } catch {
      // The process has ended.
    }
    for (const directory of directories.reverse()) if (existsSync(directory)) rmdirSync(directory);
  };
}
