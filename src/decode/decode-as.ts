// Decode As, as tshark's `-d <layer type>==<selector>,<protocol>`: a dispatch table's keys handed to a
// protocol other than the one bound there (`tcp.port==8443,tls`), the selector one value, a range
// (`8000-8010`) or a first value and a count (`8000:3`). Checked against the registry with tshark's
// messages: the layer types are our dispatch tables, the protocols those a table can reach.
import type { Dissector, TableName } from './dissector.js';

export interface DecodeAs {
  /** The text as given, which the redo pool's workers parse again. */
  text: string;
  table: TableName;
  keys: readonly number[];
  dissector: Dissector;
}

export type DecodeAsParse = { ok: true; rule: DecodeAs } | { ok: false; error: string };

/** The largest key of each table, so a selector is bounded (and a range never an unbounded list). */
const TABLE_LIMITS: Readonly<Record<TableName, number>> = {
  linktype: 0xffff,
  ethertype: 0xffff,
  'gre.proto': 0xffff,
  'ip.proto': 0xff,
  'tcp.port': 0xffff,
  'udp.port': 0xffff,
  'ip.version': 0xf,
};

export const DECODE_AS_TABLES = Object.keys(TABLE_LIMITS) as TableName[];

const TEMPLATE = /^([a-z0-9_.]+)==([^,]+),([A-Za-z0-9_.-]+)$/;

/** A number as tshark takes it in a selector: decimal, 0x hex or 0 octal. */
function selectorNumber(text: string): number | undefined {
  if (/^0x[0-9a-f]+$/i.test(text)) return parseInt(text.slice(2), 16);
  if (/^0[0-7]+$/.test(text)) return parseInt(text, 8);
  if (/^\d+$/.test(text)) return Number(text);
  return undefined;
}

function keysOf(selector: string, limit: number): number[] | string {
  const range = /^([^-:]+)([-:])(.+)$/.exec(selector.trim());
  const first = selectorNumber((range ? range[1] : selector).trim());
  if (first === undefined) return `Invalid selector number "${(range ? range[1] : selector).trim()}"`;
  const second = range ? selectorNumber(range[3].trim()) : first;
  if (second === undefined) return `Invalid selector number "${range?.[3].trim()}"`;
  const last = range?.[2] === ':' ? first + second - 1 : second;
  if (last < first) return `Invalid selector range "${selector}": it ends before it starts`;
  if (last > limit) return `Invalid selector "${selector}": the largest value is ${limit}`;
  return Array.from({ length: last - first + 1 }, (_, offset) => first + offset);
}

/** Parses one `-d` argument against the registry's dissectors. */
export function parseDecodeAs(text: string, dissectors: readonly Dissector[]): DecodeAsParse {
  const match = TEMPLATE.exec(text.trim());
  if (!match) return { ok: false, error: `Parameter "${text}" doesn't follow the template "<layer_type>==<selector>,<decode_as_protocol>"` };
  const [, layer, selector, protocol] = match;
  const table = DECODE_AS_TABLES.find((name) => name === layer);
  if (table === undefined) return { ok: false, error: `Unknown layer type -- ${layer}\nValid layer types are: ${DECODE_AS_TABLES.join(', ')}` };
  const keys = keysOf(selector, TABLE_LIMITS[table]);
  if (typeof keys === 'string') return { ok: false, error: keys };
  const reachable = dissectors.filter((dissector) => dissector.bindings.some((binding) => binding.table === table) || dissector.heuristicFor?.includes(table));
  const names = [...new Set(reachable.map((dissector) => dissector.protocol.abbrev))].sort();
  const dissector = reachable.find((each) => each.protocol.abbrev === protocol);
  if (dissector !== undefined) return { ok: true, rule: { text, table, keys, dissector } };
  const known = dissectors.some((each) => each.protocol.abbrev === protocol);
  const valid = `Valid protocols for layer type "${table}" are: ${names.join(', ')}`;
  return { ok: false, error: known ? `Protocol "${protocol}" isn't valid for layer type "${table}"\n${valid}` : `Unknown protocol -- "${protocol}"\n${valid}` };
}
