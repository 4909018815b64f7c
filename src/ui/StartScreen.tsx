// Started with neither -i nor -r: the interfaces live capture can use (as -D lists them), each with its
// packet rate over the last half minute, and a capture filter that libpcap checks as it is typed, as
// Wireshark's welcome page. Enter starts capturing on the interface under the cursor, or on those marked.
import { Box, Text } from 'ink';
import { useEffect, useState } from 'react';
import type { DeviceDescription } from '../capture/native/addon.js';
import { sanitize } from '../decode/sanitize.js';
import { describeDevice } from '../cli/interfaces.js';
import { EditedLine } from './EditedLine.js';
import { count } from './numbers.js';
import { RATE_HISTORY, sparkline } from './start-rates.js';
import { useKeyQueue, useKeys } from './use-keys.js';
import { useLineEditor } from './use-line-editor.js';
import { useRowSelection } from './use-row-selection.js';

export interface StartChoice {
  interfaces: string[];
  captureFilter: string | undefined;
}

export interface StartScreenProps {
  devices: readonly DeviceDescription[];
  /** An interface's packets so far (received and sent), undefined when unknown. */
  packets: (name: string) => number | undefined;
  /** libpcap's message for a filter it cannot compile, undefined when it compiles. */
  checkFilter: (filter: string) => string | undefined;
  onStart: (choice: StartChoice) => void;
  onQuit: () => void;
  columns: number;
  rows: number;
  /** Milliseconds between two readings of the counters. */
  tickMs?: number;
}

const RATE_WIDTH = 9;

export function StartScreen({ devices, packets, checkFilter, onStart, onQuit, columns, rows, tickMs = 1000 }: StartScreenProps) {
  const [rates, setRates] = useState<ReadonlyMap<string, number[]>>(new Map());
  const [marked, setMarked] = useState<ReadonlySet<string>>(new Set());
  const [editing, setEditing] = useState(false);
  const [problem, setProblem] = useState('');
  const filter = useLineEditor();
  const height = Math.max(1, rows - 5);
  const selection = useRowSelection(devices.length, height);

  useEffect(() => {
    let last = new Map(devices.map((device) => [device.name, packets(device.name)]));
    const timer = setInterval(() => {
      const now = new Map(devices.map((device) => [device.name, packets(device.name)]));
      // The rates are worked out here: React may run the updater after `last` has moved on.
      const newest = new Map<string, number>();
      for (const [name, total] of now) {
        const previous = last.get(name);
        if (total !== undefined && previous !== undefined) newest.set(name, Math.max(0, ((total - previous) * 1000) / tickMs));
      }
      last = now;
      setRates((before) => {
        const next = new Map(before);
        for (const [name, rate] of newest) next.set(name, [...(before.get(name) ?? []), rate].slice(-RATE_HISTORY));
        return next;
      });
    }, tickMs);
    return () => clearInterval(timer);
  }, [devices, packets, tickMs]);

  const filterText = filter.line.text.trim();
  const filterError = filterText === '' ? undefined : checkFilter(filterText);
  const start = () => {
    if (filterError !== undefined) return setProblem(`The capture filter does not compile: ${filterError}`);
    const chosen = marked.size > 0 ? devices.filter((device) => marked.has(device.name)).map((device) => device.name) : [devices[selection.row]?.name].filter((name) => name !== undefined);
    if (chosen.length === 0) return setProblem('No interface to capture on');
    onStart({ interfaces: chosen, captureFilter: filterText === '' ? undefined : filterText });
  };
  const queue = useKeyQueue();
  useKeys(
    queue,
    'start',
    {
      ...selection.commands,
      mark: () => {
        const name = devices[selection.row]?.name;
        if (name === undefined) return;
        const next = new Set(marked);
        if (next.has(name)) next.delete(name);
        else next.add(name);
        setMarked(next);
      },
      filter: () => {
        setEditing(true);
        setProblem('');
      },
      accept: start,
      quit: onQuit,
      interrupt: onQuit,
    },
    !editing,
  );
  useKeys(queue, 'path', { ...filter.commands, accept: () => setEditing(false), cancel: () => setEditing(false), interrupt: onQuit }, editing);

  const nameWidth = Math.min(24, Math.max(6, ...devices.map((device) => device.name.length)));
  const detailWidth = Math.max(0, columns - 4 - nameWidth - RATE_WIDTH - RATE_HISTORY - 3);
  return (
    <Box flexDirection="column" width={columns} height={rows}>
      <Text bold inverse wrap="truncate">
        {' tsshark: capture from │ Enter starts, Space marks several, / capture filter, q quits'.padEnd(columns)}
      </Text>
      {devices.slice(selection.top, selection.top + height).map((device, index) => {
        const row = selection.top + index;
        const history = rates.get(device.name) ?? [];
        const detail = describeDevice(device).slice(device.name.length).trim();
        const rate = history.length > 0 ? `${count(Math.round(history[history.length - 1]))}/s` : '';
        return (
          <Text key={device.name} inverse={row === selection.row} wrap="truncate">
            {(row === selection.row ? '>' : ' ') + (marked.has(device.name) ? '*' : ' ') + ' '}
            {sanitize(device.name).padEnd(nameWidth) + ' '}
            <Text color="cyan">{sparkline(history).padEnd(RATE_HISTORY)}</Text>
            {' ' + rate.padStart(RATE_WIDTH) + '  '}
            {sanitize(detail).slice(0, detailWidth)}
          </Text>
        );
      })}
      <Box flexGrow={1} />
      <Text wrap="truncate">{problem || (filterError ? `✗ ${filterError}` : filterText ? '✓ libpcap compiles it' : 'Capture filter (BPF, as tcpdump takes it): none')}</Text>
      {editing ? <EditedLine prompt="Capture filter: " line={filter.line} /> : <Text wrap="truncate">{`Capture filter: ${filterText || '(none: / edits it)'}`}</Text>}
    </Box>
  );
}
