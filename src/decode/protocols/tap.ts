// Where the kernel copied this frame, from what the capture carries: the SLL/SLL2 packet type, pcapng
// epb_flags, or the NFLOG hook (see shared/docs/kernel-taps.md). The full tap model fills more fields.
import type { ByteView } from '../byte-view.js';
import type { Dissector } from '../dissector.js';
import type { Dissection } from '../dissection.js';
import { defineFields, defineProtocol, type FieldDef } from '../field.js';
import { Direction, directionOf } from '../../capture/frame.js';
import { NF_HOOK_NAMES, NflogTlv, nflogPrefix, walkNflogTlvs } from './nflog.js';

const LinkType = { NULL: 0, ETHERNET: 1, RAW: 101, LOOP: 108, SLL: 113, NFLOG: 239, IPV4: 228, IPV6: 229, SLL2: 276 } as const;

/** Linux PACKET_* packet types, as SLL and SLL2 record them. */
export const PACKET_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'host',
  1: 'broadcast',
  2: 'multicast',
  3: 'otherhost',
  4: 'outgoing',
};
const PACKET_OUTGOING = 4;

const fields = defineFields('tap', {
  point: { name: 'Tap point', type: 'string', blurb: 'af_packet, nflog or unknown' },
  direction: { name: 'Direction', type: 'string', blurb: 'ingress, egress or unknown' },
  pkttype: { name: 'Packet type', type: 'string', blurb: 'Linux packet type: host, broadcast, multicast, otherhost, outgoing' },
  iface: { name: 'Interface', type: 'string' },
  hook: { name: 'Hook', type: 'string', blurb: 'Where the copy was made' },
  prefix: { name: 'Log prefix', type: 'string', blurb: 'NFLOG prefix of the rule that copied the packet' },
});

const DIRECTION_NAMES = ['unknown', 'ingress', 'egress'] as const;

function addPacketType(ctx: Dissection, pkttype: number, at: number, length: number): void {
  ctx.add(fields.direction, at, length, pkttype === PACKET_OUTGOING ? 'egress' : 'ingress');
  ctx.add(fields.pkttype, at, length, PACKET_TYPE_NAMES[pkttype] ?? `unknown (${pkttype})`);
}

function addNflog(ctx: Dissection, view: ByteView): void {
  ctx.generated(fields.point, 'nflog');
  walkNflogTlvs(view, (type, at, length) => {
    if (type === NflogTlv.PACKET_HDR && length >= 3) {
      const hook = view.u8(at + 2);
      ctx.add(fields.hook, at + 2, 1, NF_HOOK_NAMES[hook] ?? `hook ${hook}`);
      // Before routing the packet is arriving; after LOCAL_OUT it is leaving. FORWARD is both.
      ctx.generated(fields.direction, hook <= 1 ? 'ingress' : hook >= 3 ? 'egress' : 'unknown');
    } else if (type === NflogTlv.PREFIX) {
      ctx.add(fields.prefix, at, length, nflogPrefix(view, at, length));
    }
  });
}

export const tap: Dissector = {
  protocol: defineProtocol('tap', 'Tap'),
  short: 'Tap',
  fields,
  bindings: [],
  dissect(view, _offset, ctx) {
    const frame = ctx.frame;
    switch (frame.linkType) {
      case LinkType.SLL:
        ctx.generated(fields.point, 'af_packet');
        addPacketType(ctx, view.u16(0), 0, 2);
        break;
      case LinkType.SLL2:
        ctx.generated(fields.point, 'af_packet');
        addPacketType(ctx, view.u8(10), 10, 1);
        break;
      case LinkType.NFLOG:
        addNflog(ctx, view);
        break;
      default: {
        const direction = directionOf(frame.flags);
        ctx.generated(fields.point, direction === Direction.UNKNOWN ? 'unknown' : 'af_packet');
        ctx.generated(fields.direction, DIRECTION_NAMES[direction]);
      }
    }
    if (frame.interfaceName !== undefined) ctx.generated(fields.iface, frame.interfaceName);
    if (ctx.tree) ctx.layerSummary('Tap', 0);
  },
};

/** The fields a Tap column reads: a dissection that prints or shows the column collects them. */
export const TAP_COLUMN_FIELDS: readonly FieldDef[] = [fields.direction, fields.iface];

const ARROWS: Readonly<Record<string, string>> = { ingress: '↓', egress: '↑' };

/** `↓` or `↑`: the direction the kernel copied the frame in, '' when unknown. */
export function tapArrow(dissection: Dissection): string {
  return ARROWS[String(dissection.valuesOf(fields.direction)[0])] ?? '';
}

/** The capturing interface's name, when the capture names it (raw: the caller sanitises it). */
export function tapInterface(dissection: Dissection): string | undefined {
  const name = dissection.valuesOf(fields.iface)[0];
  return name === undefined ? undefined : String(name);
}
