// The columns of the Conversations and Endpoints views (Wireshark's dialogs' columns), each with its
// text and sort value, and the display filter that selects a row's traffic.
import { ConversationKind } from '../decode/conversation-tap.js';
import { hasPorts, instantSeconds, type ConversationItem, type EndpointItem } from '../session/stats/conversations.js';

export interface TrafficColumn<T> {
  title: string;
  /** Numbers are right-aligned and sort as numbers. */
  numeric: boolean;
  text(item: T): string;
  value(item: T): number | string;
  /** Shown only for kinds with ports. */
  portsOnly?: boolean;
}

/** Bits per second over a duration, or N/A for an instant (as Wireshark's dialog). */
function bitsPerSecond(bytes: number, seconds: number): number {
  return seconds > 0 ? (bytes * 8) / seconds : -1;
}

const rate = (value: number) => (value < 0 ? 'N/A' : value >= 1e7 ? `${Math.round(value / 1e6)} M` : value >= 1e4 ? `${Math.round(value / 1e3)} k` : String(Math.round(value)));
const duration = (item: ConversationItem) => instantSeconds(item.stop) - instantSeconds(item.start);

function column<T>(title: string, numeric: boolean, value: (item: T) => number | string, text?: (item: T) => string, portsOnly = false): TrafficColumn<T> {
  return { title, numeric, value, text: text ?? ((item) => String(value(item))), portsOnly };
}

export const CONVERSATION_COLUMNS: readonly TrafficColumn<ConversationItem>[] = [
  column('Address A', false, (item) => item.srcAddress),
  column('Port A', true, (item) => item.srcPort, undefined, true),
  column('Address B', false, (item) => item.dstAddress),
  column('Port B', true, (item) => item.dstPort, undefined, true),
  column('Packets', true, (item) => item.txFrames + item.rxFrames),
  column('Bytes', true, (item) => item.txBytes + item.rxBytes),
  column('Pkts A→B', true, (item) => item.txFrames),
  column('Bytes A→B', true, (item) => item.txBytes),
  column('Pkts B→A', true, (item) => item.rxFrames),
  column('Bytes B→A', true, (item) => item.rxBytes),
  column('Rel Start', true, (item) => instantSeconds(item.start), (item) => instantSeconds(item.start).toFixed(6)),
  column('Duration', true, duration, (item) => duration(item).toFixed(4)),
  column('bits/s A→B', true, (item) => bitsPerSecond(item.txBytes, duration(item)), (item) => rate(bitsPerSecond(item.txBytes, duration(item)))),
  column('bits/s B→A', true, (item) => bitsPerSecond(item.rxBytes, duration(item)), (item) => rate(bitsPerSecond(item.rxBytes, duration(item)))),
];

export const ENDPOINT_COLUMNS: readonly TrafficColumn<EndpointItem>[] = [
  column('Address', false, (item) => item.address),
  column('Port', true, (item) => item.port, undefined, true),
  column('Packets', true, (item) => item.txFrames + item.rxFrames),
  column('Bytes', true, (item) => item.txBytes + item.rxBytes),
  column('Tx Packets', true, (item) => item.txFrames),
  column('Tx Bytes', true, (item) => item.txBytes),
  column('Rx Packets', true, (item) => item.rxFrames),
  column('Rx Bytes', true, (item) => item.rxBytes),
];

/** The columns a kind shows: no port columns for Ethernet and IP. */
export function columnsFor<T>(columns: readonly TrafficColumn<T>[], kind: ConversationKind): TrafficColumn<T>[] {
  return columns.filter((candidate) => !candidate.portsOnly || hasPorts(kind));
}

/** Items in the order of column `sortBy`, descending or not; equal values keep the tables' order. */
export function sortItems<T>(items: readonly T[], sortBy: TrafficColumn<T>, descending: boolean): T[] {
  const sign = descending ? -1 : 1;
  return items
    .map((item, order) => ({ item, order, key: sortBy.value(item) }))
    .sort((a, b) => (a.key < b.key ? -sign : a.key > b.key ? sign : a.order - b.order))
    .map(({ item }) => item);
}

/** The filter field of an address of the kind (a TCP or UDP address may be IPv4 or IPv6). */
function addressField(kind: ConversationKind, address: string): string {
  if (kind === ConversationKind.ETH) return 'eth.addr';
  return address.includes(':') ? 'ipv6.addr' : 'ip.addr';
}

const PORT_FIELDS: Partial<Record<ConversationKind, string>> = { [ConversationKind.TCP]: 'tcp.port', [ConversationKind.UDP]: 'udp.port' };

/** `ip.addr==A && tcp.port==P`: one end of a row. */
function endFilter(kind: ConversationKind, address: string, port: number): string {
  const portField = PORT_FIELDS[kind];
  return `${addressField(kind, address)}==${address}${portField ? ` && ${portField}==${port}` : ''}`;
}

/** The filter Wireshark's "Apply as Filter" gives a conversation: both ends. */
export function conversationFilter(kind: ConversationKind, item: ConversationItem): string {
  return `${endFilter(kind, item.srcAddress, item.srcPort)} && ${endFilter(kind, item.dstAddress, item.dstPort)}`;
}

export function endpointFilter(kind: ConversationKind, item: EndpointItem): string {
  return endFilter(kind, item.address, item.port);
}
