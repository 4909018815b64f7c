// The interface's Follow view: one TCP or UDP stream's chunks found over the frame store, in slices (the first
// screen shows while the rest of the capture is searched), their bytes read back from the store when
// drawn, so a stream of any size is never held whole.
import { MAX_CAPLEN } from '../../capture/frame.js';
import type { FrameStore } from '../../capture/frame-store.js';
import type { Registry } from '../../decode/registry.js';
import { FollowStatistic, type FollowProtocol } from './follow-statistic.js';
import { StatisticsScan } from './statistics-scan.js';
import type { FollowChunk } from './tcp-follow.js';

export class FollowScan extends StatisticsScan {
  private readonly frameBuffer = new Uint8Array(MAX_CAPLEN);

  private constructor(
    store: FrameStore,
    registry: Registry,
    readonly statistic: FollowStatistic,
  ) {
    super(store, registry, [statistic]);
  }

  /** Follows stream `stream` of `protocol` (tcp.stream, udp.stream). */
  static of(store: FrameStore, registry: Registry, protocol: FollowProtocol, stream: number): FollowScan {
    return new FollowScan(store, registry, new FollowStatistic(registry, protocol, stream, false));
  }

  get chunks(): readonly FollowChunk[] {
    return this.statistic.follower.chunks;
  }

  /** A chunk's bytes, valid until the next call. */
  bytesOf(chunk: FollowChunk): Uint8Array {
    return this.statistic.bytesOf(chunk, (frame) => this.store.frame(frame - 1, this.frameBuffer).data);
  }
}
