// Print mode when a frame's output depends on frames after it: tap.path links one packet's copies at
// several tap points, and an NFLOG copy arrives up to a second or more after the interface's. Frames are
// decoded as they come (which links them) and held for the link window, then dissected again for the
// filter and the printer: a file's output is the same, a live capture's comes LINK_WINDOW_S late.
import type { Frame, InterfaceInfo } from '../capture/frame.js';
import type { FrameDecoder, Timestamp } from '../decode/decoder.js';
import { LINK_WINDOW_S } from '../decode/taps/tap-paths.js';

/** Bounds the frames held (and their copies' memory) whatever the rate: the oldest then go out early. */
const MAX_HELD = 100_000;

interface HeldFrame {
  number: number;
  frame: Frame;
  iface: InterfaceInfo | undefined;
  previous: Timestamp;
}

export class HeldFrames {
  private held: HeldFrame[] = [];
  private first = 0;
  private previous: Timestamp = { tsSec: 0, tsNsec: 0 };

  /** `release` gets each frame once the window after it has passed, in order; the decoder must remember every frame. */
  constructor(
    private readonly decoder: FrameDecoder,
    private readonly release: (number: number, frame: Frame, iface: InterfaceInfo | undefined, previous: Timestamp) => void,
  ) {}

  /** Decodes the frame (its bytes may be reused after) and releases the frames the window has passed. */
  add(frame: Frame, iface: InterfaceInfo | undefined): void {
    this.decoder.decode(frame, iface);
    const number = this.decoder.decoded;
    const previous = number === 1 ? { tsSec: frame.tsSec, tsNsec: frame.tsNsec } : this.previous;
    this.held.push({ number, frame: { ...frame, data: frame.data.slice() }, iface, previous });
    this.previous = { tsSec: frame.tsSec, tsNsec: frame.tsNsec };
    const horizon = frame.tsSec + frame.tsNsec / 1e9 - LINK_WINDOW_S;
    while (this.first < this.held.length) {
      const oldest = this.held[this.first];
      const early = this.held.length - this.first > MAX_HELD;
      if (!early && oldest.frame.tsSec + oldest.frame.tsNsec / 1e9 > horizon) break;
      this.releaseOldest();
    }
    // Drop released entries now and then rather than shifting the array for every frame.
    if (this.first > 1024 && this.first * 2 > this.held.length) {
      this.held = this.held.slice(this.first);
      this.first = 0;
    }
  }

  /** Releases every frame still held: the end of the capture. */
  flush(): void {
    while (this.first < this.held.length) this.releaseOldest();
    this.held = [];
    this.first = 0;
  }

  private releaseOldest(): void {
    const { number, frame, iface, previous } = this.held[this.first++];
    this.release(number, frame, iface, previous);
  }
}
