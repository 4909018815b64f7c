// What a protocol module exports: one plain object with its field table, the table entries that lead to
// it, and `dissect` over a byte view. Chaining is by table lookup, never by a parent naming its child.
import type { ByteView } from './byte-view.js';
import type { Dissection } from './dissection.js';
import type { FieldDef } from './field.js';

/** Dispatch tables, keyed as Wireshark's are. */
export type TableName = 'linktype' | 'ethertype' | 'gre.proto' | 'ip.proto' | 'tcp.port' | 'udp.port' | 'ip.version';

export interface Binding {
  table: TableName;
  key: number;
}

export interface Dissector {
  /** The protocol as a field (`udp`): its node spans the layer's bytes. */
  readonly protocol: FieldDef;
  /** The Protocol column's text, e.g. `UDP`. */
  readonly short: string;
  readonly fields: Readonly<Record<string, FieldDef>>;
  readonly bindings: readonly Binding[];
  /** Tables whose unmatched payloads this dissector may claim by looking at the bytes (`recognizes`). */
  readonly heuristicFor?: readonly TableName[];
  /** As a heuristic: whether bytes no table entry claimed look like this protocol's. Must not throw. */
  recognizes?(view: ByteView, offset: number): boolean;
  /**
   * Whether the bytes at `offset` are this protocol's: heuristics are asked before they are tried, and
   * a table's dissector that declines leaves the bytes to the next candidate. Must not throw.
   */
  accepts?(view: ByteView, offset: number): boolean;
  dissect(view: ByteView, offset: number, ctx: Dissection): void;
  /**
   * For the pseudo-layers every frame starts with: adds what depends on the layers after them (the
   * protocols in the frame, what the tap's copy implies), once the chain has run.
   */
  finish?(ctx: Dissection): void;
}

/**
 * A transport conversation (a TCP stream) as the protocols above it see it: an object that lasts as long
 * as the stream, and the dissector a heuristic chose for it, as Wireshark's conversation dissector: from
 * the frame it recognised on, the stream's payloads go to it before the port tables are asked.
 */
export interface Conversation {
  /**
   * The dissector's place in the registry's list (-1: none): a number, not the object, for a stream is
   * among the results a worker thread gets a copy of, and functions cannot be copied.
   */
  dissectorIndex: number;
  dissectorFrom: number;
}
