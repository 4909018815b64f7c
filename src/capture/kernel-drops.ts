// Packets the kernel freed as dropped, and why: the skb:kfree_skb tracepoint (its reason, the function
// that dropped the packet, the packet's protocol), read through a tracefs instance of tsshark's own so
// that other tracing on the host is untouched. The event carries no packet bytes: the drop probe
// (drop-probe.ts) copies them for linking drops to frames. The tracepoint is not per namespace: the
// counts cover the whole host.
import { execFileSync } from 'node:child_process';
import { closeSync, constants, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dropReasonNames } from './drop-probe.js';

export const TRACEFS = '/sys/kernel/tracing';
const INSTANCE_PREFIX = 'tsshark-';
const EVENT = 'events/skb/kfree_skb';
/** What one read takes from the trace pipe; the rest waits for the next poll. */
const READ_BYTES = 64 << 10;
/** Reads one poll makes at most: a flood of drops must not hold the thread. */
const MAX_READS_PER_POLL = 256;
/** A line longer than this is not the event's (its fields are a few short words): it is skipped. */
const MAX_LINE = 4096;
/** Distinct (reason, function, protocol) counted apart; further ones are counted together. */
const MAX_KEYS = 4096;

/** Why the kernel's drops cannot be counted (not root, no tracefs, no such event). */
export class KernelDropsError extends Error {}

/** One kind of drop: the kernel's reason name, the function without its offset, the EtherType. */
export interface DropCount {
  reason: string;
  location: string;
  protocol: number;
  count: number;
}

/** The drops seen so far, by reason, function and protocol. */
export class DropCounts {
  total = 0;
  /** Drops of kinds past MAX_KEYS, counted but not told apart. */
  others = 0;
  /** Reports the kernel could not keep (its trace buffer was full): drops not counted. */
  lost = 0;
  private readonly byKey = new Map<string, DropCount>();

  add(reason: string, location: string, protocol: number): void {
    this.total++;
    const key = `${reason}\0${location}\0${protocol}`;
    const known = this.byKey.get(key);
    if (known !== undefined) known.count++;
    else if (this.byKey.size === MAX_KEYS) this.others++;
    else this.byKey.set(key, { reason, location, protocol, count: 1 });
  }

  /** The drops of one kind (0 when none were counted). */
  countOf(reason: string, location: string, protocol: number): number {
    return this.byKey.get(`${reason}\0${location}\0${protocol}`)?.count ?? 0;
  }

  /** Every kind, most drops first (then by reason and function, so the order is stable). */
  get rows(): DropCount[] {
    return [...this.byKey.values()].sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason) || a.location.localeCompare(b.location));
  }
}

/** EtherTypes named in tables; others show as hexadecimal. */
const PROTOCOL_NAMES: ReadonlyMap<number, string> = new Map([
  [0x0800, 'IPv4'],
  [0x86dd, 'IPv6'],
  [0x0806, 'ARP'],
  [0x8100, '802.1Q'],
  [0x88cc, 'LLDP'],
  [0x0003, 'ETH_P_ALL'],
  [0x0000, '-'],
]);

export function protocolName(protocol: number): string {
  return PROTOCOL_NAMES.get(protocol) ?? `0x${protocol.toString(16).padStart(4, '0')}`;
}

/** What a session reads the kernel's drops from (KernelDrops; a test's stand-in). */
export interface DropSource {
  readonly counts: DropCounts;
  /** Reads what the kernel reported since; how many drops it added. */
  poll(): number;
  close(): void;
}

const EVENT_LINE = /kfree_skb: .*?protocol=(\d+) location=(\S+) reason: (\w+)/;

/** The drop a trace_pipe line of skb:kfree_skb tells, or undefined for any other line. */
export function parseKfreeSkb(line: string): Omit<DropCount, 'count'> | undefined {
  const match = EVENT_LINE.exec(line);
  if (match === null) return undefined;
  // `%pS` prints a symbol as name+offset/size; without symbols it is an address, kept as it is.
  const plus = match[2].indexOf('+');
  return { reason: match[3], location: plus > 0 ? match[2].slice(0, plus) : match[2], protocol: Number(match[1]) };
}

/**
 * The kernel's drops while it is open: a tracefs instance named after this process with skb:kfree_skb
 * enabled, its pipe read on `poll`. `close` disables the event and removes the instance (and unmounts
 * tracefs when this opened it). A process killed before closing leaves its instance: the next `open`
 * removes the instances of processes that no longer run.
 */
export class KernelDrops implements DropSource {
  readonly counts = new DropCounts();
  private readonly buffer = Buffer.alloc(READ_BYTES);
  /** The end of the last read that was not a whole line yet. */
  private partial = '';
  private fd: number | undefined;

  private constructor(
    private readonly root: string,
    private readonly instance: string,
    private readonly mounted: boolean,
  ) {
    this.fd = openSync(join(instance, 'trace_pipe'), constants.O_RDONLY | constants.O_NONBLOCK);
  }

  static open(root = TRACEFS): KernelDrops {
    const mounted = mountTracefs(root);
    try {
      removeStaleInstances(root);
      const instance = join(root, 'instances', `${INSTANCE_PREFIX}${process.pid}`);
      if (!existsSync(join(root, EVENT))) throw new KernelDropsError(`this kernel has no skb:kfree_skb tracepoint (${join(root, EVENT)})`);
      if (!existsSync(instance)) mkdirSync(instance);
      try {
        writeFileSync(join(instance, EVENT, 'enable'), '1');
        return new KernelDrops(root, instance, mounted);
      } catch (error) {
        removeInstance(instance);
        throw error;
      }
    } catch (error) {
      if (mounted) unmountTracefs(root);
      if (error instanceof KernelDropsError) throw error;
      throw new KernelDropsError(`cannot trace the kernel's drops in ${root}: ${(error as Error).message}`);
    }
  }

  /**
   * Reads what the kernel reported since the last poll, until the pipe is empty (a read returns a page
   * or so, not all there is) or MAX_READS_PER_POLL reads (a flood is read on over the next polls); how
   * many drops it added.
   */
  poll(): number {
    if (this.fd === undefined) return 0;
    const before = this.counts.total;
    for (let reads = 0; reads < MAX_READS_PER_POLL; reads++) {
      let got: number;
      try {
        got = readSync(this.fd, this.buffer, 0, READ_BYTES, null);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') break;
        throw error;
      }
      if (got === 0) break;
      this.take(this.buffer.toString('latin1', 0, got));
    }
    this.counts.lost = lostReports(this.instance);
    return this.counts.total - before;
  }

  /** The event's reason names by number, from its format file (a newer kernel's reasons included). */
  reasonNames(): Map<number, string> {
    return dropReasonNames(readFileSync(join(this.root, EVENT, 'format'), 'latin1'));
  }

  /** Stops tracing and removes what `open` made; the counts stay. */
  close(): void {
    if (this.fd === undefined) return;
    this.poll();
    closeSync(this.fd);
    this.fd = undefined;
    removeInstance(this.instance);
    if (this.mounted) unmountTracefs(this.root);
  }

  private take(text: string): void {
    const lines = (this.partial + text).split('\n');
    const last = lines.pop() ?? '';
    this.partial = last.length > MAX_LINE ? '' : last;
    for (const line of lines) {
      const drop = parseKfreeSkb(line);
      if (drop !== undefined) this.counts.add(drop.reason, drop.location, drop.protocol);
    }
  }
}

/** Reports the instance's per-CPU buffers overwrote or refused, from their `stats` files. */
function lostReports(instance: string): number {
  let lost = 0;
  try {
    for (const cpu of readdirSync(join(instance, 'per_cpu'))) {
      const stats = readFileSync(join(instance, 'per_cpu', cpu, 'stats'), 'latin1');
      for (const match of stats.matchAll(/^(?:overrun|dropped events): (\d+)$/gm)) lost += Number(match[1]);
    }
  } catch {
    // No per-CPU statistics on this kernel: nothing known to be lost.
  }
  return lost;
}

/** Mounts tracefs at `root` unless it is there; whether this mounted it. */
function mountTracefs(root: string): boolean {
  if (existsSync(join(root, 'instances'))) return false;
  try {
    execFileSync('mount', ['-t', 'tracefs', 'nodev', root], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim();
    throw new KernelDropsError(`tracefs is not mounted at ${root} and mounting it failed (root is needed): ${stderr || (error as Error).message}`);
  }
  return true;
}

function unmountTracefs(root: string): void {
  try {
    execFileSync('umount', [root], { stdio: 'ignore' });
  } catch {
    // Busy (another tracer opened it meanwhile): it stays mounted, as another user would need it.
  }
}

function removeInstance(instance: string): void {
  try {
    writeFileSync(join(instance, EVENT, 'enable'), '0');
  } catch {
    // Already gone, or the event was never enabled.
  }
  rmdirSync(instance);
}

/** Instances of earlier tsshark processes that were killed before they could remove theirs. */
function removeStaleInstances(root: string): void {
  for (const name of readdirSync(join(root, 'instances'))) {
    if (!name.startsWith(INSTANCE_PREFIX)) continue;
    const pid = Number(name.slice(INSTANCE_PREFIX.length));
    if (!Number.isInteger(pid) || pid === process.pid || existsSync(`/proc/${pid}`)) continue;
    removeInstance(join(root, 'instances', name));
  }
}
