// The benchmarks' lab (root): a sender and a receiver namespace joined by a veth (10.88.0.1 → 10.88.0.2 on
// veth-rx), IPv6 off, the receiver's INPUT dropping everything (after every capture tap: no replies to
// count); the paced UDP sender built from udp-flood.c; removed at exit.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const SENDER_IP = '10.88.0.1';
export const RECEIVER_IP = '10.88.0.2';
export const DEVICE = 'veth-rx';
export const FLOOD = join(root, 'bench/out/udp-flood');

export const run = (...command) => execFileSync(command[0], command.slice(1), { encoding: 'utf8' });

/** Namespaces named after `name` and this process; `remove` is also called at exit. */
export function createVethLab(name) {
  if (process.getuid() !== 0) {
    process.stderr.write(`bench/${name} needs root (network namespaces, capture)\n`);
    process.exit(2);
  }
  const sender = `tss-${name}-tx-${process.pid}`;
  const receiver = `tss-${name}-rx-${process.pid}`;
  const inNs = (ns, ...command) => run('ip', 'netns', 'exec', ns, ...command);
  const remove = () => {
    for (const ns of [sender, receiver]) {
      try {
        execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
      } catch {
        // Not there.
      }
    }
  };
  process.on('exit', remove);
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));
  run('ip', 'netns', 'add', sender);
  run('ip', 'netns', 'add', receiver);
  run('ip', 'link', 'add', 'veth-tx', 'netns', sender, 'type', 'veth', 'peer', 'name', DEVICE, 'netns', receiver);
  for (const [ns, dev, address] of [
    [sender, 'veth-tx', SENDER_IP],
    [receiver, DEVICE, RECEIVER_IP],
  ]) {
    inNs(ns, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1');
    run('ip', '-n', ns, 'addr', 'add', `${address}/24`, 'dev', dev);
    run('ip', '-n', ns, 'link', 'set', dev, 'up');
  }
  inNs(receiver, '/usr/sbin/nft', 'add table ip bench; add chain ip bench input { type filter hook input priority 0; policy drop; }');
  execFileSync('gcc', ['-O2', '-o', FLOOD, join(root, 'bench/udp-flood.c')]);
  return {
    sender,
    receiver,
    inNs,
    remove,
    /** Frames that crossed the receiver's end of the veth, both ways (the ground truth). */
    frameCounter() {
      const stats = JSON.parse(run('ip', '-n', receiver, '-s', '-j', 'link', 'show', DEVICE))[0].stats64;
      return stats.rx.packets + stats.tx.packets;
    },
  };
}
