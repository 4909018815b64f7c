// libpcap savefile writer: https://www.tcpdump.org/manpages/pcap-savefile.5.html
// Written in the machine's byte order is not needed: we always write little-endian, as tcpdump does on x86.
import type { ByteSink } from './byte-sink.js';
import type { CaptureWriter } from './capture-writer.js';
import { CaptureWriteError } from './errors.js';
import type { Frame, InterfaceInfo } from './frame.js';
import { MAX_CAPLEN } from './frame.js';

const MAGIC_MICRO = 0xa1b2c3d4;
/** Seconds fit 32 unsigned bits: the format ends in February 2106. */
const MAX_SECONDS = 0xffffffff;
const MAGIC_NANO = 0xa1b23c4d;

export class PcapWriter implements CaptureWriter {
  framesWritten = 0;

  /** Bytes of the file so far, buffered ones included. */
  get bytesWritten(): number {
    return this.sink.written;
  }
  private linkType = -1;

  constructor(
    private readonly sink: ByteSink,
    private readonly nanosecond: boolean,
  ) {}

  write(frame: Frame, _iface: InterfaceInfo): void {
    const sink = this.sink;
    if (frame.tsSec < 0 || frame.tsSec > MAX_SECONDS) {
      throw new CaptureWriteError(`pcap cannot hold the timestamp ${frame.tsSec} s (its seconds are 32 bits); write pcapng instead`);
    }
    if (this.linkType === -1) this.writeHeader(frame.linkType);
    else if (frame.linkType !== this.linkType) {
      throw new CaptureWriteError(`pcap holds one link type: frame has ${frame.linkType}, the file ${this.linkType}; write pcapng instead`);
    }
    const at = sink.reserve(16 + frame.capturedLength);
    const view = sink.view;
    view.setUint32(at, frame.tsSec, true);
    view.setUint32(at + 4, this.nanosecond ? frame.tsNsec : Math.floor(frame.tsNsec / 1000), true);
    view.setUint32(at + 8, frame.capturedLength, true);
    view.setUint32(at + 12, frame.originalLength, true);
    sink.bytes.set(frame.data, at + 16);
    this.framesWritten++;
  }

  close(): void {
    // An empty capture still gets a header, as tcpdump writes one; Ethernet is its default link type.
    if (this.linkType === -1) this.writeHeader(1);
    this.sink.close();
  }

  private writeHeader(linkType: number): void {
    this.linkType = linkType;
    const at = this.sink.reserve(24);
    const view = this.sink.view;
    view.setUint32(at, this.nanosecond ? MAGIC_NANO : MAGIC_MICRO, true);
    view.setUint16(at + 4, 2, true);
    view.setUint16(at + 6, 4, true);
    view.setInt32(at + 8, 0, true);
    view.setUint32(at + 12, 0, true);
    view.setUint32(at + 16, MAX_CAPLEN, true);
    view.setUint32(at + 20, linkType, true);
  }
}
