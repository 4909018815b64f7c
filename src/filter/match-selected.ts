// What Wireshark's "Apply as Filter" writes for a tree node: the field compared with the value it has in
// this frame (`ip.src == 10.0.0.1`, `dns.qry.name == "a.example"`, `tcp.flags == 0x0012`), or the field
// alone where it has no value to compare (a protocol, a text-only field), and the ways of combining it
// with the filter applied.
import { formatFieldValue } from '../decode/field.js';
import type { TreeNode } from '../decode/tree.js';

/** How the node's expression joins the filter applied: replacing it, or and/or with it, or excluding the node's value. */
export type Combination = 'selected' | 'and' | 'or' | 'andNot';

/** A string as the filter language quotes it: quotes and backslashes escaped, control characters as \xNN. */
export function quoteString(text: string): string {
  return (
    '"' +
    text.replace(/[\\"\x00-\x1f\x7f]/g, (character) => (character === '\\' || character === '"' ? '\\' + character : '\\x' + character.charCodeAt(0).toString(16).padStart(2, '0'))) +
    '"'
  );
}

/** The expression matching `node`'s field with its value; undefined for a node that names no field. */
export function matchSelected(node: TreeNode): string | undefined {
  const field = node.field;
  if (field.abbrev === '' || field.abbrev.startsWith('_ws.')) return undefined;
  if (field.type === 'protocol' || field.type === 'none' || node.value === undefined) return field.abbrev;
  switch (field.type) {
    case 'string':
      return `${field.abbrev} == ${quoteString(node.value as string)}`;
    case 'absolute_time':
      return `${field.abbrev} == ${quoteString(formatFieldValue(field, node.value))}`;
    case 'bytes':
      return (node.value as Uint8Array).length === 0 ? field.abbrev : `${field.abbrev} == ${formatFieldValue(field, node.value).replace(/(..)(?!$)/g, '$1:')}`;
    default:
      return `${field.abbrev} == ${formatFieldValue(field, node.value)}`;
  }
}

/** The filter text `combination` makes of `expression` and the filter applied (`applied`, empty for none). */
export function combineFilter(combination: Combination, expression: string, applied: string): string {
  const current = applied.trim();
  switch (combination) {
    case 'selected':
      return expression;
    case 'and':
      return current === '' ? expression : `(${current}) && ${expression}`;
    case 'or':
      return current === '' ? expression : `(${current}) || ${expression}`;
    case 'andNot':
      return current === '' ? `!(${expression})` : `(${current}) && !(${expression})`;
  }
}
