// What a pcapng export records of a frame's tap, so that Wireshark shows it: the tap point (one IDB per
// interface and point, its description naming the kernel function), the direction for epb_flags, and a
// one-line comment with the consequences (frame.comment, frame.interface_description).
import type { TapAnnotation } from '../../capture/capture-writer.js';
import { Direction } from '../../capture/frame.js';
import type { Dissection } from '../dissection.js';
import type { FieldDef } from '../field.js';
import { tap } from '../protocols/tap.js';

const { point, direction, iface, hook, implies, kernel, group, prefix } = tap.fields;

/** The fields `tapAnnotation` reads: a dissection made for exporting collects them. */
export const ANNOTATION_FIELDS: readonly FieldDef[] = [point, direction, iface, hook, implies, kernel, group, prefix];

const DIRECTIONS: Readonly<Record<string, Direction>> = { ingress: Direction.INBOUND, egress: Direction.OUTBOUND };

/** undefined for a frame whose capture recorded no tap (nothing to keep). */
export function tapAnnotation(dissection: Dissection): TapAnnotation | undefined {
  const text = (field: FieldDef) => {
    const value = dissection.valuesOf(field)[0];
    return value === undefined ? '' : String(value);
  };
  const where = text(point);
  if (where === '' || where === 'unknown') return undefined;
  const way = text(direction);
  const hookName = text(hook);
  let name: string;
  if (where === 'nflog') {
    const rule = text(prefix) === '' ? '' : ` "${text(prefix)}"`;
    name = `NFLOG group ${text(group)} at ${hookName === '' ? 'an unknown hook' : hookName}${rule}`;
  } else {
    name = `${way} AF_PACKET${text(iface) === '' ? '' : ' ' + text(iface)}`;
  }
  const copiedIn = hookName === '' || where === 'nflog' ? '' : `, copied in ${hookName}`;
  const release = text(kernel);
  const onKernel = release === 'unknown kernel' ? release : `Linux ${release}`;
  const consequences = dissection.valuesOf(implies).map(String);
  return {
    point: name,
    description: `tsshark tap: ${name}${copiedIn} (${onKernel})`,
    comment: `tap: ${name}${consequences.length > 0 ? ': ' + consequences.join('; ') : ''}`,
    direction: DIRECTIONS[way] ?? Direction.UNKNOWN,
  };
}
