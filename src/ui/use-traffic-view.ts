// The Conversations and Endpoints views' state and commands: which view and kind (tab), the sort column
// and order, the selected row. Enter applies the row's filter and returns to the packet list.
import { useState } from 'react';
import type { ConversationKind } from '../decode/conversation-tap.js';
import type { CaptureSession } from '../session/capture-session.js';
import { KIND_TITLES } from '../session/stats/conversations.js';
import { KINDS } from '../session/stats/traffic.js';
import { columnsFor, conversationFilter, CONVERSATION_COLUMNS, endpointFilter, ENDPOINT_COLUMNS, sortItems, type TrafficColumn } from './traffic-columns.js';
import type { CommandHandlers } from './use-keys.js';
import { useRowSelection } from './use-row-selection.js';

export type TrafficViewName = 'conversations' | 'endpoints';

export interface TrafficViewState {
  title: string;
  /** Each kind's name and row count, and which is shown. */
  tabs: { name: string; rows: number }[];
  tab: number;
  headers: { title: string; numeric: boolean; sorted: '' | '▲' | '▼' }[];
  /** The rows in view, as cells. */
  rows: string[][];
  selectedInView: number;
  /** "reading" while the capture is still being read (the tables grow with it). */
  progress: string;
  open(view: TrafficViewName): void;
  commands: CommandHandlers;
}

/** Packets, the column tshark sorts by, most first. */
const DEFAULT_SORT = 'Packets';

interface Shown<T> {
  columns: TrafficColumn<T>[];
  items: readonly T[];
  filter(kind: ConversationKind, item: T): string;
}

/** `active`: the view is open (its rows are sorted only then). */
export function useTrafficView(session: CaptureSession, active: boolean, height: number, close: () => void, applyFilter: (text: string) => void): TrafficViewState {
  const [view, setView] = useState<TrafficViewName>('conversations');
  const [tab, setTab] = useState(1);
  const [sortTitle, setSortTitle] = useState(DEFAULT_SORT);
  const [descending, setDescending] = useState(true);
  const traffic = active ? session.traffic : undefined;
  const kind = KINDS[tab];
  const tables = view === 'conversations' ? traffic?.conversations : traffic?.endpoints;
  const items = tables?.[tab].items ?? [];

  // One shape for both views: the kind's columns, its items, and a row's filter.
  const shown = (view === 'conversations'
    ? { columns: columnsFor(CONVERSATION_COLUMNS, kind), items, filter: conversationFilter }
    : { columns: columnsFor(ENDPOINT_COLUMNS, kind), items, filter: endpointFilter }) as Shown<unknown>;
  const sortBy = shown.columns.find((candidate) => candidate.title === sortTitle) ?? shown.columns[0];
  const sorted = sortItems(shown.items, sortBy, descending);
  const selection = useRowSelection(sorted.length, height);
  const { row, top: listTop } = selection;
  const switchTab = (step: number) => {
    setTab((tab + step + KINDS.length) % KINDS.length);
    selection.reset();
  };
  const progress = session.status.running ? (session.status.live ? 'live' : 'reading') : '';

  return {
    title: view === 'conversations' ? 'Conversations' : 'Endpoints',
    tabs: KINDS.map((each, index) => ({ name: KIND_TITLES[each], rows: tables?.[index].items.length ?? 0 })),
    tab,
    headers: shown.columns.map((candidate) => ({ title: candidate.title, numeric: candidate.numeric, sorted: candidate === sortBy ? (descending ? '▼' : '▲') : '' })),
    rows: sorted.slice(listTop, listTop + height).map((item) => shown.columns.map((candidate) => candidate.text(item))),
    selectedInView: row - listTop,
    progress,
    open: (next) => {
      setView(next);
      selection.reset();
    },
    commands: {
      ...selection.commands,
      nextKind: () => switchTab(1),
      previousKind: () => switchTab(-1),
      sortNext: () => {
        const next = shown.columns[(shown.columns.indexOf(sortBy) + 1) % shown.columns.length];
        setSortTitle(next.title);
        setDescending(next.numeric);
      },
      sortReverse: () => setDescending(!descending),
      applyRow: () => {
        const item = sorted[row];
        if (item === undefined) return;
        close();
        applyFilter(shown.filter(kind, item));
      },
      closeView: close,
    },
  };
}
