// libpcap savefile format: https://www.tcpdump.org/manpages/pcap-savefile.5.html
// 24-byte file header, then 16-byte record headers each followed by caplen bytes.
import type { ByteSource, ChunkedInput } from './chunked-input.js';
import type { CaptureReader, FrameCallback } from './capture-reader.js';
import { CaptureFileError } from './errors.js';
import { blankFrame, MAX_CAPLEN, type InterfaceInfo } from './frame.js';

const MAGIC_MICRO = 0xa1b2c3d4;
const MAGIC_NANO = 0xa1b23c4d;
const MAGIC_MICRO_SWAPPED = 0xd4c3b2a1;
const MAGIC_NANO_SWAPPED = 0x4d3cb2a1;

const FILE_HEADER_LENGTH = 24;
const RECORD_HEADER_LENGTH = 16;

const HEADER = { VERSION_MAJOR: 4, VERSION_MINOR: 6, SNAPLEN: 16, LINKTYPE: 20 } as const;
const RECORD = { TS_SEC: 0, TS_FRACTION: 4, CAPLEN: 8, ORIGLEN: 12 } as const;

export function isPcapMagic(bigEndianWord: number): boolean {
  return [MAGIC_MICRO, MAGIC_NANO, MAGIC_MICRO_SWAPPED, MAGIC_NANO_SWAPPED].includes(bigEndianWord);
}

export class PcapReader implements CaptureReader {
  readonly interfaces: InterfaceInfo[];

  private constructor(
    private readonly name: string,
    private readonly input: ChunkedInput,
    private readonly source: ByteSource,
    private readonly littleEndian: boolean,
    readonly nanosecond: boolean,
    private readonly snaplen: number,
    private readonly linkType: number,
  ) {
    this.interfaces = [
      {
        linkType,
        snaplen,
        name: undefined,
        description: undefined,
        numbered: false,
        filter: undefined,
        tsUnitsPerSecond: nanosecond ? 1_000_000_000n : 1_000_000n,
        tsOffsetSec: 0n,
      },
    ];
  }

  static async open(name: string, input: ChunkedInput, source: ByteSource): Promise<PcapReader> {
    if (!(await input.ensure(FILE_HEADER_LENGTH))) {
      throw new CaptureFileError(name, input.end, `pcap file header is truncated: ${input.end} of ${FILE_HEADER_LENGTH} bytes`);
    }
    const magic = input.view.getUint32(0, false);
    const littleEndian = magic === MAGIC_MICRO_SWAPPED || magic === MAGIC_NANO_SWAPPED;
    const nanosecond = magic === MAGIC_NANO || magic === MAGIC_NANO_SWAPPED;
    const major = input.view.getUint16(HEADER.VERSION_MAJOR, littleEndian);
    if (major !== 2) {
      const minor = input.view.getUint16(HEADER.VERSION_MINOR, littleEndian);
      throw new CaptureFileError(name, HEADER.VERSION_MAJOR, `unsupported pcap version ${major}.${minor} (only 2.x exists)`);
    }
    const snaplen = input.view.getUint32(HEADER.SNAPLEN, littleEndian);
    // The upper 16 bits hold FCS length and reserved flags, not part of the link type.
    const linkType = input.view.getUint32(HEADER.LINKTYPE, littleEndian) & 0xffff;
    input.skip(FILE_HEADER_LENGTH);
    return new PcapReader(name, input, source, littleEndian, nanosecond, snaplen, linkType);
  }

  async read(onFrame: FrameCallback): Promise<void> {
    const { input, littleEndian } = this;
    const fractionScale = this.nanosecond ? 1 : 1000;
    const caplenLimit = MAX_CAPLEN;
    const frame = blankFrame(this.linkType);
    for (;;) {
      if (input.available < RECORD_HEADER_LENGTH && !(await input.ensure(RECORD_HEADER_LENGTH))) {
        if (input.available === 0) return;
        throw new CaptureFileError(
          this.name,
          input.offset,
          `record header is truncated: ${input.available} of ${RECORD_HEADER_LENGTH} bytes`,
        );
      }
      const view = input.view;
      const at = input.pos;
      const caplen = view.getUint32(at + RECORD.CAPLEN, littleEndian);
      if (caplen > caplenLimit) {
        throw new CaptureFileError(
          this.name,
          input.offset + RECORD.CAPLEN,
          `record captured length ${caplen} exceeds the maximum ${caplenLimit}`,
        );
      }
      if (input.available < RECORD_HEADER_LENGTH + caplen && !(await input.ensure(RECORD_HEADER_LENGTH + caplen))) {
        throw new CaptureFileError(
          this.name,
          input.offset,
          `record is truncated: header says ${caplen} captured bytes, the file has ${input.available - RECORD_HEADER_LENGTH}`,
        );
      }
      const start = input.pos;
      const fraction = input.view.getUint32(start + RECORD.TS_FRACTION, littleEndian);
      frame.tsSec = input.view.getUint32(start + RECORD.TS_SEC, littleEndian);
      // Out-of-range fractions occur in old files; carry them into seconds as libpcap's readers do.
      const nsec = fraction * fractionScale;
      frame.tsSec += Math.floor(nsec / 1e9);
      frame.tsNsec = nsec % 1e9;
      frame.capturedLength = caplen;
      frame.originalLength = input.view.getUint32(start + RECORD.ORIGLEN, littleEndian);
      frame.data = input.buf.subarray(start + RECORD_HEADER_LENGTH, start + RECORD_HEADER_LENGTH + caplen);
      frame.dataOffset = input.offsetOf(start + RECORD_HEADER_LENGTH);
      input.skip(RECORD_HEADER_LENGTH + caplen);
      if (onFrame(frame) === false) return;
    }
  }

  close(): Promise<void> {
    return this.source.close();
  }
}
