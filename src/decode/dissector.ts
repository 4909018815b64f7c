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
  /** Tables whose unmatched payloads this dissector may claim by looking at the bytes. */
  readonly heuristicFor?: readonly TableName[];
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
