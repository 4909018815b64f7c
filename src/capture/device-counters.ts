// The captured devices' own packet counters against what their taps saw: a device that received more
// than its ingress tap copied lost packets before the tap (XDP, the driver) or in the tap's full buffer
// (which the kernel reports). Read from sysfs when the capture starts and when it ends; meaningful only
// without a capture filter, which hides packets on purpose.
import { readFileSync } from 'node:fs';
import { Direction } from './frame.js';

/** Packets a gap may differ by without a word: those counted just before a tap opened or after it closed. */
const SLACK = 2;

interface Counters {
  rx: number;
  tx: number;
}

function readCounters(device: string, statistics: string): Counters | undefined {
  try {
    const read = (name: string) => Number(readFileSync(`${statistics}/${device}/statistics/${name}`, 'latin1'));
    return { rx: read('rx_packets'), tx: read('tx_packets') };
  } catch {
    return undefined;
  }
}

export class DeviceCounters {
  private readonly before: (Counters | undefined)[];
  /** The last reading of settledGaps, whose frames have all been delivered by its next call. */
  private sampled: (Counters | undefined)[] | undefined;

  /** `devices`: the capture's interfaces in order (`any` and `nflog:N` have no counters of their own). */
  constructor(
    private readonly devices: readonly string[],
    private readonly statistics = '/sys/class/net',
  ) {
    this.before = devices.map((device) => readCounters(device, statistics));
  }

  /**
   * One line per device and direction whose counter grew more than its tap saw, beyond `dropped` (what
   * the kernel says the taps' buffers lost) and SLACK. `seen(interface, direction)` counts the frames.
   */
  gaps(seen: (interfaceId: number, direction: Direction) => number, dropped: number): string[] {
    return this.gapsAt(this.read(), seen, dropped);
  }

  /**
   * gaps() while the capture runs: the counters as the previous call read them against the frames seen
   * by now, which include every frame of a packet counted then (the worker delivers within a second of
   * the copy), so frames in flight are not taken for packets the tap missed. Empty on the first call.
   */
  settledGaps(seen: (interfaceId: number, direction: Direction) => number, dropped: number): string[] {
    const lines = this.sampled === undefined ? [] : this.gapsAt(this.sampled, seen, dropped);
    this.sampled = this.read();
    return lines;
  }

  private read(): (Counters | undefined)[] {
    return this.devices.map((device) => readCounters(device, this.statistics));
  }

  private gapsAt(counters: readonly (Counters | undefined)[], seen: (interfaceId: number, direction: Direction) => number, dropped: number): string[] {
    const lines: string[] = [];
    this.devices.forEach((device, id) => {
      const before = this.before[id];
      const after = counters[id];
      if (before === undefined || after === undefined) return;
      const sides = [
        { counted: after.rx - before.rx, tapped: seen(id, Direction.INBOUND), verb: 'received', tap: 'ingress', where: 'XDP or the driver' },
        { counted: after.tx - before.tx, tapped: seen(id, Direction.OUTBOUND), verb: 'sent', tap: 'egress', where: 'a sender past the egress tap: pktgen, AF_PACKET with qdisc bypass, AF_XDP' },
      ];
      for (const { counted, tapped, verb, tap, where } of sides) {
        const missing = counted - tapped;
        if (missing <= dropped + SLACK) continue;
        lines.push(`${device} ${verb} ${counted} packets, its ${tap} tap saw ${tapped}: ${missing} never reached it (${where}; the kernel reports ${dropped} dropped by the taps' buffers)`);
      }
    });
    return lines;
  }
}
