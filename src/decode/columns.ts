// The summary columns of a frame (Source, Destination, Protocol, Info) as the dissectors fill them.

/** Formats the address at `at` of `bytes` for a column. */
export type AddressText = (bytes: Uint8Array, at: number) => string;

const NO_BYTES = new Uint8Array(0);

/**
 * The summary columns. Addresses are kept as bytes and formatted only when a column is read: each layer
 * overrides the one below, and most frames a filter rejects are never printed.
 */
export class Columns {
  protocol = '';
  info = '';
  /** Info text before this length stays when a later PDU of the frame sets or clears it (Wireshark's col_set_fence). */
  private infoFence = 0;
  /** A later PDU of the frame leaves the Protocol column as it is (col_set_writable false). */
  private protocolFixed = false;
  private srcText = '';
  private dstText = '';
  private text: AddressText | undefined;
  private bytes: Uint8Array = NO_BYTES;
  private srcAt = 0;
  private dstAt = -1;

  get src(): string {
    this.resolve();
    return this.srcText;
  }

  set src(text: string) {
    this.resolve();
    this.srcText = text;
  }

  get dst(): string {
    this.resolve();
    return this.dstText;
  }

  set dst(text: string) {
    this.resolve();
    this.dstText = text;
  }

  /** Source and destination addresses at these offsets (the bytes must stay until the frame's columns are read); no `dstAt` leaves the destination as it is. */
  addresses(text: AddressText, bytes: Uint8Array, srcAt: number, dstAt = -1): void {
    // A layer that sets only the source keeps the destination below it, which is then needed as text.
    if (dstAt < 0) this.resolve();
    this.text = text;
    this.bytes = bytes;
    this.srcAt = srcAt;
    this.dstAt = dstAt;
  }

  /** Sets the Protocol column unless an earlier PDU of the frame fixed it. */
  setProtocol(text: string): void {
    if (!this.protocolFixed) this.protocol = text;
  }

  /** Replaces the Info text after the fence. */
  setInfo(text: string): void {
    this.info = this.infoFence === 0 ? text : this.info.slice(0, this.infoFence) + text;
  }

  /** Appends to Info, with `separator` when it already says something (col_append_sep_str). */
  appendInfo(text: string, separator = ', '): void {
    this.info = this.info === '' ? text : this.info + separator + text;
  }

  /**
   * Puts `text` ahead of Info and keeps it there (col_prepend_fence_fstr): what follows it may be replaced,
   * and an append after it takes its separator, as the column is not empty.
   */
  prependInfo(text: string): void {
    this.info = text + this.info;
    this.infoFence += text.length;
  }

  /** What Info says so far stays: a later PDU of the frame appends (col_set_fence). */
  fenceInfo(): void {
    this.infoFence = this.info.length;
  }

  /** Later PDUs of the frame leave the Protocol column as it is. */
  fixProtocol(): void {
    this.protocolFixed = true;
  }

  reset(): void {
    this.infoFence = 0;
    this.protocolFixed = false;
    this.text = undefined;
    this.bytes = NO_BYTES;
    this.srcText = this.dstText = this.info = '';
    this.protocol = 'Unknown';
  }

  private resolve(): void {
    const text = this.text;
    if (text === undefined) return;
    this.text = undefined;
    this.srcText = text(this.bytes, this.srcAt);
    if (this.dstAt >= 0) this.dstText = text(this.bytes, this.dstAt);
  }
}
