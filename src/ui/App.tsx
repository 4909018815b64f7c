// The whole screen: packet list, protocol tree and bytes of the selected frame, the filter or prompt
// line and the status bar. Keys become named commands (commands.ts); what a command does depends on the
// pane that has the focus. Frames come from a CaptureFeed, which a file or a live source appends to.
import { basename } from 'node:path';
import { Box, Text, useInput, useStdout, type Key } from 'ink';
import { useEffect, useMemo, useReducer, useRef, useState, useSyncExternalStore } from 'react';
import type { Registry } from '../decode/registry.js';
import { sanitize } from '../decode/sanitize.js';
import { nodeLabel } from '../decode/tree.js';
import { compileFilter } from '../filter/display-filter.js';
import { FrameFilter, runFrameFilter, type FilterProgress } from '../filter/frame-filter.js';
import { commandFor, COMMANDS, type CommandName } from './commands.js';
import { exportFrames } from './export.js';
import type { CaptureFeed } from './feed.js';
import { HexPane, hexTopFor, BYTES_PER_ROW } from './HexPane.js';
import { complete, editLine, EMPTY_LINE, History, lineOf, type LineState } from './line-editor.js';
import { Marks } from './marks.js';
import { PacketList, type PacketRow } from './PacketList.js';
import { packetRow } from './rows.js';
import { allExpandableKeys, lineText, treeLines } from './tree-lines.js';

export interface AppProps {
  feed: CaptureFeed;
  colour: boolean;
  /** The source has sub-microsecond timestamps: the Time column shows 9 places, pcap exports keep them. */
  nanosecond: boolean;
  onQuit: () => void;
  /** A display filter to apply at the start (`-Y`). */
  initialFilter?: string;
  /** Fixed size for tests; otherwise the terminal's, following resizes. */
  size?: { columns: number; rows: number };
}

type Pane = 'list' | 'tree' | 'hex';
const PANES: readonly Pane[] = ['list', 'tree', 'hex'];

type Mode = 'normal' | 'filter' | 'export' | 'help';

/** The applied filter's progress while it runs over the store, cancellable with Esc. */
interface Running {
  frameFilter: FrameFilter;
  controller: AbortController;
  progress: FilterProgress;
}

export interface Layout {
  /** Packet rows under the list's header. */
  listRows: number;
  /** Lines of the tree and of the hex pane, each under its own title line. */
  treeRows: number;
  hexRows: number;
}

/** Ink redraws in place only while the output is shorter than the terminal, so one row is left free. */
export function layoutFor(rows: number): Layout {
  const panes = Math.max(6, rows - 1 - 2);
  const list = Math.max(2, Math.floor(panes * 0.45));
  const tree = Math.max(2, Math.floor((panes - list) * 0.55));
  const hex = Math.max(2, panes - list - tree);
  return { listRows: list - 1, treeRows: tree - 1, hexRows: hex - 1 };
}

function useTerminalSize(fixed: AppProps['size']): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    if (fixed) return;
    stdout.on('resize', redraw);
    return () => {
      stdout.off('resize', redraw);
    };
  }, [stdout, fixed]);
  return fixed ?? { columns: stdout.columns || 80, rows: stdout.rows || 24 };
}

/** A plain character's key: no modifier, no special key. */
const NO_KEY: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
  super: false, hyper: false, capsLock: false, numLock: false,
};

/** One character of a burst as the key Ink would have reported alone. */
function keyOfCharacter(character: string): { input: string; key: Key } {
  const code = character.charCodeAt(0);
  if (character === '\r' || character === '\n') return { input: '', key: { ...NO_KEY, return: true } };
  if (character === '\t') return { input: '', key: { ...NO_KEY, tab: true } };
  if (character === '\x7f' || character === '\b') return { input: '', key: { ...NO_KEY, delete: true } };
  if (code < 0x20) return { input: String.fromCharCode(code + 0x60), key: { ...NO_KEY, ctrl: true } };
  return { input: character, key: NO_KEY };
}

/** 1234567 → "1,234,567"; toLocaleString would load ICU's number formatting before the first screen. */
const count = (n: number) => String(n).replace(/\B(?=(\d{3})+$)/g, ',');

export function App({ feed, colour, nanosecond, onQuit, initialFilter, size }: AppProps) {
  const timeDigits = nanosecond ? 9 : 6;
  const decoded = feed.decoded;
  const registry = decoded.registry;
  useSyncExternalStore(
    (listener) => feed.subscribe(listener),
    () => feed.version,
  );
  const { columns, rows } = useTerminalSize(size);
  const layout = layoutFor(rows);
  const fieldNames = useMemo(() => [...registry.fields].map((field) => field.abbrev), [registry]);
  const [, touch] = useReducer((n: number) => n + 1, 0);

  const [pane, setPane] = useState<Pane>('list');
  const [mode, setMode] = useState<Mode>('normal');
  const [selectedFrame, setSelectedFrame] = useState(0);
  const [top, setTop] = useState(0);
  const [follow, setFollow] = useState(feed.status.live);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());
  const [treeKey, setTreeKey] = useState('');
  const [hexScroll, setHexScroll] = useState(0);
  const [applied, setApplied] = useState<FrameFilter | undefined>(undefined);
  const [running, setRunning] = useState<Running | undefined>(undefined);
  const [line, setLine] = useState<LineState>(EMPTY_LINE);
  const [candidates, setCandidates] = useState<string[]>([]);
  const [message, setMessage] = useState('');
  const marks = useRef(new Marks()).current;
  const filterHistory = useRef(new History()).current;
  const exportPath = useRef('');
  const queuedKeys = useRef<{ input: string; key: Key }[]>([]);
  const keyHandledSinceRender = useRef(false);

  // Frames appended since the filter last looked are examined in the background.
  const keepingUp = useRef(false);
  useEffect(() => {
    if (!applied || applied.caughtUp || keepingUp.current) return;
    keepingUp.current = true;
    void runFrameFilter(applied).then(() => {
      keepingUp.current = false;
      touch();
    });
  });

  const displayed = applied ? applied.matched : decoded.count;
  const frameAt = (row: number) => (applied ? applied.frameAt(row) : row);
  const rowOf = (frame: number) => (applied ? Math.min(applied.rowAtOrAfter(frame), displayed - 1) : Math.min(frame, displayed - 1));
  const selectedRow = displayed === 0 ? -1 : follow ? displayed - 1 : rowOf(selectedFrame);
  const currentFrame = selectedRow < 0 ? -1 : frameAt(selectedRow);

  // The list scrolls as little as needed to keep the selection in view.
  let listTop = Math.max(0, Math.min(top, displayed - layout.listRows));
  if (selectedRow >= 0 && selectedRow < listTop) listTop = selectedRow;
  if (selectedRow >= listTop + layout.listRows) listTop = selectedRow - layout.listRows + 1;

  const packetRows: PacketRow[] = [];
  for (let row = listTop; row < Math.min(displayed, listTop + layout.listRows); row++) {
    const index = frameAt(row);
    packetRows.push(packetRow(decoded.summary(index), marks.has(index), timeDigits));
  }

  // The tree is dissected when the selection moves, not on every redraw (keys typed in the filter line,
  // a source's appends); DecodedStore keeps one detail dissection, which only this reads.
  const detail = useMemo(() => (currentFrame >= 0 ? decoded.detail(currentFrame) : undefined), [decoded, currentFrame]);
  const lines = detail ? treeLines(detail.roots, expanded) : [];
  const treeCursor = Math.max(0, lines.findIndex((candidate) => candidate.key === treeKey));
  const selectedLine = lines[treeCursor];
  const treeTop = Math.max(0, Math.min(treeCursor - (layout.treeRows >> 1), lines.length - layout.treeRows));
  const node = selectedLine?.node;
  const sourceIndex = node?.source ?? 0;
  const bytes = detail?.sources[sourceIndex]?.bytes ?? new Uint8Array(0);
  const fieldRange = node && !node.generated && node.field.type !== 'protocol' ? { start: node.start, length: node.length } : undefined;
  const layer = selectedLine?.layer;
  const layerRange = layer && layer.source === sourceIndex ? { start: layer.start, length: layer.length } : undefined;
  const hexRowsTotal = Math.ceil(bytes.length / BYTES_PER_ROW);
  const hexTop = pane === 'hex' ? Math.max(0, Math.min(hexScroll, hexRowsTotal - layout.hexRows)) : hexTopFor(fieldRange ?? layerRange, layout.hexRows);

  const select = (row: number) => {
    if (displayed === 0) return;
    const clamped = Math.max(0, Math.min(displayed - 1, row));
    // Moving away from the newest frame stops following it.
    if (clamped < displayed - 1) setFollow(false);
    setSelectedFrame(frameAt(clamped));
    setTop(listTop);
  };

  const moveTree = (to: number) => {
    const target = lines[Math.max(0, Math.min(lines.length - 1, to))];
    if (target) setTreeKey(target.key);
  };

  const setExpandedKey = (key: string, open: boolean) => {
    const next = new Set(expanded);
    if (open) next.add(key);
    else next.delete(key);
    setExpanded(next);
  };

  const startFilter = (text: string) => {
    running?.controller.abort();
    setRunning(undefined);
    if (text.trim() === '') {
      setApplied(undefined);
      return;
    }
    const compiled = compileFilter(text, registry);
    if (!compiled.ok) return;
    const frameFilter = new FrameFilter(decoded.store, registry, compiled.filter);
    const controller = new AbortController();
    const keep = currentFrame;
    setRunning({ frameFilter, controller, progress: frameFilter.progress });
    void runFrameFilter(frameFilter, {
      signal: controller.signal,
      onProgress: (progress) => setRunning((now) => (now?.frameFilter === frameFilter ? { ...now, progress } : now)),
    }).then((done) => {
      if (!done) return;
      setRunning(undefined);
      setApplied(frameFilter);
      // The selection stays on its frame when it still passes, else moves to the next one that does.
      if (keep >= 0 && frameFilter.matched > 0) setSelectedFrame(frameFilter.frameAt(Math.min(frameFilter.rowAtOrAfter(keep), frameFilter.matched - 1)));
    });
  };

  useEffect(() => {
    if (initialFilter) startFilter(initialFilter);
    // Only once, at the start.
  }, []);

  const doExport = (path: string) => {
    const useMarks = marks.count > 0;
    const indexes = useMarks ? marks.indexes() : (function* () {
      for (let row = 0; row < displayed; row++) yield frameAt(row);
    })();
    const result = exportFrames(decoded, indexes, path, nanosecond);
    setMessage(result.ok ? `Wrote ${count(result.written)} ${useMarks ? 'marked' : 'displayed'} frame${result.written === 1 ? '' : 's'} to ${path} (${result.format})` : result.error);
  };

  const run = (command: CommandName) => {
    const page = pane === 'list' ? layout.listRows : pane === 'tree' ? layout.treeRows : layout.hexRows;
    switch (command) {
      case 'down':
      case 'up':
      case 'pageDown':
      case 'pageUp': {
        const step = (command === 'down' || command === 'up' ? 1 : page) * (command === 'down' || command === 'pageDown' ? 1 : -1);
        if (pane === 'list') select(selectedRow + step);
        else if (pane === 'tree') moveTree(treeCursor + step);
        else setHexScroll(Math.max(0, Math.min(hexTop + step, hexRowsTotal - layout.hexRows)));
        return;
      }
      case 'first':
        if (pane === 'list') select(0);
        else if (pane === 'tree') moveTree(0);
        else setHexScroll(0);
        return;
      case 'last':
        if (pane === 'list') select(displayed - 1);
        else if (pane === 'tree') moveTree(lines.length - 1);
        else setHexScroll(hexRowsTotal);
        return;
      case 'nextPane':
      case 'previousPane': {
        const next = PANES[(PANES.indexOf(pane) + (command === 'nextPane' ? 1 : PANES.length - 1)) % PANES.length];
        if (next === 'hex') setHexScroll(hexTop);
        setPane(next);
        return;
      }
      case 'expand':
        if (pane === 'list') setPane('tree');
        else if (pane === 'tree' && selectedLine?.expandable) setExpandedKey(selectedLine.key, !selectedLine.expanded);
        return;
      case 'collapse':
        if (pane !== 'tree' || !selectedLine) return;
        if (selectedLine.expanded) setExpandedKey(selectedLine.key, false);
        else {
          let parent = treeCursor - 1;
          while (parent > 0 && lines[parent].depth >= selectedLine.depth) parent--;
          moveTree(parent);
        }
        return;
      case 'expandAll':
        if (detail) setExpanded(new Set([...expanded, ...allExpandableKeys(detail.roots)]));
        return;
      case 'filter':
        setLine(lineOf(running ? '' : (applied?.filter.text ?? '')));
        setCandidates([]);
        filterHistory.reset();
        setMode('filter');
        return;
      case 'follow':
        setFollow(!follow);
        return;
      case 'mark':
        if (currentFrame >= 0) {
          marks.set(currentFrame, !marks.has(currentFrame));
          touch();
        }
        return;
      case 'markAll':
        for (let row = 0; row < displayed; row++) marks.set(frameAt(row), true);
        touch();
        return;
      case 'clearMarks':
        marks.clear();
        touch();
        return;
      case 'export':
        setLine(lineOf(exportPath.current));
        setMode('export');
        return;
      case 'help':
        setMode('help');
        return;
      case 'quit':
        onQuit();
        return;
    }
  };

  const editFilter = (input: string, key: Key) => {
    if (key.escape) {
      setMode('normal');
      return;
    }
    if (key.return) {
      const compiled = compileFilter(line.text, registry);
      if (!compiled.ok && line.text.trim() !== '') return;
      filterHistory.add(line.text.trim());
      setMode('normal');
      startFilter(line.text);
      return;
    }
    if (key.tab) {
      const completion = complete(line, fieldNames);
      setLine(completion.line);
      setCandidates(completion.candidates);
      return;
    }
    if (key.upArrow || key.downArrow) {
      const text = key.upArrow ? filterHistory.older(line.text) : filterHistory.newer();
      if (text !== undefined) setLine(lineOf(text));
      return;
    }
    const next = editLine(line, input, key);
    if (next) {
      setLine(next);
      setCandidates([]);
    }
  };

  const editExportPath = (input: string, key: Key) => {
    if (key.escape) {
      setMode('normal');
      return;
    }
    if (key.return) {
      setMode('normal');
      if (line.text.trim() === '') return;
      exportPath.current = line.text.trim();
      doExport(exportPath.current);
      return;
    }
    const next = editLine(line, input, key);
    if (next) setLine(next);
  };

  const handleKey = (input: string, key: Key) => {
    // Keys typed faster than the screen redraws arrive as one string: one key each, except text pasted
    // into the filter or path line.
    if (input.length > 1 && !key.meta && !key.escape && (mode === 'normal' || mode === 'help' || /[\x00-\x1f\x7f]/.test(input))) {
      queuedKeys.current.unshift(...Array.from(input, keyOfCharacter));
      touch();
      return;
    }
    if (key.ctrl && input === 'c') {
      onQuit();
      return;
    }
    if (mode === 'filter') return editFilter(input, key);
    if (mode === 'export') return editExportPath(input, key);
    if (mode === 'help') {
      setMode('normal');
      return;
    }
    setMessage('');
    if (key.escape) {
      if (running) {
        running.controller.abort();
        setRunning(undefined);
        setMessage('Filter cancelled');
      }
      return;
    }
    const command = commandFor(input, key);
    if (command) run(command);
  };

  // Ink hands over every key of a burst (a paste, keys sent by a script, a slow link) before React
  // redraws: only the first is handled at once, the others one per redraw, so each command sees the
  // state the one before it left.
  useInput((input, key) => {
    if (keyHandledSinceRender.current || queuedKeys.current.length > 0) {
      queuedKeys.current.push({ input, key });
      touch();
      return;
    }
    keyHandledSinceRender.current = true;
    handleKey(input, key);
  });

  useEffect(() => {
    keyHandledSinceRender.current = false;
    const next = queuedKeys.current.shift();
    if (next === undefined) return;
    keyHandledSinceRender.current = true;
    handleKey(next.input, next.key);
    touch();
  });

  const title = (text: string, focused: boolean) => (
    <Text bold={focused} inverse={focused} wrap="truncate">
      {(' ' + text).padEnd(columns)}
    </Text>
  );

  if (mode === 'help') return <Help columns={columns} rows={rows - 1} />;

  const status = feed.status;
  const filterState = running
    ? `filtering ${Math.floor((100 * running.progress.examined) / Math.max(1, running.progress.total))}% (Esc cancels)`
    : applied
      ? `filter: ${applied.filter.text}`
      : 'no filter';
  const loading = status.running ? (status.progress !== undefined ? `loading ${Math.floor(status.progress * 100)}%` : status.live ? 'live' : 'reading') : '';
  const fieldHelp = node ? `${node.field.abbrev}${node.field.blurb ? ' — ' + node.field.blurb : node.field.name ? ' — ' + node.field.name : ''}` : '';
  const statusText = [
    sanitize(basename(status.name)),
    `${count(decoded.count)} frames · ${count(displayed)} shown · ${count(marks.count)} marked`,
    status.drops !== undefined ? `${count(status.drops)} dropped` : '',
    loading,
    status.running && feed.rate > 0 ? `${count(feed.rate)}/s` : '',
    follow ? 'follow' : '',
    status.error ? `stopped: ${sanitize(status.error)}` : '',
    filterState,
  ]
    .filter((part) => part !== '')
    .join(' │ ');

  return (
    <Box flexDirection="column" width={columns} height={rows - 1}>
      <Box height={layout.listRows + 1}>
        <PacketList rows={packetRows} selected={selectedRow - listTop} width={columns} largestNumber={Math.max(decoded.count, 99999)} colour={colour} />
      </Box>
      {title(detail ? `Frame ${detail.frame.number}: ${lines.length} lines${pane === 'tree' ? ' — Enter/→ expand, ← collapse, * all' : ''}` : 'No frame', pane === 'tree')}
      <Box flexDirection="column" height={layout.treeRows}>
        {lines.slice(treeTop, treeTop + layout.treeRows).map((treeLine, index) => (
          <Text key={treeLine.key} wrap="truncate" inverse={treeTop + index === treeCursor && pane === 'tree'} bold={treeTop + index === treeCursor}>
            {sanitize(lineText(treeLine))}
          </Text>
        ))}
      </Box>
      {title(detail ? `${sanitize(detail.sources[sourceIndex]?.name ?? 'Frame')} (${bytes.length} bytes)${node ? ' — ' + sanitize(nodeLabel(node)) : ''}` : '', pane === 'hex')}
      <HexPane bytes={bytes} field={fieldRange} layer={layerRange} top={hexTop} height={layout.hexRows} colour={colour} />
      {mode === 'filter' ? (
        <FilterLines line={line} candidates={candidates} colour={colour} registry={registry} />
      ) : (
        <>
          {mode === 'export' ? <EditedLine prompt="Export to (.pcap for pcap, else pcapng): " line={line} /> : <Text wrap="truncate">{message || fieldHelp}</Text>}
          <Text inverse wrap="truncate">
            {(' ' + statusText).padEnd(columns)}
          </Text>
        </>
      )}
    </Box>
  );
}

function Help({ columns, rows }: { columns: number; rows: number }) {
  return (
    <Box flexDirection="column" width={columns} height={rows}>
      <Text bold>tsshark keys (any key closes this)</Text>
      {COMMANDS.map((command) => (
        <Text key={command.name} wrap="truncate">
          {'  ' + command.keys.padEnd(12) + command.description}
        </Text>
      ))}
      <Text wrap="truncate">{'  Esc         cancel a running filter; in the filter line: keep the old filter'}</Text>
      <Text wrap="truncate">{'  Ctrl-C      quit'}</Text>
    </Box>
  );
}

interface FilterLinesProps {
  line: LineState;
  candidates: string[];
  colour: boolean;
  registry: Registry;
}

/** The filter being edited, validated as typed: green when valid, red with Wireshark's message and the span underlined. */
function FilterLines({ line, candidates, colour, registry }: FilterLinesProps) {
  const compiled = line.text.trim() === '' ? undefined : compileFilter(line.text, registry);
  const error = compiled && !compiled.ok ? compiled.error : undefined;
  const verdict = compiled === undefined ? 'Enter clears the filter' : error ? `✗ ${error.message}` : '✓ valid';
  const hint = candidates.length > 0 ? candidates.slice(0, 20).join(' ') + (candidates.length > 20 ? ` … (${candidates.length})` : '') : verdict;
  const textColour = colour && compiled ? (error ? 'red' : 'green') : undefined;
  return (
    <Box flexDirection="column">
      <EditedLine prompt="/" line={line} colour={textColour} underline={error && { start: error.start, end: Math.max(error.end, error.start + 1) }} />
      <Text wrap="truncate" color={colour ? (error ? 'red' : compiled ? 'green' : undefined) : undefined}>
        {hint}
      </Text>
    </Box>
  );
}

function EditedLine({ prompt, line, colour, underline }: { prompt: string; line: LineState; colour?: string; underline?: { start: number; end: number } }) {
  // The text in up to three parts so the error span can be underlined, and the cursor shown inverted.
  const text = line.text + ' ';
  const parts: { text: string; under: boolean; cursor: boolean }[] = [];
  for (let at = 0; at < text.length; at++) {
    const under = underline !== undefined && at >= underline.start && at < underline.end;
    const cursor = at === line.cursor;
    const last = parts[parts.length - 1];
    if (last && last.under === under && !last.cursor && !cursor) last.text += text[at];
    else parts.push({ text: text[at], under, cursor });
  }
  return (
    <Text wrap="truncate-start">
      <Text bold>{prompt}</Text>
      {parts.map((part, index) => (
        <Text key={index} color={colour} underline={part.under} inverse={part.cursor}>
          {part.text}
        </Text>
      ))}
    </Text>
  );
}
