// Print mode when a frame's output depends on frames after it: tap.path links one packet's copies at
// several tap points, and an NFLOG copy arrives up to a second or more after the interface's. Frames are
// decoded as they come (which links them) and held for the link window, then dissected again for the
// filter and the printer: a file's output is the same, a live capture's comes LINK_WINDOW_S late.
// Held frames are kept in columns and their bytes in one ring buffer, released in order: a frame held
// costs no object of its own (a busy live capture holds hundreds of thousands a second).
import type { Frame, InterfaceInfo } from '../capture/frame.js';
import type { Timestamp } from '../decode/decoder.js';
import { LINK_WINDOW_S } from '../decode/taps/tap-paths.js';
import { doubled } from '../util/typed-arrays.js';

/** Bounds the frames held (and their copies' memory) whatever the rate: the oldest then go out early. */
export const MAX_HELD = 100_000;
const INITIAL_FRAMES = 1024;
const INITIAL_BYTES = 1 << 20;

export class HeldFrames {
  // A ring of held frames: slot `(first + n) % capacity` is the n-th oldest.
  private numbers = new Int32Array(INITIAL_FRAMES);
  private seconds = new Float64Array(INITIAL_FRAMES);
  private nanoseconds = new Int32Array(INITIAL_FRAMES);
  private captured = new Int32Array(INITIAL_FRAMES);
  private original = new Int32Array(INITIAL_FRAMES);
  private linkTypes = new Int32Array(INITIAL_FRAMES);
  private interfaceIds = new Int32Array(INITIAL_FRAMES);
  private flags = new Uint32Array(INITIAL_FRAMES);
  private dataOffsets = new Float64Array(INITIAL_FRAMES);
  /** Where each frame's bytes start in `bytes`. */
  private byteAt = new Float64Array(INITIAL_FRAMES);
  private ifaces: (InterfaceInfo | undefined)[] = new Array(INITIAL_FRAMES);
  private comments: (string | undefined)[] = new Array(INITIAL_FRAMES);
  private first = 0;
  private count = 0;
  /** The frames' bytes, in the order held: from `bytesFirst`, `bytesUsed` of them, wrapping at the end. */
  private bytes = new Uint8Array(INITIAL_BYTES);
  private bytesFirst = 0;
  private bytesUsed = 0;
  private readonly previous: Timestamp = { tsSec: 0, tsNsec: 0 };
  private releasedAny = false;
  private readonly released: Frame = { tsSec: 0, tsNsec: 0, capturedLength: 0, originalLength: 0, linkType: 0, interfaceId: 0, flags: 0, comment: undefined, data: new Uint8Array(0), dataOffset: 0 };

  /**
   * `decode` links each frame as it comes and gives its number; `release` gets each frame once the window
   * after it has passed, in order, valid until it returns (a release that dissects it again needs a decoder
   * that remembers every frame).
   */
  constructor(
    private readonly decode: (frame: Frame, iface: InterfaceInfo | undefined) => number,
    private readonly release: (number: number, frame: Frame, iface: InterfaceInfo | undefined, previous: Timestamp) => void,
  ) {}

  /** Decodes the frame (its bytes may be reused after) and releases the frames the window has passed. */
  add(frame: Frame, iface: InterfaceInfo | undefined): void {
    this.hold(this.decode(frame, iface), frame, iface);
    const horizon = frame.tsSec + frame.tsNsec / 1e9 - LINK_WINDOW_S;
    while (this.count > 0) {
      const oldest = this.first;
      if (this.count <= MAX_HELD && this.seconds[oldest] + this.nanoseconds[oldest] / 1e9 > horizon) break;
      this.releaseOldest();
    }
  }

  /** Releases every frame still held: the end of the capture. */
  flush(): void {
    while (this.count > 0) this.releaseOldest();
  }

  private hold(number: number, frame: Frame, iface: InterfaceInfo | undefined): void {
    if (this.count === this.numbers.length) this.growFrames();
    const length = frame.data.length;
    let at = this.bytesFree(length);
    if (at < 0) {
      this.growBytes(length);
      at = this.bytesFree(length);
    }
    this.bytes.set(frame.data, at);
    const slot = (this.first + this.count) % this.numbers.length;
    this.numbers[slot] = number;
    this.seconds[slot] = frame.tsSec;
    this.nanoseconds[slot] = frame.tsNsec;
    this.captured[slot] = length;
    this.original[slot] = frame.originalLength;
    this.linkTypes[slot] = frame.linkType;
    this.interfaceIds[slot] = frame.interfaceId;
    this.flags[slot] = frame.flags;
    this.dataOffsets[slot] = frame.dataOffset;
    this.byteAt[slot] = at;
    this.ifaces[slot] = iface;
    this.comments[slot] = frame.comment;
    this.count++;
  }

  /** Where `length` bytes go after those held (reserving them), or -1 when the ring has no room for them. */
  private bytesFree(length: number): number {
    const size = this.bytes.length;
    const end = this.bytesFirst + this.bytesUsed;
    if (end < size || this.bytesUsed === 0) {
      // Held bytes lie in [bytesFirst, end): room after them, else (skipping the tail) at the start.
      const from = this.bytesUsed === 0 ? 0 : end;
      if (this.bytesUsed === 0) this.bytesFirst = 0;
      if (from + length <= size) {
        this.bytesUsed += length;
        return from;
      }
      if (length <= this.bytesFirst) {
        // The tail left unused counts as used until the frames before it are released.
        this.bytesUsed += size - from + length;
        return 0;
      }
      return -1;
    }
    // Wrapped: room between the end (past the start) and bytesFirst.
    const wrappedEnd = end - size;
    if (wrappedEnd + length <= this.bytesFirst) {
      this.bytesUsed += length;
      return wrappedEnd;
    }
    return -1;
  }

  private releaseOldest(): void {
    const slot = this.first;
    const frame = this.released;
    const at = this.byteAt[slot];
    const length = this.captured[slot];
    const iface = this.ifaces[slot];
    frame.tsSec = this.seconds[slot];
    frame.tsNsec = this.nanoseconds[slot];
    frame.capturedLength = length;
    frame.originalLength = this.original[slot];
    frame.linkType = this.linkTypes[slot];
    frame.interfaceId = this.interfaceIds[slot];
    frame.flags = this.flags[slot];
    frame.comment = this.comments[slot];
    frame.dataOffset = this.dataOffsets[slot];
    frame.data = this.bytes.subarray(at, at + length);
    this.ifaces[slot] = undefined;
    this.comments[slot] = undefined;
    this.first = (this.first + 1) % this.numbers.length;
    this.count--;
    // Its bytes, and a tail skipped before the next frame (which wrapped to the start), are free again:
    // the bytes are read by the release below, before anything is held again.
    if (this.count === 0) {
      this.bytesFirst = 0;
      this.bytesUsed = 0;
    } else {
      const next = this.byteAt[this.first];
      this.bytesUsed -= next >= at ? next - at : this.bytes.length - at + next;
      this.bytesFirst = next;
    }
    // The frame before it is the one released before it; the first frame's is itself.
    const previous = this.previous;
    if (!this.releasedAny) {
      previous.tsSec = frame.tsSec;
      previous.tsNsec = frame.tsNsec;
      this.releasedAny = true;
    }
    this.release(this.numbers[slot], frame, iface, previous);
    previous.tsSec = frame.tsSec;
    previous.tsNsec = frame.tsNsec;
  }

  /** Twice the slots, the oldest in slot 0 again. */
  private growFrames(): void {
    const first = this.first;
    this.numbers = unrolled(this.numbers, first);
    this.seconds = unrolled(this.seconds, first);
    this.nanoseconds = unrolled(this.nanoseconds, first);
    this.captured = unrolled(this.captured, first);
    this.original = unrolled(this.original, first);
    this.linkTypes = unrolled(this.linkTypes, first);
    this.interfaceIds = unrolled(this.interfaceIds, first);
    this.flags = unrolled(this.flags, first);
    this.dataOffsets = unrolled(this.dataOffsets, first);
    this.byteAt = unrolled(this.byteAt, first);
    this.ifaces = [...this.ifaces.slice(first), ...this.ifaces.slice(0, first), ...new Array<undefined>(this.ifaces.length)];
    this.comments = [...this.comments.slice(first), ...this.comments.slice(0, first), ...new Array<undefined>(this.comments.length)];
    this.first = 0;
  }

  /** A larger ring for the bytes, with room for `length` more: the held frames' bytes moved to its start, in order. */
  private growBytes(length: number): void {
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.bytesUsed + length * 2));
    let at = 0;
    for (let n = 0; n < this.count; n++) {
      const slot = (this.first + n) % this.numbers.length;
      const from = this.byteAt[slot];
      grown.set(this.bytes.subarray(from, from + this.captured[slot]), at);
      this.byteAt[slot] = at;
      at += this.captured[slot];
    }
    this.bytes = grown;
    this.bytesFirst = 0;
    this.bytesUsed = at;
  }
}

/** `column` twice as long, its elements from `first` on at the start, then those before `first`. */
function unrolled<T extends Int32Array | Uint32Array | Float64Array>(column: T, first: number): T {
  const grown = doubled(column);
  grown.set(column.subarray(first), 0);
  grown.set(column.subarray(0, first), column.length - first);
  return grown;
}
