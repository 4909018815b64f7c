// Network namespaces a live source can be in: named by `ip netns` (/run/netns/NAME), by a process
// (/proc/PID/ns/net), by a container (docker, or containerd and CRI-O through crictl) or a Kubernetes pod
// (crictl). A namespace is known by its file's inode, which every path to it shares; its name for the user
// is the ip-netns name, else the container's or pod's, else `pid:PID(comm)`. Containers and pods are found
// through their own CLIs once, at the start, never on a path frames take.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { NetnsLink } from './native/addon.js';

export interface Netns {
  /** As the user sees it: `pod-a`, `container:web`, `pid:4242(nginx)`, `host`. */
  name: string;
  /** A file that opens it (for setns). */
  path: string;
  /** The namespace's inode: the identity every path to it shares. */
  inode: number;
  container?: string;
  pod?: string;
}

export class NetnsError extends Error {}

const NAMED_DIR = '/run/netns';
/**
 * tsshark's own namespace, listed first and called the host's: pid 1's may not be ours to open (a
 * container's ptrace rules), and a namespace of pid 1 that differs is listed among the others.
 */
const HOST_PATH = '/proc/self/ns/net';
/** How long a container runtime's CLI may take to answer. */
const CLI_TIMEOUT_MS = 10_000;

/** docker-<64 hex>.scope, cri-containerd-<64 hex>.scope, crio-<64 hex>.scope, or a bare 64-hex directory. */
const CONTAINER_CGROUP = /(?:docker-|cri-containerd-|crio-|\/)([0-9a-f]{64})(?:\.scope)?(?:\/|$)/m;
const POD_CGROUP = /pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})/m;

/** The container (its id's 12 hex digits, as docker shows it) and Kubernetes pod (uid) of a process, by its cgroup. */
export function cgroupOwner(pid: number | string): { container: string | undefined; pod: string | undefined } {
  let text = '';
  try {
    text = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
  } catch {
    // Gone.
  }
  return { container: CONTAINER_CGROUP.exec(text)?.[1].slice(0, 12), pod: POD_CGROUP.exec(text)?.[1].replaceAll('_', '-') };
}

/** A process's container and pod as Netns fields: only those its cgroup names. */
function ownedBy(pid: string): Pick<Netns, 'container' | 'pod'> {
  const { container, pod } = cgroupOwner(pid);
  return { ...(container === undefined ? {} : { container }), ...(pod === undefined ? {} : { pod }) };
}

function inodeOf(path: string): number {
  return statSync(path).ino;
}

function commOf(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

/** The host's namespace, and each one `ip netns` names. */
function named(): Netns[] {
  const found: Netns[] = [{ name: 'host', path: HOST_PATH, inode: inodeOf(HOST_PATH) }];
  let names: string[] = [];
  try {
    names = readdirSync(NAMED_DIR).sort();
  } catch {
    // No named namespaces.
  }
  for (const name of names) {
    const path = join(NAMED_DIR, name);
    try {
      found.push({ name, path, inode: inodeOf(path) });
    } catch {
      // Removed while listed.
    }
  }
  return found;
}

/** Every network namespace a process is in or `ip netns` names, each once (named ones by their name). */
export function listNamespaces(): Netns[] {
  const found = named();
  const seen = new Set(found.map((netns) => netns.inode));
  const pids = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).sort((a, b) => Number(a) - Number(b));
  for (const pid of pids) {
    const path = `/proc/${pid}/ns/net`;
    try {
      const inode = Number(/\[(\d+)\]/.exec(readlinkSync(path))?.[1]);
      if (!Number.isInteger(inode) || seen.has(inode)) continue;
      seen.add(inode);
      found.push({ name: `pid:${pid}(${commOf(pid)})`, path, inode, ...ownedBy(pid) });
    } catch {
      // The process ended, or its namespace is not ours to read.
    }
  }
  return found;
}

/** The namespace at `path`, named as listNamespaces names it (`fallback` when none does). */
function byPath(path: string, fallback: string, extra: Partial<Netns> = {}): Netns {
  let inode: number;
  try {
    inode = inodeOf(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new NetnsError(code === 'ENOENT' ? `${fallback}: no such network namespace (${path})` : `${fallback}: ${path}: ${(error as Error).message}`);
  }
  const known = named().find((netns) => netns.inode === inode);
  return { name: known?.name ?? fallback, path, inode, ...extra };
}

function runtimeCli(command: string, args: readonly string[], what: string): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', timeout: CLI_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new NetnsError(`${what}: ${command} is not installed here`);
    const stderr = String((error as { stderr?: string }).stderr ?? '').trim().split('\n')[0];
    throw new NetnsError(`${what}: ${command} ${args[0]} failed${stderr ? `: ${stderr}` : ''}`);
  }
}

/** A container's first process, by docker, else crictl (containerd, CRI-O). */
function containerPid(id: string): string {
  const what = `container:${id}`;
  let dockerError: NetnsError | undefined;
  try {
    return runtimeCli('docker', ['inspect', '--format', '{{.State.Pid}}', id], what);
  } catch (error) {
    if (!(error instanceof NetnsError)) throw error;
    dockerError = error;
  }
  try {
    const containers = runtimeCli('crictl', ['ps', '-q', '--name', `^${id}$`], what).split('\n').filter(Boolean);
    return runtimeCli('crictl', ['inspect', '--output', 'go-template', '--template', '{{.info.pid}}', containers[0] ?? id], what);
  } catch (error) {
    if (!(error instanceof NetnsError)) throw error;
    throw new NetnsError(`${dockerError.message}; ${error.message}`);
  }
}

/** A runtime's answer as a process id: a stopped container's is 0, or nothing. */
function runningPid(answer: string, what: string): string {
  if (!/^[1-9]\d*$/.test(answer)) throw new NetnsError(`${what}: not running (its runtime gives no process: "${answer}")`);
  return answer;
}

/** A pod's sandbox process, by crictl. */
function podPid(namespace: string, name: string): string {
  const what = `pod:${namespace}/${name}`;
  const pods = runtimeCli('crictl', ['pods', '-q', '--namespace', namespace, '--name', `^${name}$`], what).split('\n').filter(Boolean);
  if (pods.length === 0) throw new NetnsError(`${what}: crictl lists no such pod`);
  return runtimeCli('crictl', ['inspectp', '--output', 'go-template', '--template', '{{.info.pid}}', pods[0]], what);
}

/**
 * The namespace and device of a `-i` spec that names one (`netns:NAME/IFACE`, `pid:PID/IFACE`,
 * `container:ID/IFACE`, `pod:NAMESPACE/NAME/IFACE`); undefined for the host's own devices. Throws NetnsError.
 */
export function namespacedSpec(spec: string): { netns: Netns; device: string } | undefined {
  const match = /^(netns|pid|container|pod):(.+)\/([^/]+)$/.exec(spec);
  if (match === null) {
    if (/^(netns|pid|container|pod):/.test(spec)) throw new NetnsError(`invalid -i "${spec}": expected ${spec.split(':')[0]}:${spec.startsWith('pod:') ? 'NAMESPACE/NAME' : 'NAME'}/INTERFACE`);
    return undefined;
  }
  const [, kind, where, device] = match;
  if (kind === 'netns') {
    if (where.includes('/') || where.startsWith('.')) throw new NetnsError(`invalid -i "${spec}": "${where}" is not a name ip netns gives`);
    return { netns: byPath(join(NAMED_DIR, where), where), device };
  }
  if (kind === 'pid') {
    if (!/^\d+$/.test(where)) throw new NetnsError(`invalid -i "${spec}": "${where}" is not a process id`);
    return { netns: byPath(`/proc/${where}/ns/net`, `pid:${where}(${commOf(where)})`, ownedBy(where)), device };
  }
  if (kind === 'container') {
    const pid = runningPid(containerPid(where), `container:${where}`);
    return { netns: byPath(`/proc/${pid}/ns/net`, `container:${where}`, { ...ownedBy(pid), container: where }), device };
  }
  const pod = /^([^/]+)\/([^/]+)$/.exec(where);
  if (pod === null) throw new NetnsError(`invalid -i "${spec}": expected pod:NAMESPACE/NAME/INTERFACE`);
  const pid = runningPid(podPid(pod[1], pod[2]), `pod:${pod[1]}/${pod[2]}`);
  return { netns: byPath(`/proc/${pid}/ns/net`, `pod:${pod[1]}/${pod[2]}`, { pod: `${pod[1]}/${pod[2]}` }), device };
}

/** How vethPeer reads namespaces: their links, and the id one gives another (each read in the namespace). */
export interface NamespaceReader {
  links(netns: Netns): readonly NetnsLink[];
  idOf(from: Netns, other: Netns): number;
}

/**
 * A veth's other end: the link and namespace its peer index and link-netns id name among `candidates`;
 * undefined for another kind of link, or a peer in none of them. A peer in another namespace may have the
 * link's own index; in the same one, an index that is its own is no peer.
 */
export function vethPeer(netns: Netns, link: NetnsLink, candidates: readonly Netns[], read: NamespaceReader): { netns: Netns; link: NetnsLink } | undefined {
  if (link.kind !== 'veth' || link.link === undefined) return undefined;
  const id = link.linkNetnsId;
  if (id === undefined && link.link === link.index) return undefined;
  for (const other of id === undefined ? [netns] : candidates.filter((candidate) => candidate.inode !== netns.inode)) {
    try {
      if (id !== undefined && read.idOf(netns, other) !== id) continue;
      const peer = read.links(other).find((candidate) => candidate.index === link.link);
      if (peer !== undefined) return { netns: other, link: peer };
    } catch {
      // Gone while looked at.
    }
  }
  return undefined;
}
