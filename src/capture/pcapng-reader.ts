// pcapng: draft-ietf-opsawg-pcapng (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-02.html)
// Blocks of type, length, body, length; a Section Header Block sets the byte order of its section.
import type { ByteSource, ChunkedInput } from './chunked-input.js';
import type { CaptureReader, FrameCallback } from './capture-reader.js';
import { CaptureFileError } from './errors.js';
import { blankFrame, MAX_CAPLEN, type InterfaceInfo } from './frame.js';
import { BlockType, BYTE_ORDER_MAGIC, MAX_BLOCK_LENGTH, netnsOfDescription, Option, padded } from './pcapng-format.js';

/** Smallest legal total length of each block type (header, fixed body, trailer). */
const MIN_LENGTH: Record<number, number> = {
  [BlockType.SECTION_HEADER]: 28,
  [BlockType.INTERFACE_DESCRIPTION]: 20,
  [BlockType.PACKET]: 32,
  [BlockType.SIMPLE_PACKET]: 16,
  [BlockType.ENHANCED_PACKET]: 32,
};
const GENERIC_MIN_LENGTH = 12;
const FRAME_BLOCKS: ReadonlySet<number> = new Set([BlockType.ENHANCED_PACKET, BlockType.SIMPLE_PACKET, BlockType.PACKET]);

export function isPcapngMagic(bigEndianWord: number): boolean {
  return bigEndianWord === BlockType.SECTION_HEADER;
}

interface BlockContext {
  /** Index of the block body's first byte in the input buffer. */
  body: number;
  /** Index just past the body (the trailing length). */
  bodyEnd: number;
  /** Source offset of the block, for messages. */
  offset: number;
}

export class PcapngReader implements CaptureReader {
  readonly interfaces: InterfaceInfo[] = [];
  private littleEndian = true;
  /** Index in `interfaces` of this section's interface 0. */
  private sectionBase = 0;
  private readonly frame = blankFrame();
  private readonly textDecoder = new TextDecoder('utf-8', { fatal: false });

  private constructor(
    private readonly name: string,
    private readonly input: ChunkedInput,
    private readonly source: ByteSource,
  ) {}

  static async open(name: string, input: ChunkedInput, source: ByteSource): Promise<PcapngReader> {
    const reader = new PcapngReader(name, input, source);
    // Read the first section header now so that a bad header fails the open, as with pcap.
    const first = await reader.nextBlock();
    if (first === undefined) throw new CaptureFileError(name, 0, 'section header block is truncated');
    reader.handleBlock(first.type, first.ctx);
    await reader.readBlocksBeforeFirstFrame();
    return reader;
  }

  get nanosecond(): boolean {
    return this.interfaces.some((iface) => iface.tsUnitsPerSecond > 1_000_000n);
  }

  async read(onFrame: FrameCallback): Promise<void> {
    for (;;) {
      const block = await this.nextBlock();
      if (block === undefined) return;
      if (this.handleBlock(block.type, block.ctx) && onFrame(this.frame) === false) return;
    }
  }

  close(): Promise<void> {
    return this.source.close();
  }

  private fail(offset: number, detail: string): never {
    throw new CaptureFileError(this.name, offset, detail);
  }

  /**
   * Reads the interface (and other) blocks ahead of the first frame, so that what the capture holds (its
   * timestamp resolution: a pcap written from it needs the nanosecond magic) is known once it is open.
   */
  private async readBlocksBeforeFirstFrame(): Promise<void> {
    const input = this.input;
    for (;;) {
      if (input.available < 12 && !(await input.ensure(12))) return;
      if (FRAME_BLOCKS.has(input.view.getUint32(input.pos, this.littleEndian))) return;
      const block = await this.nextBlock();
      if (block === undefined) return;
      this.handleBlock(block.type, block.ctx);
    }
  }

  /** Buffers the next whole block and checks its framing; undefined at a clean end of file. */
  private async nextBlock(): Promise<{ type: number; ctx: BlockContext } | undefined> {
    const input = this.input;
    if (input.available < 12 && !(await input.ensure(12))) {
      if (input.available === 0) return undefined;
      this.fail(input.offset, `block header is truncated: ${input.available} of 12 bytes`);
    }
    const offset = input.offset;
    let type = input.view.getUint32(input.pos, this.littleEndian);
    if (type === BlockType.SECTION_HEADER || input.view.getUint32(input.pos, false) === BlockType.SECTION_HEADER) {
      type = BlockType.SECTION_HEADER;
      const bom = input.view.getUint32(input.pos + 8, false);
      if (bom === BYTE_ORDER_MAGIC) this.littleEndian = false;
      else if (bom === 0x4d3c2b1a) this.littleEndian = true;
      else this.fail(offset + 8, `section header byte-order magic 0x${bom.toString(16).padStart(8, '0')} is neither order of 0x1a2b3c4d`);
    }
    const length = input.view.getUint32(input.pos + 4, this.littleEndian);
    const minimum = MIN_LENGTH[type] ?? GENERIC_MIN_LENGTH;
    if (length < minimum) this.fail(offset + 4, `block length ${length} is below the minimum ${minimum}`);
    if (length % 4 !== 0) this.fail(offset + 4, `block length ${length} is not a multiple of 4`);
    if (length > MAX_BLOCK_LENGTH) this.fail(offset + 4, `block length ${length} exceeds the maximum ${MAX_BLOCK_LENGTH}`);
    if (input.available < length && !(await input.ensure(length))) {
      this.fail(offset, `block is truncated: length ${length}, the file has ${input.available} bytes left`);
    }
    const start = input.pos;
    const trailer = input.view.getUint32(start + length - 4, this.littleEndian);
    if (trailer !== length) this.fail(offset + length - 4, `block trailer length ${trailer} disagrees with header length ${length}`);
    input.skip(length);
    return { type, ctx: { body: start + 8, bodyEnd: start + length - 4, offset } };
  }

  /** Interprets a buffered block; true when it filled `this.frame`. */
  private handleBlock(type: number, ctx: BlockContext): boolean {
    switch (type) {
      case BlockType.SECTION_HEADER:
        return this.sectionHeader(ctx);
      case BlockType.INTERFACE_DESCRIPTION:
        return this.interfaceDescription(ctx);
      case BlockType.ENHANCED_PACKET:
        return this.enhancedPacket(ctx);
      case BlockType.SIMPLE_PACKET:
        return this.simplePacket(ctx);
      case BlockType.PACKET:
        return this.obsoletePacket(ctx);
      default:
        // Statistics, name resolution, secrets, custom and unknown blocks carry no frames.
        return false;
    }
  }

  private sectionHeader(ctx: BlockContext): boolean {
    const view = this.input.view;
    const major = view.getUint16(ctx.body + 4, this.littleEndian);
    const minor = view.getUint16(ctx.body + 6, this.littleEndian);
    // 1.0 and 1.2 are the versions writers have used; Wireshark rejects the rest too.
    if (major !== 1 || (minor !== 0 && minor !== 2)) this.fail(ctx.offset + 12, `unsupported pcapng section version ${major}.${minor}`);
    this.walkOptions(ctx, ctx.body + 16, () => undefined);
    this.sectionBase = this.interfaces.length;
    return false;
  }

  private interfaceDescription(ctx: BlockContext): boolean {
    const view = this.input.view;
    const iface: InterfaceInfo = {
      linkType: view.getUint16(ctx.body, this.littleEndian),
      snaplen: view.getUint32(ctx.body + 4, this.littleEndian),
      name: undefined,
      description: undefined,
      numbered: true,
      filter: undefined,
      tsUnitsPerSecond: 1_000_000n,
      tsOffsetSec: 0n,
    };
    this.walkOptions(ctx, ctx.body + 8, (code, at, length) => {
      switch (code) {
        case Option.IF_NAME:
          iface.name = this.text(at, length);
          break;
        case Option.IF_DESCRIPTION:
          Object.assign(iface, netnsOfDescription(this.text(at, length)));
          break;
        case Option.IF_TSRESOL: {
          const resolution = this.input.buf[at];
          const exponent = BigInt(resolution & 0x7f);
          iface.tsUnitsPerSecond = resolution & 0x80 ? 1n << exponent : 10n ** exponent;
          if (iface.tsUnitsPerSecond === 0n || exponent > 60n) this.fail(ctx.offset, `if_tsresol ${resolution} is out of range`);
          break;
        }
        case Option.IF_FILTER:
          // The first byte says how the filter is written (0: libpcap expression).
          iface.filter = this.text(at + 1, length - 1);
          break;
        case Option.IF_TSOFFSET:
          if (length >= 8) iface.tsOffsetSec = view.getBigInt64(at, this.littleEndian);
          break;
      }
    });
    this.interfaces.push(iface);
    return false;
  }

  private enhancedPacket(ctx: BlockContext): boolean {
    const view = this.input.view;
    const le = this.littleEndian;
    const iface = this.interfaceFor(view.getUint32(ctx.body, le), ctx);
    const caplen = view.getUint32(ctx.body + 12, le);
    this.fillFrame(ctx, iface, view.getUint32(ctx.body + 4, le), view.getUint32(ctx.body + 8, le), caplen, view.getUint32(ctx.body + 16, le), ctx.body + 20);
    this.readPacketOptions(ctx, ctx.body + 20 + padded(caplen), Option.EPB_FLAGS);
    return true;
  }

  private obsoletePacket(ctx: BlockContext): boolean {
    const view = this.input.view;
    const le = this.littleEndian;
    const iface = this.interfaceFor(view.getUint16(ctx.body, le), ctx);
    const caplen = view.getUint32(ctx.body + 12, le);
    this.fillFrame(ctx, iface, view.getUint32(ctx.body + 4, le), view.getUint32(ctx.body + 8, le), caplen, view.getUint32(ctx.body + 16, le), ctx.body + 20);
    // pack_flags uses the same code and layout as epb_flags.
    this.readPacketOptions(ctx, ctx.body + 20 + padded(caplen), Option.EPB_FLAGS);
    return true;
  }

  private simplePacket(ctx: BlockContext): boolean {
    const iface = this.interfaceFor(0, ctx);
    const info = this.interfaces[iface];
    const originalLength = this.input.view.getUint32(ctx.body, this.littleEndian);
    const room = ctx.bodyEnd - ctx.body - 4;
    let caplen = Math.min(originalLength, room);
    if (info.snaplen > 0) caplen = Math.min(caplen, info.snaplen);
    // A simple packet has no timestamp.
    this.fillFrame(ctx, iface, 0, 0, caplen, originalLength, ctx.body + 4);
    return true;
  }

  private interfaceFor(sectionInterfaceId: number, ctx: BlockContext): number {
    const id = this.sectionBase + sectionInterfaceId;
    if (id >= this.interfaces.length) {
      this.fail(ctx.offset + 8, `packet refers to interface ${sectionInterfaceId}, but the section describes ${this.interfaces.length - this.sectionBase}`);
    }
    return id;
  }

  private fillFrame(ctx: BlockContext, interfaceId: number, tsHigh: number, tsLow: number, caplen: number, originalLength: number, dataAt: number): void {
    if (caplen > MAX_CAPLEN) this.fail(ctx.offset + 20, `packet captured length ${caplen} exceeds the maximum ${MAX_CAPLEN}`);
    if (dataAt + caplen > ctx.bodyEnd) {
      this.fail(ctx.offset + 20, `packet captured length ${caplen} overruns its block (${ctx.bodyEnd - dataAt} bytes of room)`);
    }
    const iface = this.interfaces[interfaceId];
    const frame = this.frame;
    const units = iface.tsUnitsPerSecond;
    if (units === 1_000_000n && tsHigh < 0x200000) {
      // Microsecond timestamps below 2^53 are exact as doubles: the common case avoids bigint work.
      const micros = tsHigh * 4294967296 + tsLow;
      frame.tsSec = Math.floor(micros / 1e6) + Number(iface.tsOffsetSec);
      frame.tsNsec = (micros % 1e6) * 1000;
    } else {
      const value = (BigInt(tsHigh) << 32n) | BigInt(tsLow);
      frame.tsSec = Number(value / units + iface.tsOffsetSec);
      frame.tsNsec = Number(((value % units) * 1_000_000_000n) / units);
    }
    frame.capturedLength = caplen;
    frame.originalLength = originalLength;
    frame.linkType = iface.linkType;
    frame.interfaceId = interfaceId;
    frame.flags = 0;
    frame.comment = undefined;
    frame.data = this.input.buf.subarray(dataAt, dataAt + caplen);
    frame.dataOffset = this.input.offsetOf(dataAt);
  }

  private readPacketOptions(ctx: BlockContext, optionsAt: number, flagsCode: number): void {
    const frame = this.frame;
    this.walkOptions(ctx, optionsAt, (code, at, length) => {
      if (code === Option.COMMENT) {
        const comment = this.text(at, length);
        frame.comment = frame.comment === undefined ? comment : `${frame.comment}\n${comment}`;
      } else if (code === flagsCode && length >= 4) {
        frame.flags = this.input.view.getUint32(at, this.littleEndian);
      }
    });
  }

  /** Calls `visit` for each option between `at` and the block's trailer; an overrun is an error. */
  private walkOptions(ctx: BlockContext, at: number, visit: (code: number, valueAt: number, length: number) => void): void {
    const view = this.input.view;
    let cursor = at;
    while (cursor + 4 <= ctx.bodyEnd) {
      const code = view.getUint16(cursor, this.littleEndian);
      const length = view.getUint16(cursor + 2, this.littleEndian);
      if (code === Option.END) return;
      if (cursor + 4 + length > ctx.bodyEnd) {
        this.fail(this.input.offsetOf(cursor), `option ${code} of length ${length} overruns its block by ${cursor + 4 + length - ctx.bodyEnd} bytes`);
      }
      visit(code, cursor + 4, length);
      cursor += 4 + padded(length);
    }
  }

  private text(at: number, length: number): string {
    return this.textDecoder.decode(this.input.buf.subarray(at, at + length)).replace(/\0+$/, '');
  }
}
