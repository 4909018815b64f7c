// The status bar's text: the source, counts (the kernel's drops and netfilter's verdicts too), loading or
// live rate, following, a source's fault and the filter's state. Every text from the capture or the user
// is sanitised here.
import { basename } from 'node:path';
import { sanitize } from '../decode/sanitize.js';
import type { CaptureSession } from '../session/capture-session.js';
import { count } from './numbers.js';

export function useStatusBar(session: CaptureSession, following: boolean): string {
  const status = session.status;
  const running = session.running;
  const filters = session.filters;
  const shown = filters.appliedUserText;
  const redecoded = session.redecoded;
  const filterState = redecoded !== undefined
    ? `decoding again ${Math.floor(100 * redecoded)}% (${session.decodeAsRules.join(' ') || 'no Decode As'})`
    : running
    ? `filtering ${Math.floor((100 * running.progress.examined) / Math.max(1, running.progress.total))}% (Esc cancels)`
    : [shown ? `filter: ${shown}` : filters.folded ? '' : 'no filter', filters.folded ? 'folded: a row a packet (z)' : ''].filter(Boolean).join(' · ');
  const verdicts = session.decoded.fates?.verdicts;
  const loading = status.running ? (status.progress !== undefined ? `loading ${Math.floor(status.progress * 100)}%` : status.live ? 'live' : 'reading') : '';
  return [
    sanitize(basename(status.name)),
    `${count(session.decoded.count)} frames${kept(session)} · ${count(session.displayed)} shown · ${count(session.marks.count)} marked`,
    status.drops !== undefined ? `${count(status.drops)} dropped` : '',
    session.kernelDrops ? `kernel drops ${count(session.kernelDrops.counts.total)}${linkedDrops(session)}` : '',
    verdicts ? `nft traced ${count(verdicts.traced)}, ✗ ${count(verdicts.dropped)}` : '',
    session.warnings.length > 0 ? `${session.warnings.length} warning${session.warnings.length === 1 ? '' : 's'} (W)` : '',
    loading,
    status.running && session.rate > 0 ? `${count(session.rate)}/s` : '',
    session.paused ? `paused: ${count(session.waiting)} waiting (p resumes)` : '',
    following ? 'follow' : '',
    status.error ? `stopped: ${sanitize(status.error)}` : '',
    filterState,
  ]
    .filter((part) => part !== '')
    .join(' │ ');
}

/** Under --keep, once older frames were let go: from which frame on the list, the views and the statistics count. */
function kept(session: CaptureSession): string {
  const first = session.framesLetGo;
  return first === 0 ? '' : ` (kept from ${count(first + 1)}: --keep)`;
}

/** How many of the kernel's drops marked a frame ✗ (the drop probe's, with --drops). */
function linkedDrops(session: CaptureSession): string {
  const drops = session.decoded.fates?.drops;
  return drops === undefined ? '' : `, ${count(drops.linked)} on frames`;
}
