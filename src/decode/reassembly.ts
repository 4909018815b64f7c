// IP fragment reassembly as Wireshark does it by default: fragments are kept until a datagram is whole,
// and the frame that completes it carries the upper layers. Bounded so hostile input cannot grow it.
import type { ByteView } from './byte-view.js';
import type { Dissection } from './dissection.js';
import type { FieldDef } from './field.js';

/** A datagram larger than IPv4/IPv6 allow (plus jumbograms we do not reassemble) is dropped. */
const MAX_DATAGRAM = 65535;
/** Datagrams waiting for fragments; past this the oldest is forgotten. */
const MAX_PENDING = 1024;

interface Pending {
  parts: { offset: number; bytes: Uint8Array }[];
  /** Known once the last fragment (MF clear) has arrived. */
  total: number;
}

export class FragmentTable {
  private readonly pending = new Map<string, Pending>();

  /**
   * Adds a fragment's payload; returns the whole datagram when this fragment completes it, else
   * undefined. `payload` is copied, as frame bytes are reused after the frame.
   */
  add(key: string, offset: number, payload: Uint8Array, more: boolean): Uint8Array | undefined {
    if (offset + payload.length > MAX_DATAGRAM) return undefined;
    let entry = this.pending.get(key);
    if (!entry) {
      if (this.pending.size >= MAX_PENDING) this.pending.delete(this.pending.keys().next().value as string);
      entry = { parts: [], total: -1 };
      this.pending.set(key, entry);
    }
    entry.parts.push({ offset, bytes: payload.slice() });
    if (!more) entry.total = offset + payload.length;
    if (entry.total < 0) return undefined;
    entry.parts.sort((a, b) => a.offset - b.offset);
    let covered = 0;
    for (const part of entry.parts) {
      if (part.offset > covered) return undefined;
      covered = Math.max(covered, part.offset + part.bytes.length);
    }
    if (covered < entry.total) return undefined;
    const datagram = new Uint8Array(entry.total);
    for (const part of entry.parts) datagram.set(part.bytes.subarray(0, Math.max(0, entry.total - part.offset)), part.offset);
    this.pending.delete(key);
    return datagram;
  }
}

export interface FragmentInfo {
  /** Identifies the datagram; called only when the fragment is whole enough to be kept. */
  key: () => string;
  /** Byte offset of this fragment's payload in the datagram. */
  offset: number;
  more: boolean;
  payloadAt: number;
  end: number;
  /** The upper protocol, for the ip.proto table. */
  next: number;
  /** Name of the reassembled byte source ("Reassembled IPv4") and the field for its length. */
  sourceName: string;
  lengthField: FieldDef;
}

/**
 * Hands one IPv4 or IPv6 fragment on, as Wireshark does: a fragment cut short by the snaplen cannot be
 * reassembled, so the first one is dissected as far as it goes; otherwise it is kept until the
 * datagram is whole, and the frame that completes it carries the upper layers. Returns true while the
 * datagram is still waiting, so the caller can say so in the Info column.
 */
export function handOffFragment(view: ByteView, ctx: Dissection, owner: object, fragment: FragmentInfo): boolean {
  const { offset, payloadAt, end } = fragment;
  if (end > view.captured) {
    ctx.fragmented = true;
    ctx.next('ip.proto', offset === 0 ? fragment.next : -1, payloadAt, end);
    return false;
  }
  const table = ctx.memory.stateOf(owner, () => new FragmentTable());
  const complete = payloadAt <= end ? ctx.memory.once(() => table.add(fragment.key(), offset, view.bytes.subarray(payloadAt, end), fragment.more)) : undefined;
  if (complete === undefined) {
    ctx.next('ip.proto', -1, payloadAt, end);
    return true;
  }
  ctx.generated(fragment.lengthField, complete.length);
  ctx.useSource(fragment.sourceName, complete);
  ctx.next('ip.proto', fragment.next, 0);
  return false;
}
