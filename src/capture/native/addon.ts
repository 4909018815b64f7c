// The live-capture addon (pcap_binding.cc), as TypeScript sees it. It is built at install only where
// libpcap's headers and a compiler exist (scripts/build-native.js); without it, files still work and
// live capture says what to install.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { endianness } from 'node:os';
import { packageFile } from '../../package-file.js';
import type { DropProbeOffsets } from '../drop-probe.js';

/** PCAP_IF_* flags of pcap_findalldevs. */
export const InterfaceFlag = {
  LOOPBACK: 0x1,
  UP: 0x2,
  RUNNING: 0x4,
  WIRELESS: 0x8,
  CONNECTION_STATUS: 0x30,
} as const;

export const ConnectionStatus = { UNKNOWN: 0x0, CONNECTED: 0x10, DISCONNECTED: 0x20, NOT_APPLICABLE: 0x30 } as const;

export interface InterfaceAddress {
  family: 4 | 6;
  address: string;
  prefixLength: number | undefined;
}

export interface DeviceDescription {
  name: string;
  description: string | undefined;
  flags: number;
  addresses: InterfaceAddress[];
}

/** Which copies a handle keeps: both, or one direction (0, 1, 2 as pcapng's epb_flags count them). */
export type HandleDirection = 0 | 1 | 2;

export interface HandleOptions {
  device: string;
  snaplen: number;
  promiscuous: boolean;
  /**
   * How long the kernel may hold frames before user space sees them (the TPACKET_V3 block timeout); 0 asks
   * for immediate mode, which libpcap serves with TPACKET_V2: one snaplen-sized slot per frame.
   */
  timeoutMs: number;
  /** The kernel buffer (pcap_set_buffer_size); 0 keeps libpcap's default. */
  bufferBytes: number;
  /** A DLT to select after activation (LINUX_SLL2 on `any`), or -1. */
  linkType: number;
  direction: HandleDirection;
  /** BPF capture filter, compiled by libpcap; empty for none. */
  filter: string;
  /** Stamped on every record this handle produces. */
  interfaceId: number;
}

export interface OpenedHandle {
  id: number;
  linkType: number;
  snaplen: number;
  warning?: string;
}

export interface HandleStats {
  received: number;
  dropped: number;
  interfaceDropped: number;
}

export interface PcapAddon {
  readonly libraryVersion: string;
  readonly recordHeaderLength: number;
  /** Free bytes a batch buffer must have for capture() to add to it. */
  readonly recordReserve: number;
  listInterfaces(): DeviceDescription[];
  /** libpcap's message for a capture filter it cannot compile for link type `linkType`; undefined when it compiles. */
  checkFilter(linkType: number, filter: string): string | undefined;
  /** Throws an Error with `code` EPERM, ENODEV, ENETDOWN, EFILTER or EPCAP. */
  open(options: HandleOptions): OpenedHandle;
  capture(id: number, bytes: Uint8Array, offset: number): number;
  wait(ids: readonly number[], timeoutMs: number): void;
  stats(id: number): HandleStats;
  close(id: number): void;
  /** The BPF programs attached to device `ifindex` at `attachType` (tcx, netkit); throws with code EPERM when not root. */
  bpfPrograms(ifindex: number, attachType: number): AttachedProgram[];
  /** One program by id; its name is '' when it cannot be read (gone, or not root). */
  bpfProgram(id: number): AttachedProgram;
  /** A netlink socket in NFNLGRP_NFTRACE; throws with code EPERM when not root. */
  nftTraceOpen(): number;
  /** Appends the trace messages waiting, each as u32 length (machine order) | message | padding to 4. */
  nftTraceRead(fd: number, bytes: Uint8Array, offset: number): { end: number; overruns: number };
  nftTraceClose(fd: number): void;
  /** A libnftables context; throws with code ENONFT when libnftables.so.1 cannot be loaded. */
  nftOpen(): NftContext;
  nftRun(context: NftContext, commands: string, outputFlags: number): { ok: boolean; output: string; error: string };
  nftClose(context: NftContext): void;
  /** The drop probe on kfree_skb, attached; throws with code EPERM or EBPF. */
  dropProbeOpen(offsets: DropProbeOffsets): DropProbe;
  /** Appends the probe's waiting records (DROP_RECORD_BYTES each) that fit; `lost`: records the ring had no room for, in all. */
  dropProbeRead(probe: DropProbe, bytes: Uint8Array, offset: number): { end: number; lost: number };
  dropProbeClose(probe: DropProbe): void;
  /** glibc's mallopt(M_MMAP_THRESHOLD, bytes) for the whole process: false when glibc refused the value. */
  holdMmapThreshold(bytes: number): boolean;
  /** fn(), with this thread in the network namespace at `path`, and back after; throws with code ENOENT, EPERM or ESYS. */
  netnsRun<T>(path: string, fn: () => T): T;
  /** The links and addresses of this thread's network namespace (rtnetlink). */
  netnsLinks(): { links: NetnsLink[]; addresses: (InterfaceAddress & { index: number })[] };
  /** The id this thread's namespace gives the namespace at `path` (a veth peer's linkNetnsId), or -1. */
  netnsId(path: string): number;
  /**
   * The TCP (6) or UDP (17) socket with this id in this thread's namespace, or null: TCP takes the local end
   * as the source, UDP the remote one (udp_diag.c's historical swap).
   */
  sockDiag(protocol: number, family: 4 | 6, src: Uint8Array, srcPort: number, dst: Uint8Array, dstPort: number): { inode: number; uid: number } | null;
}

/** A link of a namespace, as rtnetlink describes it. */
export interface NetnsLink {
  index: number;
  name: string;
  /** IFF_* flags. */
  flags: number;
  /** ARPHRD_* type. */
  type: number;
  /** IFLA_INFO_KIND: veth, bridge, vxlan, ... (absent for a physical device). */
  kind?: string;
  /** The peer's (a veth's) or lower device's ifindex. */
  link?: number;
  /** The namespace of `link`, as this namespace numbers it, when it is another one. */
  linkNetnsId?: number;
  /** The bridge or bond the link is enslaved to. */
  master?: number;
}

/** The drop probe, opaque here. */
export type DropProbe = { readonly dropProbe: unique symbol };

export interface AttachedProgram {
  id: number;
  name: string;
  /** The helpers the program calls, each as its kernel address less `__bpf_call_base` (all 0 when hidden). */
  helperCalls: number[];
  /** The types (BPF_MAP_TYPE_*) of the maps it uses. */
  mapTypes: number[];
}

/** A libnftables context, opaque here. */
export type NftContext = { readonly nftContext: unique symbol };

/** bpf_attach_type values of the attach points bpfPrograms is asked about (Linux 6.6+). */
export const BpfAttach = { TCX_INGRESS: 46, TCX_EGRESS: 47 } as const;

/** Offsets of a record's fields, as pcap_binding.cc packs them, in the machine's byte order. */
export const Record = {
  LENGTH: 0,
  TS_SEC: 4,
  TS_NSEC: 8,
  CAPTURED_LENGTH: 12,
  ORIGINAL_LENGTH: 16,
  INTERFACE_ID: 20,
  FLAGS: 24,
  DATA: 28,
} as const;

export const RECORD_LITTLE_ENDIAN = endianness() === 'LE';

export class AddonMissingError extends Error {
  constructor() {
    super(
      'live capture needs the libpcap addon, which was not built when tsshark was installed: ' +
        `apt-get install libpcap-dev g++ make python3, then run npm rebuild in ${packageFile('')}`,
    );
    this.name = 'AddonMissingError';
  }
}

const ADDON_PATH = 'build/Release/tsshark_pcap.node';

let loaded: PcapAddon | undefined;

export function loadPcapAddon(): PcapAddon {
  if (loaded) return loaded;
  const path = packageFile(ADDON_PATH);
  if (!existsSync(path)) throw new AddonMissingError();
  loaded = createRequire(import.meta.url)(path) as PcapAddon;
  return loaded;
}
