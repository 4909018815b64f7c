// --trace while capturing: the kernel's trace events, as the live capture reads them, become the verdicts
// that the capture's frames link to as they are decoded (print mode's pass, the interface's store).
import type { NetfilterTrace } from '../capture/live-capture.js';
import { NetfilterVerdicts } from '../decode/taps/verdicts.js';

/** The verdicts of a capture's trace; call before the capture is read. */
export function followTrace(trace: NetfilterTrace): NetfilterVerdicts {
  const { tracer } = trace;
  const verdicts = new NetfilterVerdicts(tracer.ownTables, (step) => tracer.ruleText(step));
  trace.onEvent = (event) => verdicts.add(event);
  return verdicts;
}
