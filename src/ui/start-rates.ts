// The start screen's packet rates: each interface's received and sent packets from sysfs
// (/sys/class/net/IFACE/statistics), read once a second: no capture, no privilege. Pseudo-devices
// (any, nflog) have none.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Rates kept per interface: the sparkline's length. */
export const RATE_HISTORY = 30;

/** The packets an interface has received and sent, or undefined when it has no counters. */
export function packetCount(name: string, root = '/sys/class/net'): number | undefined {
  try {
    const read = (counter: string) => Number(readFileSync(join(root, name, 'statistics', counter), 'utf8'));
    return read('rx_packets') + read('tx_packets');
  } catch {
    return undefined;
  }
}

const BARS = '▁▂▃▄▅▆▇█';

/** Rates as a sparkline, scaled to their own largest (a flat line at none). */
export function sparkline(rates: readonly number[]): string {
  const most = Math.max(0, ...rates);
  return rates.map((rate) => (most === 0 ? BARS[0] : BARS[Math.min(BARS.length - 1, Math.round((rate / most) * (BARS.length - 1)))])).join('');
}
