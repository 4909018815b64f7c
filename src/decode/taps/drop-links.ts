// The kernel's drops linked to the captured frames of the packets dropped (--drops): the drop probe copies
// each dropped skb's network-layer bytes, whose tap identity (tap-paths.ts, on the headers and the first
// 20 transport bytes, as for trace events) names the frames of that packet read within LINK_WINDOW_S. A
// packet is copied at the ingress tap before it can be dropped on the way in, and the capture worker
// passes drops on before the frames read with them, so a frame finds its drop when it is first decoded.
// kfree_skb is the host's, not a namespace's: a frame links to its packet's drop in any namespace.
import type { KernelDrop } from '../../capture/frame.js';
import type { Datagram } from '../frame-meta.js';
import { defineFields, type FieldDef } from '../field.js';
import { datagramOfHeaders } from './header-datagram.js';
import { LINK_WINDOW_S } from './tap-paths.js';
import { traceIdentityOf } from './verdicts.js';

export const dropFields = defineFields('tap', {
  drop_reason: { name: 'Drop reason', type: 'string', blurb: "Why the kernel freed the packet as dropped (skb:kfree_skb's reason, --drops): NO_SOCKET, IP_RPFILTER..." },
  drop_location: { name: 'Drop location', type: 'string', blurb: 'The kernel function that dropped the packet' },
});

/** Whether any of these fields is a drop's (only the thread that holds the probe's records can give them). */
export function readsDrops(fields: readonly FieldDef[]): boolean {
  return fields.some((field) => field === dropFields.drop_reason || field === dropFields.drop_location);
}

/** Drops seen between sweeps of those no frame can link to any more. */
const SWEEP_EVERY = 1024;
/** Drops kept for linking at most: a host dropping a flood must not grow the table without bound. */
const MAX_KEPT = 200_000;

export interface LinkedDrop {
  reason: string;
  location: string;
  seconds: number;
  /** Whether a frame linked to it. */
  linked: boolean;
}

export class DropLinks {
  /** Drops read, those of IP packets (which can link), and those a frame linked to. */
  seen = 0;
  ip = 0;
  linked = 0;
  /** Records the probe could not keep (its ring was full). */
  lost = 0;
  private readonly byIdentity = new Map<number, LinkedDrop>();
  private sinceSweep = 0;

  add(drop: KernelDrop): void {
    this.seen++;
    const datagram = datagramOfHeaders(drop.network);
    if (datagram === undefined) return;
    this.ip++;
    if (++this.sinceSweep >= SWEEP_EVERY) this.sweep(drop.seconds);
    // Full until the next sweep: the drops of the link window alone are more than kept; this one only counts.
    if (this.byIdentity.size >= MAX_KEPT) return;
    this.byIdentity.set(traceIdentityOf(datagram), { reason: drop.reason, location: drop.location, seconds: drop.seconds, linked: false });
  }

  /** The drop of a frame's packet, decoded for the first time: of its identity, read within LINK_WINDOW_S. */
  link(datagram: Datagram, seconds: number): LinkedDrop | undefined {
    if (datagram.version === 0) return undefined;
    const drop = this.byIdentity.get(traceIdentityOf(datagram));
    if (drop === undefined || Math.abs(drop.seconds - seconds) > LINK_WINDOW_S) return undefined;
    if (!drop.linked) {
      drop.linked = true;
      this.linked++;
    }
    return drop;
  }

  /** Forgets the drops no frame can link to any more. */
  private sweep(now: number): void {
    this.sinceSweep = 0;
    const before = now - 2 * LINK_WINDOW_S;
    for (const [identity, drop] of this.byIdentity) if (drop.seconds < before) this.byIdentity.delete(identity);
  }
}
