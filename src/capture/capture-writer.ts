// Writes frames as pcap or pcapng; the format follows `-F`, or the file name (.pcap) in the UI.
import { ByteSink } from './byte-sink.js';
import type { Frame, InterfaceInfo, TapAnnotation } from './frame.js';
import { PcapWriter } from './pcap-writer.js';
import { PcapngWriter } from './pcapng-writer.js';

export type CaptureFormat = 'pcap' | 'pcapng';

/** Where the kernel copied a frame, as a pcapng export records it (the tap model computes it). */
export interface CaptureWriter {
  /** Appends one frame; `iface` is the interface its `interfaceId` names in the source. pcap keeps no `tap`. */
  write(frame: Frame, iface: InterfaceInfo, tap?: TapAnnotation): void;
  close(): void;
  readonly framesWritten: number;
  readonly bytesWritten: number;
}

export interface WriterOptions {
  format: CaptureFormat;
  /** Whether the source has sub-microsecond timestamps; pcap then uses the nanosecond magic. */
  nanosecond: boolean;
  /** pcapng: the section header's comment (what the capture knew when it started: its warnings). */
  comment?: string;
}

export function createCaptureWriter(path: string, options: WriterOptions): CaptureWriter {
  const sink = new ByteSink(path);
  return options.format === 'pcap' ? new PcapWriter(sink, options.nanosecond) : new PcapngWriter(sink, options.comment);
}
