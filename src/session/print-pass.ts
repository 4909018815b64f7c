// Print mode's session: one pass over a source, each frame dissected for the display filter and, when
// it passes, for the output (a printer of the cli) or written to a capture file. The cli chooses the
// output and reports errors; what is dissected, when, and how often is decided here.
import type { CaptureReader } from '../capture/capture-reader.js';
import type { CaptureWriter } from '../capture/capture-writer.js';
import type { Frame, InterfaceInfo } from '../capture/frame.js';
import { PcapngWriter } from '../capture/pcapng-writer.js';
import { FrameDecoder } from '../decode/decoder.js';
import { fieldsBelowTcp, type Dissection } from '../decode/dissection.js';
import type { FieldDef } from '../decode/field.js';
import type { Registry } from '../decode/registry.js';
import { TapAnnotator } from '../decode/taps/annotation.js';
import { selectsTapPoints } from '../decode/taps/tap-copies.js';
import { readsTapPaths } from '../decode/taps/tap-paths.js';
import type { DisplayFilter } from '../filter/display-filter.js';
import { HeldFrames } from './held-frames.js';

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
  /** Exactly one of output and writer. */
  output?: FrameOutput;
  writer?: CaptureWriter;
  /** Whether to read on after frame `count` (read so far): false stops the pass. */
  goOn(count: number): boolean;
}

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
    const { filter, output, writer } = options;
    // With a filter, each frame is dissected for the filter's fields only, and the frames it keeps again
    // for the output: most frames then never cost a column or a tree. A copy dissects nothing for its
    // output; pcapng keeps each frame's tap, which the annotator reads (annotation.ts).
    const filtering = filter.fields.length > 0;
    // A filter that selects tap points shows TCP as analysed at each (README: several tap points).
    const analysisPerTapPoint = selectsTapPoints(filter.fields);
    const stopBeforeTcp = output !== undefined && !output.tree && !output.columns && fieldsBelowTcp([...filter.fields, ...output.fields]);
    const outputOptions = output && { tree: output.tree, columns: output.columns, fields: output.fields, stopBeforeTcp };
    const annotator = writer instanceof PcapngWriter ? new TapAnnotator(registry) : undefined;
    const emit = (frame: Frame, iface: InterfaceInfo, dissection: Dissection | undefined) => {
      if (writer) writer.write(frame, iface, annotator?.annotate(frame, iface));
      if (output) output.print(dissection as Dissection);
    };
    if (readsTapPaths(filter.fields) || (output !== undefined && (output.tree || readsTapPaths(output.fields)))) {
      // Every frame is decoded once to link it, and again for the filter and the output once held long enough.
      const decoder = new FrameDecoder(registry, { tree: false, columns: false }, { rememberEveryFrame: true, linkTapPaths: true, analysisPerTapPoint });
      const filtered = decoder.createDissection({ tree: false, columns: false, fields: filter.fields });
      const outputDissection = outputOptions && decoder.createDissection(outputOptions);
      const held = new HeldFrames(decoder, (number, frame, iface, previous) => {
        if (!filtering || filter.matches(decoder.redo(number, frame, iface, previous, filtered))) {
          emit(frame, iface as InterfaceInfo, outputDissection && decoder.redo(number, frame, iface, previous, outputDissection));
        }
      });
      this.held = held;
      this.handle = (frame, iface) => held.add(frame, iface);
      return;
    }
    const decoder = filtering
      ? new FrameDecoder(registry, { tree: false, columns: false, fields: filter.fields, stopBeforeTcp }, { analysisPerTapPoint })
      : outputOptions && new FrameDecoder(registry, outputOptions);
    const outputDissection = filtering && outputOptions ? decoder?.createDissection(outputOptions) : undefined;
    this.handle = (frame, iface) => {
      const dissection = decoder?.decode(frame, iface);
      if (!dissection || filter.matches(dissection)) {
        emit(frame, iface, outputDissection ? (decoder as FrameDecoder).again(outputDissection) : filtering ? undefined : dissection);
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
