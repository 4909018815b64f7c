// The interface's Conversations and Endpoints views: every kind's tables, fed by the decoded store's
// in-order pass as frames arrive (the tables find a frame's conversation without building a key when it
// is the last one's, so this costs the pass next to nothing), and so complete when the list is.
import { ConversationKind } from '../../decode/conversation-tap.js';
import { ConversationTable, EndpointTable } from './conversations.js';
import { LayerStatistic, StatisticsPass } from './frame-statistics.js';

export const KINDS: readonly ConversationKind[] = [ConversationKind.ETH, ConversationKind.IPV4, ConversationKind.IPV6, ConversationKind.TCP, ConversationKind.UDP];

export class TrafficTables {
  readonly conversations = KINDS.map((kind) => new ConversationTable(kind));
  readonly endpoints = KINDS.map((kind) => new EndpointTable(kind));
  /** What a decoder feeds: its tap, then `begin` before and `add` after each frame. */
  readonly pass = new StatisticsPass([...this.conversations, ...this.endpoints].map((table) => new LayerStatistic(table, undefined)));
}
