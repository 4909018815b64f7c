// The Follow view's state and commands: the stream followed (opening it applies `tcp.stream eq N` or
// `udp.stream eq N`, as Wireshark does; HTTP's stream is its TCP stream), the mode, the first line shown, the last search. The lines come from FollowLines.
import { openSync, writeSync, closeSync } from 'node:fs';
import { useMemo, useState } from 'react';
import type { CaptureSession } from '../session/capture-session.js';
import { FOLLOW_MODES, streamFilter, type FollowedStream, type FollowMode } from '../session/stats/follow-statistic.js';
import { FollowLines, type FollowLine } from './follow-lines.js';
import { movement, type CommandHandlers } from './use-keys.js';

export interface FollowViewState {
  followed: FollowedStream;
  mode: FollowMode;
  lines: FollowLine[];
  /** The searched line's index in `lines`, or -1. */
  matchInView: number;
  /** "node 0 10.0.0.1:443 ▶ … ◀ node 1", chunks, progress. */
  heading: string;
  open(followed: FollowedStream): void;
  /** Searches forward (or back) from the top line. */
  search(text: string, backwards: boolean): string;
  /** Writes the stream's bytes, both sides in order, to `path`; the outcome as a message. */
  save(path: string): string;
  commands: CommandHandlers;
}

export function useFollowView(session: CaptureSession, active: boolean, height: number, applyFilter: (text: string) => void, close: () => void, report: (message: string) => void): FollowViewState {
  const [followed, setFollowed] = useState<FollowedStream>({ protocol: 'tcp', stream: 0 });
  const { protocol, stream } = followed;
  const [mode, setMode] = useState<FollowMode>('ascii');
  const [top, setTop] = useState(0);
  const [searched, setSearched] = useState<{ text: string; line: number } | undefined>(undefined);
  const scan = active ? session.follow(followed) : undefined;
  // Rebuilt when the stream or mode changes; it extends itself as the scan finds chunks.
  const model = useMemo(() => (scan ? new FollowLines(scan, mode) : undefined), [scan, mode]);
  const known = model?.countTo(top + height) ?? 0;
  const lastTop = Math.max(0, (model?.complete ? known : Math.max(known, top + height)) - height);
  const shownTop = Math.max(0, Math.min(top, lastTop));
  const lines = model?.lines(shownTop, height) ?? [];
  const client = scan?.statistic.follower.client;
  const server = scan?.statistic.follower.server;
  const progress = scan && !scan.caughtUp ? ` │ searching ${Math.floor(100 * scan.share)}%` : '';
  const ends = client && server ? `▶ ${client.address}:${client.port} ◀ ${server.address}:${server.port}` : `no ${protocol === 'udp' ? 'datagram' : protocol === 'http' ? 'HTTP message' : 'segment'} with data`;

  const open = (next: FollowedStream) => {
    setFollowed(next);
    setTop(0);
    setSearched(undefined);
    applyFilter(streamFilter(next));
  };
  const scrollTo = (line: number) => setTop(Math.max(0, line));
  const findNext = (text: string, backwards: boolean): string => {
    if (!model || text === '') return '';
    const line = model.find(text, searched?.text === text ? searched.line : shownTop - (backwards ? 0 : 1), backwards);
    if (line < 0) return `"${text}" is not in this stream`;
    setSearched({ text, line });
    setTop(Math.max(0, line - (height >> 1)));
    return '';
  };

  return {
    followed,
    mode,
    lines,
    matchInView: searched ? searched.line - shownTop : -1,
    heading: `Follow ${protocol.toUpperCase()} stream ${stream} (${mode}): ${ends} │ ${scan?.chunks.length ?? 0} chunks${progress}`,
    open,
    search: findNext,
    save: (path) => {
      if (!scan) return '';
      let fd: number | undefined;
      let written = 0;
      try {
        fd = openSync(path, 'w');
        for (const chunk of scan.chunks) {
          if (chunk.missing !== undefined) continue;
          written += writeSync(fd, scan.bytesOf(chunk));
        }
      } catch (error) {
        return `Cannot write ${path}: ${(error as Error).message}`;
      } finally {
        if (fd !== undefined) closeSync(fd);
      }
      return `Wrote ${written} bytes of ${protocol.toUpperCase()} stream ${stream} to ${path}`;
    },
    commands: {
      ...movement(shownTop, height, lastTop, scrollTo),
      last: () => scrollTo(Math.max(0, (model?.countTo(Infinity) ?? 0) - height)),
      nextMode: () => {
        setMode(FOLLOW_MODES[(FOLLOW_MODES.indexOf(mode) + 1) % FOLLOW_MODES.length]);
        setTop(0);
        setSearched(undefined);
      },
      nextStream: () => open({ protocol, stream: stream + 1 }),
      previousStream: () => open({ protocol, stream: Math.max(0, stream - 1) }),
      nextMatch: () => report(searched ? findNext(searched.text, false) : 'No search yet: / searches'),
      previousMatch: () => report(searched ? findNext(searched.text, true) : 'No search yet: / searches'),
      closeView: close,
    },
  };
}
