// Live capture as a CaptureReader, so print mode, -w and the interface take it as they take a file. The
// pcap handles live in a worker thread (live-worker.ts); this side starts it, drops root once every handle
// is open, and hands each frame of the batches it receives to the reader's callback.
import { existsSync, statSync } from 'node:fs';
import { release } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CaptureReader, FrameCallback } from './capture-reader.js';
import { findBlindSpotsIn, type BlindSpots } from './blind-spots.js';
import { DropRecordReader, dropProbeOffsets } from './drop-probe.js';
import { blankFrame, Direction, directionOf, type Frame, type InterfaceInfo, type KernelDrop, type TraceStep } from './frame.js';
import { BtfError, VMLINUX_BTF } from './kernel-btf.js';
import { DropCounts } from './kernel-drops.js';
import { Control, CONTROL_SLOTS, ControlState, type WorkerData, type WorkerMessage } from './live-protocol.js';
import { ANY_DEVICE, planSources, SourceSpecError, type Plan, type SourcePlan } from './live-sources.js';
import { listNamespaces, NetnsError } from './netns.js';
import { SocketOwners } from './socket-owners.js';
import { deviceNames, interfaceMtu } from './sysfs-devices.js';
import { loadPcapAddon, Record, RECORD_LITTLE_ENDIAN, type HandleStats, type OpenedHandle } from './native/addon.js';
import { readTraceEvents } from './nft-trace-events.js';
import { legacyTables, NftTracer, TraceError } from './nft-tracer.js';

export interface LiveOptions {
  /** What -i named: interfaces, their numbers in `tsshark -D`, `any`, `nflog:GROUP`. */
  sources: readonly string[];
  snaplen: number;
  promiscuous: boolean;
  /** Kernel buffer per handle; undefined for DEFAULT_BUFFER_BYTES. */
  bufferBytes: number | undefined;
  captureFilter: string | undefined;
  /**
   * Stay root after the handles are open: what else the capture changed on the host (a tracefs
   * instance) is undone at its end, which needs root.
   */
  keepPrivileges?: boolean;
  /** --trace: netfilter's verdicts on the captured devices' packets (an nft match, '' for all; packets/s, 0: no bound). */
  trace?: { match: string; rate: number };
  /** --drops: link the kernel's drops to frames with the drop probe, naming reasons from this table. */
  linkDrops?: { reasons: ReadonlyMap<number, string> };
  /** --proc: name the process of each TCP and UDP flow (proc.*); needs keepPrivileges to read /proc. */
  processes?: boolean;
}

/** --trace's parts while capturing: the table, where its events go, what tracing could not see. */
export interface NetfilterTrace {
  tracer: NftTracer;
  /** Given each trace event as it arrives (set before `read`). */
  onEvent: ((event: TraceStep) => void) | undefined;
  /** Legacy iptables tables loaded in this namespace, whose rules nftables does not trace. */
  legacy: string[];
  /** Times the kernel had more events than the socket held (events lost). */
  overruns: number;
}

/** --drops' probe while capturing: where its drops go, and what it could not do. */
export interface DropProbeLink {
  /** Given each drop as it arrives (set before `read`). */
  onDrop: ((drop: KernelDrop) => void) | undefined;
  /** Why the probe does not run (the drops are then counted, not linked), or undefined. */
  unavailable: string | undefined;
  /** Drops the probe's ring had no room for. */
  lost: number;
  /** The capture's network namespace (its inode), whose drops are counted `here` (the host's are the tracepoint's). */
  namespace: number;
  here: DropCounts;
}

export interface CaptureCounts {
  /** Frames handed to the reader's callback. */
  captured: number;
  /** As pcap_stats counts them, summed over every handle. */
  received: number;
  dropped: number;
  interfaceDropped: number;
}

/**
 * Kernel buffer per handle unless the user chose one. libpcap's 2 MiB holds ~40 ms of a 400k frames/s flood of
 * small frames: one pause of the worker (a collection) and the kernel drops (bench/live).
 */
const DEFAULT_BUFFER_BYTES = 8 << 20;
/** This process's network namespace: the captured devices'. */
const NET_NAMESPACE = '/proc/self/ns/net';

/** A capture that cannot start or cannot go on; the message is for the user. */
export class LiveCaptureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LiveCaptureError';
  }
}

function describeFailure(failure: Extract<WorkerMessage, { type: 'failed' }>, filter: string | undefined): string {
  switch (failure.code) {
    case 'EPERM':
      return (
        `${failure.device}: you don't have permission to capture on that device (${failure.message}). ` +
        'Capturing needs CAP_NET_RAW (and CAP_NET_ADMIN for promiscuous mode and -B): run tsshark with sudo'
      );
    case 'ENODEV':
      return `${failure.device}: no such device (tsshark -D lists the interfaces)`;
    case 'ENETDOWN':
      return `${failure.device}: the interface is down (ip link set ${failure.device} up)`;
    case 'EFILTER':
      return `${failure.message} (capture filter "${filter ?? ''}")`;
    default:
      return `${failure.device}: ${failure.message}`;
  }
}

/** Node's process.initgroups, which @types/node leaves out. */
type Credentials = Required<Pick<NodeJS.Process, 'setgroups' | 'setgid' | 'setuid'>> & {
  initgroups: (user: string | number, extraGroup: number) => void;
};

/** As tcpdump -Z does when started through sudo: after the handles are open, run as the invoking user. */
export function dropPrivileges(env: NodeJS.ProcessEnv = process.env): void {
  if (process.getuid?.() !== 0 || env.SUDO_UID === undefined) return;
  const uid = Number(env.SUDO_UID);
  const gid = Number(env.SUDO_GID ?? env.SUDO_UID);
  if (!Number.isInteger(uid) || !Number.isInteger(gid) || uid <= 0) return;
  const credentials = process as unknown as Credentials;
  try {
    credentials.initgroups(env.SUDO_USER ?? uid, gid);
  } catch {
    // The user is not in the password database: no supplementary groups.
    credentials.setgroups([gid]);
  }
  credentials.setgid(gid);
  credentials.setuid(uid);
}

/** Makes the tracing table for the captured devices (every device for `any` and NFLOG). Throws TraceError. */
function startTrace(sources: readonly SourcePlan[], options: { match: string; rate: number }): NetfilterTrace {
  // nflog:N and other pseudo-devices are not network devices a rule can name.
  const everyDevice = sources.some((source) => source.name === ANY_DEVICE || !existsSync(`/sys/class/net/${source.name}`));
  const tracer = NftTracer.open({ devices: everyDevice ? [] : sources.map((source) => source.name), ...options });
  return { tracer, onEvent: undefined, legacy: legacyTables(), overruns: 0 };
}

export class LiveCapture implements CaptureReader {
  readonly nanosecond = true;
  readonly interfaces: InterfaceInfo[];
  /** Called when new kernel counts arrive (about once a second, and at the end). */
  onCounts: (() => void) | undefined;
  private captured = 0;
  /** Frames delivered per interface and direction (3 a interface: unknown, inbound, outbound). */
  private readonly seenPerInterface: Uint32Array;
  private handleStats: HandleStats[] = [];
  private readonly control: Int32Array;
  private stopped = false;
  /** Devices `-i all` found beyond ALL_DEVICES_LIMIT, not captured. */
  devicesLeftOut = 0;
  /** Sources that stopped while the others went on (a device or namespace removed), as told to the user. */
  readonly endedSources: string[] = [];
  /** Called when a source stops while the others go on. */
  onSourceEnded: (() => void) | undefined;

  private constructor(
    private readonly worker: Worker,
    control: SharedArrayBuffer,
    readonly sources: readonly SourcePlan[],
    handles: readonly OpenedHandle[],
    filter: string | undefined,
    /** What the taps of the captured devices cannot see, found when the capture opened. */
    readonly blindSpots: BlindSpots,
    readonly trace: NetfilterTrace | undefined,
    readonly drops: DropProbeLink | undefined,
    private readonly dropRecords: DropRecordReader | undefined,
    processes: boolean,
  ) {
    this.control = new Int32Array(control);
    this.seenPerInterface = new Uint32Array(sources.length * 3);
    let handleIndex = 0;
    this.interfaces = sources.map((source) => {
      const first = handles[handleIndex];
      handleIndex += source.handles.length;
      return {
        linkType: first.linkType,
        snaplen: first.snaplen,
        name: source.name,
        description: source.description,
        numbered: true,
        filter,
        tsUnitsPerSecond: 1_000_000_000n,
        tsOffsetSec: 0n,
        kernelRelease: release(),
        mtu: source.netns === undefined ? interfaceMtu(source.name) : undefined,
        netns: source.netns?.name,
        container: source.netns?.container,
        pod: source.netns?.pod,
        peer: source.peer,
        ...(processes ? { socketOwners: new SocketOwners(loadPcapAddon(), source.netns?.path) } : {}),
        ...(source.name === ANY_DEVICE ? { deviceName: deviceNames() } : {}),
        ...(blindSpots.byDevice.size > 0 ? { blindSpots: blindSpots.byDevice } : {}),
      };
    });
  }

  /** Opens every handle (as root, when run through sudo), then drops privileges. Throws LiveCaptureError. */
  static async open(options: LiveOptions): Promise<LiveCapture> {
    const addon = loadPcapAddon();
    let plan: Plan;
    try {
      plan = planSources(options.sources, addon.listInterfaces(), {
        list: listNamespaces,
        links: (netns) => addon.netnsRun(netns.path, () => addon.netnsLinks().links),
        idOf: (from, other) => addon.netnsRun(from.path, () => addon.netnsId(other.path)),
      });
    } catch (error) {
      if (error instanceof SourceSpecError || error instanceof NetnsError) throw new LiveCaptureError(error.message);
      if (typeof (error as NodeJS.ErrnoException).code === 'string') throw new LiveCaptureError(`network namespace: ${(error as Error).message}`);
      throw error;
    }
    const sources = plan.sources;
    if (sources.some((source) => source.netns !== undefined) && options.trace !== undefined) {
      throw new LiveCaptureError("--trace traces netfilter in tsshark's own network namespace: capture there, or run tsshark in the namespace (ip netns exec)");
    }
    const control = new SharedArrayBuffer(CONTROL_SLOTS * Int32Array.BYTES_PER_ELEMENT);
    const workerData: WorkerData = {
      handles: sources.flatMap((source) => source.handles),
      snaplen: options.snaplen,
      promiscuous: options.promiscuous,
      bufferBytes: options.bufferBytes ?? DEFAULT_BUFFER_BYTES,
      filter: options.captureFilter ?? '',
      traceEvents: options.trace !== undefined,
      dropProbe: undefined,
      control,
    };
    let probeUnavailable: string | undefined;
    if (options.linkDrops !== undefined) {
      try {
        workerData.dropProbe = dropProbeOffsets();
      } catch (error) {
        if (!(error instanceof BtfError) && (error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        probeUnavailable = `the kernel's sk_buff layout is unknown (${VMLINUX_BTF}: ${(error as Error).message})`;
      }
    }
    const worker = new Worker(new URL('./live-worker.js', import.meta.url), { workerData });
    const first = await new Promise<WorkerMessage>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    worker.removeAllListeners('error');
    if (first.type !== 'opened') {
      await worker.terminate();
      if (first.type === 'failed') throw new LiveCaptureError(describeFailure(first, options.captureFilter));
      throw new Error(`capture worker said ${first.type} before it opened its handles`);
    }
    // What makes the taps blind is looked for while still root: tcx programs are asked of bpf(), in each
    // source's namespace.
    const blindSpots = findBlindSpotsIn(sources, (netns, look) => addon.netnsRun(netns.path, look), () => addon.netnsLinks().links);
    let trace: NetfilterTrace | undefined;
    try {
      if (options.trace !== undefined) trace = startTrace(sources, options.trace);
      if (!options.keepPrivileges) dropPrivileges();
    } catch (error) {
      trace?.tracer.close();
      await worker.terminate();
      if (error instanceof TraceError) throw new LiveCaptureError(error.message);
      throw new LiveCaptureError(`could not drop privileges to SUDO_UID ${process.env.SUDO_UID}: ${(error as Error).message}`);
    }
    const drops = options.linkDrops && { onDrop: undefined, unavailable: probeUnavailable ?? first.dropProbeFailure, lost: 0, namespace: statSync(NET_NAMESPACE).ino, here: new DropCounts() };
    const dropRecords = options.linkDrops && drops?.unavailable === undefined ? new DropRecordReader(options.linkDrops.reasons) : undefined;
    const capture = new LiveCapture(worker, control, sources, first.handles, options.captureFilter, blindSpots, trace, drops, dropRecords, options.processes ?? false);
    capture.devicesLeftOut = plan.skipped;
    return capture;
  }

  /** Frames delivered so far from interface `interfaceId` in `direction`. */
  seen(interfaceId: number, direction: Direction): number {
    return this.seenPerInterface[interfaceId * 3 + direction];
  }

  get counts(): CaptureCounts {
    const counts = { captured: this.captured, received: 0, dropped: 0, interfaceDropped: 0 };
    for (const stats of this.handleStats) {
      counts.received += stats.received;
      counts.dropped += stats.dropped;
      counts.interfaceDropped += stats.interfaceDropped;
    }
    return counts;
  }

  /**
   * Captures until stop(), a callback returning false or throwing (read() then rejects with its error), or a
   * capture error (LiveCaptureError, after every frame captured before it was delivered). Settles once the
   * worker has sent its last frames and counts.
   */
  read(onFrame: FrameCallback): Promise<void> {
    const frame = blankFrame();
    let accepting = true;
    let failure: unknown;
    return new Promise<void>((resolve, reject) => {
      this.worker.on('message', (message: WorkerMessage) => {
        switch (message.type) {
          case 'batch':
            try {
              if (accepting && !this.deliver(message.buffer, message.length, frame, onFrame)) {
                accepting = false;
                this.stop();
              }
            } catch (error) {
              // The consumer failed (a frame -F pcap cannot hold): stop, and read() rejects with its error.
              accepting = false;
              failure ??= error;
              this.stop();
            }
            Atomics.sub(this.control, Control.BYTES_IN_FLIGHT, message.length);
            return;
          case 'traces':
            if (this.trace !== undefined) {
              const { onEvent } = this.trace;
              this.trace.overruns += message.overruns;
              if (onEvent !== undefined) readTraceEvents(new Uint8Array(message.buffer), message.length, message.seconds, onEvent);
            }
            return;
          case 'drops':
            if (this.drops !== undefined) {
              const probe = this.drops;
              probe.lost = message.lost;
              this.dropRecords?.read(new Uint8Array(message.buffer), message.length, message.seconds, (drop) => {
                if (drop.namespace === probe.namespace) probe.here.add(drop.reason, drop.location, drop.protocol);
                probe.onDrop?.(drop);
              });
            }
            return;
          case 'ended': {
            const iface = this.interfaces[message.interfaceId];
            this.endedSources.push(`${iface.name}${iface.netns === undefined ? '' : `@${iface.netns}`} stopped (${message.message}); capturing on the other sources`);
            this.onSourceEnded?.();
            return;
          }
          case 'stats':
            this.handleStats = message.stats;
            this.onCounts?.();
            return;
          case 'stopped':
            this.stopped = true;
            this.handleStats = message.stats;
            this.onCounts?.();
            if (failure !== undefined) reject(failure);
            else if (message.error === undefined) resolve();
            else reject(new LiveCaptureError(`capture stopped: ${message.error}`));
            return;
          default:
            reject(new Error(`capture worker said ${message.type} while capturing`));
        }
      });
      this.worker.once('error', reject);
      this.worker.once('exit', (code) => {
        if (!this.stopped) reject(new Error(`capture worker exited with status ${code}`));
      });
      Atomics.compareExchange(this.control, Control.STATE, ControlState.OPENED, ControlState.RUN);
      Atomics.notify(this.control, Control.STATE);
    });
  }

  /** Ends the capture: frames the kernel already holds are still delivered, then read() resolves. */
  stop(): void {
    Atomics.store(this.control, Control.STATE, ControlState.STOP);
    Atomics.notify(this.control, Control.STATE);
  }

  async close(): Promise<void> {
    this.stop();
    await this.worker.terminate();
    this.trace?.tracer.close();
  }

  private deliver(buffer: ArrayBuffer, length: number, frame: Frame, onFrame: FrameCallback): boolean {
    const view = new DataView(buffer, 0, length);
    const bytes = new Uint8Array(buffer, 0, length);
    for (let at = 0; at < length; at += view.getUint32(at + Record.LENGTH, RECORD_LITTLE_ENDIAN)) {
      frame.tsSec = view.getUint32(at + Record.TS_SEC, RECORD_LITTLE_ENDIAN);
      frame.tsNsec = view.getUint32(at + Record.TS_NSEC, RECORD_LITTLE_ENDIAN);
      frame.capturedLength = view.getUint32(at + Record.CAPTURED_LENGTH, RECORD_LITTLE_ENDIAN);
      frame.originalLength = view.getUint32(at + Record.ORIGINAL_LENGTH, RECORD_LITTLE_ENDIAN);
      frame.interfaceId = view.getUint32(at + Record.INTERFACE_ID, RECORD_LITTLE_ENDIAN);
      frame.flags = view.getUint32(at + Record.FLAGS, RECORD_LITTLE_ENDIAN);
      frame.linkType = this.interfaces[frame.interfaceId].linkType;
      frame.data = bytes.subarray(at + Record.DATA, at + Record.DATA + frame.capturedLength);
      this.captured++;
      this.seenPerInterface[frame.interfaceId * 3 + directionOf(frame.flags)]++;
      if (onFrame(frame) === false) return false;
    }
    return true;
  }
}
