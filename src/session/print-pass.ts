// Print mode's session: one pass over a source, each frame dissected for the display filter and, when
// it passes, for the output (a printer of the cli) or written to a capture file. The cli chooses the
// output and reports errors; what is dissected, when, and how often is decided here.
import type { CaptureReader } from '../capture/capture-reader.js';
import type { CaptureWriter } from '../capture/capture-writer.js';
import { Direction, type Frame, type InterfaceInfo, type TapAnnotation } from '../capture/frame.js';
import { PcapngWriter } from '../capture/pcapng-writer.js';
import { FrameDecoder } from '../decode/decoder.js';
import { fieldsBelowTcp, type Dissection } from '../decode/dissection.js';
import type { FieldDef } from '../decode/field.js';
import type { Registry } from '../decode/registry.js';
import { TapAnnotator } from '../decode/taps/annotation.js';
import { TAP_LINK_TYPES } from '../decode/protocols/tap.js';
import { selectsTapPoints } from '../decode/taps/tap-copies.js';
import { FATE_OPTIONS, fateComment, FateNotes, type PacketFates } from '../decode/taps/packet-fates.js';
import { identityOf } from '../decode/taps/packet-identity.js';
import { PointKind, readsTapPaths, TapPathIndex, type TapPoint } from '../decode/taps/tap-paths.js';
import type { DisplayFilter } from '../filter/display-filter.js';
import { HeldFrames, MAX_HELD } from './held-frames.js';
import type { StatisticsPass } from './stats/frame-statistics.js';

/** What a printer needs dissected for each frame it prints. */
export interface FrameOutput {
  /** Fields the output reads from each dissection, in slot order. */
  readonly fields: readonly FieldDef[];
  readonly columns: boolean;
  readonly tree: boolean;
  print(dissection: Dissection): void;
}

export interface PrintPassOptions {
  filter: DisplayFilter;
  /** At most one of output and writer; neither when only statistics are wanted (-q). */
  output?: FrameOutput;
  writer?: CaptureWriter;
  /** Statistics that see every frame read (`-z`), whatever the filter keeps. */
  statistics?: StatisticsPass;
  /** Whether to read on after frame `count` (read so far): false stops the pass. */
  goOn(count: number): boolean;
  /** Netfilter's verdicts and the kernel's drops of a live capture, for the frames to link to (tap.verdict, tap.drop_reason). */
  fates?: PacketFates;
}

/** More than held-frames.ts holds at once: a held frame's annotation is not overwritten before it is written. */
const ANNOTATIONS_HELD = MAX_HELD + 2;

export class PrintPass {
  /** Frames read so far, also after a pass that failed: the next frame is where it failed. */
  framesRead = 0;
  private readonly handle: (frame: Frame, iface: InterfaceInfo) => void;
  private readonly held: HeldFrames | undefined;

  constructor(
    private readonly reader: CaptureReader,
    registry: Registry,
    private readonly options: PrintPassOptions,
  ) {
    const { filter, output, writer, statistics, fates } = options;
    // With a filter or statistics, each frame is dissected for what they read only, and the frames the
    // filter keeps again for the output: most frames then never cost a column or a tree. A copy
    // dissects nothing for its output; pcapng keeps each frame's tap, which the annotator reads.
    const selecting = [...filter.fields, ...(statistics?.fields ?? [])];
    const filtering = filter.fields.length > 0;
    const first = filtering || statistics !== undefined;
    // A filter that selects tap points shows TCP as analysed at each (README: several tap points).
    const analysisPerTapPoint = selectsTapPoints(filter.fields);
    const stopBeforeTcp = (output === undefined || (!output.tree && !output.columns)) && !statistics?.wholeFrames && fieldsBelowTcp([...selecting, ...(output?.fields ?? [])]);
    const outputOptions = output && { tree: output.tree, columns: output.columns, fields: output.fields, stopBeforeTcp };
    const selectOptions = { tree: statistics?.tree ?? false, columns: false, fields: selecting, stopBeforeTcp, conversationTap: statistics?.tap, expertTap: statistics?.expertTap, httpTap: statistics?.httpTap };
    const pcapng = writer instanceof PcapngWriter;
    const annotator = pcapng ? new TapAnnotator(registry) : undefined;
    // pcapng keeps each frame's fate as a comment, and the copies of one packet under one epb_packetid.
    const fateOptions = pcapng && fates !== undefined ? FATE_OPTIONS : undefined;
    // The writer takes it at once: one object serves every frame (a copy per frame cost a sixth of a busy capture's time).
    const linked: TapAnnotation = { point: '', description: '', comment: '', direction: 0 };
    const annotate = (frame: Frame, iface: InterfaceInfo, packetId: number | undefined, comment: string | undefined, known?: TapAnnotation): TapAnnotation | undefined => {
      const annotation = known ?? annotator?.annotate(frame, iface);
      if (annotation === undefined || (packetId === undefined && comment === undefined)) return annotation;
      Object.assign(linked, annotation);
      linked.packetId = packetId;
      linked.fate = comment;
      return linked;
    };
    const emit = (frame: Frame, iface: InterfaceInfo, dissection: Dissection | undefined, annotation: () => TapAnnotation | undefined) => {
      if (writer) writer.write(frame, iface, annotation());
      if (output) output.print(dissection as Dissection);
    };
    const select = (dissection: Dissection) => {
      statistics?.add(dissection);
      return !filtering || filter.matches(dissection);
    };
    const linkCopies = pcapng && copiesPossible(reader.interfaces);
    if (annotator !== undefined && linkCopies && !first && output === undefined && fateOptions === undefined) {
      // A copy into pcapng links the copies of each packet (epb_packetid) and nothing more: the annotator
      // reads each frame's tap point and outer IP header (most without dissecting), all an identity needs.
      const paths = new TapPathIndex(true);
      const points = new WeakMap<TapAnnotation, TapPoint>();
      // Each held frame's annotation, by its number: the annotator reads a frame once.
      const annotations: (TapAnnotation | undefined)[] = new Array(ANNOTATIONS_HELD);
      let frames = 0;
      const link = (frame: Frame, iface: InterfaceInfo | undefined) => {
        const number = ++frames;
        const annotation = annotator.annotate(frame, iface);
        annotations[number % ANNOTATIONS_HELD] = annotation;
        const identity = annotation === undefined ? 0 : identityOf(annotator.lastDatagram);
        if (annotation === undefined || identity === 0) return number;
        let point = points.get(annotation);
        if (point === undefined) {
          point = { label: annotation.point, kind: annotation.direction === Direction.OUTBOUND ? PointKind.AF_EGRESS : PointKind.AF_INGRESS, iface: '', netns: '' };
          points.set(annotation, point);
        }
        paths.register(number, identity, point, frame.tsSec, frame.tsNsec);
        return number;
      };
      const held = new HeldFrames(link, (number, frame, iface) => {
        const annotation = annotations[number % ANNOTATIONS_HELD];
        annotations[number % ANNOTATIONS_HELD] = undefined;
        emit(frame, iface as InterfaceInfo, undefined, () => annotation && annotate(frame, iface as InterfaceInfo, paths.packetIdOf(number), undefined, annotation));
      });
      this.held = held;
      this.handle = (frame, iface) => held.add(frame, iface);
      return;
    }
    if (readsTapPaths(filter.fields) || (output !== undefined && (output.tree || readsTapPaths(output.fields))) || linkCopies) {
      // Every frame is decoded once to link it, and again for the filter and the output once held long enough.
      const decoder = new FrameDecoder(registry, { tree: false, columns: false }, { rememberEveryFrame: true, linkTapPaths: true, analysisPerTapPoint, fates });
      const selected = decoder.createDissection(selectOptions);
      const outputDissection = outputOptions && decoder.createDissection(outputOptions);
      const fateDissection = fateOptions && decoder.createDissection(fateOptions);
      const paths = decoder.memory.findState<TapPathIndex>(TapPathIndex);
      const decode = (frame: Frame, iface: InterfaceInfo | undefined) => {
        decoder.decode(frame, iface);
        return decoder.decoded;
      };
      const held = new HeldFrames(decode, (number, frame, iface, previous) => {
        statistics?.begin();
        if (select(decoder.redo(number, frame, iface, previous, selected))) {
          emit(frame, iface as InterfaceInfo, outputDissection && decoder.redo(number, frame, iface, previous, outputDissection), () =>
            annotate(frame, iface as InterfaceInfo, paths?.packetIdOf(number), fateDissection && fateComment(decoder.redo(number, frame, iface, previous, fateDissection))));
        }
      });
      this.held = held;
      this.handle = (frame, iface) => held.add(frame, iface);
      return;
    }
    const decoder = first ? new FrameDecoder(registry, selectOptions, { analysisPerTapPoint, fates }) : outputOptions && new FrameDecoder(registry, outputOptions, { fates });
    const outputDissection = first && outputOptions ? decoder?.createDissection(outputOptions) : undefined;
    const fateNotes = fateOptions && fates && new FateNotes(registry, fates);
    this.handle = (frame, iface) => {
      statistics?.begin();
      const dissection = decoder?.decode(frame, iface);
      if (!dissection || !first || select(dissection)) {
        emit(frame, iface, outputDissection ? (decoder as FrameDecoder).again(outputDissection) : first ? undefined : dissection, () =>
          annotate(frame, iface, undefined, fateNotes?.note(frame, iface)));
      }
    };
  }

  /** Reads the source to its end (or until `goOn` says stop); a source's error is thrown after what came before it is out. */
  async run(): Promise<void> {
    await this.reader.read((frame) => {
      this.handle(frame, this.reader.interfaces[frame.interfaceId]);
      this.framesRead++;
      return this.options.goOn(this.framesRead);
    });
    this.held?.flush();
  }

  /** Outputs the frames still held (after a source's error: the frames before it go out first). */
  flush(): void {
    this.held?.flush();
  }
}

/**
 * Whether one packet can be copied more than once in a capture of these interfaces: at several devices or
 * tap points (an `any` capture's devices, NFLOG beside a device). A pcapng written then links the copies.
 */
function copiesPossible(interfaces: readonly InterfaceInfo[]): boolean {
  return interfaces.length > 1 || interfaces.some((iface) => iface.name === 'any' || TAP_LINK_TYPES.has(iface.linkType));
}
