// Decodes the frames of one capture in order: numbers them, keeps the first and previous timestamps
// for frame.time_relative/time_delta, and owns the cross-frame state dissectors share.
import type { Frame, InterfaceInfo } from '../capture/frame.js';
import { Dissection, type DissectOptions, type FrameMeta } from './dissection.js';
import type { Dissector } from './dissector.js';
import { data } from './protocols/data.js';
import { arp } from './protocols/arp.js';
import { dns, dnsOverTcp, llmnr, mdns } from './protocols/dns.js';
import { eth } from './protocols/eth.js';
import { expertFields } from './protocols/expert.js';
import { frameProtocol } from './protocols/frame.js';
import { icmp } from './protocols/icmp.js';
import { icmpv6 } from './protocols/icmpv6.js';
import { ip } from './protocols/ip.js';
import { ipv6 } from './protocols/ipv6.js';
import { nflog } from './protocols/nflog.js';
import { nullLink } from './protocols/null.js';
import { raw } from './protocols/raw.js';
import { sll, sll2 } from './protocols/sll.js';
import { tap } from './protocols/tap.js';
import { tcp } from './protocols/tcp.js';
import { udp } from './protocols/udp.js';
import { vlan } from './protocols/vlan.js';
import { Registry } from './registry.js';
import { Session } from './session.js';

/** Pseudo-layers every frame starts with, before its link layer. */
const FRAME_LAYERS: readonly Dissector[] = [frameProtocol, tap];

export function createRegistry(): Registry {
  return new Registry(
    [...FRAME_LAYERS, eth, vlan, sll, sll2, nullLink, raw, nflog, arp, ip, ipv6, icmp, icmpv6, tcp, udp, dns, dnsOverTcp, mdns, llmnr],
    Object.values(expertFields),
    data,
  );
}

/** Seconds under which a nanosecond count is exact as a double (2^53 ns is about 104 days). */
const EXACT_SECONDS = 9_000_000;

/** b − a in nanoseconds: a number while exact, a bigint for the spans of clock-jumping captures. */
export function nanosecondsBetween(aSec: number, aNsec: number, bSec: number, bNsec: number): number | bigint {
  const seconds = bSec - aSec;
  if (Math.abs(seconds) < EXACT_SECONDS) return seconds * 1e9 + (bNsec - aNsec);
  return BigInt(seconds) * 1_000_000_000n + BigInt(bNsec - aNsec);
}

export class FrameDecoder {
  readonly session = new Session();
  readonly dissection: Dissection;
  private firstSec = 0;
  private firstNsec = 0;
  private previousSec = 0;
  private previousNsec = 0;
  private count = 0;
  private lastData: Uint8Array | undefined;
  private lastLink: Dissector | undefined;
  private readonly meta: FrameMeta = {
    number: 0,
    tsSec: 0,
    tsNsec: 0,
    relativeNs: 0,
    deltaNs: 0,
    capturedLength: 0,
    originalLength: 0,
    linkType: 0,
    interfaceId: 0,
    interfaceName: undefined,
    snaplen: 0,
    flags: 0,
    comment: undefined,
  };

  constructor(
    readonly registry: Registry,
    options: DissectOptions,
  ) {
    this.dissection = new Dissection(registry, this.session, options);
  }

  /** Dissects the next frame of the capture; the result is valid until the next call. */
  decode(frame: Frame, iface: InterfaceInfo | undefined): Dissection {
    if (this.count === 0) {
      this.firstSec = this.previousSec = frame.tsSec;
      this.firstNsec = this.previousNsec = frame.tsNsec;
    }
    const meta = this.meta;
    meta.number = ++this.count;
    meta.tsSec = frame.tsSec;
    meta.tsNsec = frame.tsNsec;
    meta.relativeNs = nanosecondsBetween(this.firstSec, this.firstNsec, frame.tsSec, frame.tsNsec);
    meta.deltaNs = nanosecondsBetween(this.previousSec, this.previousNsec, frame.tsSec, frame.tsNsec);
    meta.capturedLength = frame.capturedLength;
    meta.originalLength = frame.originalLength;
    meta.linkType = frame.linkType;
    meta.interfaceId = frame.interfaceId;
    // Wireshark names an interface of a pcapng file by its name, else its description, else "unknown".
    meta.interfaceName = iface?.numbered ? (iface.name ?? iface.description ?? 'unknown') : undefined;
    meta.snaplen = iface?.snaplen ?? 0;
    meta.flags = frame.flags;
    meta.comment = frame.comment;
    this.previousSec = frame.tsSec;
    this.previousNsec = frame.tsNsec;
    const link = this.registry.lookup('linktype', frame.linkType);
    this.session.beginFrame(false);
    this.dissection.run(meta, frame.data, FRAME_LAYERS, link);
    this.lastData = frame.data;
    this.lastLink = link;
    return this.dissection;
  }

  /** Another output of this decoder's frames (say, columns where `decode` collects a filter's fields). */
  createDissection(options: DissectOptions): Dissection {
    return new Dissection(this.registry, this.session, options);
  }

  /**
   * Dissects the frame `decode` gave last once more, into `into` (made by `createDissection`), while its
   * bytes are still valid: state changes are not repeated, so the results are those of the first pass.
   */
  again(into: Dissection): Dissection {
    if (this.lastData === undefined) throw new Error('again() before any decode()');
    this.session.beginFrame(true);
    into.run(this.meta, this.lastData, FRAME_LAYERS, this.lastLink);
    return into;
  }
}
