// --proc's cache of flows: the kernel is asked once a flow (a frame of a flow seen before reads its owner
// from the cache, whatever buffer and offset its addresses are at), a flow differing by a port or an
// address is asked anew, and the socket's inode leads to its process through /proc. sock_diag is this
// test's own: it answers with a socket this process holds.
import { readdirSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import test from 'ava';
import type { FlowQuery } from '../src/capture/frame.js';
import { SocketOwners } from '../src/capture/socket-owners.js';
import { FNV_OFFSET, fnvMix } from '../src/util/fnv.js';

const TCP = 6;

/** A frame's bytes with the flow's addresses at `at` (source, then destination). */
function flowIn(bytes: number[], at: number, srcPort: number, dstPort: number): FlowQuery {
  const frame = new Uint8Array(at + bytes.length + 7);
  frame.set(bytes, at);
  const length = bytes.length / 2;
  return { protocol: TCP, family: length === 4 ? 4 : 6, bytes: frame, srcAt: at, dstAt: at + length, srcPort, dstPort, local: 'src' };
}

test('each flow is asked for once, and found again in any buffer; another port or address is another flow', async (t) => {
  const server = createServer().listen(0, '127.0.0.1');
  t.teardown(() => server.close());
  await new Promise((resolve) => server.once('listening', resolve));
  const inode = readdirSync('/proc/self/fd').map((fd) => {
    try {
      return /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))?.[1];
    } catch {
      return undefined;
    }
  }).find((found) => found !== undefined);
  t.truthy(inode, 'this process holds a socket');
  const asked: string[] = [];
  const addon = {
    sockDiag: (protocol: number, family: number, src: Uint8Array, srcPort: number, dst: Uint8Array, dstPort: number) => {
      asked.push(`${protocol} ${src.join('.')}:${srcPort} ${dst.join('.')}:${dstPort}`);
      return { inode: Number(inode), uid: 1000 };
    },
    netnsRun: <T>(_path: string, run: () => T) => run(),
  };
  const owners = new SocketOwners(addon, undefined);
  const v4 = [10, 0, 0, 1, 10, 0, 0, 2];
  const owner = owners.ownerOf(flowIn(v4, 26, 40000, 80));
  t.like(owner, { pid: process.pid, uid: 1000 });
  t.deepEqual(asked, ['6 10.0.0.1:40000 10.0.0.2:80']);
  // The same flow in another frame, its addresses elsewhere: from the cache.
  t.is(owners.ownerOf(flowIn(v4, 14, 40000, 80)), owner);
  t.is(asked.length, 1);
  owners.ownerOf(flowIn(v4, 26, 40000, 81));
  owners.ownerOf(flowIn([10, 0, 0, 1, 10, 0, 0, 3], 26, 40000, 80));
  const v6 = [...Array(15).fill(0), 1, ...Array(15).fill(0), 2];
  owners.ownerOf(flowIn(v6, 22, 40000, 80));
  owners.ownerOf(flowIn(v6, 30, 40000, 80));
  t.deepEqual(asked.slice(1), ['6 10.0.0.1:40000 10.0.0.2:81', '6 10.0.0.1:40000 10.0.0.3:80', `6 ${v6.slice(0, 16).join('.')}:40000 ${v6.slice(16).join('.')}:80`]);
});

test('two flows whose keys hash alike are told apart: each asked for once', (t) => {
  // The cache's key: protocol, source port, destination port (big-endian), then the addresses, in FNV-1a.
  // IPv6 flows to pseudo-random destinations until two keys hash alike (a 32-bit hash: about 77,000).
  const source = [...Array(15).fill(0), 1];
  let seed = 1;
  const nextByte = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) & 0xff;
  const seen = new Map<number, number[]>();
  let pair: [number[], number[]] | undefined;
  for (let tries = 0; pair === undefined && tries < 1_000_000; tries++) {
    const destination = Array.from({ length: 16 }, nextByte);
    const hash = [TCP, 40000 >> 8, 40000 & 0xff, 0, 80, ...source, ...destination].reduce(fnvMix, FNV_OFFSET);
    const other = seen.get(hash);
    if (other !== undefined) pair = [other, destination];
    else seen.set(hash, destination);
  }
  if (pair === undefined) return t.fail('no two of 1,000,000 flows hash alike');
  const asked: string[] = [];
  const sockDiag = (_protocol: number, _family: number, _src: Uint8Array, _srcPort: number, dst: Uint8Array) => (asked.push(dst.join('.')), null);
  const owners = new SocketOwners({ sockDiag, netnsRun: <T>(_path: string, run: () => T) => run() }, undefined);
  for (const destination of [...pair, ...pair]) owners.ownerOf(flowIn([...source, ...destination], 22, 40000, 80));
  // Each flow's local end asked as a connection, then as a listener (no remote end), once a flow: the
  // repeats are cached.
  const listener = new Array(16).fill(0).join('.');
  t.deepEqual(asked, [pair[0].join('.'), listener, pair[1].join('.'), listener]);
});
