// What a pcapng export records of a frame's tap, so that Wireshark shows it: the tap point (one IDB per
// interface and point, its description naming the kernel function), the direction for epb_flags, and a
// one-line comment with the consequences (frame.comment, frame.interface_description).
import type { TapAnnotation } from '../../capture/capture-writer.js';
import { Direction, type Frame } from '../../capture/frame.js';
import type { DissectOptions, Dissection } from '../dissection.js';
import type { FieldDef, FieldValue } from '../field.js';
import { tap, TAP_LINK_TYPES } from '../protocols/tap.js';

const { point, direction, iface, hook, implies, kernel, group, prefix } = tap.fields;

/** How to dissect a frame for `tapAnnotation`: its fields, and no layer past the outer IP header. */
export const ANNOTATION_OPTIONS: DissectOptions = {
  tree: false,
  columns: false,
  fields: [point, direction, iface, hook, implies, kernel, group, prefix],
  stopAtDatagram: true,
};

const DIRECTIONS: Readonly<Record<string, Direction>> = { ingress: Direction.INBOUND, egress: Direction.OUTBOUND };

/**
 * Whether the frame's capture recorded where it was copied (a direction in epb_flags, a cooked header's
 * packet type, an NFLOG hook): the frames for which an export has a tap to keep, found without dissecting.
 */
export function tapRecorded(frame: Frame): boolean {
  return (frame.flags & 3) !== 0 || TAP_LINK_TYPES.has(frame.linkType);
}

/**
 * The last annotation and the values it was made from: a capture's frames come in runs with the same
 * tap and the same consequences, and a live `-w` annotates hundreds of thousands a second.
 */
let lastValues: readonly FieldValue[] = [];
let lastAnnotation: TapAnnotation | undefined;

/** The annotation fields' values of this frame, in ANNOTATION_OPTIONS order, occurrences one after another. */
function valuesOf(dissection: Dissection): FieldValue[] {
  const values: FieldValue[] = [];
  for (const field of ANNOTATION_OPTIONS.fields ?? []) values.push(...dissection.valuesOf(field), undefined);
  return values;
}

/** undefined for a frame whose capture recorded no tap (nothing to keep). */
export function tapAnnotation(dissection: Dissection): TapAnnotation | undefined {
  const values = valuesOf(dissection);
  if (values.length === lastValues.length && values.every((value, i) => value === lastValues[i])) return lastAnnotation;
  lastValues = values;
  lastAnnotation = annotate(dissection);
  return lastAnnotation;
}

function annotate(dissection: Dissection): TapAnnotation | undefined {
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
