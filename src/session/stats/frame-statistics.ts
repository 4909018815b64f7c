// Statistics over a capture's frames, each with its own display filter as tshark's `-z NAME,ARGS,FILTER`
// has: they see every frame the pass reads, whatever `-Y` keeps. One dissection per frame serves them
// all: it collects every statistic's filter fields, and its conversation tap gathers the frame's layers
// so that each statistic whose filter passes takes them.
import { ConversationKind, type ConversationTap } from '../../decode/conversation-tap.js';
import type { DissectOptions, Dissection, FrameMeta, HttpTap } from '../../decode/dissection.js';
import type { FieldDef } from '../../decode/field.js';
import type { ExpertGroup, ExpertSeverity, ExpertTap } from '../../decode/protocols/expert.js';
import type { DisplayFilter } from '../../filter/display-filter.js';

/** One statistic: what it needs dissected, and what it does with each frame its filter passes. */
export interface FrameStatistic {
  /** `-z` filter; undefined: every frame. */
  readonly filter: DisplayFilter | undefined;
  /** Fields it reads from the dissection besides its filter's. */
  readonly fields: readonly FieldDef[];
  /** Whether it needs the conversation tap's layers (then TCP is dissected too). */
  readonly conversations: boolean;
  /** Whether it reads the frame's expert notes (then every layer is dissected). */
  readonly experts?: boolean;
  /** Whether it reads the frame's HTTP messages (follow,http). */
  readonly httpMessages?: boolean;
  /** Whether it reads the protocol tree (costly: each frame's tree is built). */
  readonly tree?: boolean;
  add(dissection: Dissection, tapped: TappedFrame): void;
}

/**
 * A statistic whose counts over consecutive slices of frames add up to its counts over all of them, so
 * that worker threads can each count slices (the redo pool).
 */
export interface MergeableStatistic<P> extends FrameStatistic {
  /** What it counted, as plain data another thread can be sent. */
  part(): P;
  /** Adds what another instance counted over the frames that follow this one's. */
  merge(part: P): void;
}

/** What the taps of a dissection gathered of the frame, valid until the next frame. */
export interface TappedFrame {
  readonly layers: FrameLayers;
  readonly notes: FrameNotes;
  readonly messages: FrameMessages;
}

/** The HTTP header blocks and bodies of the frame just dissected, copied, gathered as the HTTP tap. */
export class FrameMessages implements HttpTap {
  private readonly copies: Uint8Array[] = [];

  get count(): number {
    return this.copies.length;
  }

  at(index: number): Uint8Array {
    return this.copies[index];
  }

  reset(): void {
    this.copies.length = 0;
  }

  data(bytes: Uint8Array): void {
    this.copies.push(bytes.slice());
  }
}

/** A layer the conversation tap was told of, valid until the next frame. */
export interface TappedLayer {
  kind: ConversationKind;
  bytes: Uint8Array;
  srcAt: number;
  dstAt: number;
  length: number;
  srcPort: number;
  dstPort: number;
  id: number;
}

/** Bounds what one frame can hold (a tunnel in a tunnel has a few layers; a hostile frame is cut here). */
const MAX_LAYERS = 32;
const MAX_NOTES = 256;

/** The layers with addresses of the frame just dissected, gathered as the conversation tap. */
export class FrameLayers implements ConversationTap {
  private readonly layers: TappedLayer[] = [];
  count = 0;

  /** Starts a new frame. */
  reset(): void {
    this.count = 0;
  }

  add(kind: ConversationKind, bytes: Uint8Array, srcAt: number, dstAt: number, length: number, srcPort: number, dstPort: number, id: number): void {
    if (this.count === MAX_LAYERS) return;
    let layer = this.layers[this.count];
    if (layer === undefined) {
      layer = { kind, bytes, srcAt, dstAt, length, srcPort, dstPort, id };
      this.layers.push(layer);
    } else {
      layer.kind = kind;
      layer.bytes = bytes;
      layer.srcAt = srcAt;
      layer.dstAt = dstAt;
      layer.length = length;
      layer.srcPort = srcPort;
      layer.dstPort = dstPort;
      layer.id = id;
    }
    this.count++;
  }

  at(index: number): TappedLayer {
    return this.layers[index];
  }
}

export interface ExpertNote {
  severity: ExpertSeverity;
  group: ExpertGroup;
  protocol: string;
  message: string;
}

/** The expert notes of the frame just dissected, gathered as the expert tap. */
export class FrameNotes implements ExpertTap {
  private readonly notes: ExpertNote[] = [];
  count = 0;

  reset(): void {
    this.count = 0;
  }

  note(severity: ExpertSeverity, group: ExpertGroup, protocol: string, message: string): void {
    // A hostile frame's notes are cut here, as its layers are. Notes are few: each is a new object.
    if (this.count < MAX_NOTES) this.notes[this.count++] = { severity, group, protocol, message };
  }

  at(index: number): ExpertNote {
    return this.notes[index];
  }
}

/** A table fed with the layers of one kind: conversations or endpoints. */
export interface LayerTable {
  readonly kind: ConversationKind;
  add(layer: TappedLayer, frame: FrameMeta): void;
}

/** `-z conv,TYPE[,FILTER]` and `-z endpoints,TYPE[,FILTER]`: one kind's layers into a table. */
export class LayerStatistic<T extends LayerTable> implements FrameStatistic {
  readonly fields: readonly FieldDef[] = [];
  readonly conversations = true;

  constructor(
    readonly table: T,
    readonly filter: DisplayFilter | undefined,
  ) {}

  add(dissection: Dissection, { layers }: TappedFrame): void {
    for (let i = 0; i < layers.count; i++) {
      const layer = layers.at(i);
      if (layer.kind === this.table.kind) this.table.add(layer, dissection.frame);
    }
  }
}

/** Several statistics fed from one dissection per frame. */
export class StatisticsPass implements TappedFrame {
  readonly layers = new FrameLayers();
  readonly notes = new FrameNotes();
  readonly messages = new FrameMessages();
  /** Every field the statistics and their filters read. */
  readonly fields: readonly FieldDef[];
  readonly conversations: boolean;
  readonly experts: boolean;
  readonly httpMessages: boolean;
  readonly tree: boolean;

  constructor(readonly statistics: readonly FrameStatistic[]) {
    this.fields = statistics.flatMap((statistic) => [...(statistic.filter?.fields ?? []), ...statistic.fields]);
    this.conversations = statistics.some((statistic) => statistic.conversations);
    this.experts = statistics.some((statistic) => statistic.experts === true);
    this.httpMessages = statistics.some((statistic) => statistic.httpMessages === true);
    this.tree = statistics.some((statistic) => statistic.tree === true);
  }

  /** How each frame must be dissected for these statistics. */
  get dissectOptions(): DissectOptions {
    return { tree: this.tree, columns: false, fields: this.fields, conversationTap: this.tap, expertTap: this.expertTap, httpTap: this.httpTap };
  }

  /** The conversation tap a dissection for these statistics needs (undefined: none does). */
  get tap(): ConversationTap | undefined {
    return this.conversations ? this.layers : undefined;
  }

  /** The expert tap a dissection for these statistics needs (undefined: none does). */
  get expertTap(): ExpertTap | undefined {
    return this.experts ? this.notes : undefined;
  }

  /** The HTTP tap a dissection for these statistics needs (undefined: none does). */
  get httpTap(): HttpTap | undefined {
    return this.httpMessages ? this.messages : undefined;
  }

  /** Every layer must be dissected: TCP and what it carries too. */
  get wholeFrames(): boolean {
    return this.conversations || this.experts || this.httpMessages || this.tree;
  }

  /** Call before dissecting each frame. */
  begin(): void {
    this.layers.reset();
    this.notes.reset();
    this.messages.reset();
  }

  /** Gives the frame just dissected (with `fields` and `tap`) to each statistic whose filter passes it. */
  add(dissection: Dissection): void {
    for (const statistic of this.statistics) {
      if (statistic.filter === undefined || statistic.filter.matches(dissection)) statistic.add(dissection, this);
    }
  }
}
