// The interface's Conversations and Endpoints views: every kind's tables, computed over the frame store
// in slices with progress, and kept current while frames are appended.
import type { FrameStore } from '../../capture/frame-store.js';
import { ConversationKind } from '../../decode/conversation-tap.js';
import type { Dissection } from '../../decode/dissection.js';
import type { Registry } from '../../decode/registry.js';
import { StoreScan } from '../store-scan.js';
import { ConversationTable, EndpointTable } from './conversations.js';
import { LayerStatistic, StatisticsPass } from './frame-statistics.js';

export const KINDS: readonly ConversationKind[] = [ConversationKind.ETH, ConversationKind.IPV4, ConversationKind.IPV6, ConversationKind.TCP, ConversationKind.UDP];

export class TrafficScan extends StoreScan {
  readonly conversations: readonly ConversationTable[];
  readonly endpoints: readonly EndpointTable[];
  private readonly pass: StatisticsPass;

  constructor(store: FrameStore, registry: Registry) {
    const conversations = KINDS.map((kind) => new ConversationTable(kind));
    const endpoints = KINDS.map((kind) => new EndpointTable(kind));
    const pass = new StatisticsPass([...conversations, ...endpoints].map((table) => new LayerStatistic(table, undefined)));
    super(store, registry, { tree: false, columns: false, fields: pass.fields, conversationTap: pass.tap });
    this.conversations = conversations;
    this.endpoints = endpoints;
    this.pass = pass;
  }

  protected override beforeFrame(): void {
    this.pass.begin();
  }

  protected visit(_index: number, dissection: Dissection): void {
    this.pass.add(dissection);
  }
}
