// What the UI shows of a frame, read from its dissection: the packet list's row and the Tap column.
import type { Dissection } from '../decode/dissection.js';
import { nanosecondsText, type FieldDef } from '../decode/field.js';
import type { Registry } from '../decode/registry.js';
import type { PacketRow } from './PacketList.js';

/** The fields the Tap column needs, which summaries collect besides the columns. */
export function tapFields(registry: Registry): FieldDef[] {
  return ['tap.direction', 'tap.iface'].map((name) => {
    const field = registry.field(name);
    if (!field) throw new Error(`the registry has no ${name}`);
    return field;
  });
}

const ARROWS: Readonly<Record<string, string>> = { ingress: '↓', egress: '↑' };

/** `↓ eth0`: the direction the kernel copied the frame in, and the interface when the capture names it. */
export function tapText(dissection: Dissection, [direction, iface]: readonly FieldDef[]): string {
  const arrow = ARROWS[String(dissection.valuesOf(direction)[0])] ?? '';
  const name = dissection.valuesOf(iface)[0];
  return name === undefined ? arrow : `${arrow}${arrow ? ' ' : ''}${String(name)}`;
}

export function packetRow(dissection: Dissection, tap: readonly FieldDef[], marked: boolean, timeDigits: number): PacketRow {
  const frame = dissection.frame;
  const cols = dissection.cols;
  return {
    number: frame.number,
    time: nanosecondsText(frame.relativeNs, timeDigits),
    tap: tapText(dissection, tap),
    source: cols.src,
    destination: cols.dst,
    protocol: cols.protocol,
    length: frame.originalLength,
    info: cols.info,
    marked,
  };
}
