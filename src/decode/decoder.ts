// Decodes the frames of one capture in order: numbers them, keeps the first and previous timestamps
// for frame.time_relative/time_delta, and owns the cross-frame state dissectors share.
import type { Frame, InterfaceInfo } from '../capture/frame.js';
import { blankFrameMeta, Dissection, type DissectOptions, type FrameMeta } from './dissection.js';
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
import { tls } from './protocols/tls.js';
import { http } from './protocols/http.js';
import { json } from './protocols/json.js';
import { textLines, urlencodedForm, xml } from './protocols/media-types.js';
import { udp } from './protocols/udp.js';
import { vlan } from './protocols/vlan.js';
import { Registry } from './registry.js';
import { CaptureMemory } from './capture-memory.js';
import { parseKernelRelease, type KernelVersion } from './taps/kernel-pipeline.js';
import { TapPathIndex } from './taps/tap-paths.js';
import { DropLinks } from './taps/drop-links.js';
import type { PacketFates } from './taps/packet-fates.js';
import { NetfilterVerdicts } from './taps/verdicts.js';
import { Sightings } from './taps/tap-copies.js';
import { parseDecodeAs, type DecodeAs } from './decode-as.js';

/** Pseudo-layers every frame starts with, before its link layer: the tap first, as it is tsshark's point. */
const FRAME_LAYERS: readonly Dissector[] = [tap, frameProtocol];

const DISSECTORS: readonly Dissector[] = [...FRAME_LAYERS, eth, vlan, sll, sll2, nullLink, raw, nflog, arp, ip, ipv6, icmp, icmpv6, tcp, udp, dns, dnsOverTcp, mdns, llmnr, tls, http, json, textLines, urlencodedForm, xml];

export function createRegistry(decodeAs: readonly DecodeAs[] = []): Registry {
  return new Registry(DISSECTORS, Object.values(expertFields), data, decodeAs);
}

/** A registry with tshark's `-d` rules, given as text; the first wrong rule's error otherwise. */
export function registryDecodingAs(texts: readonly string[]): { ok: true; registry: Registry } | { ok: false; error: string } {
  const rules: DecodeAs[] = [];
  for (const text of texts) {
    const parsed = parseDecodeAs(text, DISSECTORS);
    if (!parsed.ok) return parsed;
    rules.push(parsed.rule);
  }
  return { ok: true, registry: createRegistry(rules) };
}

const devicesInNetns = new WeakMap<InterfaceInfo, string>();

/** `eth0@pod-a` for an interface of another namespace, made once: a frame's would be garbage. */
function deviceInNetns(iface: InterfaceInfo): string {
  let name = devicesInNetns.get(iface);
  if (name === undefined) {
    name = `${iface.name ?? ''}@${iface.netns ?? ''}`;
    devicesInNetns.set(iface, name);
  }
  return name;
}

/** Seconds under which a nanosecond count is exact as a double (2^53 ns is about 104 days). */
const EXACT_SECONDS = 9_000_000;

/** b − a in nanoseconds: a number while exact, a bigint for the spans of clock-jumping captures. */
export function nanosecondsBetween(aSec: number, aNsec: number, bSec: number, bNsec: number): number | bigint {
  const seconds = bSec - aSec;
  if (Math.abs(seconds) < EXACT_SECONDS) return seconds * 1e9 + (bNsec - aNsec);
  return BigInt(seconds) * 1_000_000_000n + BigInt(bNsec - aNsec);
}


/** The timestamp of a frame, as the previous frame's for frame.time_delta. */
export interface Timestamp {
  tsSec: number;
  tsNsec: number;
}

export interface DecoderOptions {
  /** Any frame decoded may be dissected again with `redo`, not just the last with `again`. */
  rememberEveryFrame?: boolean;
  /** Link the frames that are one packet at several tap points (tap.path, tap.last_seen). */
  linkTapPaths?: boolean;
  /**
   * Analyse TCP sequences per tap point, as a capture at each alone would show them, instead of on first
   * sightings with copies linked: for a filter that selects tap points.
   */
  analysisPerTapPoint?: boolean;
  /**
   * Dissects again (`redo`) the frames another decoder saw, from a copy of its memory and the first
   * frame's timestamp (a worker thread's share of a filter).
   */
  replay?: { memory: CaptureMemory; first: Timestamp };
  /** What a live capture learns of its packets' fates (--trace, --drops): frames link to them (tap.verdict, tap.drop_reason). */
  fates?: PacketFates;
  /**
   * Decodes the frames of a capture from frame `framesBefore + 1` on, numbered and timed as a decoder that
   * saw them all would (the capture's first frame's time, the previous frame's): a store that carries on
   * from another whose older frames were let go (--keep).
   */
  carryOn?: CarryOn;
}

export interface CarryOn {
  framesBefore: number;
  first: Timestamp;
  previous: Timestamp;
}

export class FrameDecoder {
  readonly memory: CaptureMemory;
  readonly dissection: Dissection;
  private first: Timestamp = { tsSec: 0, tsNsec: 0 };
  private readonly previous: Timestamp = { tsSec: 0, tsNsec: 0 };
  private count = 0;
  private lastData: Uint8Array | undefined;
  private lastLink: Dissector | undefined;
  private readonly meta = blankFrameMeta();
  /** The last interface's parsed kernel release: sources have one kernel, so it is parsed once. */
  private kernel: KernelVersion | undefined;

  constructor(
    readonly registry: Registry,
    options: DissectOptions,
    decoderOptions: DecoderOptions = {},
  ) {
    const carryOn = decoderOptions.carryOn;
    this.memory = decoderOptions.replay?.memory ?? new CaptureMemory(decoderOptions.rememberEveryFrame, carryOn?.framesBefore);
    if (decoderOptions.replay) this.first = { ...decoderOptions.replay.first };
    if (carryOn) {
      this.count = carryOn.framesBefore;
      this.first = { ...carryOn.first };
      this.previous.tsSec = carryOn.previous.tsSec;
      this.previous.tsNsec = carryOn.previous.tsNsec;
    }
    // Print mode asks of each frame within the link window; the interface of any frame it holds.
    if (decoderOptions.linkTapPaths) this.memory.stateOf(TapPathIndex, () => new TapPathIndex(!decoderOptions.rememberEveryFrame));
    const { verdicts, drops } = decoderOptions.fates ?? {};
    if (verdicts !== undefined) this.memory.stateOf(NetfilterVerdicts, () => verdicts);
    if (drops !== undefined) this.memory.stateOf(DropLinks, () => drops);
    if (decoderOptions.analysisPerTapPoint) this.memory.stateOf(Sightings, () => new Sightings()).perSite = true;
    this.dissection = new Dissection(registry, this.memory, options);
  }

  /** Frames decoded so far. */
  get decoded(): number {
    return this.count;
  }

  /** Dissects the next frame of the capture; the result is valid until the next call. */
  decode(frame: Frame, iface: InterfaceInfo | undefined): Dissection {
    const previous = this.previous;
    if (this.count === 0) {
      this.first = { tsSec: frame.tsSec, tsNsec: frame.tsNsec };
      previous.tsSec = frame.tsSec;
      previous.tsNsec = frame.tsNsec;
    }
    const meta = this.meta;
    this.describe(meta, ++this.count, frame, iface, previous);
    previous.tsSec = frame.tsSec;
    previous.tsNsec = frame.tsNsec;
    const link = this.registry.lookup('linktype', frame.linkType);
    this.memory.beginFrame(meta.number);
    this.dissection.run(meta, frame.data, FRAME_LAYERS, link);
    this.lastData = frame.data;
    this.lastLink = link;
    return this.dissection;
  }

  /** Another output of this decoder's frames (say, columns where `decode` collects a filter's fields). */
  createDissection(options: DissectOptions): Dissection {
    return new Dissection(this.registry, this.memory, options);
  }

  /**
   * Dissects the frame `decode` gave last once more, into `into` (made by `createDissection`), while its
   * bytes are still valid: state changes are not repeated, so the results are those of the first pass.
   */
  again(into: Dissection): Dissection {
    if (this.lastData === undefined) throw new Error('again() before any decode()');
    this.memory.beginFrame(this.count);
    into.run(this.meta, this.lastData, FRAME_LAYERS, this.lastLink);
    return into;
  }

  /**
   * Dissects frame `number` (1-based, already decoded) once more into `into`, as it was the first time;
   * `previous` is the timestamp of the frame before it. Needs `rememberEveryFrame`.
   */
  redo(number: number, frame: Frame, iface: InterfaceInfo | undefined, previous: Timestamp, into: Dissection): Dissection {
    this.memory.beginFrame(number);
    // Each output keeps its own description: the UI's tree outlives the list rows redone after it.
    this.describe(into.redoneFrame, number, frame, iface, number === 1 ? this.first : previous);
    into.run(into.redoneFrame, frame.data, FRAME_LAYERS, this.registry.lookup('linktype', frame.linkType));
    return into;
  }

  private describe(meta: FrameMeta, number: number, frame: Frame, iface: InterfaceInfo | undefined, previous: Timestamp): void {
    meta.number = number;
    meta.tsSec = frame.tsSec;
    meta.tsNsec = frame.tsNsec;
    meta.relativeNs = nanosecondsBetween(this.first.tsSec, this.first.tsNsec, frame.tsSec, frame.tsNsec);
    meta.deltaNs = nanosecondsBetween(previous.tsSec, previous.tsNsec, frame.tsSec, frame.tsNsec);
    meta.capturedLength = frame.capturedLength;
    meta.originalLength = frame.originalLength;
    meta.linkType = frame.linkType;
    meta.interfaceId = frame.interfaceId;
    // Wireshark names an interface of a pcapng file by its name, else its description, else "unknown".
    meta.interfaceName = iface?.numbered ? (iface.name ?? iface.description ?? 'unknown') : undefined;
    meta.device = iface?.name;
    meta.netns = iface?.netns;
    meta.deviceInNetns = iface?.netns === undefined ? undefined : deviceInNetns(iface);
    meta.container = iface?.container;
    meta.pod = iface?.pod;
    meta.socketOwners = iface?.socketOwners;
    meta.peer = iface?.peer;
    meta.snaplen = iface?.snaplen ?? 0;
    meta.flags = frame.flags;
    meta.comment = frame.comment;
    const release = iface?.kernelRelease;
    if (release !== this.kernel?.release) this.kernel = parseKernelRelease(release);
    meta.kernel = this.kernel;
    meta.mtu = iface?.mtu;
    meta.deviceName = iface?.deviceName;
    meta.blindSpots = iface?.blindSpots;
  }
}
