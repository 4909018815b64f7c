// Runs tsshark's reader and decoder in-process over a file, collecting chosen fields as tshark -T fields
// formats them.
import { openCapture } from '../../src/capture/capture-reader.js';
import { createRegistry, FrameDecoder } from '../../src/decode/decoder.js';
import { formatFieldValue, type FieldDef } from '../../src/decode/field.js';
import { sanitize } from '../../src/decode/sanitize.js';
import { requestStatistics } from '../../src/cli/statistics.js';
import { compileFilter } from '../../src/filter/display-filter.js';
import { PrintPass } from '../../src/session/print-pass.js';

export const registry = createRegistry();

export function fieldDefs(names: readonly string[]): FieldDef[] {
  return names.map((name) => {
    const field = registry.field(name);
    if (!field) throw new Error(`tsshark has no field ${name}`);
    return field;
  });
}

/** Each frame's fields; `columns`: its Protocol and Info first, as print mode makes them. */
export async function tssharkFields(file: string, names: readonly string[], columns = false): Promise<string[][]> {
  const fields = fieldDefs(names);
  const decoder = new FrameDecoder(registry, { tree: false, columns, fields });
  const reader = await openCapture(file);
  const rows: string[][] = [];
  try {
    await reader.read((frame) => {
      const dissection = decoder.decode(frame, reader.interfaces[frame.interfaceId]);
      const values = fields.map((field) => dissection.valuesOf(field).map((value) => sanitize(formatFieldValue(field, value))).join(','));
      rows.push(columns ? [sanitize(dissection.cols.protocol), sanitize(dissection.cols.info), ...values] : values);
    });
  } finally {
    await reader.close();
  }
  return rows;
}

/** What `tsshark -q -z SPEC...` draws for a capture, in process. */
export async function tssharkStatistics(path: string, specs: readonly string[]): Promise<string> {
  const request = requestStatistics(specs, registry);
  if (!request.ok) throw new Error(request.error);
  const filter = compileFilter('', registry);
  if (!filter.ok) throw new Error(filter.error.message);
  const reader = await openCapture(path);
  try {
    await new PrintPass(reader, registry, { filter: filter.filter, statistics: request.pass, goOn: () => true }).run();
  } catch {
    // A damaged file: what came before the damage is counted, as tshark counts it.
  } finally {
    await reader.close();
  }
  return request.draw();
}
