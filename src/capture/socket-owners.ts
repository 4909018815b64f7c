// Which process a TCP or UDP flow belongs to (proc.*): the local socket through sock_diag in the source's
// network namespace, its inode among the processes' open files (/proc/PID/fd), then the process's
// command, user and cgroup (its container or pod). Looked up when a flow is first seen and cached; the
// /proc walk runs at most once a second. A socket closed before its flow was looked up stays
// unattributed: unlike ptcpdump's eBPF, which sees the process at the socket call, this asks afterwards.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { FlowOwners, FlowQuery, ProcessInfo } from './frame.js';
import type { PcapAddon } from './native/addon.js';
import { cgroupOwner } from './netns.js';
import { FNV_OFFSET, fnvMix } from '../util/fnv.js';

const TCP = 6;
/** Flows remembered, at most: the cache is emptied when it is full. */
const CACHED_FLOWS = 65_536;
/** The /proc walk runs at most this often. */
const PROC_WALK_MS = 1000;
const SOCKET_LINK = /^socket:\[(\d+)\]$/;
/** Every socket inode of every process this user may read, to its pid. */
function walkProc(): Map<number, number> {
  const owners = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const inode = SOCKET_LINK.exec(readlinkSync(`/proc/${entry}/fd/${fd}`))?.[1];
        if (inode !== undefined && !owners.has(Number(inode))) owners.set(Number(inode), Number(entry));
      } catch {
        // Closed meanwhile.
      }
    }
  }
  return owners;
}

/** A flow looked up: its key (protocol, ports, addresses), its owner, and the next flow of its hash. */
interface CachedFlow {
  key: Uint8Array;
  owner: ProcessInfo | undefined;
  next: CachedFlow | undefined;
}

/** Protocol, then the two ports, then the addresses. */
const KEY_HEADER = 5;

/** The flow's key byte `at` (KEY_HEADER bytes, then `length` of the source address, then the destination's). */
function keyByte(query: FlowQuery, length: number, at: number): number {
  switch (at) {
    case 0:
      return query.protocol;
    case 1:
      return query.srcPort >>> 8;
    case 2:
      return query.srcPort & 0xff;
    case 3:
      return query.dstPort >>> 8;
    case 4:
      return query.dstPort & 0xff;
    default:
      return at < KEY_HEADER + length ? query.bytes[query.srcAt + at - KEY_HEADER] : query.bytes[query.dstAt + at - KEY_HEADER - length];
  }
}

export class SocketOwners implements FlowOwners {
  /** Flows by their key's hash: a frame of a flow seen before allocates nothing. */
  private readonly flows = new Map<number, CachedFlow>();
  private cachedFlows = 0;
  private inodes = new Map<number, number>();
  private walkedAt = Number.NEGATIVE_INFINITY;

  /** `netnsPath`: the namespace the flows' sockets are in, when not the capture's own. */
  constructor(
    private readonly addon: Pick<PcapAddon, 'sockDiag' | 'netnsRun'>,
    private readonly netnsPath: string | undefined,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The process owning the flow's local end, looked up once per flow. */
  ownerOf(query: FlowQuery): ProcessInfo | undefined {
    const length = query.family === 4 ? 4 : 16;
    const size = KEY_HEADER + 2 * length;
    let hash = FNV_OFFSET;
    for (let at = 0; at < size; at++) hash = fnvMix(hash, keyByte(query, length, at));
    for (let flow = this.flows.get(hash); flow !== undefined; flow = flow.next) {
      let at = 0;
      if (flow.key.length === size) while (at < size && flow.key[at] === keyByte(query, length, at)) at++;
      if (at === size) return flow.owner;
    }
    if (this.cachedFlows >= CACHED_FLOWS) {
      this.flows.clear();
      this.cachedFlows = 0;
    }
    const owner = this.lookUp(query);
    const key = new Uint8Array(size);
    for (let at = 0; at < size; at++) key[at] = keyByte(query, length, at);
    this.flows.set(hash, { key, owner, next: this.flows.get(hash) });
    this.cachedFlows++;
    return owner;
  }

  private lookUp(query: FlowQuery): ProcessInfo | undefined {
    const ends: ('src' | 'dst')[] = query.local === undefined ? ['dst', 'src'] : [query.local];
    for (const local of ends) {
      // A connection not yet accept()ed has no process: the listener's is the one that will take it.
      const owner = this.processOf(this.socketOf(query, local, false)) ?? (query.protocol === TCP ? this.processOf(this.socketOf(query, local, true)) : undefined);
      if (owner !== undefined) return owner;
    }
    return undefined;
  }

  private processOf(socket: { inode: number; uid: number } | null): ProcessInfo | undefined {
    if (socket === null || socket.inode === 0) return undefined;
    const pid = this.pidOf(socket.inode);
    if (pid === undefined) return undefined;
    let comm = '?';
    try {
      comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      // Ended since the walk.
    }
    return { pid, comm, uid: socket.uid, ...cgroupOwner(pid) };
  }

  /** The socket of the flow's `local` end; with `listener`, the one listening on its address and port. */
  private socketOf(query: FlowQuery, local: 'src' | 'dst', listener: boolean): { inode: number; uid: number } | null {
    const length = query.family === 4 ? 4 : 16;
    const src = query.bytes.subarray(query.srcAt, query.srcAt + length);
    const dst = query.bytes.subarray(query.dstAt, query.dstAt + length);
    const [address, port, remote, remotePort] = local === 'src' ? [src, query.srcPort, dst, query.dstPort] : [dst, query.dstPort, src, query.srcPort];
    const peer = listener ? new Uint8Array(remote.length) : remote;
    const peerPort = listener ? 0 : remotePort;
    // TCP's exact lookup takes the local end as the source; UDP's the remote one ("src and dst are swapped
    // for historical reasons", udp_diag.c: it looks the socket up as a received datagram would).
    const ask = () => (query.protocol === TCP ? this.addon.sockDiag(query.protocol, query.family, address, port, peer, peerPort) : this.addon.sockDiag(query.protocol, query.family, peer, peerPort, address, port));
    try {
      return this.netnsPath === undefined ? ask() : this.addon.netnsRun(this.netnsPath, ask);
    } catch {
      // The namespace is gone, or sock_diag refused: the flow stays unattributed.
      return null;
    }
  }

  /** The process holding socket `inode`: from the last walk, or a new one when that is over a second old. */
  private pidOf(inode: number): number | undefined {
    const known = this.inodes.get(inode);
    if (known !== undefined || this.now() - this.walkedAt < PROC_WALK_MS) return known;
    this.inodes = walkProc();
    this.walkedAt = this.now();
    return this.inodes.get(inode);
  }
}
