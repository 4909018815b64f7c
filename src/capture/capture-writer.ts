// Writes frames as pcap or pcapng; the format follows `-F`, or the file name (.pcap) in the UI.
import { ByteSink } from './byte-sink.js';
import type { Direction, Frame, InterfaceInfo } from './frame.js';
import { PcapWriter } from './pcap-writer.js';
import { PcapngWriter } from './pcapng-writer.js';

export type CaptureFormat = 'pcap' | 'pcapng';

/** Where the kernel copied a frame, as a pcapng export records it (the tap model computes it). */
export interface TapAnnotation {
  /** The tap point, e.g. `ingress AF_PACKET eth0`: each interface and tap point gets its own IDB. */
  point: string;
  /** The IDB's if_description. */
  description: string;
  /** One line for the frame's opt_comment. */
  comment: string;
  /** For epb_flags when the source's flags say nothing (SLL2, NFLOG). */
  direction: Direction;
}

export interface CaptureWriter {
  /** Appends one frame; `iface` is the interface its `interfaceId` names in the source. pcap keeps no `tap`. */
  write(frame: Frame, iface: InterfaceInfo, tap?: TapAnnotation): void;
  close(): void;
  readonly framesWritten: number;
}

export interface WriterOptions {
  format: CaptureFormat;
  /** Whether the source has sub-microsecond timestamps; pcap then uses the nanosecond magic. */
  nanosecond: boolean;
}

export function createCaptureWriter(path: string, options: WriterOptions): CaptureWriter {
  const sink = new ByteSink(path);
  return options.format === 'pcap' ? new PcapWriter(sink, options.nanosecond) : new PcapngWriter(sink);
}
