// pcapng writer (draft-ietf-opsawg-pcapng): one SHB, one IDB per source interface and tap point (its
// description naming the tap), EPBs with epb_flags when the direction is known, opt_comment for the
// frame's own comment and the tap's one-line annotation, and epb_packetid for the copies of one packet;
// at the end, a statistics block's comment for what the capture learnt besides its frames.
import type { ByteSink } from './byte-sink.js';
import type { CaptureWriter } from './capture-writer.js';
import { BlockType, BYTE_ORDER_MAGIC, describeWithNetns, Option, padded } from './pcapng-format.js';
import { MAX_CAPLEN, type Frame, type InterfaceInfo, type TapAnnotation } from './frame.js';

const SHB_USER_APPLICATION = 4;
/** Block type and length before each block's body, and the length again after it. */
const BLOCK_HEADER = 8;
const BLOCK_FRAMING = BLOCK_HEADER + 4;
/** An EPB's interface id, timestamp (2 words), captured and original lengths. */
const EPB_FIXED = 20;
const OPTION_HEADER = 4;
const EPB_FLAGS_LENGTH = 4;
const EPB_PACKETID_LENGTH = 8;
const TWO_TO_32 = 2 ** 32;
const TAP_COMMENTS_KEPT = 256;
const encoder = new TextEncoder();

interface OptionValue {
  code: number;
  bytes: Uint8Array;
}

export class PcapngWriter implements CaptureWriter {
  framesWritten = 0;

  /** Bytes of the file so far, buffered ones included. */
  get bytesWritten(): number {
    return this.sink.written;
  }
  /** Output interface id per source interface (and link type, which a source interface fixes) and tap point. */
  private readonly interfaceIds = new Map<InterfaceInfo, Map<string, number>>();
  private interfaceCount = 0;
  /** A capture's frames share a few annotations (one per interface, direction and shape), each encoded once. */
  private readonly encodedTapComments = new Map<string, Uint8Array>();
  private readonly nanosecondInterfaces: boolean[] = [];
  /**
   * The last second written, in the last resolution, as two 32-bit words: frames come many to a second,
   * so the 64-bit timestamp takes bigint arithmetic once a second rather than once a frame.
   */
  private secondWritten = Number.NaN;
  private secondNanosecond = false;
  private secondHigh = 0;
  private secondLow = 0;

  /** `comment`: the section header's, when there is one. */
  constructor(
    private readonly sink: ByteSink,
    comment?: string,
  ) {
    const options: OptionValue[] = [{ code: SHB_USER_APPLICATION, bytes: encoder.encode('tsshark') }];
    if (comment !== undefined) options.push({ code: Option.COMMENT, bytes: encoder.encode(comment) });
    this.writeBlock(BlockType.SECTION_HEADER, 16, (at) => {
      const view = sink.view;
      view.setUint32(at, BYTE_ORDER_MAGIC, true);
      view.setUint16(at + 4, 1, true);
      view.setUint16(at + 6, 0, true);
      // Section length unknown: -1.
      view.setBigInt64(at + 8, -1n, true);
    }, options);
  }

  /** Appends the frame; returns the file offset of its packet data. */
  write(frame: Frame, iface: InterfaceInfo, tap?: TapAnnotation): number {
    const point = tap?.point ?? '';
    const id = this.interfaceIds.get(iface)?.get(point) ?? this.describe(iface, frame.linkType, point, tap?.description);
    // A frame's own comment is rare; the tap's is on every frame of a live capture.
    const ownComment = frame.comment === undefined ? undefined : encoder.encode(frame.comment);
    // A file this writer wrote already carries the line: written again, it is not repeated.
    const tapComment = tap === undefined || (frame.comment?.split('\n').includes(tap.comment) ?? false) ? undefined : this.encodedTapComment(tap.comment);
    const fateComment = tap?.fate === undefined ? undefined : encoder.encode(tap.fate);
    const flagsWord = frame.flags !== 0 ? frame.flags : (tap?.direction ?? 0);
    const packetId = tap?.packetId;
    let optionsLength = flagsWord === 0 ? 0 : OPTION_HEADER + EPB_FLAGS_LENGTH;
    if (packetId !== undefined) optionsLength += OPTION_HEADER + EPB_PACKETID_LENGTH;
    if (ownComment !== undefined) optionsLength += OPTION_HEADER + padded(ownComment.length);
    if (tapComment !== undefined) optionsLength += OPTION_HEADER + padded(tapComment.length);
    if (fateComment !== undefined) optionsLength += OPTION_HEADER + padded(fateComment.length);
    if (optionsLength > 0) optionsLength += OPTION_HEADER;
    const dataLength = padded(frame.capturedLength);
    const total = BLOCK_FRAMING + EPB_FIXED + dataLength + optionsLength;
    const dataOffset = this.sink.written + BLOCK_HEADER + EPB_FIXED;
    const at = this.sink.reserve(total);
    const dataAt = at + BLOCK_HEADER + EPB_FIXED;
    const view = this.sink.view;
    const bytes = this.sink.bytes;
    view.setUint32(at, BlockType.ENHANCED_PACKET, true);
    view.setUint32(at + 4, total, true);
    view.setUint32(at + 8, id, true);
    this.putTimestamp(at + 12, frame, this.nanosecondInterfaces[id]);
    view.setUint32(at + 20, frame.capturedLength, true);
    view.setUint32(at + 24, frame.originalLength, true);
    bytes.set(frame.data, dataAt);
    bytes.fill(0, dataAt + frame.capturedLength, dataAt + dataLength);
    let cursor = dataAt + dataLength;
    if (ownComment !== undefined) cursor = this.putOption(cursor, Option.COMMENT, ownComment);
    if (tapComment !== undefined) cursor = this.putOption(cursor, Option.COMMENT, tapComment);
    if (fateComment !== undefined) cursor = this.putOption(cursor, Option.COMMENT, fateComment);
    if (flagsWord !== 0) {
      view.setUint16(cursor, Option.EPB_FLAGS, true);
      view.setUint16(cursor + 2, EPB_FLAGS_LENGTH, true);
      view.setUint32(cursor + 4, flagsWord, true);
      cursor += OPTION_HEADER + EPB_FLAGS_LENGTH;
    }
    if (packetId !== undefined) {
      view.setUint16(cursor, Option.EPB_PACKETID, true);
      view.setUint16(cursor + 2, EPB_PACKETID_LENGTH, true);
      view.setBigUint64(cursor + 4, BigInt(packetId), true);
      cursor += OPTION_HEADER + EPB_PACKETID_LENGTH;
    }
    if (optionsLength > 0) view.setUint32(cursor, 0, true);
    view.setUint32(at + total - 4, total, true);
    this.framesWritten++;
    return dataOffset;
  }

  /**
   * An Interface Statistics Block at the end of the capture carrying `comment` (what the capture learnt
   * besides its frames: the kernel's drops), for the first interface, timed `endedAtMs`. Nothing is
   * written when no frame was: a statistics block needs an interface to name.
   */
  writeEndComment(comment: string, endedAtMs: number): void {
    if (this.interfaceCount === 0) return;
    const nanosecond = this.nanosecondInterfaces[0];
    const units = BigInt(Math.round(endedAtMs)) * (nanosecond ? 1_000_000n : 1_000n);
    this.writeBlock(BlockType.INTERFACE_STATISTICS, 12, (at) => {
      const view = this.sink.view;
      view.setUint32(at, 0, true);
      view.setUint32(at + 4, Number(units >> 32n), true);
      view.setUint32(at + 8, Number(units & 0xffffffffn), true);
    }, [{ code: Option.COMMENT, bytes: encoder.encode(comment) }]);
  }

  close(): void {
    this.sink.close();
  }

  private describe(iface: InterfaceInfo, linkType: number, point: string, tapDescription: string | undefined): number {
    const id = this.interfaceCount++;
    let points = this.interfaceIds.get(iface);
    if (points === undefined) {
      points = new Map();
      this.interfaceIds.set(iface, points);
    }
    points.set(point, id);
    const nanosecond = iface.tsUnitsPerSecond > 1_000_000n;
    this.nanosecondInterfaces.push(nanosecond);
    const options: OptionValue[] = [];
    const description = describeWithNetns(tapDescription ?? iface.description, iface);
    if (iface.name !== undefined) options.push({ code: Option.IF_NAME, bytes: encoder.encode(iface.name) });
    if (description !== undefined) options.push({ code: Option.IF_DESCRIPTION, bytes: encoder.encode(description) });
    options.push({ code: Option.IF_TSRESOL, bytes: Uint8Array.of(nanosecond ? 9 : 6) });
    this.writeBlock(BlockType.INTERFACE_DESCRIPTION, 8, (at) => {
      const view = this.sink.view;
      view.setUint16(at, linkType, true);
      view.setUint16(at + 2, 0, true);
      view.setUint32(at + 4, iface.snaplen > 0 ? iface.snaplen : MAX_CAPLEN, true);
    }, options);
    return id;
  }

  private encodedTapComment(comment: string): Uint8Array {
    let bytes = this.encodedTapComments.get(comment);
    if (bytes === undefined) {
      // Bounded: a capture whose every frame has its own annotation (datagrams over the MTU) starts afresh.
      if (this.encodedTapComments.size === TAP_COMMENTS_KEPT) this.encodedTapComments.clear();
      bytes = encoder.encode(comment);
      this.encodedTapComments.set(comment, bytes);
    }
    return bytes;
  }

  /** The frame's time in its interface's units (µs or ns since 1970), high word first. */
  private putTimestamp(at: number, frame: Frame, nanosecond: boolean): void {
    if (frame.tsSec !== this.secondWritten || nanosecond !== this.secondNanosecond) {
      const units = BigInt.asUintN(64, BigInt(frame.tsSec) * (nanosecond ? 1_000_000_000n : 1_000_000n));
      this.secondWritten = frame.tsSec;
      this.secondNanosecond = nanosecond;
      this.secondHigh = Number(units >> 32n);
      this.secondLow = Number(units & 0xffffffffn);
    }
    const low = this.secondLow + (nanosecond ? frame.tsNsec : Math.floor(frame.tsNsec / 1000));
    const view = this.sink.view;
    view.setUint32(at, (this.secondHigh + Math.floor(low / TWO_TO_32)) >>> 0, true);
    view.setUint32(at + 4, low % TWO_TO_32, true);
  }

  /** Writes one option (code, length, value padded to 32 bits); returns where the next starts. */
  private putOption(at: number, code: number, value: Uint8Array): number {
    const view = this.sink.view;
    view.setUint16(at, code, true);
    view.setUint16(at + 2, value.length, true);
    this.sink.bytes.set(value, at + OPTION_HEADER);
    this.sink.bytes.fill(0, at + OPTION_HEADER + value.length, at + OPTION_HEADER + padded(value.length));
    return at + OPTION_HEADER + padded(value.length);
  }

  /** Writes header, the fixed body `fill` writes, the options with their end marker, and the trailer. */
  private writeBlock(type: number, fixedLength: number, fill: (at: number) => void, options: readonly OptionValue[]): void {
    let optionsLength = 0;
    for (const option of options) optionsLength += OPTION_HEADER + padded(option.bytes.length);
    if (optionsLength > 0) optionsLength += OPTION_HEADER;
    const total = BLOCK_FRAMING + fixedLength + optionsLength;
    const at = this.sink.reserve(total);
    const view = this.sink.view;
    view.setUint32(at, type, true);
    view.setUint32(at + 4, total, true);
    fill(at + BLOCK_HEADER);
    let cursor = at + BLOCK_HEADER + fixedLength;
    for (const option of options) cursor = this.putOption(cursor, option.code, option.bytes);
    if (optionsLength > 0) view.setUint32(cursor, 0, true);
    view.setUint32(at + total - 4, total, true);
  }
}
