// The interface's Conversations and Endpoints views: every kind's tables, computed over the frame store
// in slices with progress, and kept current while frames are appended.
import type { FrameStore } from '../../capture/frame-store.js';
import { ConversationKind } from '../../decode/conversation-tap.js';
import type { Registry } from '../../decode/registry.js';
import { ConversationTable, EndpointTable } from './conversations.js';
import { LayerStatistic } from './frame-statistics.js';
import { StatisticsScan } from './statistics-scan.js';

export const KINDS: readonly ConversationKind[] = [ConversationKind.ETH, ConversationKind.IPV4, ConversationKind.IPV6, ConversationKind.TCP, ConversationKind.UDP];

export class TrafficScan extends StatisticsScan {
  constructor(
    store: FrameStore,
    registry: Registry,
    readonly conversations = KINDS.map((kind) => new ConversationTable(kind)),
    readonly endpoints = KINDS.map((kind) => new EndpointTable(kind)),
  ) {
    super(store, registry, [...conversations, ...endpoints].map((table) => new LayerStatistic(table, undefined)));
  }
}
