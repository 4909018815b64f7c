// One pass over one frame: runs the dissector chain, and the next layer each leads to, over the frame's
// bytes and the byte sources reassembly makes; what it records (tree, fields) is field-recorder.ts's, the
// summary columns columns.ts's.
import { BoundsError, type ByteView } from './byte-view.js';
import type { ConversationTap } from './conversation-tap.js';
import type { Conversation, Dissector, TableName } from './dissector.js';
import type { FieldDef, FieldValue } from './field.js';
import type { Registry } from './registry.js';
import type { ByteSource, TreeNode } from './tree.js';
import { ExpertGroup, expertFields, type ExpertSeverity, type ExpertTap } from './protocols/expert.js';
import { FieldRecorder, NO_SLOT } from './field-recorder.js';
import { Columns } from './columns.js';
import { blankFrameMeta, type Datagram, type FrameMeta, type NetworkAddresses } from './frame-meta.js';
import type { CaptureMemory } from './capture-memory.js';

export type { Datagram, FrameMeta, NetworkAddresses } from './frame-meta.js';
export { blankFrameMeta } from './frame-meta.js';

export interface DissectOptions {
  tree: boolean;
  columns: boolean;
  /** Fields whose values to collect; their occurrences land in `values`, in this order. */
  fields?: readonly FieldDef[];
  /** Stop after the layer that finds the outer IP datagram: enough for the tap (export annotations). */
  stopAtDatagram?: boolean;
  /** Leave TCP and what it carries undissected: nothing asked for is there (fieldsBelowTcp). */
  stopBeforeTcp?: boolean;
  /** Told of every layer's addresses and ports, for the conversation and endpoint statistics. */
  conversationTap?: ConversationTap;
  /** Told of every expert note, for the expert statistics. */
  expertTap?: ExpertTap;
  /** Told of each HTTP message's header block and entity body, as Wireshark's HTTP follow tap (follow,http). */
  httpTap?: HttpTap;
}

export interface HttpTap {
  /** Bytes of the frame's HTTP (valid during the call only). */
  data(bytes: Uint8Array): void;
}

/**
 * Fields of protocols that never sit above TCP here (frame.protocols lists TCP, DNS may ride on it): with
 * only these asked for, print mode need not dissect TCP, analyse its sequence or reassemble its streams.
 */
const BELOW_TCP = /^(frame\.(?!protocols)|eth\.|sll\.|vlan\.|null\.|nflog\.|arp\.|ip\.|ipv6\.|icmp\.|icmpv6\.|udp\.)/;
const IP_PROTO_TCP = 6;

export function fieldsBelowTcp(fields: readonly FieldDef[]): boolean {
  return fields.every((field) => BELOW_TCP.test(field.abbrev));
}

let slotCount = 0;

/**
 * A value one layer leaves for later layers of the same frame, as Wireshark's per-packet protocol data
 * (the tap pseudo-layer's tap point, read by TCP analysis): the engine keeps the slots, not their types.
 */
export class FrameSlot<T> {
  readonly index = slotCount++;
  declare readonly type?: T;
}

export class Dissection extends FieldRecorder {
  private readonly stopAtDatagram: boolean;
  private readonly stopBeforeTcp: boolean;
  private columnsEnabled: boolean;
  readonly cols = new Columns();
  /** Abbrevs of the layers in order, as frame.protocols lists them. */
  readonly layers: string[] = [];
  frame!: FrameMeta;
  /** The frame's own bytes (the view may have moved on to a reassembled source). */
  frameData: Uint8Array = new Uint8Array(0);
  /** The description of a frame dissected again into this output (FrameDecoder.redo fills it). */
  readonly redoneFrame = blankFrameMeta();
  network: NetworkAddresses | undefined;
  readonly datagram: Datagram = { version: 0, bytes: new Uint8Array(0), headerAt: 0, payloadAt: 0, protocol: 0, length: 0, fragment: false };
  /** True when the upper layers see only the first fragment of a datagram that was not reassembled. */
  fragmented = false;
  /** True while dissecting the packet quoted inside an ICMP error. */
  inErrorPacket = false;
  readonly conversationTap: ConversationTap | undefined;
  private readonly expertTap: ExpertTap | undefined;
  private readonly httpTap: HttpTap | undefined;
  /** The short name of the protocol being dissected, which expert notes are attributed to. */
  private protocolName = '';
  /** The open nodes under which dissection goes on after a top-level node. */
  private outerStack: TreeNode[] = [];
  /** What layers left for later layers of this frame, by FrameSlot (cleared per frame). */
  private readonly slots: unknown[] = [];
  /**
   * The stream that the bytes a protocol above TCP dissects belong to (an object that lasts as long as the
   * stream, for per-conversation state), and which end sent them; stream undefined elsewhere.
   */
  readonly transport: { stream: Conversation | undefined; forward: boolean; srcPort: number; dstPort: number } = { stream: undefined, forward: true, srcPort: 0, dstPort: 0 };
  /**
   * True while a protocol above TCP runs over stream bytes: it may then ask for the rest of a PDU that
   * the segment does not hold (`requestMore`), as Wireshark's desegment_offset / desegment_len.
   */
  desegmentable = false;
  /** Where in the view the PDU that needs more starts (-1: nothing asked), and how many bytes more it needs. */
  desegmentAt = -1;
  desegmentNeeds = 0;
  /** A note for the Info column that the engine appends after the chain (malformed, truncated). */
  private infoSuffix = '';

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
    readonly memory: CaptureMemory,
    options: DissectOptions,
  ) {
    super(registry.fieldIdLimit, options.tree, options.fields ?? []);
    this.columnsEnabled = options.columns;
    this.stopAtDatagram = options.stopAtDatagram ?? false;
    this.stopBeforeTcp = options.stopBeforeTcp ?? false;
    this.conversationTap = options.conversationTap;
    this.expertTap = options.expertTap;
    this.httpTap = options.httpTap;
  }

  /** Tells the HTTP tap of a message's bytes; not of a quoted packet's. */
  tapHttp(bytes: Uint8Array): void {
    if (this.httpTap !== undefined && !this.inErrorPacket) this.httpTap.data(bytes);
  }

  /** The expert tap is told of the note too, with the protocol that adds it; not of a quoted packet's (Wireshark's taps skip error packets). */
  override expert(severity: ExpertSeverity, group: ExpertGroup, message: string, start = 0, length = 0): void {
    if (this.expertTap !== undefined && !this.inErrorPacket) this.expertTap.note(severity, group, this.protocolName, message);
    super.expert(severity, group, message, start, length);
  }

  get columns(): boolean {
    return this.columnsEnabled;
  }

  /** Dissects one frame's bytes; the results stay readable until the next call. */
  run(frame: FrameMeta, data: Uint8Array, frameLayers: readonly Dissector[], link: Dissector | undefined): void {
    this.frame = frame;
    this.frameData = data;
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
    this.transport.stream = undefined;
    if (this.slots.length !== 0) this.slots.length = 0;
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

  /** The value a layer of this frame left in `slot`, if any. */
  get<T>(slot: FrameSlot<T>): T | undefined {
    return this.slots[slot.index] as T | undefined;
  }

  set<T>(slot: FrameSlot<T>, value: T): void {
    this.slots[slot.index] = value;
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

  /**
   * Dissects a quoted packet (ICMP errors) now, under the current node, leaving the columns alone; or,
   * not `quoted`, a payload a protocol keeps in its own subtree (ICMP's echo data, as Wireshark's tree).
   */
  nested(table: TableName, key: number, offset: number, quoted = true): void {
    const dissector = key < 0 ? this.registry.data : this.registry.lookup(table, key);
    if (!dissector) return;
    const { captured, reported } = this.view;
    const saved = { columns: this.columnsEnabled, inError: this.inErrorPacket, depth: this.stack.length };
    this.columnsEnabled = false;
    this.inErrorPacket ||= quoted;
    this.pendingTable = undefined;
    // A quoted packet is cut short by design: running out of its bytes is not an error of this frame.
    this.chain(dissector, offset, quoted);
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

  /** Whether the view holds the frame's own bytes (not a reassembled datagram's or PDU's). */
  get inFrameBytes(): boolean {
    return this.source === 0;
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

  /**
   * Asks TCP for more bytes: the PDU starting at view offset `at` needs `needs` bytes beyond the view
   * (MORE_BYTES_UNKNOWN: at least one more segment). Only while `desegmentable`.
   */
  requestMore(at: number, needs: number): void {
    this.desegmentAt = at;
    this.desegmentNeeds = needs;
  }

  /**
   * Dissects stream bytes [offset, end) with the protocol the ports lead to, now, at the top of the tree
   * (TCP hands on each PDU and reads what the protocol asked for after). `reassembled` names a byte
   * source to dissect instead of the current view's. The view is the segment's again afterwards.
   */
  dissectAbove(table: TableName, srcPort: number, dstPort: number, offset: number, end: number, reassembled?: ByteSource): void {
    this.withView(reassembled, end, () => {
      this.desegmentable = true;
      this.desegmentAt = -1;
      this.nextByPorts(table, srcPort, dstPort, offset);
      const stream = this.transport.stream;
      const owner = stream !== undefined && stream.dissectorIndex >= 0 && this.frame.number >= stream.dissectorFrom ? this.registry.dissectors[stream.dissectorIndex] : undefined;
      const first = owner !== undefined && (owner.accepts?.(this.view, offset) ?? true) ? owner : this.resolvePending(offset);
      if (first !== undefined) this.chain(first, offset);
    });
    this.desegmentable = false;
  }

  /**
   * Dissects [offset, end) of the view (or all of `source`, a decoded body) with `dissector` and what it
   * leads to, now, at the top of the tree, as Wireshark's call_dissector; the view is restored after.
   */
  callDissector(dissector: Dissector, offset: number, end: number, source?: ByteSource): void {
    const desegmentable = this.desegmentable;
    this.desegmentable = false;
    this.withView(source, end, () => this.chain(dissector, offset));
    this.desegmentable = desegmentable;
  }

  private withView(source: ByteSource | undefined, end: number, run: () => void): void {
    const view = this.view;
    const saved = { bytes: view.bytes, captured: view.captured, reported: view.reported, source: this.source, stack: this.tree ? this.stack.slice() : [] };
    if (source) this.useSource(source.name, source.bytes);
    else {
      view.captured = Math.min(view.captured, end);
      view.reported = Math.min(view.reported, end);
    }
    this.stack.length = 0;
    run();
    this.pendingTable = undefined;
    view.reset(saved.bytes, saved.reported);
    view.captured = saved.captured;
    this.source = saved.source;
    this.stack.length = 0;
    this.stack.push(...saved.stack);
  }

  /** The Protocol column and frame.protocols lose the layer just tried: it only asked for more bytes. */
  unlistLayer(): void {
    this.withdrawLayer();
    this.layers.pop();
  }

  /**
   * Adds a node at the top of the tree (TCP's reassembled segments, after the protocols of the PDU, as in
   * Wireshark's tree); `closeTopLevel` goes back to the node that was open before.
   */
  openTopLevel(field: FieldDef, value: FieldValue): void {
    // Without a tree there is no place to open: the field is still recorded, for a filter (`tcp.segments`).
    if (!this.tree) return this.generated(field, value);
    this.outerStack = this.stack.splice(0);
    this.open(field, 0, 0, value);
    if (this.last) this.last.generated = true;
  }

  closeTopLevel(): void {
    if (!this.tree) return;
    this.stack.length = 0;
    this.stack.push(...this.outerStack);
  }

  // ---- the engine -----------------------------------------------------------------------------------

  private chain(first: Dissector, offset: number, quoted = false): void {
    let dissector: Dissector | undefined = first;
    let at = offset;
    while (dissector !== undefined) {
      this.pendingTable = undefined;
      if (!this.layer(dissector, at, true, quoted)) return;
      if (this.pendingTable === undefined || (this.stopAtDatagram && this.datagram.version !== 0)) return;
      if (this.stopBeforeTcp && this.pendingTable === 'ip.proto' && this.pendingKey === IP_PROTO_TCP) return;
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
      if (!heuristic.recognizes?.(view, offset)) continue;
      const stream = this.desegmentable ? this.transport.stream : undefined;
      if (stream !== undefined && stream.dissectorIndex < 0) {
        stream.dissectorIndex = registry.dissectors.indexOf(heuristic);
        stream.dissectorFrom = this.frame.number;
      }
      return heuristic;
    }
    return view.remaining(offset) > 0 ? registry.data : undefined;
  }

  /** Runs one dissector under its protocol node; false when it ran out of bytes or failed. */
  private layer(dissector: Dissector, offset: number, listed: boolean, quoted = false): boolean {
    // Wireshark gives a quoted packet's leftover payload to its data dissector with the top-level tree.
    const outer = quoted && this.tree && dissector === this.registry.data ? this.stack.splice(0) : undefined;
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
    if (listed && this.columnsEnabled && dissector.short !== '') this.cols.setProtocol(dissector.short);
    let ok = true;
    // Notes go to the protocol dissecting, as Wireshark's pinfo->current_proto (saved around each call).
    const caller = this.protocolName;
    if (dissector.short !== '') this.protocolName = dissector.short;
    try {
      dissector.dissect(view, offset, this);
    } catch (error) {
      ok = false;
      // Back to this layer's node, so the note lands under it.
      this.stack.length = Math.min(this.stack.length, depth + (this.tree ? 1 : 0));
      if (!(error instanceof BoundsError)) {
        this.expert('error', ExpertGroup.Malformed, `[Dissector bug, protocol ${dissector.short}: ${String(error)}]`);
      } else if (!quoted) {
        this.reportBounds(error, dissector);
      }
    }
    this.protocolName = caller;
    // Setting an array's length is a slow call even when it changes nothing; the stack grows only with a tree.
    if (this.stack.length > depth) this.stack.length = depth;
    if (outer !== undefined) this.stack.push(...outer);
    return ok;
  }

  /** Wireshark puts these markers at the top level, each as its own pseudo-protocol. */
  private reportBounds(error: BoundsError, dissector: Dissector): void {
    const truncated = error.kind === 'truncated';
    this.stack.length = 0;
    this.open(truncated ? expertFields.short : expertFields.malformed, 0, 0, true);
    this.label(truncated ? `[Packet size limited during capture: ${dissector.short} truncated]` : `[Malformed Packet: ${dissector.short}]`);
    // A frame cut by the snapshot length is no fault of the packet: Wireshark makes no note of it.
    if (!truncated) this.expert('error', ExpertGroup.Malformed, 'Malformed Packet (Exception occurred)');
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

}
