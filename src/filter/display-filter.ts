// The display filter API that print mode and the UI use: compile once (never throwing for a bad filter),
// then test dissected frames. A filter lists the fields it reads; the decoder is built to collect them.
import type { Dissection } from '../decode/dissection.js';
import type { FieldDef } from '../decode/field.js';
import type { Registry } from '../decode/registry.js';
import { Compiler, type FrameTest } from './compile.js';
import { FilterError } from './filter-error.js';
import { parseFilter } from './parser.js';

export interface DisplayFilter {
  readonly text: string;
  /** The fields the filter reads: give them to the decoder (`fields` option) of the frames it tests. */
  readonly fields: readonly FieldDef[];
  /** Whether the frame passes; the dissection must have collected `fields`. */
  matches(dissection: Dissection): boolean;
}

export type FilterCompilation = { ok: true; filter: DisplayFilter } | { ok: false; error: FilterError };

const everything: FrameTest = () => true;

/** Compiles `text` (Wireshark's display filter language); an empty filter passes every frame. */
export function compileFilter(text: string, registry: Registry): FilterCompilation {
  if (text.trim() === '') return { ok: true, filter: { text, fields: [], matches: everything } };
  try {
    const compiler = new Compiler(registry, text);
    const matches = compiler.expression(parseFilter(text));
    return { ok: true, filter: { text, fields: compiler.fields, matches } };
  } catch (error) {
    if (error instanceof FilterError) return { ok: false, error };
    throw error;
  }
}

/** The error as tshark shows it: the message, the filter, and a caret line under the span. */
export function describeFilterError(text: string, error: FilterError): string {
  const width = Math.max(1, error.end - error.start);
  return `${error.message}\n    ${text}\n    ${' '.repeat(error.start)}^${'~'.repeat(width - 1)}`;
}
