// The UI dissects any frame again, in any order: what TCP reassembly, sequence analysis, TLS and HTTP
// gave a frame in the in-order pass must come back the same, with reassembled PDUs rebuilt from the
// frame store rather than kept; and what later frames taught (the frame a PDU was reassembled in) shows.
import { join } from 'node:path';
import test from 'ava';
import type { Frame, InterfaceInfo } from '../src/capture/frame.js';
import { FrameStore } from '../src/capture/frame-store.js';
import { DecodedStore } from '../src/session/decoded-store.js';
import type { TreeNode } from '../src/decode/tree.js';
import { FrameDecoder } from '../src/decode/decoder.js';
import { packetRow, ROW_FIELDS } from '../src/ui/rows.js';
import { readAll } from './helpers/capture.js';
import { CORPUS, corpusPresent, CORPUS_ABSENT } from './helpers/corpus.js';
import { registry } from './helpers/decode.js';
import { segmentsOf, tcpConversation } from './helpers/tcp-stream.js';

const RECORDING = join(CORPUS, 'recorded/rtr-client-side.pcap');

async function load(): Promise<{ frames: Frame[]; interfaces: InterfaceInfo[] }> {
  const capture = await readAll(RECORDING);
  const interfaces: InterfaceInfo[] = [];
  for (const { frame, iface } of capture.frames) interfaces[frame.interfaceId] = iface;
  return { frames: capture.frames.map(({ frame }) => frame), interfaces };
}

/** Protocol and Info of every frame as print mode makes them, in one in-order pass. */
function printColumns(frames: readonly Frame[], interfaces: readonly InterfaceInfo[]): string[] {
  const decoder = new FrameDecoder(registry, { tree: false, columns: true });
  return frames.map((frame) => {
    const dissection = decoder.decode(frame, interfaces[frame.interfaceId]);
    return `${dissection.cols.protocol} ${dissection.cols.info}`;
  });
}

test('every frame dissected again, in a shuffled order, has the columns of the in-order pass', async (t) => {
  if (!corpusPresent) return t.pass(CORPUS_ABSENT);
  const { frames, interfaces } = await load();
  const expected = printColumns(frames, interfaces);
  const decoded = new DecodedStore(new FrameStore(), registry, ROW_FIELDS);
  for (const frame of frames) decoded.append(frame, interfaces);
  // A fixed shuffle (a linear congruential sequence), so a failure repeats.
  const order = frames.map((_, index) => index);
  let seed = 12345;
  for (let i = order.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const j = seed % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const differing: string[] = [];
  for (const index of order) {
    const summary = decoded.summary(index);
    const got = `${summary.cols.protocol} ${summary.cols.info}`;
    if (got !== expected[index]) differing.push(`#${index + 1}: "${got}" where the in-order pass gave "${expected[index]}"`);
  }
  t.deepEqual(differing.slice(0, 20), []);
  // The list flags what Wireshark's "Bad TCP" rule colours: a lost segment, not the window update after it.
  t.regex(expected[785], /\[TCP Previous segment not captured\]/);
  t.true(packetRow(decoded.summary(785), false, '', []).alert);
  t.regex(expected[786], /^TCP \[TCP Window Update\]/);
  t.false(packetRow(decoded.summary(786), false, '', []).alert);
  // The ones that matter most here: a frame that completes a multi-segment HTTP response, TLS records.
  t.regex(expected[153], /^HTTP\/JSON HTTP\/1\.0 200 OK , JavaScript Object Notation/);
  t.regex(expected[308], /^TLSv1\.2 Server Hello, Certificate, Server Key Exchange, Server Hello Done/);
});

test('a reassembled PDU is rebuilt from its frames, its tree points into it, and its first segment knows where it ended', async (t) => {
  if (!corpusPresent) return t.pass(CORPUS_ABSENT);
  const { frames, interfaces } = await load();
  const decoded = new DecodedStore(new FrameStore(), registry, ROW_FIELDS);
  for (const frame of frames) decoded.append(frame, interfaces);
  // Frame 154 completes a 6,386-byte response begun in frame 148 (6 segments).
  const detail = decoded.detail(153);
  const reassembled = detail.sources.findIndex((source) => source.name === 'Reassembled TCP (6386 bytes)');
  t.true(reassembled > 0, detail.sources.map((source) => source.name).join(', '));
  const bytes = detail.sources[reassembled].bytes;
  t.is(new TextDecoder().decode(bytes.subarray(0, 15)), 'HTTP/1.0 200 OK');
  const http = detail.roots.find((node) => node.field.abbrev === 'http');
  t.is(http?.source, reassembled);
  const segments = detail.roots.find((node) => node.field.abbrev === 'tcp.segments');
  t.deepEqual(segments?.children.filter((node) => node.field.abbrev === 'tcp.segment').map((node) => node.value), [148, 150, 151, 152, 153, 154]);
  // The first segment, dissected again after the whole pass, names the frame that completed its PDU.
  const first = decoded.detail(147);
  const tcp = first.roots.find((node) => node.field.abbrev === 'tcp');
  t.is(tcp?.children.find((node) => node.field.abbrev === 'tcp.reassembled_in')?.value, 154);
  // A request shown after the whole pass names its response (print mode's one pass cannot, as tshark's).
  const request = decoded.detail(129).roots.find((node) => node.field.abbrev === 'http');
  const responseIn = (nodes: readonly TreeNode[]): unknown => nodes.map((node) => (node.field.abbrev === 'http.response_in' ? node.value : responseIn(node.children))).find((value) => value !== undefined);
  t.is(responseIn(request?.children ?? []), 134);
  // Dissected once more, in another order, the PDU is the same bytes.
  decoded.detail(10);
  const again = decoded.detail(153).sources[reassembled].bytes;
  t.deepEqual(again, bytes);
  // Built anew each time, not a buffer the store keeps beside the frames that hold the same bytes.
  t.not(again.buffer, bytes.buffer);
});

test('a PDU over 64 KiB is rebuilt from the frames that carried it: the UI keeps no copy, and shows what print mode shows', (t) => {
  // A 200,000-byte HTTP response in 1,400-byte segments, with a JSON body whose last byte ends it.
  const body = `{"fill":"${'x'.repeat(200_000 - 48)}","end":true}`;
  const response = new TextEncoder().encode(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  const frames = tcpConversation(80, segmentsOf(response, 1400), true);
  const iface: InterfaceInfo = { linkType: 1, snaplen: 262144, name: undefined, description: undefined, numbered: false, filter: undefined, tsUnitsPerSecond: 1_000_000n, tsOffsetSec: 0n };
  const interfaces = [iface];
  const expected = printColumns(frames, interfaces);
  const decoded = new DecodedStore(new FrameStore(), registry, ROW_FIELDS);
  for (const frame of frames) decoded.append(frame, interfaces);
  const last = frames.length - 2;
  t.regex(expected[last], /^HTTP\/JSON HTTP\/1\.1 200 OK , JavaScript Object Notation/);
  t.is(`${decoded.summary(last).cols.protocol} ${decoded.summary(last).cols.info}`, expected[last]);
  const detail = decoded.detail(last);
  const source = detail.sources.find((candidate) => candidate.name === `Reassembled TCP (${response.length} bytes)`);
  t.deepEqual(source?.bytes, response);
  t.is(`${decoded.summary(5).cols.protocol} ${decoded.summary(5).cols.info}`, expected[5]);
  // Halfway through, what the waiting PDU holds is its pieces' records, not a 200 kB buffer.
  const halfway = new FrameDecoder(registry, { tree: false, columns: true });
  halfway.memory.frameData = (number) => frames[number - 1].data;
  for (const frame of frames.slice(0, frames.length / 2)) halfway.decode(frame, iface);
  const tcp = registry.lookup('ip.proto', 6);
  const state = tcp && (halfway.memory.stateOf(tcp.protocol, () => undefined) as { budget: { held: number } } | undefined);
  t.true(state !== undefined && state.budget.held > 0 && state.budget.held < 20_000, `held ${state?.budget.held}`);
});
