// `-z drops`: the kernel's drops while capturing (skb:kfree_skb), by reason, function and protocol, drawn
// after the frames in the shape of tshark's other tables. tshark has no such statistic.
import { protocolName, type DropCounts } from '../capture/kernel-drops.js';

const RULE = '='.repeat(80);

/** `here`: the drops of the capture's network namespace, from the drop probe, as a column when known. */
export function drawDrops(counts: DropCounts, seconds: number, here?: DropCounts): string {
  const rows = counts.rows;
  const reasonWidth = Math.max(6, ...rows.map((row) => row.reason.length));
  const locationWidth = Math.max(8, ...rows.map((row) => row.location.length));
  const line = (reason: string, location: string, protocol: string, drops: string, inHere: string) =>
    `${reason.padEnd(reasonWidth)}  ${location.padEnd(locationWidth)}  ${protocol.padEnd(9)}  ${drops.padStart(8)}${here === undefined ? '' : `  ${inHere.padStart(8)}`}\n`;
  let text = `${RULE}\nKernel drops (skb:kfree_skb, the whole host${here === undefined ? '' : "; Here: this network namespace's"})\n`;
  text += `Drops: ${counts.total} in ${seconds.toFixed(1)} s (${(counts.total / Math.max(seconds, 0.001)).toFixed(1)}/s)${here === undefined ? '' : `, ${here.total} here`}\n`;
  text += line('Reason', 'Function', 'Protocol', 'Drops', 'Here');
  for (const row of rows) text += line(row.reason, row.location, protocolName(row.protocol), String(row.count), String(here?.countOf(row.reason, row.location, row.protocol) ?? ''));
  if (counts.others > 0) text += line('(others)', '', '', String(counts.others), '');
  if (counts.lost > 0) text += `${counts.lost} reports lost (the trace buffer was full): not counted above\n`;
  return `${text}${RULE}\n`;
}
