// The drop probe's side in TypeScript (native/drop_probe.cc): the `struct sk_buff` offsets it is built
// with, from the kernel's BTF, and its records read back as KernelDrops, their reasons named from the
// kfree_skb event's own format file and their functions from the kernel's symbols.
import type { KernelDrop } from './frame.js';
import { KernelBtf } from './kernel-btf.js';
import { KernelSymbols } from './kernel-symbols.js';
import { RECORD_LITTLE_ENDIAN } from './native/addon.js';

/** What drop_probe.cc builds its program with: byte offsets in the running kernel's structures. */
export interface DropProbeOffsets {
  /** sk_buff's. */
  head: number;
  tail: number;
  networkHeader: number;
  protocol: number;
  device: number;
  socket: number;
  /** net_device.nd_net and sock_common.skc_net (each a possible_net_t: the net pointer). */
  deviceNet: number;
  socketNet: number;
  /** net.ns.inum. */
  netInode: number;
}

/** A record as drop_probe.cc writes it (machine byte order). */
const RecordAt = { LOCATION: 0, REASON: 16, TAIL: 20, NETWORK_HEADER: 24, PROTOCOL: 26, NAMESPACE: 28, BYTES: 32 } as const;
export const DROP_RECORD_BYTES = 128;
const COPIED_BYTES = DROP_RECORD_BYTES - RecordAt.BYTES;
/** skb->network_header before the network layer set it (~0U in a u16). */
const UNSET_HEADER = 0xffff;

/** The offsets of the running kernel's structures (throws BtfError when its BTF cannot tell). */
export function dropProbeOffsets(btf = KernelBtf.read()): DropProbeOffsets {
  const skb = btf.structOffsets('sk_buff', ['head', 'tail', 'network_header', 'protocol', 'dev', 'sk']);
  const ns = btf.structOffsets('net', ['ns']).ns + btf.structOffsets('ns_common', ['inum']).inum;
  return {
    head: skb.head,
    tail: skb.tail,
    networkHeader: skb.network_header,
    protocol: skb.protocol,
    device: skb.dev,
    socket: skb.sk,
    deviceNet: btf.structOffsets('net_device', ['nd_net']).nd_net,
    socketNet: btf.structOffsets('sock_common', ['skc_net']).skc_net,
    netInode: ns,
  };
}

/** The reason names of skb:kfree_skb's format file: its __print_symbolic table of `{ number, "NAME" }`. */
export function dropReasonNames(format: string): Map<number, string> {
  const names = new Map<number, string>();
  const table = format.slice(format.indexOf('__print_symbolic'));
  for (const match of table.matchAll(/\{\s*(\d+),\s*"(\w+)"\s*\}/g)) names.set(Number(match[1]), match[2]);
  return names;
}

/** Turns the probe's records into KernelDrops. */
export class DropRecordReader {
  constructor(
    private readonly reasons: ReadonlyMap<number, string>,
    private readonly symbols: KernelSymbols | undefined = KernelSymbols.of(),
  ) {}

  /** Each record of `bytes[0, length)`, read at `seconds`. */
  read(bytes: Uint8Array, length: number, seconds: number, visit: (drop: KernelDrop) => void): void {
    const view = new DataView(bytes.buffer, bytes.byteOffset, length);
    for (let at = 0; at + DROP_RECORD_BYTES <= length; at += DROP_RECORD_BYTES) {
      const reason = view.getUint32(at + RecordAt.REASON, RECORD_LITTLE_ENDIAN);
      const location = view.getBigUint64(at + RecordAt.LOCATION, RECORD_LITTLE_ENDIAN);
      const networkHeader = view.getUint16(at + RecordAt.NETWORK_HEADER, RECORD_LITTLE_ENDIAN);
      const tail = view.getUint32(at + RecordAt.TAIL, RECORD_LITTLE_ENDIAN);
      // The copy runs to the end of the skb's linear part at most: past it is another packet's memory.
      const copied = networkHeader === UNSET_HEADER || tail <= networkHeader ? 0 : Math.min(COPIED_BYTES, tail - networkHeader);
      visit({
        // skb->protocol is in network order.
        protocol: view.getUint16(at + RecordAt.PROTOCOL, false),
        namespace: view.getUint32(at + RecordAt.NAMESPACE, RECORD_LITTLE_ENDIAN),
        reason: this.reasons.get(reason) ?? `reason ${reason}`,
        location: this.symbols?.functionAt(location) ?? `0x${location.toString(16)}`,
        network: bytes.slice(at + RecordAt.BYTES, at + RecordAt.BYTES + copied),
        seconds,
      });
    }
  }
}
