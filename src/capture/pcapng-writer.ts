// pcapng writer (draft-ietf-opsawg-pcapng): one SHB, one IDB per source interface and tap point (its
// description naming the tap), EPBs with epb_flags when the direction is known and opt_comment for the
// frame's own comment and the tap's one-line annotation.
import type { ByteSink } from './byte-sink.js';
import type { CaptureWriter, TapAnnotation } from './capture-writer.js';
import type { Frame, InterfaceInfo } from './frame.js';
import { BlockType, BYTE_ORDER_MAGIC, Option, padded } from './pcapng-format.js';
import { MAX_CAPLEN } from './frame.js';

const SHB_USER_APPLICATION = 4;
const encoder = new TextEncoder();

interface OptionValue {
  code: number;
  bytes: Uint8Array;
}

export class PcapngWriter implements CaptureWriter {
  framesWritten = 0;
  /** Output interface id per source interface (and link type, which a source interface fixes) and tap point. */
  private readonly interfaceIds = new Map<InterfaceInfo, Map<string, number>>();
  private interfaceCount = 0;
  /** Runs of frames share one annotation: it is encoded once per run. */
  private lastTapComment = '';
  private lastTapCommentBytes = new Uint8Array(0);
  private readonly nanosecondInterfaces: boolean[] = [];

  constructor(private readonly sink: ByteSink) {
    this.writeBlock(BlockType.SECTION_HEADER, 16, (at) => {
      const view = sink.view;
      view.setUint32(at, BYTE_ORDER_MAGIC, true);
      view.setUint16(at + 4, 1, true);
      view.setUint16(at + 6, 0, true);
      // Section length unknown: -1.
      view.setBigInt64(at + 8, -1n, true);
    }, [{ code: SHB_USER_APPLICATION, bytes: encoder.encode('tsshark') }]);
  }

  /** Appends the frame; returns the file offset of its packet data. */
  write(frame: Frame, iface: InterfaceInfo, tap?: TapAnnotation): number {
    const point = tap?.point ?? '';
    const id = this.interfaceIds.get(iface)?.get(point) ?? this.describe(iface, frame.linkType, point, tap?.description);
    const nanosecond = this.nanosecondInterfaces[id];
    const units = nanosecond
      ? BigInt(frame.tsSec) * 1_000_000_000n + BigInt(frame.tsNsec)
      : BigInt(frame.tsSec) * 1_000_000n + BigInt(Math.floor(frame.tsNsec / 1000));
    const options: OptionValue[] = [];
    if (frame.comment !== undefined) options.push({ code: Option.COMMENT, bytes: encoder.encode(frame.comment) });
    // A file this writer wrote already carries the line: written again, it is not repeated.
    if (tap !== undefined && !(frame.comment?.split('\n').includes(tap.comment) ?? false)) {
      if (tap.comment !== this.lastTapComment) {
        this.lastTapComment = tap.comment;
        this.lastTapCommentBytes = encoder.encode(tap.comment);
      }
      options.push({ code: Option.COMMENT, bytes: this.lastTapCommentBytes });
    }
    const flagsWord = frame.flags !== 0 ? frame.flags : (tap?.direction ?? 0);
    if (flagsWord !== 0) {
      const flags = new Uint8Array(4);
      new DataView(flags.buffer).setUint32(0, flagsWord, true);
      options.push({ code: Option.EPB_FLAGS, bytes: flags });
    }
    // Block header (8) and the EPB's fixed fields (20) precede the data.
    const dataOffset = this.sink.written + 28;
    this.writeBlock(BlockType.ENHANCED_PACKET, 20 + padded(frame.capturedLength), (at) => {
      const view = this.sink.view;
      view.setUint32(at, id, true);
      view.setUint32(at + 4, Number(units >> 32n), true);
      view.setUint32(at + 8, Number(units & 0xffffffffn), true);
      view.setUint32(at + 12, frame.capturedLength, true);
      view.setUint32(at + 16, frame.originalLength, true);
      this.sink.bytes.set(frame.data, at + 20);
      this.sink.bytes.fill(0, at + 20 + frame.capturedLength, at + 20 + padded(frame.capturedLength));
    }, options);
    this.framesWritten++;
    return dataOffset;
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
    const description = tapDescription ?? iface.description;
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

  /** Writes header, the fixed body `fill` writes, the options with their end marker, and the trailer. */
  private writeBlock(type: number, fixedLength: number, fill: (at: number) => void, options: readonly OptionValue[]): void {
    let optionsLength = 0;
    for (const option of options) optionsLength += 4 + padded(option.bytes.length);
    if (optionsLength > 0) optionsLength += 4;
    const total = 12 + fixedLength + optionsLength;
    const at = this.sink.reserve(total);
    const view = this.sink.view;
    view.setUint32(at, type, true);
    view.setUint32(at + 4, total, true);
    fill(at + 8);
    let cursor = at + 8 + fixedLength;
    for (const option of options) {
      view.setUint16(cursor, option.code, true);
      view.setUint16(cursor + 2, option.bytes.length, true);
      this.sink.bytes.set(option.bytes, cursor + 4);
      this.sink.bytes.fill(0, cursor + 4 + option.bytes.length, cursor + 4 + padded(option.bytes.length));
      cursor += 4 + padded(option.bytes.length);
    }
    if (optionsLength > 0) view.setUint32(cursor, 0, true);
    view.setUint32(at + total - 4, total, true);
  }
}
