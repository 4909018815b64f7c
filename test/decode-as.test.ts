// -d, Decode As: the corpus' HTTP conversations moved from port 80 to 8000 (checksums adjusted, RFC 1624)
// decode as TCP alone, and as HTTP with `-d tcp.port==8000,http` (a value, a range, a count), field for
// field as tshark's with the same -d; the interface's filter workers decode as the session does; a wrong rule
// gets tshark's message.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { FrameStore } from '../src/capture/frame-store.js';
import { registryDecodingAs } from '../src/decode/decoder.js';
import { CaptureSession } from '../src/session/capture-session.js';
import { DecodedStore } from '../src/session/decoded-store.js';
import { RedoPool } from '../src/session/redo-pool.js';
import { readAll, writeAll } from './helpers/capture.js';
import { CORPUS, CORPUS_ABSENT, corpusPresent } from './helpers/corpus.js';
import { runCli } from './helpers/run.js';
import { tsharkLines, tsharkPresent, TSHARK_ABSENT } from './helpers/tshark.js';

const ETHERNET = 14;
const FROM_PORT = 80;
const TO_PORT = 8000;

/** RFC 1624: the one's complement checksum `checksum` after a 16-bit word changes from `was` to `now`. */
function adjusted(checksum: number, was: number, now: number): number {
  let sum = (~checksum & 0xffff) + (~was & 0xffff) + now;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** The HTTP conversations of a recording, their server port moved to 8000, as a pcap in a new directory. */
async function movedCapture(): Promise<{ directory: string; file: string }> {
  const capture = await readAll(join(CORPUS, 'recorded/rtr-client-side.pcap'));
  for (const { frame } of capture.frames) {
    const data = frame.data;
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    if (data.length < ETHERNET + 40 || view.getUint16(12) !== 0x0800 || data[ETHERNET + 9] !== 6) continue;
    const tcp = ETHERNET + (data[ETHERNET] & 0x0f) * 4;
    for (const port of [tcp, tcp + 2]) {
      if (view.getUint16(port) !== FROM_PORT) continue;
      view.setUint16(port, TO_PORT);
      view.setUint16(tcp + 16, adjusted(view.getUint16(tcp + 16), FROM_PORT, TO_PORT));
    }
  }
  const directory = mkdtempSync(join(tmpdir(), 'tsshark-decode-as-'));
  const file = join(directory, 'moved.pcap');
  writeAll(file, capture, 'pcap');
  return { directory, file };
}

const FIELDS = ['frame.number', '_ws.col.Protocol', '_ws.col.Info', 'http.request.method', 'http.request.uri', 'http.response.code', 'http.content_type', 'http.response_in', 'tcp.checksum'];
const fieldArgs = FIELDS.flatMap((field) => ['-e', field]);

test('-d tcp.port==8000,http decodes the moved conversations as tshark does; without it they are TCP', async (t) => {
  if (!corpusPresent) return t.pass(CORPUS_ABSENT);
  if (!tsharkPresent) return t.pass(TSHARK_ABSENT);
  const { directory, file } = await movedCapture();
  try {
    const filter = ['-Y', 'tcp.port == 8000'];
    // tshark finds HTTP there by a heuristic of its HTTP dissector, which tsshark does not have.
    const plain = await runCli(['-r', file, ...filter, '-T', 'fields', '-e', '_ws.col.Protocol']);
    t.true(plain.stdout.split('\n').filter(Boolean).every((protocol) => protocol === 'TCP'), 'no HTTP without -d');
    for (const rule of ['tcp.port==8000,http', 'tcp.port==7990-8010,http', 'tcp.port==8000:1,http']) {
      const args = ['-r', file, '-d', rule, ...filter, '-T', 'fields', ...fieldArgs];
      const ours = await runCli(args);
      t.is(ours.status, 0, ours.stderr);
      const lines = ours.stdout.split('\n').filter(Boolean);
      t.deepEqual(lines, await tsharkLines(args), rule);
      t.true(lines.filter((line) => line.split('\t')[1].startsWith('HTTP')).length >= 4, `${rule}: HTTP found`);
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test("the interface's filter workers decode as the session does", async (t) => {
  if (!corpusPresent) return t.pass(CORPUS_ABSENT);
  if (!tsharkPresent) return t.pass(TSHARK_ABSENT);
  const { directory, file } = await movedCapture();
  const rules = ['tcp.port==8000,http'];
  const decodingAs = registryDecodingAs(rules);
  if (!decodingAs.ok) return t.fail(decodingAs.error);
  const decoded = new DecodedStore(new FrameStore({}), decodingAs.registry, []);
  const session = new CaptureSession(decoded, { name: file, live: false }, false, new RedoPool(2, 300));
  try {
    const capture = await readAll(file);
    const interfaces = capture.frames.map(({ iface }) => iface);
    for (const { frame } of capture.frames) decoded.append(frame, interfaces);
    const applied = await session.applyFilter('http.request.method == "GET"');
    const expected = await tsharkLines(['-r', file, '-d', rules[0], '-Y', 'http.request.method == "GET"', '-T', 'fields', '-e', 'frame.number']);
    t.true(expected.length > 0);
    t.deepEqual(Array.from({ length: applied?.matched ?? 0 }, (_, row) => String((applied?.frameAt(row) ?? 0) + 1)), expected);
    t.is(session.workerFailure, undefined);
  } finally {
    await session.close();
    rmSync(directory, { recursive: true, force: true });
  }
});

test("a wrong -d gets tshark's message, and the valid choices", async (t) => {
  const wrong = async (rule: string) => (await runCli(['-r', 'samples/lab.pcap', '-d', rule])).stderr;
  t.regex(await wrong('foo'), /^tsshark: Parameter "foo" doesn't follow the template "<layer_type>==<selector>,<decode_as_protocol>"$/m);
  t.regex(await wrong('tcp.prt==1,tls'), /^tsshark: Unknown layer type -- tcp\.prt\ntsshark: Valid layer types are: .*tcp\.port, udp\.port/m);
  t.regex(await wrong('tcp.port==8443,nosuch'), /^tsshark: Unknown protocol -- "nosuch"\ntsshark: Valid protocols for layer type "tcp\.port" are: dns, http, tls$/m);
  t.regex(await wrong('udp.port==53,tls'), /^tsshark: Protocol "tls" isn't valid for layer type "udp\.port"/m);
  t.regex(await wrong('tcp.port==x,tls'), /^tsshark: Invalid selector number "x"$/m);
  t.regex(await wrong('tcp.port==9000-8000,tls'), /ends before it starts/);
  t.regex(await wrong('tcp.port==1:70000,tls'), /the largest value is 65535/);
  const result = await runCli(['-r', 'samples/lab.pcap', '-d', 'foo']);
  t.is(result.status, 1);
  t.is(result.stdout, '');
});

test('Decode As in the interface: every frame decoded again while frames keep coming; the filter applied again, marks kept', async (t) => {
  if (!corpusPresent) return t.pass(CORPUS_ABSENT);
  const { directory, file } = await movedCapture();
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  const rules = ['tcp.port==8000,http'];
  const bound = registryDecodingAs([]);
  const decodingAs = registryDecodingAs(rules);
  if (!bound.ok || !decodingAs.ok) return t.fail();
  // Three copies of the capture, each 1000 s after the last: more frames than one slice of the decoding.
  const capture = await readAll(file);
  const interfaces = capture.frames.map(({ iface }) => iface);
  const frames = [0, 1, 2].flatMap((copy) => capture.frames.map(({ frame }) => ({ ...frame, tsSec: frame.tsSec + copy * 1000 })));
  const decoded = new DecodedStore(new FrameStore({}), bound.registry, []);
  const session = new CaptureSession(decoded, { name: file, live: true }, false, new RedoPool(2, 300));
  t.teardown(() => session.close());
  const split = capture.frames.length * 2;
  for (const frame of frames.slice(0, split)) decoded.append(frame, interfaces);
  const before = (await session.applyFilter('http'))?.matched ?? 0;
  session.marks.set(5, true);

  const outcome = session.decodeAs(rules);
  let settled = false;
  void outcome.then(() => (settled = true));
  t.deepEqual(session.decodeAsRules, rules);
  // The rest arrive while the frames before are decoded again (and after), as a live capture's would.
  for (let at = split; at < frames.length; at += 500) {
    if (at === split) t.false(settled, 'still decoding when more frames came');
    for (const frame of frames.slice(at, at + 500)) session.decoded.append(frame, interfaces);
    session.appended();
    await new Promise((resume) => setImmediate(resume));
  }
  t.deepEqual(await outcome, { kind: 'done' });
  for (let wait = 0; wait < 600 && (session.running !== undefined || session.applied === undefined); wait++) await new Promise((resume) => setTimeout(resume, 50));

  // As a store decoded by the rule from the start.
  const fresh = new DecodedStore(new FrameStore({}), decodingAs.registry, []);
  for (const frame of frames) fresh.append(frame, interfaces);
  const line = (store: DecodedStore, index: number) => {
    const cols = store.summary(index).cols;
    return `${index + 1} ${cols.protocol} ${cols.info}`;
  };
  t.is(session.decoded.count, frames.length);
  const differing = frames.map((_, index) => index).filter((index) => line(session.decoded, index) !== line(fresh, index));
  t.deepEqual(differing.slice(0, 3).map((index) => [line(session.decoded, index), line(fresh, index)]), []);
  const reference = new CaptureSession(fresh, { name: file, live: false });
  const expected = await reference.applyFilter('http');
  t.true((expected?.matched ?? 0) > before, `${expected?.matched} HTTP frames, ${before} before`);
  const rows = (filter: { matched: number; frameAt(row: number): number } | undefined) => Array.from({ length: filter?.matched ?? 0 }, (_, row) => filter?.frameAt(row));
  t.is(session.applied?.filter.text, 'http');
  t.deepEqual(rows(session.applied), rows(expected));
  t.true(session.marks.has(5));
  t.is(session.workerFailure, undefined);

  // A wrong rule changes nothing.
  t.deepEqual(await session.decodeAs(['tcp.port==8000,nosuch']), { kind: 'refused', error: 'Unknown protocol -- "nosuch"\nValid protocols for layer type "tcp.port" are: dns, http, tls' });
  t.deepEqual(session.decodeAsRules, rules);
});
