// What each hop of a packet's way changed: the headers of every copy the tap-path index links (TTL or hop
// limit, addresses, ports, the VLAN tag) kept in columns of a few bytes a frame, compared between copies
// next to each other in kernel order. The identity that links copies leaves these out (tap-paths.ts), so
// a NAT or a router's hop is linked and shows here. IPv6 addresses are kept as a hash: a change is named,
// not its values. A tunnel's outer header makes another identity: copies either side are not linked.
// The tree shows a packet's copies (the fold's rows) and, per hop, its time and changes.
import { formatIPv4 } from '../address.js';
import type { Datagram, Dissection } from '../dissection.js';
import type { TapPathIndex } from './tap-paths.js';
import { defineFields, type FieldDef } from '../field.js';
import { FIELD as IPV4 } from '../protocols/ip.js';
import { FIELD as IPV6 } from '../protocols/ipv6.js';
import { IpProtocol } from '../protocols/ip-protocols.js';
import { FIELD as UDP } from '../protocols/udp.js';
import { FNV_OFFSET, fnvBytes } from '../../util/fnv.js';
import { doubled } from '../../util/typed-arrays.js';

export const hopFields = defineFields('tap', {
  copies: { name: 'Copies of this packet', type: 'uint32', base: 'dec', blurb: 'Frames that are this packet copied at different tap points, this one included' },
  copy: { name: 'Copy', type: 'framenum', blurb: "A frame that is this packet at a tap point, in kernel order (the packet's copies, folded under its first)" },
  hop: { name: 'Hop', type: 'string', blurb: 'From one copy of this packet to the next, in kernel order' },
  'hop.time': { name: 'Hop time', type: 'relative_time', blurb: 'Between the two copies: the time the hop took (AF_PACKET copies only: NFLOG stamps its copies when read)' },
  'hop.change': { name: 'Change', type: 'string', blurb: 'What the hop changed: TTL or hop limit, addresses and ports (NAT), the VLAN tag' },
});

/** Every field above: a dissection that wants one of them lists the copies (and links the frames first). */
export const HOP_FIELDS: readonly FieldDef[] = Object.values(hopFields);

const ETHERNET = 1;
const ETHERTYPE_AT = 12;
const VLAN_TPIDS: readonly number[] = [0x8100, 0x88a8];
const VLAN_ID_MASK = 0x0fff;
const IPV6_ADDRESS = 16;

function addressHash(bytes: Uint8Array, at: number): number {
  return fnvBytes(FNV_OFFSET, bytes, at, at + IPV6_ADDRESS);
}

/** The headers of each linked frame, by slot (the tap-path index's): grown with it. */
export class HeaderColumns {
  /** 4 or 6; 0: not recorded (a frame too short for its IP header). */
  private version = new Uint8Array(1024);
  private ttl = new Uint8Array(1024);
  /** The outer VLAN id plus one; 0: untagged. */
  private vlan = new Uint16Array(1024);
  /** IPv4 addresses, or IPv6 addresses' hashes. */
  private src = new Uint32Array(1024);
  private dst = new Uint32Array(1024);
  /** Source port << 16 | destination port; with `hasPorts`. */
  private ports = new Uint32Array(1024);
  private hasPorts = new Uint8Array(1024);

  record(slot: number, datagram: Datagram, linkType: number): void {
    while (slot >= this.version.length) this.grow();
    const { bytes, headerAt, payloadAt } = datagram;
    const v4 = datagram.version === 4;
    const headerEnd = headerAt + (v4 ? IPV4.DST + 4 : IPV6.DST + IPV6_ADDRESS);
    this.version[slot] = headerEnd <= bytes.length ? datagram.version : 0;
    if (this.version[slot] === 0) return;
    this.ttl[slot] = bytes[headerAt + (v4 ? IPV4.TTL : IPV6.HOP_LIMIT)];
    this.src[slot] = v4 ? readU32(bytes, headerAt + IPV4.SRC) : addressHash(bytes, headerAt + IPV6.SRC);
    this.dst[slot] = v4 ? readU32(bytes, headerAt + IPV4.DST) : addressHash(bytes, headerAt + IPV6.DST);
    const transport = datagram.protocol === IpProtocol.TCP || datagram.protocol === IpProtocol.UDP;
    // TCP's ports are where UDP's are; a later fragment has none.
    const portsAt = payloadAt + UDP.PORTS;
    this.hasPorts[slot] = transport && !datagram.fragment && portsAt + 4 <= bytes.length ? 1 : 0;
    this.ports[slot] = this.hasPorts[slot] === 1 ? readU32(bytes, portsAt) : 0;
    const tagged = linkType === ETHERNET && bytes.length >= ETHERTYPE_AT + 4 && VLAN_TPIDS.includes((bytes[ETHERTYPE_AT] << 8) | bytes[ETHERTYPE_AT + 1]);
    this.vlan[slot] = tagged ? (((bytes[ETHERTYPE_AT + 2] << 8) | bytes[ETHERTYPE_AT + 3]) & VLAN_ID_MASK) + 1 : 0;
  }

  /** What changed from the copy in slot `from` to the one in slot `to`, in words. */
  changes(from: number, to: number): string[] {
    const changed: string[] = [];
    const version = this.version[from];
    if (version === 0 || this.version[to] !== version) return changed;
    if (this.ttl[from] !== this.ttl[to]) changed.push(`${version === 4 ? 'TTL' : 'Hop limit'} ${this.ttl[from]} → ${this.ttl[to]}`);
    for (const [column, end] of [[this.src, 'Source'], [this.dst, 'Destination']] as const) {
      if (column[from] === column[to]) continue;
      changed.push(version === 4 ? `${end} ${formatIPv4(column[from])} → ${formatIPv4(column[to])} (NAT)` : `${end} address changed (NAT)`);
    }
    if (this.hasPorts[from] === 1 && this.hasPorts[to] === 1) {
      for (const [shift, end] of [[16, 'Source'], [0, 'Destination']] as const) {
        const before = (this.ports[from] >>> shift) & 0xffff;
        const after = (this.ports[to] >>> shift) & 0xffff;
        if (before !== after) changed.push(`${end} port ${before} → ${after} (NAT)`);
      }
    }
    const [tagBefore, tagAfter] = [this.vlan[from], this.vlan[to]];
    if (tagBefore !== tagAfter) {
      changed.push(tagBefore === 0 ? `VLAN tag ${tagAfter - 1} added` : tagAfter === 0 ? `VLAN tag ${tagBefore - 1} removed` : `VLAN ${tagBefore - 1} → ${tagAfter - 1}`);
    }
    return changed;
  }

  /** The slots from `from` up to `to` moved to the start (the index let go of those before). */
  moveToStart(from: number, to: number): void {
    for (const column of [this.version, this.ttl, this.vlan, this.src, this.dst, this.ports, this.hasPorts]) column.copyWithin(0, from, to);
  }

  private grow(): void {
    this.version = doubled(this.version);
    this.ttl = doubled(this.ttl);
    this.vlan = doubled(this.vlan);
    this.src = doubled(this.src);
    this.dst = doubled(this.dst);
    this.ports = doubled(this.ports);
    this.hasPorts = doubled(this.hasPorts);
  }
}

function readU32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}

/** The packet's copies in kernel order (the fold's rows), and per hop its time and what it changed. */
export function addCopies(ctx: Dissection, paths: TapPathIndex): void {
  const number = ctx.frame.number;
  const packet = paths.copiesInOrder(number);
  if (packet === undefined) return;
  ctx.openGenerated(hopFields.copies, packet.copies.length);
  for (const copy of packet.copies) {
    ctx.generated(hopFields.copy, copy.number);
    if (ctx.tree) ctx.label(`Copy: frame ${copy.number}, ${copy.label}${copy.number === number ? ' (this frame)' : ''}`);
  }
  ctx.close();
  for (const hop of packet.hops) {
    ctx.openGenerated(hopFields.hop, `${hop.from.label} → ${hop.to.label}`);
    const time = hop.nanoseconds === undefined ? '' : `, ${hopTime(hop.nanoseconds)}`;
    if (ctx.tree) ctx.label(`Hop: frame ${hop.from.number} → ${hop.to.number} (${hop.to.label})${time}, ${hop.changes.length === 0 ? 'nothing changed' : hop.changes.join(', ')}`);
    if (hop.nanoseconds !== undefined) ctx.generated(hopFields['hop.time'], hop.nanoseconds);
    for (const change of hop.changes) ctx.generated(hopFields['hop.change'], change);
    ctx.close();
  }
}

/** A hop's time in the unit that reads best: ns, µs or ms. */
function hopTime(nanoseconds: number): string {
  const magnitude = Math.abs(nanoseconds);
  if (magnitude < 1_000) return `${nanoseconds} ns`;
  if (magnitude < 1_000_000) return `${(nanoseconds / 1_000).toFixed(1)} µs`;
  return `${(nanoseconds / 1_000_000).toFixed(3)} ms`;
}
