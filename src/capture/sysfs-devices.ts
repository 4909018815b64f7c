// What sysfs says of the capture's own devices: an interface's MTU, and an `any` capture's device names by
// the ifindex its cooked header records.
import { readdirSync, readFileSync } from 'node:fs';

/** The interface's MTU from sysfs; undefined for `any`, `nflog:N` and interfaces gone meanwhile. */
export function interfaceMtu(name: string): number | undefined {
  try {
    const mtu = Number(readFileSync(`/sys/class/net/${name}/mtu`, 'latin1'));
    return Number.isInteger(mtu) && mtu > 0 ? mtu : undefined;
  } catch {
    return undefined;
  }
}

/** How often an unknown ifindex may send `deviceNames` back to sysfs. */
const DEVICE_NAMES_REREAD_MS = 1000;

/**
 * Device names by ifindex, for an `any` capture: read from sysfs, and again (at most once a second) when a
 * frame names an index not seen, as devices come and go (containers' veths). An index reused by a new
 * device after its old one's frames were named keeps the old name until an unknown index rereads.
 */
export function deviceNames(): (ifindex: number) => string | undefined {
  let names = new Map<number, string>();
  let readAt = Number.NEGATIVE_INFINITY;
  const read = () => {
    names = new Map();
    readAt = performance.now();
    try {
      for (const name of readdirSync('/sys/class/net')) {
        const ifindex = Number(readFileSync(`/sys/class/net/${name}/ifindex`, 'latin1'));
        if (Number.isInteger(ifindex)) names.set(ifindex, name);
      }
    } catch {
      // No sysfs, or a device gone while listed: the names read so far are kept.
    }
  };
  return (ifindex) => {
    if (!names.has(ifindex) && performance.now() - readAt >= DEVICE_NAMES_REREAD_MS) read();
    return names.get(ifindex);
  };
}
