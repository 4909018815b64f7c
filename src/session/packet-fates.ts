// What a live capture learns of its packets' fates beside the frames, as it reads them: netfilter's trace
// events (--trace) become verdicts and the drop probe's records (--drops) drops, which the capture's frames
// link to as they are decoded (print mode's pass, the interface's store).
import type { DropProbeLink, LiveCapture } from '../capture/live-capture.js';
import { DropLinks } from '../decode/taps/drop-links.js';
import type { PacketFates } from '../decode/taps/packet-fates.js';
import { NetfilterVerdicts } from '../decode/taps/verdicts.js';

/** The fates a capture follows (none for a file, or without --trace and --drops); call before it is read. */
export function followFates(capture: LiveCapture | undefined): PacketFates | undefined {
  const trace = capture?.trace;
  const probe = capture?.drops;
  if (trace === undefined && probe === undefined) return undefined;
  const fates: PacketFates = {};
  if (trace !== undefined) {
    const { tracer } = trace;
    const verdicts = new NetfilterVerdicts(tracer.ownTables, (step) => tracer.ruleText(step));
    trace.onEvent = (event) => verdicts.add(event);
    fates.verdicts = verdicts;
  }
  if (probe !== undefined && probe.unavailable === undefined) fates.drops = followDrops(probe);
  return fates;
}

function followDrops(probe: DropProbeLink): DropLinks {
  const drops = new DropLinks();
  probe.onDrop = (drop) => drops.add(drop);
  return drops;
}
