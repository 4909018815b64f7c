// The dissector registry, built explicitly from a list: dispatch tables, heuristics and every field by
// its filter name. Nothing registers itself by being imported.
import type { DecodeAs } from './decode-as.js';
import type { Dissector, TableName } from './dissector.js';
import { definedFieldCount, type FieldDef } from './field.js';

/**
 * Tables that share another's entries: GRE's protocol field holds ethertypes (RFC 2784 §2.4), but
 * Wireshark lists no `ethertype` layer for it, so it is a table of its own name.
 */
const SHARED_ENTRIES: Partial<Record<TableName, TableName>> = { 'gre.proto': 'ethertype' };

export class Registry {
  private readonly tables = new Map<TableName, Map<number, Dissector>>();
  private readonly heuristics = new Map<TableName, Dissector[]>();
  private readonly byAbbrev = new Map<string, FieldDef>();
  /** Upper bound of field ids, for typed arrays indexed by id. */
  readonly fieldIdLimit: number;

  /**
   * @param dissectors protocols reached through the tables
   * @param frameFields fields of the pseudo-protocols the engine adds itself (frame, tap, expert)
   * @param data the fallback for bytes no table claims
   * @param decodeAs keys handed to another protocol than the one bound there (`-d`)
   */
  constructor(
    readonly dissectors: readonly Dissector[],
    frameFields: readonly FieldDef[],
    readonly data: Dissector,
    readonly decodeAs: readonly DecodeAs[] = [],
  ) {
    for (const dissector of [...dissectors, data]) {
      this.addField(dissector.protocol);
      for (const field of Object.values(dissector.fields)) this.addField(field);
      for (const { table, key } of dissector.bindings) {
        const entries = this.tables.get(table) ?? new Map<number, Dissector>();
        if (entries.has(key)) throw new Error(`${table} ${key} is claimed by ${entries.get(key)?.short} and ${dissector.short}`);
        entries.set(key, dissector);
        this.tables.set(table, entries);
      }
      for (const table of dissector.heuristicFor ?? []) {
        this.heuristics.set(table, [...(this.heuristics.get(table) ?? []), dissector]);
      }
    }
    for (const field of frameFields) this.addField(field);
    // Resolved once here rather than on every lookup, which runs for each layer of each frame.
    for (const [table, sharing] of Object.entries(SHARED_ENTRIES) as [TableName, TableName][]) {
      const entries = this.tables.get(sharing);
      if (entries) this.tables.set(table, entries);
    }
    for (const { table, keys, dissector } of decodeAs) {
      const entries = this.tables.get(table) ?? new Map<number, Dissector>();
      for (const key of keys) entries.set(key, dissector);
      this.tables.set(table, entries);
    }
    this.fieldIdLimit = definedFieldCount();
  }

  lookup(table: TableName, key: number): Dissector | undefined {
    return this.tables.get(table)?.get(key);
  }

  heuristicsFor(table: TableName): readonly Dissector[] {
    return this.heuristics.get(table) ?? [];
  }

  field(abbrev: string): FieldDef | undefined {
    return this.byAbbrev.get(abbrev);
  }

  get fields(): IterableIterator<FieldDef> {
    return this.byAbbrev.values();
  }

  private addField(field: FieldDef): void {
    const existing = this.byAbbrev.get(field.abbrev);
    if (existing !== undefined && existing !== field) throw new Error(`field ${field.abbrev} is defined twice`);
    this.byAbbrev.set(field.abbrev, field);
  }
}
