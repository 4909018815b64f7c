// The tap lab: client, router and server network namespaces joined by two veth pairs, with helpers to
// put NFLOG taps at every netfilter hook, add nft rules, drop in tcx, send UDP and run tsshark as a user
// would. Every namespace and process is removed by the test's teardown, or by the process's exit if a
// test dies first; every process has a time limit.
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/corpus.js';
import { addNamespaces, runIn, startIn, tssharkIn } from '../helpers/netns.js';

export const Net = {
  CLIENT_IF: 'lab-c',
  ROUTER_CLIENT_IF: 'lab-rc',
  ROUTER_SERVER_IF: 'lab-rs',
  SERVER_IF: 'lab-s',
  CLIENT_IP: '10.70.1.1',
  ROUTER_CLIENT_IP: '10.70.1.254',
  ROUTER_SERVER_IP: '10.70.2.254',
  SERVER_IP: '10.70.2.1',
} as const;

/** The NFLOG group the lab's log rules send to, and the UDP ports they log. */
export const NFLOG_GROUP = 5;
const LOGGED_PORTS = '9000-9099';
const NFT = '/usr/sbin/nft';
const PROCESS_LIMIT_MS = 60_000;

export interface TapLab {
  client: string;
  router: string;
  server: string;
  remove(): void;
}

export function createTapLab(): TapLab {
  const { names, remove } = addNamespaces('tss-tap', ['c', 'r', 's']);
  const lab: TapLab = { client: names.c, router: names.r, server: names.s, remove };
  const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'ignore' });
  ip('link', 'add', 'name', Net.CLIENT_IF, 'netns', lab.client, 'type', 'veth', 'peer', 'name', Net.ROUTER_CLIENT_IF, 'netns', lab.router);
  ip('link', 'add', 'name', Net.SERVER_IF, 'netns', lab.server, 'type', 'veth', 'peer', 'name', Net.ROUTER_SERVER_IF, 'netns', lab.router);
  for (const [ns, dev, address] of [
    [lab.client, Net.CLIENT_IF, Net.CLIENT_IP],
    [lab.router, Net.ROUTER_CLIENT_IF, Net.ROUTER_CLIENT_IP],
    [lab.router, Net.ROUTER_SERVER_IF, Net.ROUTER_SERVER_IP],
    [lab.server, Net.SERVER_IF, Net.SERVER_IP],
  ]) {
    ip('-n', ns, 'addr', 'add', `${address}/24`, 'dev', dev);
    ip('-n', ns, 'link', 'set', dev, 'up');
  }
  ip('-n', lab.client, 'route', 'add', 'default', 'via', Net.ROUTER_CLIENT_IP);
  ip('-n', lab.server, 'route', 'add', 'default', 'via', Net.ROUTER_SERVER_IP);
  runIn(lab.router, ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
  return lab;
}

/** Loads an nft script into a namespace. */
export function nft(ns: string, script: string): void {
  execFileSync('ip', ['netns', 'exec', ns, NFT, '-f', '-'], { input: script, stdio: ['pipe', 'ignore', 'pipe'], timeout: PROCESS_LIMIT_MS });
}

/**
 * An NFLOG rule for the lab's UDP ports at every IPv4 hook, placed where it shows the most: PREROUTING
 * ahead of DNAT, INPUT ahead of the filter chain, OUTPUT first, POSTROUTING after SNAT. `queue-threshold
 * 1` sends each record at once instead of batching it for up to a second.
 */
export function nflogAtEveryHook(ns: string): void {
  const hooks: [string, string, number][] = [
    ['prerouting', 'prerouting', -300],
    ['input', 'input', -10],
    ['forward', 'forward', -10],
    ['output', 'output', -300],
    ['postrouting', 'postrouting', 300],
  ];
  const chains = hooks.map(([name, hook, priority]) =>
    `  chain ${name} { type filter hook ${hook} priority ${priority}; udp dport ${LOGGED_PORTS} log group ${NFLOG_GROUP} queue-threshold 1; }`);
  nft(ns, `table ip tss_taps {\n${chains.join('\n')}\n}\n`);
}

/** Why the tap lab cannot run here, or undefined. */
export function tapLabTools(): string | undefined {
  for (const tool of ['gcc', NFT]) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return `skipped: the tap lab needs ${tool} (.ci/run installs it)`;
    }
  }
  return undefined;
}

const labBinaries = new Map<string, string>();

/** A C program of test/lab (`name`.c), compiled once per test process. */
function labBinary(name: string): string {
  let binary = labBinaries.get(name);
  if (binary === undefined) {
    const dir = mkdtempSync(join(tmpdir(), `tsshark-${name}-`));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    binary = join(dir, name);
    execFileSync('gcc', ['-O2', '-Wall', '-o', binary, join(repoRoot, `test/lab/${name}.c`)], { stdio: 'pipe' });
    labBinaries.set(name, binary);
  }
  return binary;
}

/** Runs a lab program that attaches a BPF program and holds it until the returned stop is called. */
async function holdAttached(ns: string, command: readonly string[]): Promise<() => Promise<void>> {
  const started = startIn(ns, command);
  const attached = new Promise<void>((resolve, reject) => {
    let output = '';
    started.child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('attached')) resolve();
    });
    void started.done.then((result) => reject(new Error(`${command[0]} ended: ${result.stderr}`)));
  });
  await attached;
  return async () => {
    started.child.kill('SIGTERM');
    await started.done;
  };
}

/** The same program as redirectPeerInTcx's, pinned at `path` (in a bpf filesystem) for `tc filter ... bpf da pinned`. */
export function pinRedirectPeer(ns: string, dev: string, port: number, hostVeth: string, path: string): void {
  runIn(ns, [labBinary('tcx-udp'), dev, 'ingress', String(port), `peer:${hostVeth}`, `pin:${path}`]);
}

/** Drops IPv4 UDP to `port` in tcx on `dev`'s ingress or egress until the returned stop is called. */
export function dropInTcx(ns: string, dev: string, direction: 'ingress' | 'egress', port: number): Promise<() => Promise<void>> {
  return holdAttached(ns, [labBinary('tcx-udp'), dev, direction, String(port), 'drop']);
}

/**
 * Cilium's way into a pod: a tcx ingress program on `dev` that hands IPv4 UDP to `port` to
 * bpf_redirect_peer towards `hostVeth`, so it lands on the veth's peer in another namespace.
 */
export function redirectPeerInTcx(ns: string, dev: string, port: number, hostVeth: string): Promise<() => Promise<void>> {
  return holdAttached(ns, [labBinary('tcx-udp'), dev, 'ingress', String(port), `peer:${hostVeth}`]);
}

/** A generic-mode XDP program on `dev` that passes, drops or offers to AF_XDP (xsk) every packet, until the returned stop is called. */
export function xdpOn(ns: string, dev: string, action: 'pass' | 'drop' | 'xsk'): Promise<() => Promise<void>> {
  return holdAttached(ns, [labBinary('xdp-generic'), dev, action]);
}

/** One UDP datagram from a namespace, as `printf … > /dev/udp/HOST/PORT` sends it (errors ignored). */
export function sendUdp(ns: string, host: string, port: number, payload: string): void {
  try {
    execFileSync('ip', ['netns', 'exec', ns, 'bash', '-c', `printf %s "$1" > /dev/udp/${host}/${port}`, 'send', payload], { stdio: 'ignore', timeout: 10_000 });
  } catch {
    // A datagram that OUTPUT drops fails its write with EPERM: the scenario expects that.
  }
}

export interface Capture {
  rows: Record<string, string>[];
  stderr: string;
}

/**
 * Runs `tsshark -i … -T fields` in a namespace for `seconds`, calls `traffic` once it is capturing, and
 * gives each printed line (of the frames `displayFilter` keeps, ICMP left out) as field → value. `options`:
 * tsshark's other options (--trace).
 */
export async function captureIn(
  ns: string,
  sources: readonly string[],
  fields: readonly string[],
  displayFilter: string,
  seconds: number,
  traffic: () => Promise<void> | void,
  options: readonly string[] = [],
): Promise<Capture> {
  // ICMP errors quote the datagram they answer, whose udp.dstport would match too.
  const args = [...options, ...sources.flatMap((source) => ['-i', source]), '-a', `duration:${seconds}`, '-Y', `(${displayFilter}) && !icmp`, '-T', 'fields', '-E', 'separator=/t', '-E', 'aggregator=|', ...fields.flatMap((field) => ['-e', field])];
  const started = tssharkIn(ns, args);
  await started.ready;
  await traffic();
  const result = await started.done;
  if (result.status !== 0) throw new Error(`tsshark ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  const rows = result.stdout.split('\n').filter((line) => line !== '').map((line) => {
    const values = line.split('\t');
    return Object.fromEntries(fields.map((field, i) => [field, values[i] ?? '']));
  });
  return { rows, stderr: result.stderr };
}

/** A TCP server in `ns` that reads and discards; the returned stop ends it. */
export function tcpSink(ns: string, host: string, port: number): { ready: Promise<void>; stop: () => void; child: ChildProcess } {
  const script = `const s=require('net').createServer((c)=>c.resume()).listen(${port},'${host}',()=>console.error('listening'));setTimeout(()=>s.close(),${PROCESS_LIMIT_MS})`;
  const started = startIn(ns, [process.execPath, '-e', script], 'listening');
  return { ready: started.ready, stop: () => started.child.kill('SIGTERM'), child: started.child };
}

/** Sends `bytes` over TCP from `ns` and waits until they are written and the connection closed. */
export function sendTcp(ns: string, host: string, port: number, bytes: number): void {
  const script = `const c=require('net').connect(${port},'${host}',()=>c.end(Buffer.alloc(${bytes},97)));c.on('close',()=>process.exit(0));c.on('error',(e)=>{console.error(e.message);process.exit(1)})`;
  execFileSync('ip', ['netns', 'exec', ns, process.execPath, '-e', script], { stdio: 'ignore', timeout: 20_000 });
}
