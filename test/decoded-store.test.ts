// Frames dissected again out of order (the UI's visible rows and selected frame) must read exactly as
// they did in one pass in order: TCP streams and relative numbers, retransmissions, reassembled
// datagrams, echo replies' requests, time deltas.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { openCapture } from '../src/capture/capture-reader.js';
import { FrameStore } from '../src/capture/frame-store.js';
import { FrameDecoder } from '../src/decode/decoder.js';
import { DecodedStore } from '../src/session/decoded-store.js';
import type { Dissection } from '../src/decode/dissection.js';
import { formatFieldValue } from '../src/decode/field.js';
import { CORPUS, CORPUS_ABSENT, corpusPresent, repoRoot } from './helpers/corpus.js';
import { fieldDefs, registry } from './helpers/decode.js';

const FIELDS = fieldDefs([
  'frame.time_delta', 'frame.time_relative', 'tcp.stream', 'tcp.seq', 'tcp.ack', 'tcp.window_size', 'tcp.analysis.retransmission',
  'ip.reassembled.length', 'icmp.resp_to', 'dns.qry.name', 'tap.direction', 'tap.iface',
]);

function summaryLine(dissection: Dissection): string {
  const cols = dissection.cols;
  const values = FIELDS.map((field) => dissection.valuesOf(field).map((value) => formatFieldValue(field, value)).join(','));
  return [dissection.frame.number, cols.src, cols.dst, cols.protocol, cols.info, ...values].join('|');
}

async function inOrder(file: string): Promise<string[]> {
  const decoder = new FrameDecoder(registry, { tree: false, columns: true, fields: FIELDS });
  const reader = await openCapture(file);
  const lines: string[] = [];
  await reader.read((frame) => {
    lines.push(summaryLine(decoder.decode(frame, reader.interfaces[frame.interfaceId])));
  });
  await reader.close();
  return lines;
}

async function decodedStore(file: string): Promise<DecodedStore> {
  const decoded = new DecodedStore(new FrameStore({ file }), registry, FIELDS);
  const reader = await openCapture(file);
  await reader.read((frame) => decoded.append(frame, reader.interfaces));
  await reader.close();
  return decoded;
}

const FILES = [
  { name: 'samples/lab.pcap', path: join(repoRoot, 'samples/lab.pcap') },
  { name: 'recorded/rtr-client-side.pcap (TCP streams, retransmissions)', path: join(CORPUS, 'recorded/rtr-client-side.pcap') },
  { name: 'tcpdump-tests/afs.pcap (IPv4 fragments)', path: join(CORPUS, 'tcpdump-tests/afs.pcap') },
  { name: 'recorded/rtr-two-ifaces.pcapng (two interfaces, pings)', path: join(CORPUS, 'recorded/rtr-two-ifaces.pcapng') },
];

for (const { name, path } of FILES) {
  const inCorpus = path.startsWith(CORPUS);
  (inCorpus && !corpusPresent ? test.skip : test)(`${name}: any frame dissected again, newest first, reads as in one pass${inCorpus && !corpusPresent ? ` (${CORPUS_ABSENT})` : ''}`, async (t) => {
    t.true(existsSync(path));
    const expected = await inOrder(path);
    const decoded = await decodedStore(path);
    t.is(decoded.count, expected.length);
    for (let index = expected.length - 1; index >= 0; index--) {
      if (summaryLine(decoded.summary(index)) !== expected[index]) {
        t.is(summaryLine(decoded.summary(index)), expected[index]);
        return;
      }
    }
    // Tree and summary of one frame alternate without disturbing each other.
    const middle = expected.length >> 1;
    t.is(summaryLine(decoded.detail(middle)), expected[middle]);
    t.true(decoded.detail(middle).roots.length > 0);
    t.is(summaryLine(decoded.summary(0)), expected[0]);
    decoded.store.close();
  });
}
