// A frame store whose frames are decoded in order as they arrive, so that any of them can later be
// dissected again, in any order, exactly as it was the first time (the UI's visible rows and selected
// frame). Frames from a file and from a live source arrive the same way: `append`.
import { MAX_CAPLEN, type Frame, type InterfaceInfo, type TapAnnotation } from '../capture/frame.js';
import { FrameStore, type StoreSnapshot } from '../capture/frame-store.js';
import { CaptureMemory, type MemorySnapshot } from '../decode/capture-memory.js';
import { FrameDecoder, type CarryOn, type DecoderOptions, type Timestamp } from '../decode/decoder.js';
import type { DissectOptions, Dissection } from '../decode/dissection.js';
import type { FieldDef } from '../decode/field.js';
import type { Registry } from '../decode/registry.js';
import { TapAnnotator } from '../decode/taps/annotation.js';
import { TapPathIndex } from '../decode/taps/tap-paths.js';
import type { PacketFates } from '../decode/taps/packet-fates.js';
import { TrafficTables } from './stats/traffic.js';

export interface DecodedSnapshot {
  /** The Decode As rules the frames were decoded by, as text: a worker's registry is made from them. */
  decodeAs: readonly string[];
  store: StoreSnapshot;
  memory: MemorySnapshot;
  first: Timestamp;
  carryOn: CarryOn | undefined;
}

export class DecodedStore {
  /** Every kind's conversations and endpoints, counted as frames are appended. */
  readonly traffic = new TrafficTables();
  /** Decodes each appended frame for its state changes only: no tree, no columns, no values. */
  private readonly decoder: FrameDecoder;
  private summaryDissection: Dissection;
  private detailDissection: Dissection;
  /** Each output has its own bytes: the hex pane shows the detail's while the list redraws. */
  private readonly summaryBytes = new Uint8Array(MAX_CAPLEN);
  private readonly detailBytes = new Uint8Array(MAX_CAPLEN);
  private annotator: TapAnnotator | undefined;
  private readonly annotationBytes = new Uint8Array(MAX_CAPLEN);
  private readonly reassemblyBytes = new Uint8Array(MAX_CAPLEN);
  private readonly againBytes = new Uint8Array(MAX_CAPLEN);
  private readonly previous: Timestamp = { tsSec: 0, tsNsec: 0 };
  /** Frames decoded in order: the store's count, but for a store made by `decodedBy` still catching up. */
  private decodedCount: number;
  /** The bytes of the stored frames `decodeStored` reads (made only for such a store). */
  private storedBytes: Uint8Array | undefined;

  /**
   * `summaryFields`: values the summaries collect besides the columns (the Tap column's). `replay`: the
   * store's frames were decoded in another thread, whose memory this is a copy of (a worker's store).
   * `fates`: a live capture's netfilter trace and kernel drops, which frames link to as they are decoded.
   * `carryOn`: the store's frames begin after others that were let go (its FrameStore's `first`).
   */
  constructor(
    readonly store: FrameStore,
    readonly registry: Registry,
    private summaryFields: readonly FieldDef[],
    replay?: DecoderOptions['replay'],
    readonly fates?: PacketFates,
    private readonly carryOn?: CarryOn,
  ) {
    this.decodedCount = store.count;
    this.decoder = new FrameDecoder(registry, { tree: false, columns: false, conversationTap: this.traffic.pass.tap }, { rememberEveryFrame: true, linkTapPaths: true, replay, fates, carryOn });
    this.summaryDissection = this.decoder.createDissection({ tree: false, columns: true, fields: summaryFields });
    this.detailDissection = this.decoder.createDissection({ tree: true, columns: true, fields: summaryFields });
    this.decoder.memory.frameData = (number) => this.store.frame(number - 1, this.reassemblyBytes).data;
  }

  /** From now on the summaries and details record `fields` besides the columns (a column added in the interface). */
  recordInSummaries(fields: readonly FieldDef[]): void {
    this.summaryFields = fields;
    this.summaryDissection = this.decoder.createDissection({ tree: false, columns: true, fields });
    this.detailDissection = this.decoder.createDissection({ tree: true, columns: true, fields });
  }

  /** What a worker thread needs to dissect any frame again: the store's frames and the decoder's memory. */
  snapshot(): DecodedSnapshot {
    const first = { tsSec: 0, tsNsec: 0 };
    this.firstTime(first);
    return { decodeAs: this.registry.decodeAs.map((rule) => rule.text), store: this.store.snapshot(), memory: this.decoder.memory.snapshot(), first, carryOn: this.carryOn };
  }

  /** A decoded store over a snapshot, in a worker thread: it dissects frames again, it decodes no new ones. */
  static fromSnapshot(snapshot: DecodedSnapshot, registry: Registry): DecodedStore {
    const replay = { memory: CaptureMemory.fromSnapshot(snapshot.memory), first: snapshot.first };
    return new DecodedStore(FrameStore.fromSnapshot(snapshot.store), registry, [], replay, undefined, snapshot.carryOn);
  }

  /**
   * A store that carries on from this one with frames `from` on (copied into it by the caller): the same
   * indexes, numbers and times, none of the older frames' memory (what --keep lets go).
   */
  carriedOnFrom(from: number): DecodedStore {
    const previous = { tsSec: 0, tsNsec: 0 };
    this.store.timestampOf(from - 1, previous);
    const first = { tsSec: 0, tsNsec: 0 };
    this.firstTime(first);
    return new DecodedStore(new FrameStore({ first: from }), this.registry, this.summaryFields, undefined, this.fates, { framesBefore: from, first, previous });
  }

  /**
   * A store over the same frames, to be decoded again by `registry` (Decode As changed): it has decoded
   * none of them; `decodeStored` catches it up, in slices, while this one still takes the appends.
   */
  decodedBy(registry: Registry): DecodedStore {
    const next = new DecodedStore(this.store, registry, this.summaryFields, undefined, this.fates, this.carryOn);
    next.decodedCount = this.store.first;
    return next;
  }

  /** Frames decoded so far by a store made by `decodedBy` (the store's count once caught up). */
  get decodedSoFar(): number {
    return this.decodedCount;
  }

  /** Decodes the stored frames up to `end` (exclusive) that this store has not decoded yet. */
  decodeStored(end: number): void {
    const bytes = (this.storedBytes ??= new Uint8Array(MAX_CAPLEN));
    for (; this.decodedCount < end; this.decodedCount++) {
      const frame = this.store.frame(this.decodedCount, bytes);
      this.traffic.pass.begin();
      this.traffic.pass.add(this.decoder.decode(frame, this.store.interfaces[frame.interfaceId]));
    }
  }

  /** The capture's first frame's time (a store that carries on from another keeps that one's). */
  firstTime(into: Timestamp): void {
    if (this.carryOn) Object.assign(into, this.carryOn.first);
    else if (this.store.count > 0) this.store.timestampOf(0, into);
  }

  /** Frames stored and decoded. */
  get count(): number {
    return this.store.count;
  }

  /** Stores a frame and decodes it (its bytes may be reused by the caller after). */
  append(frame: Frame, interfaces: readonly InterfaceInfo[]): void {
    this.store.append(frame, interfaces);
    this.decodedCount++;
    this.traffic.pass.begin();
    this.traffic.pass.add(this.decoder.decode(frame, this.store.interfaces[frame.interfaceId]));
  }

  /** Frame `index` (0-based) with columns and the summary fields; valid until the next `summary`. */
  summary(index: number): Dissection {
    return this.redo(index, this.summaryDissection, this.summaryBytes);
  }

  /**
   * What an export keeps of frame `index`'s tap (undefined: the capture recorded none), with the packet
   * it is a copy of when it is linked to copies at other tap points.
   */
  tapAnnotation(index: number): TapAnnotation | undefined {
    this.annotator ??= new TapAnnotator(this.registry);
    const frame = this.store.frame(index, this.annotationBytes);
    const annotation = this.annotator.annotate(frame, this.store.interfaces[frame.interfaceId]);
    const packetId = this.decoder.memory.findState<TapPathIndex>(TapPathIndex)?.packetIdOf(index + 1);
    return annotation === undefined || packetId === undefined ? annotation : { ...annotation, packetId };
  }

  /** Frame `index` with its whole tree; valid until the next `detail`. */
  detail(index: number): Dissection {
    return this.redo(index, this.detailDissection, this.detailBytes);
  }

  /** An output for `again`, with the options a scan needs (a filter's fields). */
  createDissection(options: DissectOptions): Dissection {
    return this.decoder.createDissection(options);
  }

  /**
   * Frame `index` dissected again into `into`, as the in-order pass saw it with every frame decoded so far
   * in view: what a filter on the tap paths reads, which link a frame to copies after it.
   */
  again(index: number, into: Dissection): Dissection {
    return this.redo(index, into, this.againBytes);
  }

  private redo(index: number, into: Dissection, bytes: Uint8Array): Dissection {
    const frame = this.store.frame(index, bytes);
    if (index > this.store.first) this.store.timestampOf(index - 1, this.previous);
    else if (this.carryOn) Object.assign(this.previous, this.carryOn.previous);
    return this.decoder.redo(index + 1, frame, this.store.interfaces[frame.interfaceId], this.previous, into);
  }
}
