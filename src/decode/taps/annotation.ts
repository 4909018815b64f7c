// What a pcapng export records of a frame's tap, so that Wireshark shows it: the tap point (one IDB per
// interface and point, its description naming the kernel function), the direction for epb_flags, and a
// one-line comment with the consequences (frame.comment, frame.interface_description).
import { Direction, type Frame, type InterfaceInfo, type TapAnnotation } from '../../capture/frame.js';
import { FrameDecoder } from '../decoder.js';
import type { Datagram, DissectOptions, Dissection } from '../dissection.js';
import type { Dissector } from '../dissector.js';
import type { FieldDef } from '../field.js';
import type { Registry } from '../registry.js';
import { ETHERNET_MTU, tapFields, TAP_LINK_TYPES } from '../protocols/tap.js';
import { transportChecksumIsPartial } from './checksum.js';
import { readPlainDatagram } from './plain-datagram.js';
import { sll, sll2, V1, V2 } from '../protocols/sll.js';
import { procFields } from '../protocols/proc.js';

const { point, direction, iface, hook, implies, kernel, group, prefix } = tapFields;

/** How to dissect a frame for `annotationOf`: the tap's fields, and no layer past the outer IP header. */
export const ANNOTATION_OPTIONS: DissectOptions = {
  tree: false,
  columns: false,
  fields: [point, direction, iface, hook, implies, kernel, group, prefix, procFields.comm, procFields.pid],
  stopAtDatagram: true,
};

const DIRECTIONS: Readonly<Record<string, Direction>> = { ingress: Direction.INBOUND, egress: Direction.OUTBOUND };

/**
 * Whether the frame's capture recorded where it was copied (a direction in epb_flags, a cooked header's
 * packet type, an NFLOG hook): the frames for which an export has a tap to keep, found without dissecting.
 */
function tapRecorded(frame: Frame): boolean {
  return (frame.flags & 3) !== 0 || TAP_LINK_TYPES.has(frame.linkType);
}

/**
 * Everything an annotation is made from, for frames whose datagram was read without dissecting: two
 * frames of one shape have one annotation. The tap dissector reads the interface (name, kernel, MTU,
 * `any`'s device names), the link type, the flags' direction, a cooked header's packet and hardware
 * types and (v2) ifindex; and of the datagram, whether there is one, whether its TCP or UDP checksum is
 * offload's partial sum, and its length when it may exceed the MTU (without one, the largest it assumes
 * is Ethernet's).
 */
interface Shape {
  iface: InterfaceInfo | undefined;
  linkType: number;
  flags: number;
  cookedTypes: number;
  ifindex: number;
  version: number;
  partialChecksum: number;
  lengthOverMtu: number;
  annotation: TapAnnotation | undefined;
}

/** Distinct shapes remembered: a capture has a few (each interface and direction, with and without offload). */
const SHAPES_KEPT = 16;

/**
 * Annotates the frames of one capture for an export. The dissectors say what a frame's tap is; a live
 * `-w` writes hundreds of thousands of frames a second, so a frame of a shape seen before takes that
 * shape's annotation, and only new shapes and frames whose datagram cannot be read plainly are dissected.
 */
export class TapAnnotator {
  private readonly decoder: FrameDecoder;
  private readonly datagram: Datagram = { version: 0, bytes: new Uint8Array(0), headerAt: 0, payloadAt: 0, protocol: 0, length: 0, fragment: false };
  private readonly shapes: Shape[] = [];
  private nextSlot = 0;
  /** The last frame's link type and its dissector: a capture has one or a few. */
  private linkType = -1;
  private link: Dissector | undefined;
  /** Frames dissected to be annotated, of all annotated. */
  framesDissected = 0;
  /** The outer IP datagram of the frame annotated last (version 0: none), valid until the next. */
  lastDatagram: Datagram = this.datagram;

  constructor(private readonly registry: Registry) {
    this.decoder = new FrameDecoder(registry, ANNOTATION_OPTIONS);
  }

  /** undefined for a frame whose capture recorded no tap (nothing to keep). */
  annotate(frame: Frame, frameIface: InterfaceInfo | undefined): TapAnnotation | undefined {
    const datagram = this.datagram;
    this.lastDatagram = datagram;
    datagram.version = 0;
    if (!tapRecorded(frame)) return undefined;
    if (frame.linkType !== this.linkType) {
      this.linkType = frame.linkType;
      this.link = this.registry.lookup('linktype', frame.linkType);
    }
    if (!readPlainDatagram(this.registry, this.link, frame, datagram)) return this.dissect(frame, frameIface);
    const cookedTypes = cookedTypesOf(this.link, frame);
    const ifindex = cookedIfindexOf(this.link, frame);
    // A device not known yet may be named by the next reading of the system's: no shape to keep until then.
    if (ifindex !== 0 && frameIface?.deviceName !== undefined && frameIface.deviceName(ifindex) === undefined) return this.dissect(frame, frameIface);
    const ip = datagram.version !== 0;
    const partialChecksum = ip && !datagram.fragment && transportChecksumIsPartial(datagram) ? datagram.protocol : 0;
    const lengthOverMtu = ip && datagram.length > (frameIface?.mtu ?? ETHERNET_MTU) ? datagram.length : 0;
    for (const shape of this.shapes) {
      if (
        shape.iface === frameIface && shape.linkType === frame.linkType && shape.flags === frame.flags && shape.cookedTypes === cookedTypes && shape.ifindex === ifindex
        && shape.version === datagram.version && shape.partialChecksum === partialChecksum && shape.lengthOverMtu === lengthOverMtu
      ) {
        return shape.annotation;
      }
    }
    const annotation = this.dissect(frame, frameIface);
    this.shapes[this.nextSlot] = {
      iface: frameIface, linkType: frame.linkType, flags: frame.flags, cookedTypes, ifindex, version: datagram.version, partialChecksum, lengthOverMtu, annotation,
    };
    this.nextSlot = (this.nextSlot + 1) % SHAPES_KEPT;
    return annotation;
  }

  private dissect(frame: Frame, frameIface: InterfaceInfo | undefined): TapAnnotation | undefined {
    this.framesDissected++;
    const dissection = this.decoder.decode(frame, frameIface);
    this.lastDatagram = dissection.datagram;
    return annotationOf(dissection);
  }
}

/** A cooked header's packet type and hardware type (the tap's direction and loopback test), as one number; 0 for other links. */
function cookedTypesOf(link: Dissector | undefined, frame: Frame): number {
  const bytes = frame.data;
  if (link === sll) return (bytes[V1.PKTTYPE] << 24) | (bytes[V1.PKTTYPE + 1] << 16) | (bytes[V1.HATYPE] << 8) | bytes[V1.HATYPE + 1];
  if (link === sll2) return (bytes[V2.PKTTYPE] << 16) | (bytes[V2.HATYPE] << 8) | bytes[V2.HATYPE + 1];
  return 0;
}

/** The ifindex a cooked v2 header records (an `any` capture's device); 0 for other links. */
function cookedIfindexOf(link: Dissector | undefined, frame: Frame): number {
  const bytes = frame.data;
  if (link !== sll2) return 0;
  return ((bytes[V2.IFINDEX] << 24) | (bytes[V2.IFINDEX + 1] << 16) | (bytes[V2.IFINDEX + 2] << 8) | bytes[V2.IFINDEX + 3]) >>> 0;
}

/** The annotation of a frame dissected with ANNOTATION_OPTIONS; undefined when its capture recorded no tap. */
export function annotationOf(dissection: Dissection): TapAnnotation | undefined {
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
  const process = text(procFields.comm) === '' ? '' : `; process ${text(procFields.comm)} (pid ${text(procFields.pid)})`;
  return {
    point: name,
    description: `tsshark tap: ${name}${copiedIn} (${onKernel})`,
    comment: `tap: ${name}${consequences.length > 0 ? ': ' + consequences.join('; ') : ''}${process}`,
    direction: DIRECTIONS[way] ?? Direction.UNKNOWN,
  };
}
