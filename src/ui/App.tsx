// The screen's layout: packet list, protocol tree and bytes of the selected frame, the filter or prompt
// line and the status bar, over one capture session. Each pane's state and commands are its own hook's
// (use-*.ts); the pane with the focus, or the line being edited, listens to the keys (use-keys.ts).
import { Box, Text } from 'ink';
import { useEffect, useMemo, useReducer, useState, useSyncExternalStore } from 'react';
import { narrowestNodeAt, nodeLabel, type TreeNode } from '../decode/tree.js';
import { sanitize } from '../decode/sanitize.js';
import { TIME_FORMAT_NAMES, type TimeFormat } from '../decode/time-format.js';
import type { CaptureSession } from '../session/capture-session.js';
import type { FrameFilter } from '../session/frame-filter.js';
import type { Scope } from './commands.js';
import { EditedLine } from './EditedLine.js';
import { FilterBar } from './FilterBar.js';
import { Help } from './Help.js';
import { BYTES_PER_ROW, HexPane } from './HexPane.js';
import { byteAtColumn, partAt, useMouse } from './mouse.js';
import { count } from './numbers.js';
import { isNamedColumn, PacketList, placeColumns } from './PacketList.js';
import { StatusBar } from './StatusBar.js';
import { FollowView } from './FollowView.js';
import { TrafficView } from './TrafficView.js';
import { TreePane } from './TreePane.js';
import { useFollowView } from './use-follow-view.js';
import type { FollowedStream } from '../session/stats/follow-statistic.js';
import { ReportView } from './ReportView.js';
import { dropsReport, expertReport, hierarchyReport, processesReport, tapsReport, verdictsReport, warningsReport } from './reports.js';
import { useReportView } from './use-report-view.js';
import { usePromptLine } from './use-prompt-line.js';
import { useFilterBar } from './use-filter-bar.js';
import { useHelp } from './use-help.js';
import { useIoGraph } from './use-io-graph.js';
import { useColumns, type SaveColumns } from './use-columns.js';
import { ColumnsView } from './ColumnsView.js';
import { defaultColumns, type ListColumn } from '../decode/column-format.js';
import type { FieldDef } from '../decode/field.js';
import { IO_SCALE_WIDTH, IoGraphView } from './IoGraphView.js';
import { useHex } from './use-hex.js';
import { useFind } from './use-find.js';
import { terminalClipboard, type Clipboard } from './clipboard.js';
import { COPY_MENU, useCopy } from './use-copy.js';
import { runColonCommand, type ColonActions } from './colon-commands.js';
import { decodeAsCommand, decodeAsTemplate } from './decode-as-commands.js';
import { fieldFilterCommands } from './field-filter-commands.js';
import { useKeyQueue, useKeys, type CommandHandlers } from './use-keys.js';
import { usePacketList } from './use-packet-list.js';
import { useStatusBar } from './use-status-bar.js';
import { useTerminalSize, type Size } from './use-terminal-size.js';
import { useTrafficView } from './use-traffic-view.js';
import { useTree } from './use-tree.js';
import { layoutFor } from './layout.js';
import { marksCommands } from './marks-commands.js';

export interface AppProps {
  session: CaptureSession;
  colour: boolean;
  onQuit: () => void;
  /** A display filter to apply at the start (`-Y`). */
  initialFilter?: string;
  /** Fixed size for tests; otherwise the terminal's, following resizes. */
  size?: Size;
  /** Clicks and the wheel (SGR mouse reports); off with --no-mouse. */
  mouse?: boolean;
  /** Where `y` copies to; the terminal's (OSC 52) unless a test gives its own. */
  clipboard?: Clipboard;
  /** The packet list's columns (the preferences'); the default ones when none are given. */
  columns?: readonly ListColumn[];
  /** Keeps the columns as they change, and where (the preferences file); not kept when absent. */
  saveColumns?: { save: SaveColumns; path: string };
}

type Pane = 'list' | 'tree' | 'hex';
/** The scopes of this screen (the start screen has its own). */
type AppScope = Exclude<Scope, 'start'>;
/** Every scope's listener, in one order for every render. */
const SCOPES: readonly AppScope[] = ['list', 'tree', 'hex', 'filter', 'path', 'find', 'copy', 'packetFind', 'command', 'help', 'traffic', 'report', 'follow', 'ioGraph', 'graphFilter', 'columns'];
/** The formats `t` goes through; the day-of-year ones are for `:time`. */
const CYCLED_TIME_FORMATS: readonly TimeFormat[] = ['r', 'd', 'dd', 'a', 'ad', 'e', 'u', 'ud'];
const PANES: readonly Pane[] = ['list', 'tree', 'hex'];
type Mode = 'panes' | 'filter' | 'path' | 'help' | 'traffic' | 'hierarchy' | 'expert' | 'taps' | 'processes' | 'drops' | 'verdicts' | 'warnings' | 'follow' | 'find' | 'packetFind' | 'command' | 'copy' | 'ioGraph' | 'graphFilter' | 'columns';
/** What the path line is asked for: an export of frames, or a followed stream's bytes. */
type PathPurpose = 'export' | 'save' | 'copy';

/** The TCP or UDP stream a frame's tree names (tcp.stream, udp.stream), if any: the first one. */
function streamOf(nodes: readonly TreeNode[]): FollowedStream | undefined {
  for (const node of nodes) {
    const abbrev = node.field.abbrev;
    if ((abbrev === 'tcp.stream' || abbrev === 'udp.stream') && typeof node.value === 'number') return { protocol: abbrev === 'tcp.stream' ? 'tcp' : 'udp', stream: node.value };
    const inner = streamOf(node.children);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

/** What an export of the marked (else displayed) frames says it did. */
function exportMessage(session: CaptureSession, path: string): string {
  const result = session.export(path);
  const which = result.marked ? 'marked' : 'displayed';
  return result.ok ? `Wrote ${count(result.written)} ${which} frame${result.written === 1 ? '' : 's'} to ${path} (${result.format})` : result.error;
}

const TERMINAL_CLIPBOARD = terminalClipboard((sequence) => process.stdout.write(sequence));

export function App({ session, colour, onQuit, initialFilter, size, mouse = true, clipboard = TERMINAL_CLIPBOARD, columns: initialColumns, saveColumns }: AppProps) {
  useSyncExternalStore(
    (listener) => session.subscribe(listener),
    () => session.version,
  );
  const { columns, rows } = useTerminalSize(size);
  const layout = layoutFor(rows);
  const [, touch] = useReducer((n: number) => n + 1, 0);
  const [pane, setPane] = useState<Pane>('list');
  const [mode, setMode] = useState<Mode>('panes');
  const [message, setMessage] = useState('');
  const [pathPurpose, setPathPurpose] = useState<PathPurpose>('export');
  const toPanes = () => setMode('panes');
  const toFollow = () => setMode('follow');

  const [timeFormat, setTimeFormat] = useState<TimeFormat>('r');
  const largestNumber = session.status.running ? Math.max(session.decoded.count, 99999) : session.decoded.count;
  const onScreen = (column: ListColumn) => placeColumns(columns - 3, largestNumber, list.rows, listColumns.shown).find((placed) => placed.column === column)?.width;
  const listColumns = useColumns(session, initialColumns ?? defaultColumns((abbrev) => session.decoded.registry.field(abbrev)), saveColumns?.save, setMessage, onScreen);
  const extraColumns = listColumns.shown.filter((column) => !isNamedColumn(column)).map((column) => column.spec);
  const list = usePacketList(session, layout.listRows, timeFormat, session.nanosecond ? 9 : 6, extraColumns);
  // The tree is dissected when the selection moves, not on every redraw (keys typed in the filter line,
  // a source's appends); the decoded store keeps one detail dissection, which only this reads.
  const detail = useMemo(() => (list.currentFrame >= 0 ? session.decoded.detail(list.currentFrame) : undefined), [session, list.currentFrame]);
  const tree = useTree(detail, layout.treeRows);
  const hex = useHex(detail, tree.selected, layout.hexRows, pane === 'hex');
  const find = useFind(session, list.currentFrame, detail, tree, (index) => list.goTo(index + 1), toPanes, setMessage);
  // The selection stays on its frame when it still passes a new filter, else moves to the next one that does.
  const keepSelection = (filter: FrameFilter) => {
    const keep = list.currentFrame;
    if (keep >= 0 && filter.matched > 0) list.selectFrame(filter.frameAt(Math.min(filter.rowAtOrAfter(keep), filter.matched - 1)));
  };
  const filterBar = useFilterBar(session, toPanes, keepSelection);
  const addColumn = (field: FieldDef | undefined) => {
    if (field === undefined) return;
    if (field.type === 'none') setMessage(`${field.abbrev} has no value to show in a column`);
    else listColumns.add(field);
  };
  const applyFilter = (text: string) => {
    void session.applyFilter(text).then((filter) => filter && keepSelection(filter));
  };
  const traffic = useTrafficView(session, mode === 'traffic', rows - 3, toPanes, applyFilter);
  const hierarchy = useReportView(session, mode === 'hierarchy' ? session.hierarchy : undefined, hierarchyReport, rows - 3, toPanes, applyFilter);
  const expert = useReportView(session, mode === 'expert' ? session.expert : undefined, expertReport, rows - 3, toPanes, applyFilter);
  const taps = useReportView(session, mode === 'taps' ? session.taps : undefined, tapsReport, rows - 3, toPanes, applyFilter);
  const processes = useReportView(session, mode === 'processes' ? session.processes : undefined, processesReport, rows - 3, toPanes, applyFilter);
  const kernelDrops = session.kernelDrops;
  const drops = useReportView(session, mode === 'drops' && kernelDrops ? { statistic: kernelDrops, caughtUp: true, share: 1 } : undefined, dropsReport, rows - 3, toPanes, applyFilter);
  const traced = session.decoded.fates?.verdicts;
  const verdicts = useReportView(session, mode === 'verdicts' && traced ? { statistic: traced, caughtUp: true, share: 1 } : undefined, verdictsReport, rows - 3, toPanes, applyFilter);
  const warnings = useReportView(session, mode === 'warnings' ? { statistic: session.warnings, caughtUp: true, share: 1 } : undefined, (found) => warningsReport(found, columns), rows - 3, toPanes, applyFilter);
  const following = mode === 'follow' || mode === 'find' || (mode === 'path' && pathPurpose === 'save');
  const follow = useFollowView(session, following, rows - 4, applyFilter, toPanes, setMessage);
  const [copyRefusal, setCopyRefusal] = useState('');
  const copy = useCopy(clipboard, { node: tree.selected?.node, row: list.rows[list.selectedInView], bytes: hex.bytes }, toPanes, setMessage, (reason) => {
    setCopyRefusal(reason);
    setPathPurpose('copy');
    pathLine.open();
    setMode('path');
  });
  const pathDone = { save: (path: string) => follow.save(path), copy: (path: string) => copy.write(path), export: (path: string) => exportMessage(session, path) };
  const pathLine = usePromptLine(pathPurpose === 'save' ? toFollow : toPanes, (path) => setMessage(pathDone[pathPurpose](path)));
  const findLine = usePromptLine(toFollow, (text) => setMessage(follow.search(text, false)));
  const colonActions: ColonActions = {
    run: (command) => everyPane[command]?.(''),
    goTo: (number) => setMessage(list.goTo(number) ?? ''),
    follow: followStream,
    filter: applyFilter,
    time: showTimeIn,
    decodeAs: decodeAsCommand(session, setMessage),
    write: (path) => setMessage(exportMessage(session, path)),
    quit: onQuit,
    tell: setMessage,
  };
  const commandLine = usePromptLine(toPanes, (text) => runColonCommand(text, colonActions), false);
  const help = useHelp(rows - 2, toPanes);
  const graphing = mode === 'ioGraph' || mode === 'graphFilter';
  const ioGraph = useIoGraph(session, graphing, Math.max(10, columns - IO_SCALE_WIDTH), toPanes, (open) => setMode(open ? 'graphFilter' : 'ioGraph'));
  const statusText = useStatusBar(session, list.following);

  useEffect(() => {
    if (initialFilter) void session.applyFilter(initialFilter);
    // Only once, at the start.
  }, []);

  const everyPane: CommandHandlers = {
    nextPane: () => focus(PANES[(PANES.indexOf(pane) + 1) % PANES.length]),
    previousPane: () => focus(PANES[(PANES.indexOf(pane) + PANES.length - 1) % PANES.length]),
    expandAll: tree.expandAll,
    filter: () => {
      filterBar.open();
      setMode('filter');
    },
    cancelFilter: () => {
      if (find.cancel()) setMessage('Find stopped');
      else if (session.filters.cancel()) setMessage('Filter cancelled');
    },
    findPacket: () => {
      find.line.open();
      setMode('packetFind');
    },
    timeFormat: () => showTimeIn(CYCLED_TIME_FORMATS[(CYCLED_TIME_FORMATS.indexOf(timeFormat) + 1) % CYCLED_TIME_FORMATS.length]),
    ...marksCommands(session, list.currentFrame, setMessage, touch),
    fold: () => {
      const folded = !session.filters.folded;
      setMessage(folded ? "Each packet once: its copies at other tap points are in its tree (z unfolds)" : 'Every copy of each packet shown');
      void session.filters.fold(folded).then((filter) => filter && keepSelection(filter));
    },
    copy: () => setMode('copy'),
    findNext: () => find.step(1),
    findPrevious: () => find.step(-1),
    follow: list.toggleFollow,
    export: () => {
      setPathPurpose('export');
      pathLine.open();
      setMode('path');
    },
    hierarchy: () => setMode('hierarchy'),
    ioGraph: () => setMode('ioGraph'),
    columns: () => setMode('columns'),
    expert: () => setMode('expert'),
    taps: () => setMode('taps'),
    processes: () => (session.decoded.store.interfaces.some((iface) => iface.socketOwners !== undefined) ? setMode('processes') : setMessage('Processes are named in a live capture started with --proc (as root)')),
    drops: () => (session.kernelDrops ? setMode('drops') : setMessage("The kernel's drops are counted in a live capture started with --drops (as root)")),
    verdicts: () => (traced ? setMode('verdicts') : setMessage("Netfilter's verdicts are traced in a live capture started with --trace (as root)")),
    warnings: () => (session.warnings.length > 0 ? setMode('warnings') : setMessage(session.status.live ? 'No warnings: nothing found that hides packets from these taps' : 'Warnings are about a live capture')),
    followStream: () => followStream(detail ? streamOf(detail.roots) : undefined),
    decodeAs: () => {
      const template = detail && decodeAsTemplate(detail.roots);
      if (template === undefined) return setMessage('No port, IP protocol or EtherType in this packet to decode as another protocol');
      openCommandLine(`decode-as ${template}`);
    },
    commandLine: () => openCommandLine(),
    // The command line takes a packet's number: Ctrl-G is Wireshark's "Go to packet".
    goToFrame: () => openCommandLine(),
    nextMarked: () => setMessage(list.toMarked(1) ?? ''),
    previousMarked: () => setMessage(list.toMarked(-1) ?? ''),
    conversations: () => {
      traffic.open('conversations');
      setMode('traffic');
    },
    endpoints: () => {
      traffic.open('endpoints');
      setMode('traffic');
    },
    help: () => setMode('help'),
    quit: onQuit,
    interrupt: onQuit,
  };
  function showTimeIn(format: TimeFormat): void {
    setTimeFormat(format);
    setMessage(`Time: ${TIME_FORMAT_NAMES[format]} (${format})`);
  }
  function openCommandLine(text?: string): void {
    commandLine.open(text);
    setMode('command');
  }
  function followStream(followed: FollowedStream | undefined): void {
    if (followed === undefined) return setMessage('Not a TCP or UDP packet: nothing to follow');
    follow.open(followed);
    setMode('follow');
  }
  function focus(next: Pane): void {
    if (next === 'hex') hex.focus();
    setPane(next);
  }
  // A key in the panes clears the last message first.
  const inPanes = (handlers: CommandHandlers): CommandHandlers => {
    const wrapped: CommandHandlers = {};
    for (const [name, handler] of Object.entries({ ...everyPane, ...handlers })) {
      wrapped[name as keyof CommandHandlers] = (input) => {
        setMessage('');
        handler(input);
      };
    }
    return wrapped;
  };

  const queue = useKeyQueue();
  const reportMode = mode === 'hierarchy' || mode === 'expert' || mode === 'taps' || mode === 'processes' || mode === 'drops' || mode === 'verdicts' || mode === 'warnings';
  const report = reportMode ? { hierarchy, expert, taps, processes, drops, verdicts, warnings }[mode] : undefined;
  const scope: AppScope = mode === 'panes' ? pane : reportMode ? 'report' : mode;
  const prepareFilter = (text: string) => {
    filterBar.open(text);
    setMode('filter');
  };
  const followCommands: CommandHandlers = {
    ...follow.commands,
    search: () => {
      findLine.open();
      setMode('find');
    },
    save: () => {
      setPathPurpose('save');
      pathLine.open();
      setMode('path');
    },
  };
  const anywhere = (handlers: CommandHandlers): CommandHandlers => ({ ...handlers, interrupt: onQuit });
  const handlersOf: Record<AppScope, CommandHandlers> = {
    list: inPanes({ ...list.commands, expand: () => setPane('tree') }),
    tree: inPanes({ ...tree.commands, ...fieldFilterCommands(session, tree.selected?.node, applyFilter, prepareFilter, setMessage), addColumn: () => addColumn(tree.selected?.node.field) }),
    hex: inPanes(hex.commands),
    filter: anywhere(filterBar.commands),
    path: anywhere(pathLine.commands),
    find: anywhere(findLine.commands),
    copy: anywhere(copy.commands),
    packetFind: anywhere(find.commands),
    command: anywhere(commandLine.commands),
    help: anywhere(help.commands),
    traffic: anywhere(traffic.commands),
    report: anywhere(report?.commands ?? {}),
    follow: anywhere(followCommands),
    ioGraph: anywhere(ioGraph.commands),
    graphFilter: anywhere(ioGraph.line.commands),
    columns: anywhere({ ...listColumns.commands, closeView: toPanes }),
  };
  for (const each of SCOPES) useKeys(queue, each, handlersOf[each], scope === each);
  useMouse(mouse, (event) => {
    const part = mode === 'panes' ? partAt(layout, event.y) : undefined;
    // Outside the panes (a view, the help screen, a line being edited) the wheel scrolls what is shown.
    const handlers = part === undefined ? handlersOf[scope] : part.pane === 'other' ? {} : handlersOf[part.pane];
    if (event.kind !== 'click') return handlers[event.kind === 'wheelUp' ? 'scrollUp' : 'scrollDown']?.('');
    if (part === undefined || part.pane === 'other') return;
    focus(part.pane);
    if (part.line < 0) return;
    if (part.pane === 'list') list.selectInView(part.line);
    else if (part.pane === 'tree') tree.click(part.line);
    else {
      const byte = byteAtColumn(event.x);
      const found = byte === undefined || !detail ? undefined : narrowestNodeAt(detail.roots, hex.sourceIndex, (hex.top + part.line) * BYTES_PER_ROW + byte);
      if (found) tree.reveal(found);
    }
  });

  if (mode === 'help') return <Help columns={columns} rows={rows - 1} top={help.top} />;
  const covers = session.framesLetGo === 0 ? '' : `frames ${count(session.framesLetGo + 1)}–${count(session.decoded.count)} (--keep)`;
  if (mode === 'traffic') return <TrafficView state={traffic} columns={columns} rows={rows - 1} covers={covers} />;
  if (mode === 'columns') return <ColumnsView state={listColumns} columns={columns} rows={rows - 1} savedTo={saveColumns?.path} />;
  if (graphing) return <IoGraphView state={ioGraph} columns={columns} rows={rows - 1} colour={colour} covers={covers} editing={mode === 'graphFilter'} />;
  if (report !== undefined) return <ReportView state={report} columns={columns} rows={rows - 1} covers={covers} />;
  const node = tree.selected?.node;
  function fieldHelp(): string {
    return node ? `${node.field.abbrev}${node.field.blurb ? ' — ' + node.field.blurb : node.field.name ? ' — ' + node.field.name : ''}` : '';
  }
  const pathPrompt = {
    save: `Save ${follow.followed.protocol.toUpperCase()} stream ${follow.followed.stream} to: `,
    copy: `Not copied (${copyRefusal}). Write to file: `,
    export: 'Export to (.pcap for pcap, else pcapng): ',
  }[pathPurpose];
  const bottom = (
    <>
      {mode === 'path' ? (
        <EditedLine prompt={pathPrompt} line={pathLine.editor.line} />
      ) : mode === 'find' ? (
        <EditedLine prompt="Search: " line={findLine.editor.line} />
      ) : mode === 'copy' ? (
        <Text wrap="truncate" bold>
          {COPY_MENU}
        </Text>
      ) : mode === 'packetFind' ? (
        <EditedLine prompt={find.prompt} line={find.line.editor.line} />
      ) : mode === 'command' ? (
        <EditedLine prompt=":" line={commandLine.editor.line} />
      ) : (
        <Text wrap="truncate">{find.progress ?? (message || (following ? '' : fieldHelp()))}</Text>
      )}
      <StatusBar text={statusText} width={columns} />
    </>
  );
  if (following) {
    return (
      <Box flexDirection="column" width={columns} height={rows - 1}>
        <FollowView state={follow} columns={columns} rows={rows - 3} colour={colour} />
        {bottom}
      </Box>
    );
  }

  const title = (text: string, focused: boolean) => (
    <Text bold={focused} inverse={focused} wrap="truncate">
      {(' ' + text).padEnd(columns)}
    </Text>
  );

  return (
    <Box flexDirection="column" width={columns} height={rows - 1}>
      <Box height={layout.listRows + 1}>
        <PacketList rows={list.rows} selected={list.selectedInView} width={columns} largestNumber={largestNumber} colour={colour} columns={listColumns.shown} />
      </Box>
      {title(detail ? `Frame ${detail.frame.number}: ${tree.lines.length} lines${pane === 'tree' ? ' — Enter/→ expand, ← collapse, * all' : ''}` : 'No frame', pane === 'tree')}
      <TreePane lines={tree.lines} top={tree.top} cursor={tree.cursor} height={layout.treeRows} focused={pane === 'tree'} found={find.foundNodes} colour={colour} />
      {title(detail ? `${sanitize(hex.sourceName)} (${hex.bytes.length} bytes)${node ? ' — ' + sanitize(nodeLabel(node)) : ''}` : '', pane === 'hex')}
      <HexPane bytes={hex.bytes} field={hex.field} layer={hex.layer} found={find.foundBytes.filter((found) => found.source === hex.sourceIndex)} top={hex.top} height={layout.hexRows} colour={colour} />
      {mode === 'filter' ? <FilterBar line={filterBar.editor.line} candidates={filterBar.candidates} colour={colour} registry={session.decoded.registry} /> : bottom}
    </Box>
  );
}
