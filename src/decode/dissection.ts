// One pass over one frame: runs the dissector chain and records what the caller asked for — the tree
// (for the selected frame), the summary columns (for the list and print mode) and/or chosen fields'
// values (for `-T fields` and filters). With no tree, no node objects are made.
import { BoundsError, ByteView } from './byte-view.js';
import type { Dissector, TableName } from './dissector.js';
import type { FieldDef, FieldValue } from './field.js';
import type { Registry } from './registry.js';
import type { ByteSource, ExpertSeverity, TreeNode } from './tree.js';
import { expertFields } from './protocols/expert.js';
import { Columns } from './columns.js';
import type { KernelVersion } from './taps/kernel-pipeline.js';
import type { Session } from './session.js';

export interface FrameMeta {
  number: number;
  tsSec: number;
  tsNsec: number;
  /** Nanoseconds since the first frame, and since the previous one. */
  relativeNs: number | bigint;
  deltaNs: number | bigint;
  capturedLength: number;
  originalLength: number;
  linkType: number;
  interfaceId: number;
  /** Set only where the capture numbers its interfaces (pcapng); then frame.interface_id is shown too. */
  interfaceName: string | undefined;
  /** The capturing device's own name (if_name), without interfaceName's fallback to the description. */
  device: string | undefined;
  /** The interface's snapshot length (0: unknown). */
  snaplen: number;
  /** pcapng epb_flags (direction in bits 0-1). */
  flags: number;
  comment: string | undefined;
  /** The capturing kernel, when the source says (live); undefined is "unknown kernel". */
  kernel: KernelVersion | undefined;
  mtu: number | undefined;
  deviceName: ((ifindex: number) => string | undefined) | undefined;
}

export function blankFrameMeta(): FrameMeta {
  return {
    number: 0,
    tsSec: 0,
    tsNsec: 0,
    relativeNs: 0,
    deltaNs: 0,
    capturedLength: 0,
    originalLength: 0,
    linkType: 0,
    interfaceId: 0,
    interfaceName: undefined,
    device: undefined,
    snaplen: 0,
    flags: 0,
    comment: undefined,
    kernel: undefined,
    mtu: undefined,
    deviceName: undefined,
  };
}

/**
 * The outermost IP datagram of the frame, as the kernel's hooks see it (NAT, GSO and checksum offload act
 * on it): version 0 when the frame has none. One record per Dissection, rewritten for every frame.
 */
export interface Datagram {
  version: 0 | 4 | 6;
  bytes: Uint8Array;
  headerAt: number;
  /** Where the transport header starts (after IPv6 extension headers) and which protocol it is. */
  payloadAt: number;
  protocol: number;
  /** The IP length field's datagram length, header included. */
  length: number;
  /** Part of a fragmented datagram: the transport header is in the first fragment only. */
  fragment: boolean;
}

/** Where the innermost IP header's addresses are, for transport conversation keys. */
export interface NetworkAddresses {
  bytes: Uint8Array;
  srcAt: number;
  dstAt: number;
  length: number;
  /** TTL or hop limit, which ICMP echo's Info shows. */
  hopLimit: number;
}

export interface DissectOptions {
  tree: boolean;
  columns: boolean;
  /** Fields whose values to collect; their occurrences land in `values`, in this order. */
  fields?: readonly FieldDef[];
  /** Stop after the layer that finds the outer IP datagram: enough for the tap (export annotations). */
  stopAtDatagram?: boolean;
}

const NO_SLOT = -1;
const NO_VALUES: readonly FieldValue[] = [];

export class Dissection {
  readonly tree: boolean;
  private readonly stopAtDatagram: boolean;
  /** A tree or field values are collected (columns alone record no field). */
  private readonly recording: boolean;
  private columnsEnabled: boolean;
  readonly view = new ByteView();
  readonly cols = new Columns();
  /** Values of the requested fields, one array per distinct field, each occurrence in frame order. */
  private readonly values: FieldValue[][];
  /** Abbrevs of the layers in order, as frame.protocols lists them. */
  readonly layers: string[] = [];
  frame!: FrameMeta;
  /** The description of a frame dissected again into this output (FrameDecoder.redo fills it). */
  readonly redoneFrame = blankFrameMeta();
  network: NetworkAddresses | undefined;
  readonly datagram: Datagram = { version: 0, bytes: new Uint8Array(0), headerAt: 0, payloadAt: 0, protocol: 0, length: 0, fragment: false };
  /** True when the upper layers see only the first fragment of a datagram that was not reassembled. */
  fragmented = false;
  /** True while dissecting the packet quoted inside an ICMP error. */
  inErrorPacket = false;
  roots: TreeNode[] = [];
  sources: ByteSource[] = [];
  /** A note for the Info column that the engine appends after the chain (malformed, truncated). */
  private infoSuffix = '';

  private readonly slotOf: Int32Array;
  private readonly stack: TreeNode[] = [];
  private last: TreeNode | undefined;
  private source = 0;
  private pendingTable: TableName | undefined;
  private pendingKey = 0;
  private pendingHighPort = -1;
  private pendingOffset = 0;
  /** The current layer's protocol value (slot, occurrence, start), which `narrow` trims as Wireshark does. */
  private layerSlot = NO_SLOT;
  private layerOccurrence = 0;
  private layerStart = 0;

  constructor(
    readonly registry: Registry,
    readonly session: Session,
    options: DissectOptions,
  ) {
    this.tree = options.tree;
    this.columnsEnabled = options.columns;
    this.stopAtDatagram = options.stopAtDatagram ?? false;
    this.slotOf = new Int32Array(registry.fieldIdLimit).fill(NO_SLOT);
    this.values = [];
    // Print mode and a filter may ask for the same field: each distinct field gets one slot.
    for (const field of options.fields ?? []) {
      if (this.slotOf[field.id] !== NO_SLOT) continue;
      this.slotOf[field.id] = this.values.length;
      this.values.push([]);
    }
    this.recording = this.tree || this.values.length > 0;
  }

  /** The occurrences of a requested field in this frame, in frame order (empty for fields not requested). */
  valuesOf(field: FieldDef): readonly FieldValue[] {
    const slot = this.slotOf[field.id];
    return slot === NO_SLOT ? NO_VALUES : this.values[slot];
  }

  get columns(): boolean {
    return this.columnsEnabled;
  }

  /** Dissects one frame's bytes; the results stay readable until the next call. */
  run(frame: FrameMeta, data: Uint8Array, frameLayers: readonly Dissector[], link: Dissector | undefined): void {
    this.frame = frame;
    this.view.reset(data, frame.originalLength);
    // Truncating an array that is already empty still costs; most slots stay empty.
    for (const list of this.values) if (list.length !== 0) list.length = 0;
    this.layers.length = 0;
    if (this.stack.length !== 0) this.stack.length = 0;
    this.last = undefined;
    this.source = 0;
    this.inErrorPacket = false;
    this.network = undefined;
    this.datagram.version = 0;
    this.fragmented = false;
    this.infoSuffix = '';
    if (this.tree) {
      this.roots = [];
      this.sources = [{ name: 'Frame', bytes: data }];
    }
    if (this.columnsEnabled) this.cols.reset();
    for (const pseudo of frameLayers) this.layer(pseudo, 0, false);
    this.chain(link ?? this.registry.data, 0);
    // Each pseudo-layer's node is one root, in order; what it finishes lands under it.
    for (let i = 0; i < frameLayers.length; i++) {
      const finish = frameLayers[i].finish;
      if (finish === undefined) continue;
      if (this.tree) this.stack.push(this.roots[i]);
      finish(this);
      this.stack.length = 0;
    }
    if (this.infoSuffix !== '' && this.columnsEnabled) this.cols.info += this.infoSuffix;
  }

  // ---- what dissectors call -------------------------------------------------------------------------

  /** Whether a value for `field` would be used: compute costly values only when this is true. */
  wants(field: FieldDef): boolean {
    return this.tree || this.slotOf[field.id] !== NO_SLOT;
  }

  /** Records a field over bytes [start, start+length); byte-typed fields take their value from the view. */
  add(field: FieldDef, start: number, length: number, value?: FieldValue): void {
    // Values read through the view were checked there; bytes taken as they are are checked here.
    if (value === undefined) this.view.check(start, length);
    // The UI's in-order pass records nothing: it runs for the state changes alone.
    if (!this.recording) return;
    const slot = this.slotOf[field.id];
    if (slot !== NO_SLOT) this.values[slot].push(value === undefined ? this.bytesOf(start, length) : value);
    if (this.tree) this.node(field, start, length, value === undefined ? this.bytesOf(start, length) : value, false);
  }

  /** A value computed rather than read (lengths, reassembly results): shown in brackets, no bytes. */
  generated(field: FieldDef, value: FieldValue, start = 0, length = 0): void {
    if (!this.recording) return;
    const slot = this.slotOf[field.id];
    if (slot !== NO_SLOT) this.values[slot].push(value);
    if (this.tree) this.node(field, start, length, value, true);
  }

  /** Like `add`, and the nodes added until `close` become its children. */
  open(field: FieldDef, start: number, length: number, value?: FieldValue): void {
    this.add(field, start, length, value);
    if (this.tree) this.stack.push(this.last as TreeNode);
  }

  close(): void {
    if (this.tree) this.stack.pop();
  }

  /** Text for the node added last, replacing `Name: value` (tree only; guard costly text with `tree`). */
  label(text: string): void {
    if (this.tree && this.last) this.last.label = text;
  }

  /** The current layer's node: its summary line and how many bytes its header spans. */
  layerSummary(text: string, length?: number): void {
    if (!this.tree) return;
    const layer = this.currentLayer();
    if (!layer) return;
    layer.label = text;
    if (length !== undefined) layer.length = length;
  }

  layerLength(length: number): void {
    if (!this.tree) return;
    const layer = this.currentLayer();
    if (layer) layer.length = length;
  }

  expert(severity: ExpertSeverity, message: string, start = 0, length = 0): void {
    const slot = this.slotOf[expertFields.message.id];
    if (slot !== NO_SLOT) this.values[slot].push(message);
    if (!this.tree) return;
    const node = this.node(expertFields.message, start, length, message, false);
    node.label = message;
    node.expert = { severity, message };
  }

  /** The next layer: the dissector `table` maps `key` to, over bytes from `offset` to `end`. */
  next(table: TableName, key: number, offset: number, end?: number): void {
    this.pendingTable = table;
    this.pendingKey = key;
    this.pendingHighPort = -1;
    this.pendingOffset = offset;
    if (end !== undefined) this.narrow(end);
  }

  /** The next layer by port: the lower port's dissector first, then the higher's, then heuristics. */
  nextByPorts(table: TableName, srcPort: number, dstPort: number, offset: number, end?: number): void {
    this.next(table, Math.min(srcPort, dstPort), offset, end);
    this.pendingHighPort = Math.max(srcPort, dstPort);
  }

  /**
   * Takes back the current layer's protocol item, for a dissector that hands its bytes on without claiming
   * them (Wireshark's IPv4 dissector given an IPv6 header): the layer stays listed in frame.protocols.
   */
  withdrawLayer(): void {
    if (this.layerSlot !== NO_SLOT) this.values[this.layerSlot].length = this.layerOccurrence;
    if (!this.tree) return;
    const node = this.currentLayer();
    if (!node) return;
    this.stack.length = this.stack.lastIndexOf(node);
    const parent = this.stack[this.stack.length - 1];
    const siblings = parent ? parent.children : this.roots;
    siblings.splice(siblings.lastIndexOf(node), 1);
  }

  /** Dissects a quoted packet (ICMP errors) now, under the current node, leaving the columns alone. */
  nested(table: TableName, key: number, offset: number): void {
    const dissector = this.registry.lookup(table, key);
    if (!dissector) return;
    const { captured, reported } = this.view;
    const saved = { columns: this.columnsEnabled, inError: this.inErrorPacket, depth: this.stack.length };
    this.columnsEnabled = false;
    this.inErrorPacket = true;
    this.pendingTable = undefined;
    // A quoted packet is cut short by design: running out of its bytes is not an error of this frame.
    this.chain(dissector, offset, true);
    this.view.captured = captured;
    this.view.reported = reported;
    this.columnsEnabled = saved.columns;
    this.inErrorPacket = saved.inError;
    this.stack.length = saved.depth;
    this.pendingTable = undefined;
  }

  /**
   * Records an IP header as the frame's datagram when it is the outermost one (not tunnelled, not quoted
   * in an ICMP error); true when it was recorded, so the caller goes on to fill in its transport.
   */
  noteDatagram(version: 4 | 6, headerAt: number, length: number, payloadAt: number, protocol: number, fragment: boolean): boolean {
    const datagram = this.datagram;
    if (datagram.version !== 0 || this.inErrorPacket) return false;
    datagram.version = version;
    datagram.bytes = this.view.bytes;
    datagram.headerAt = headerAt;
    datagram.length = length;
    datagram.payloadAt = payloadAt;
    datagram.protocol = protocol;
    datagram.fragment = fragment;
    return true;
  }

  /** Continues the chain over other bytes, such as a reassembled datagram; returns the new view. */
  useSource(name: string, bytes: Uint8Array): ByteView {
    if (this.tree) {
      this.sources.push({ name, bytes });
      this.source = this.sources.length - 1;
    } else {
      this.source = 1;
    }
    return this.view.reset(bytes, bytes.length);
  }

  // ---- the engine -----------------------------------------------------------------------------------

  private chain(first: Dissector, offset: number, quoted = false): void {
    let dissector: Dissector | undefined = first;
    let at = offset;
    while (dissector !== undefined) {
      this.pendingTable = undefined;
      if (!this.layer(dissector, at, true, quoted)) return;
      if (this.pendingTable === undefined || (this.stopAtDatagram && this.datagram.version !== 0)) return;
      at = this.pendingOffset;
      dissector = this.resolvePending(at);
    }
  }

  private resolvePending(offset: number): Dissector | undefined {
    const table = this.pendingTable as TableName;
    const registry = this.registry;
    if (table === 'ethertype') this.layers.push('ethertype');
    const view = this.view;
    const low = registry.lookup(table, this.pendingKey);
    if (low && (low.accepts?.(view, offset) ?? true)) return low;
    const high = this.pendingHighPort >= 0 ? registry.lookup(table, this.pendingHighPort) : undefined;
    if (high && (high.accepts?.(view, offset) ?? true)) return high;
    for (const heuristic of registry.heuristicsFor(table)) {
      if (heuristic.accepts?.(view, offset)) return heuristic;
    }
    return view.remaining(offset) > 0 ? registry.data : undefined;
  }

  /** Runs one dissector under its protocol node; false when it ran out of bytes or failed. */
  private layer(dissector: Dissector, offset: number, listed: boolean, quoted = false): boolean {
    const depth = this.stack.length;
    const view = this.view;
    // A layer may start past the captured bytes (its parent was cut short): its node is then empty.
    this.layerSlot = this.slotOf[dissector.protocol.id];
    this.layerStart = offset;
    if (this.layerSlot !== NO_SLOT) this.layerOccurrence = this.values[this.layerSlot].length;
    if (this.wants(dissector.protocol)) {
      const length = Math.max(0, view.captured - offset);
      this.open(dissector.protocol, offset, length, this.bytesOf(offset, length));
    }
    if (listed) this.layers.push(dissector.protocol.abbrev);
    if (listed && this.columnsEnabled && dissector.short !== '') this.cols.protocol = dissector.short;
    let ok = true;
    try {
      dissector.dissect(view, offset, this);
    } catch (error) {
      ok = false;
      // Back to this layer's node, so the note lands under it.
      this.stack.length = Math.min(this.stack.length, depth + (this.tree ? 1 : 0));
      if (!(error instanceof BoundsError)) {
        this.expert('error', `[Dissector bug, protocol ${dissector.short}: ${String(error)}]`);
      } else if (!quoted) {
        this.reportBounds(error, dissector);
      }
    }
    // Setting an array's length is a slow call even when it changes nothing; the stack grows only with a tree.
    if (this.stack.length > depth) this.stack.length = depth;
    return ok;
  }

  /** Wireshark puts these markers at the top level, each as its own pseudo-protocol. */
  private reportBounds(error: BoundsError, dissector: Dissector): void {
    const truncated = error.kind === 'truncated';
    this.stack.length = 0;
    this.open(truncated ? expertFields.short : expertFields.malformed, 0, 0, true);
    this.label(truncated ? `[Packet size limited during capture: ${dissector.short} truncated]` : `[Malformed Packet: ${dissector.short}]`);
    this.expert(truncated ? 'warn' : 'error', truncated ? 'Packet size limited during capture' : 'Malformed Packet (Exception occurred)');
    this.close();
    this.infoSuffix = truncated ? '[Packet size limited during capture]' : '[Malformed Packet]';
  }

  private narrow(end: number): void {
    const view = this.view;
    if (end < view.reported) view.reported = Math.max(end, 0);
    if (end < view.captured) {
      view.captured = Math.max(end, 0);
      // A protocol's value is the bytes it spans: IP's ends where its total length says, before any padding.
      if (this.layerSlot !== NO_SLOT) {
        const occurrences = this.values[this.layerSlot];
        if (this.layerOccurrence < occurrences.length) occurrences[this.layerOccurrence] = this.bytesOf(this.layerStart, view.captured - this.layerStart);
      }
    }
  }

  private currentLayer(): TreeNode | undefined {
    for (let i = this.stack.length - 1; i >= 0; i--) if (this.stack[i].field.type === 'protocol') return this.stack[i];
    return undefined;
  }

  private bytesOf(start: number, length: number): Uint8Array {
    const bytes = this.view.bytes;
    const end = Math.min(start + length, this.view.captured);
    return bytes.subarray(Math.min(start, end), end);
  }

  private node(field: FieldDef, start: number, length: number, value: FieldValue, generated: boolean): TreeNode {
    const node: TreeNode = { field, start, length, value, source: this.source, generated, label: undefined, expert: undefined, children: [] };
    const parent = this.stack[this.stack.length - 1];
    (parent ? parent.children : this.roots).push(node);
    this.last = node;
    return node;
  }
}
