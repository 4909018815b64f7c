// The kernel's drops counted while a capture runs: the source read on a timer, for print mode's
// `-z drops` table and the interface's status bar and Drops view.
import type { DropCounts, DropSource } from '../capture/kernel-drops.js';

/** How often the kernel's drop reports are read. */
const POLL_MS = 250;

export class DropWatch {
  private readonly timer: NodeJS.Timeout;
  private readonly started = performance.now();
  private ended: number | undefined;

  /**
   * `onDrops`: called after a read that found drops. `here`: the drops of the capture's own network
   * namespace, when the drop probe tells them apart (the source counts the whole host's).
   */
  constructor(
    private readonly source: DropSource,
    onDrops: () => void = () => {},
    readonly here?: DropCounts,
  ) {
    this.timer = setInterval(() => {
      if (source.poll() > 0) onDrops();
    }, POLL_MS);
  }

  get counts(): DropCounts {
    return this.source.counts;
  }

  /** How long drops have been counted (until `close`). */
  get seconds(): number {
    return ((this.ended ?? performance.now()) - this.started) / 1000;
  }

  /** Reads the last reports and stops; the source undoes what it set up. */
  close(): void {
    if (this.ended !== undefined) return;
    this.ended = performance.now();
    clearInterval(this.timer);
    this.source.close();
  }
}
