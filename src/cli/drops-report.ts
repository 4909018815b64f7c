// `-z drops`: the kernel's drops while capturing (skb:kfree_skb), by reason, function and protocol, drawn
// after the frames in the shape of tshark's other tables. tshark has no such statistic.
import type { DropCounts } from '../capture/kernel-drops.js';

const RULE = '='.repeat(80);

/** EtherTypes the table names; others show as hexadecimal. */
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

export function drawDrops(counts: DropCounts, seconds: number): string {
  const rows = counts.rows;
  const reasonWidth = Math.max(6, ...rows.map((row) => row.reason.length));
  const locationWidth = Math.max(8, ...rows.map((row) => row.location.length));
  const line = (reason: string, location: string, protocol: string, drops: string) => `${reason.padEnd(reasonWidth)}  ${location.padEnd(locationWidth)}  ${protocol.padEnd(9)}  ${drops.padStart(8)}\n`;
  let text = `${RULE}\nKernel drops (skb:kfree_skb, the whole host)\n`;
  text += `Drops: ${counts.total} in ${seconds.toFixed(1)} s (${(counts.total / Math.max(seconds, 0.001)).toFixed(1)}/s)\n`;
  text += line('Reason', 'Function', 'Protocol', 'Drops');
  for (const row of rows) text += line(row.reason, row.location, protocolName(row.protocol), String(row.count));
  if (counts.others > 0) text += line('(others)', '', '', String(counts.others));
  return `${text}${RULE}\n`;
}
