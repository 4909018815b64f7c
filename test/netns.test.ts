// Capture in other network namespaces (root): two "pods" behind a "router" namespace, joined by veth pairs.
// One tsshark in the host's namespace captures a device of each at once (-i netns:NAME/IFACE); every echo
// request is seen at the four points in kernel order and linked into one path across the namespaces; the
// pcapng file keeps each device's namespace; -D --all-netns pairs each veth with its peer; -i all finds
// them without names; a wrong namespace or device is named in the error; a namespace removed during the
// capture ends its source alone; --proc names each flow's process; a packet redirected past a veth's tap
// (bpf_redirect_peer, as Cilium does) has that tap named as not seen in its path; a namespace only a
// process holds, that process in a pod's container cgroup, is named with its container and pod.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { addNamespaces, inFakePod, labUnavailable, liveUnavailable, runIn, startIn } from './helpers/netns.js';
import type { InterfaceInfo } from '../src/capture/frame.js';
import { nodeLabel, walkTree } from '../src/decode/tree.js';
import { sessionOf } from './helpers/app.js';
import { readAll } from './helpers/capture.js';
import { runCli } from './helpers/run.js';
import { createTapLab, Net, redirectPeerInTcx, sendUdp, tapLabTools } from './lab/tap-lab.js';
import { tsharkLines, tsharkPresent, TSHARK_ABSENT } from './helpers/tshark.js';

const unavailable = liveUnavailable(['ip', 'ping']);
const A_IP = '10.70.1.2';
const B_IP = '10.70.2.2';
const PINGS = 3;
const ROUTED_PORT = 9401;
const REDIRECTED_PORT = 9402;
/** A container's id and a pod's uid, in the cgroup path containerd would give them. */
const FAKE_CONTAINER = '3f4e5d6c7b8a9f0e1d2c3b4a59687766554433221100ffeeddccbbaa99887766';
const FAKE_POD = '0d9c8b7a-6e5f-4a3b-9c2d-1e0f9a8b7c6d';

interface PodLab {
  a: string;
  r: string;
  b: string;
}

/** pod a (eth0) ─ veth ─ (veth-a) router (veth-b) ─ veth ─ pod b (eth0), routed both ways. */
function podLab(t: ExecutionContext): PodLab {
  const { names, remove } = addNamespaces('tss-ns', ['a', 'r', 'b']);
  t.teardown(remove);
  const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'ignore' });
  ip('link', 'add', 'eth0', 'netns', names.a, 'type', 'veth', 'peer', 'name', 'veth-a', 'netns', names.r);
  ip('link', 'add', 'eth0', 'netns', names.b, 'type', 'veth', 'peer', 'name', 'veth-b', 'netns', names.r);
  const up = (ns: string, device: string, address: string) => {
    ip('-n', ns, 'addr', 'add', address, 'dev', device);
    ip('-n', ns, 'link', 'set', device, 'up');
  };
  up(names.a, 'eth0', `${A_IP}/24`);
  up(names.r, 'veth-a', '10.70.1.1/24');
  up(names.r, 'veth-b', '10.70.2.1/24');
  up(names.b, 'eth0', `${B_IP}/24`);
  ip('-n', names.a, 'route', 'add', 'default', 'via', '10.70.1.1');
  ip('-n', names.b, 'route', 'add', 'default', 'via', '10.70.2.1');
  execFileSync('ip', ['netns', 'exec', names.r, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
  // The first ping's ARP is answered before the capture counts.
  runIn(names.a, ['ping', '-c', '1', '-W', '2', B_IP]);
  return names;
}

test.serial('-i netns:NAME/IFACE in three namespaces at once: each request seen at four points, one path across them, the namespaces kept in the file', async (t) => {
  if (unavailable) return t.pass(unavailable);
  if (!tsharkPresent) return t.pass(TSHARK_ABSENT);
  const lab = podLab(t);
  const directory = mkdtempSync(join(tmpdir(), 'tsshark-netns-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  const file = join(directory, 'pods.pcapng');
  const sources = [`netns:${lab.a}/eth0`, `netns:${lab.r}/veth-a`, `netns:${lab.r}/veth-b`, `netns:${lab.b}/eth0`].flatMap((source) => ['-i', source]);
  const capture = runCli([...sources, '-f', 'icmp', '-a', 'duration:3', '-w', file]);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  runIn(lab.a, ['ping', '-c', String(PINGS), '-i', '0.2', '-W', '1', B_IP]);
  const result = await capture;
  t.is(result.status, 0, result.stderr);
  t.true(result.stderr.includes(`Capturing on 'eth0@${lab.a}' and 'veth-a@${lab.r}' and 'veth-b@${lab.r}' and 'eth0@${lab.b}'`), result.stderr);

  const requests = (await runCli(['-r', file, '-Y', 'icmp.type == 8', '-T', 'fields', '-e', 'tap.direction', '-e', 'tap.iface', '-e', 'tap.netns', '-e', 'tap.path'])).stdout.split('\n').filter(Boolean);
  t.is(requests.length, PINGS * 4, requests.join('\n'));
  const points = [`egress\teth0\t${lab.a}`, `ingress\tveth-a\t${lab.r}`, `egress\tveth-b\t${lab.r}`, `ingress\teth0\t${lab.b}`];
  t.deepEqual(requests.map((line) => line.split('\t').slice(0, 3).join('\t')), Array.from({ length: PINGS }, () => points).flat());
  const path = `egress AF_PACKET eth0@${lab.a} → ingress AF_PACKET veth-a@${lab.r} → egress AF_PACKET veth-b@${lab.r} → ingress AF_PACKET eth0@${lab.b}`;
  for (let ping = 0; ping < PINGS; ping++) t.is(requests[ping * 4 + 3].split('\t')[3], path);
  // Folded (!tap.copy_of): each request once, at its first copy, with its four copies and three hops; the
  // router's hop decrements the TTL, the others change nothing; each AF_PACKET hop has its time.
  const folded = (await runCli(['-r', file, '-Y', 'icmp.type == 8 && !tap.copy_of', '-T', 'fields', '-E', 'aggregator=|', '-e', 'tap.copies', '-e', 'tap.copy', '-e', 'tap.hop.change', '-e', 'tap.hop.time'])).stdout.split('\n').filter(Boolean);
  t.is(folded.length, PINGS, folded.join('\n'));
  for (const line of folded) {
    const [copies, frames, changes, times] = line.split('\t');
    t.is(copies, '4');
    t.is(frames.split('|').length, 4);
    t.is(changes, 'TTL 64 → 63');
    t.is(times.split('|').filter((time) => Number(time) > 0 && Number(time) < 0.01).length, 3, times);
  }
  // The interface's tree of the first request: its copies, and each hop with its time and changes.
  const tree = await treeOf(file, 0);
  t.regex(tree, new RegExp(`^  \\[Copies of this packet: 4\\]\\n    \\[Copy: frame 1, egress AF_PACKET eth0@${lab.a} \\(this frame\\)\\]\\n(    \\[Copy: frame \\d+, .*\\]\\n){3}`, 'm'));
  t.regex(tree, new RegExp(`^  \\[Hop: frame \\d+ → \\d+ \\(ingress AF_PACKET veth-a@${lab.r}\\), [\\d.]+ [nµm]?s, nothing changed\\]$`, 'm'));
  t.regex(tree, new RegExp(`^  \\[Hop: frame \\d+ → \\d+ \\(egress AF_PACKET veth-b@${lab.r}\\), [\\d.]+ [nµm]?s, TTL 64 → 63\\]\\n    \\[Hop time: 0\\.\\d{9} seconds\\]\\n    \\[Change: TTL 64 → 63\\]$`, 'm'));
  // Wireshark reads the namespace in each interface's description.
  const descriptions = new Set(await tsharkLines(['-r', file, '-T', 'fields', '-e', 'frame.interface_description']));
  for (const netns of [lab.a, lab.r, lab.b]) t.true([...descriptions].some((description) => description.endsWith(`[netns ${netns}]`)), [...descriptions].join(' | '));
});

test.serial('-D --all-netns: each namespace with its devices, the -i for each, and every veth paired with its peer', async (t) => {
  if (unavailable) return t.pass(unavailable);
  const lab = podLab(t);
  const result = await runCli(['-D', '--all-netns']);
  t.is(result.status, 0, result.stderr);
  t.regex(result.stdout, /^host \(net:\[\d+\]\)$/m);
  for (const [ns, device, address, peer, peerNs] of [
    [lab.a, 'eth0', `${A_IP}/24`, 'veth-a', lab.r],
    [lab.r, 'veth-a', '10.70.1.1/24', 'eth0', lab.a],
    [lab.r, 'veth-b', '10.70.2.1/24', 'eth0', lab.b],
    [lab.b, 'eth0', `${B_IP}/24`, 'veth-b', lab.r],
  ]) {
    // Running follows the carrier, which the kernel may report a moment after both ends are up.
    t.regex(result.stdout, new RegExp(`^  netns:${ns}/${device} \\[Up(, Running)?\\] ${address.replaceAll('.', '\\.')} \\(veth, peer ${peer}@${peerNs}\\)$`, 'm'));
  }
  t.regex(result.stdout, new RegExp(`^${lab.a} \\(net:\\[\\d+\\]\\)\\n  netns:${lab.a}/lo \\[`, 'm'));
});

test.serial('-i all: every device that is up in every namespace, the pods\' among them', async (t) => {
  if (unavailable) return t.pass(unavailable);
  const lab = podLab(t);
  const capture = runCli(['-i', 'all', '-f', 'icmp', '-a', 'duration:3', '-T', 'fields', '-e', 'tap.iface', '-e', 'tap.netns', '-Y', 'icmp.type == 8']);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  runIn(lab.a, ['ping', '-c', '1', '-W', '1', B_IP]);
  const result = await capture;
  t.is(result.status, 0, result.stderr);
  const seen = new Set(result.stdout.split('\n').filter(Boolean));
  for (const point of [`eth0\t${lab.a}`, `veth-a\t${lab.r}`, `veth-b\t${lab.r}`, `eth0\t${lab.b}`]) t.true(seen.has(point), `${point} in ${[...seen].join(', ')}`);
});

test('a namespace or device that does not exist is named, and nothing is captured', async (t) => {
  if (unavailable) return t.pass(unavailable);
  const missing = await runCli(['-i', 'netns:tss-no-such-ns/eth0', '-c', '1']);
  t.is(missing.status, 2);
  t.is(missing.stderr, 'tsshark: tss-no-such-ns: no such network namespace (/run/netns/tss-no-such-ns)\n');
  const { names, remove } = addNamespaces('tss-ns1', ['x']);
  t.teardown(remove);
  const device = await runCli(['-i', `netns:${names.x}/eth9`, '-c', '1']);
  t.is(device.status, 2);
  t.is(device.stderr, `tsshark: eth9: no such device in network namespace ${names.x} (tsshark -D --all-netns lists them)\n`);
  const spec = await runCli(['-i', 'pid:abc/eth0', '-c', '1']);
  t.regex(spec.stderr, /invalid -i "pid:abc\/eth0": "abc" is not a process id/);
  // Without a container runtime's CLI (as on CI), a container is looked for in each and named in the error.
  const runtimes = ['docker', 'crictl'].filter((tool) => {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  });
  if (runtimes.length > 0) return;
  const container = await runCli(['-i', 'container:web/eth0', '-c', '1']);
  t.is(container.status, 2);
  t.is(container.stderr, 'tsshark: container:web: docker is not installed here; container:web: crictl is not installed here\n');
});

test.serial('--proc: each frame of a TCP flow names the process of its local socket, in the pod it was captured in', async (t) => {
  if (unavailable) return t.pass(unavailable);
  const lab = podLab(t);
  const server = startIn(lab.b, [process.execPath, '-e', `require('net').createServer((s) => s.on('data', (d) => s.write(d))).listen(8080, '${B_IP}', () => console.error('listening'))`], 'listening');
  t.teardown(() => server.child.kill('SIGKILL'));
  await server.ready;
  // The server as a pod's container (its cgroup), where this machine has a cgroup v2 hierarchy.
  const leave = inFakePod(server.child.pid ?? 0, FAKE_CONTAINER, FAKE_POD);
  if (leave !== undefined) t.teardown(leave);
  const serverOwner = leave === undefined ? '\t\t' : `\t${FAKE_CONTAINER.slice(0, 12)}\t${FAKE_POD}`;
  const capture = runCli(['-i', `netns:${lab.b}/eth0`, '-i', `netns:${lab.a}/eth0`, '--proc', '-f', 'tcp port 8080', '-a', 'duration:3', '-z', 'proc', '-T', 'fields', '-e', 'tap.netns', '-e', 'proc.comm', '-e', 'proc.pid', '-e', 'proc.container', '-e', 'proc.pod', '-Y', 'proc.comm == "node"']);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  // The client holds its connection a second: a flow is looked up when its frames are decoded, some
  // milliseconds after they crossed, and a socket closed by then is no one's (README: --proc).
  const client = startIn(lab.a, [process.execPath, '-e', `const s = require('net').connect(8080, '${B_IP}', () => s.write('hello')); s.on('data', () => setTimeout(() => { s.end(); setTimeout(() => process.exit(0), 200); }, 1000))`]);
  const clientPid = client.child.pid;
  await client.done;
  const result = await capture;
  t.is(result.status, 0, result.stderr);
  const lines = result.stdout.split('\n').filter(Boolean);
  const inB = lines.filter((line) => line.startsWith(`${lab.b}\t`));
  const inA = lines.filter((line) => line.startsWith(`${lab.a}\t`));
  // The handshake, the data both ways and the close: at least 8 frames at each end.
  t.true(inB.length >= 8 && inA.length >= 8, lines.join('\n'));
  t.deepEqual([...new Set(inB)], [`${lab.b}\tnode\t${server.child.pid}${serverOwner}`]);
  t.deepEqual([...new Set(inA)], [`${lab.a}\tnode\t${clientPid}\t\t`]);
  // -z proc: each process with its frames and its one flow.
  const serverTable = leave === undefined ? '' : ` \\[container ${FAKE_CONTAINER.slice(0, 12)}\\] \\[pod ${FAKE_POD}\\]`;
  for (const [pid, owner] of [[server.child.pid, serverTable], [clientPid, '']]) t.regex(result.stdout, new RegExp(`^ +\\d+ +\\d+ +1 +${pid}  node${owner}$`, 'm'));
});

test.serial('a namespace removed during the capture ends its source with a message; the others go on', async (t) => {
  if (unavailable) return t.pass(unavailable);
  const lab = podLab(t);
  const capture = runCli(['-i', `netns:${lab.a}/eth0`, '-i', `netns:${lab.r}/veth-b`, '-f', 'icmp', '-a', 'duration:5', '-T', 'fields', '-e', 'tap.netns', '-e', 'icmp.seq']);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  runIn(lab.a, ['ping', '-c', '1', '-W', '1', B_IP]);
  execFileSync('ip', ['netns', 'del', lab.a]);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  // The router still reaches pod b after pod a is gone.
  runIn(lab.r, ['ping', '-c', '2', '-i', '0.2', '-W', '1', B_IP]);
  const result = await capture;
  t.is(result.status, 0, result.stderr);
  t.regex(result.stderr, new RegExp(`^tsshark: eth0@${lab.a} stopped \\(its network namespace was removed\\); capturing on the other sources$`, 'm'));
  const lines = result.stdout.split('\n').filter(Boolean);
  t.true(lines.some((line) => line.startsWith(`${lab.a}\t`)), 'pod a seen before it went');
  t.true(lines.filter((line) => line.startsWith(`${lab.r}\t`)).length >= 2 + 4, lines.join('\n'));
});

test.serial("bpf_redirect_peer into a pod: the packet's path names the host-side veth it went around as not seen", async (t) => {
  const skip = unavailable ?? tapLabTools();
  if (skip) return t.pass(skip);
  const lab = createTapLab();
  t.teardown(() => lab.remove());
  const stop = await redirectPeerInTcx(lab.router, Net.ROUTER_CLIENT_IF, REDIRECTED_PORT, Net.ROUTER_SERVER_IF);
  t.teardown(stop);
  const sources = [[lab.client, Net.CLIENT_IF], [lab.router, Net.ROUTER_CLIENT_IF], [lab.router, Net.ROUTER_SERVER_IF], [lab.server, Net.SERVER_IF]].flatMap(([ns, device]) => ['-i', `netns:${ns}/${device}`]);
  const capture = runCli([...sources, '-f', 'udp', '-a', 'duration:3', '-T', 'fields', '-e', 'udp.dstport', '-e', 'tap.path', '-Y', `tap.iface == "${Net.SERVER_IF}"`]);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  // One routed the usual way (the router's egress copy made), then one the tcx program redirects.
  sendUdp(lab.client, Net.SERVER_IP, ROUTED_PORT, 'routed');
  await new Promise((resolve) => setTimeout(resolve, 200));
  sendUdp(lab.client, Net.SERVER_IP, REDIRECTED_PORT, 'redirected');
  const result = await capture;
  t.is(result.status, 0, result.stderr);
  const paths = new Map(result.stdout.split('\n').filter(Boolean).map((line) => line.split('\t') as [string, string]));
  const at = (device: string, ns: string, direction: string) => `${direction} AF_PACKET ${device}@${ns}`;
  t.is(paths.get(String(ROUTED_PORT)), [at(Net.CLIENT_IF, lab.client, 'egress'), at(Net.ROUTER_CLIENT_IF, lab.router, 'ingress'), at(Net.ROUTER_SERVER_IF, lab.router, 'egress'), at(Net.SERVER_IF, lab.server, 'ingress')].join(' → '));
  // The program that redirected it is named: the blind spots are looked for in each source's namespace.
  const skipped = `${at(Net.ROUTER_SERVER_IF, lab.router, 'egress')}: not seen \\(redirected by tcx ingress program [^ ]+ \\(id \\d+\\) \\(bpf_redirect_peer\\) on ${Net.ROUTER_CLIENT_IF}@${lab.router}\\)`;
  const redirected = [at(Net.CLIENT_IF, lab.client, 'egress'), at(Net.ROUTER_CLIENT_IF, lab.router, 'ingress'), skipped, at(Net.SERVER_IF, lab.server, 'ingress')];
  t.regex(paths.get(String(REDIRECTED_PORT)) ?? '', new RegExp(`^${redirected.join(' → ')}$`));
});

test.serial("a namespace no name gives, a pod's by its cgroup: -D --all-netns and tap.container, tap.pod name its container and pod, and the file keeps them", async (t) => {
  const skip = unavailable ?? labUnavailable(['unshare', 'nsenter']);
  if (skip) return t.pass(skip);
  const { names, remove } = addNamespaces('tss-ct', ['host']);
  t.teardown(remove);
  // The pod: a process in a namespace of its own, reached by a veth from the "host" namespace.
  const sandbox = startIn(names.host, ['unshare', '--net', 'sleep', '30']);
  t.teardown(() => sandbox.child.kill('SIGKILL'));
  const pid = await runningAs(sandbox.child.pid ?? 0, 'sleep');
  const leave = inFakePod(pid, FAKE_CONTAINER, FAKE_POD);
  if (leave === undefined) return t.pass('skipped: no cgroup v2 hierarchy to put the fake pod in');
  t.teardown(leave);
  const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'ignore' });
  ip('-n', names.host, 'link', 'add', 'ct-host', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', String(pid));
  ip('-n', names.host, 'addr', 'add', '10.70.9.1/24', 'dev', 'ct-host');
  ip('-n', names.host, 'link', 'set', 'ct-host', 'up');
  const inPod = (...args: string[]) => execFileSync('nsenter', ['-t', String(pid), '-n', ...args], { stdio: 'ignore' });
  inPod('ip', 'addr', 'add', '10.70.9.2/24', 'dev', 'eth0');
  inPod('ip', 'link', 'set', 'eth0', 'up');
  const name = `pid:${pid}(sleep)`;

  const listed = await runCli(['-D', '--all-netns']);
  t.is(listed.status, 0, listed.stderr);
  t.regex(listed.stdout, new RegExp(`^${escaped(name)} \\(net:\\[\\d+\\]\\), container ${FAKE_CONTAINER.slice(0, 12)}, pod ${FAKE_POD}\\n(  .*\\n)*  pid:${pid}/eth0 \\[Up.*\\(veth, peer ct-host@${names.host}\\)$`, 'm'));

  const directory = mkdtempSync(join(tmpdir(), 'tsshark-pod-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  const file = join(directory, 'pod.pcapng');
  const capture = runCli(['-i', 'all', '-f', 'icmp', '-a', 'duration:3', '-w', file]);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  runIn(names.host, ['ping', '-c', '1', '-W', '1', '10.70.9.2']);
  const result = await capture;
  t.is(result.status, 0, result.stderr);
  const read = await runCli(['-r', file, '-Y', 'icmp.type == 8', '-T', 'fields', '-e', 'tap.iface', '-e', 'tap.netns', '-e', 'tap.container', '-e', 'tap.pod']);
  t.deepEqual(read.stdout.split('\n').filter(Boolean).sort(), [
`ct-host\t${names.host}\t\t`, `eth0\t${name}\t${FAKE_CONTAINER.slice(0, 12)}\t${FAKE_POD}`]);
});

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The protocol tree of frame `index` of `file`, a line a node, indented by depth, as the interface shows it. */
async function treeOf(file: string, index: number): Promise<string> {
  const { frames } = await readAll(file);
  const interfaces: InterfaceInfo[] = [];
  for (const { frame, iface } of frames) interfaces[frame.interfaceId] = iface;
  const session = sessionOf(frames.map(({ frame }) => frame), interfaces);
  return [...walkTree(session.decoded.detail(index).roots)].map(({ node, depth }) => `${'  '.repeat(depth)}${nodeLabel(node)}`).join('\n');
}

/** `pid` once it runs `command`: ip netns exec and unshare (without --fork) each become the next program. */
async function runningAs(pid: number, command: string): Promise<number> {
  for (const deadline = Date.now() + 5000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 50))) {
    if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === command) return pid;
  }
  throw new Error(`process ${pid} did not become ${command}`);
}
