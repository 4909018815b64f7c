// Hostile and broken input above TCP: lengths that claim more than there is, bombs, nesting, PDUs past
// the reassembly bounds, every fixture cut at every length. Each gives an expert note and goes on:
// nothing is thrown out of a frame, nothing unbounded is allocated.
import { gzipSync } from 'node:zlib';
import test from 'ava';
import type { Frame } from '../src/capture/frame.js';
import { FrameDecoder } from '../src/decode/decoder.js';
import { expertFields } from '../src/decode/protocols/expert.js';
import { MAX_UNCOMPRESSED } from '../src/decode/protocols/http-body.js';
import { MAX_PDU } from '../src/decode/tcp-pdu.js';
import { fieldDefs, registry } from './helpers/decode.js';
import { segmentsOf, tcpConversation } from './helpers/tcp-stream.js';

interface Row {
  protocol: string;
  info: string;
  experts: string[];
  values: string[][];
}

/** Every frame's columns, expert notes and the named fields, dissected in order with a tree. */
function dissectAll(frames: readonly Frame[], names: readonly string[] = []): Row[] {
  const fields = fieldDefs(names);
  const decoder = new FrameDecoder(registry, { tree: true, columns: true, fields: [expertFields.message, ...fields] });
  return frames.map((frame) => {
    const dissection = decoder.decode(frame, undefined);
    return {
      protocol: dissection.cols.protocol,
      info: dissection.cols.info,
      experts: dissection.valuesOf(expertFields.message).map(String),
      values: fields.map((field) => dissection.valuesOf(field).map(String)),
    };
  });
}

const text = (value: string) => new TextEncoder().encode(value);
const bugs = (rows: readonly Row[]) => rows.flatMap((row, index) => row.experts.filter((note) => note.includes('Dissector bug')).map((note) => `#${index + 1} ${note}`));

function dnsQueryOverTcp(name: string): Uint8Array {
  const labels = name.split('.').flatMap((label) => [label.length, ...text(label)]);
  const message = [0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, ...labels, 0, 0, 1, 0, 1];
  return Uint8Array.from([message.length >> 8, message.length & 0xff, ...message]);
}

test('DNS over TCP split across segments decodes on the segment that completes it', (t) => {
  const segments = segmentsOf(dnsQueryOverTcp('split.example.com'), 16);
  t.is(segments.length, 3);
  const rows = dissectAll(tcpConversation(53, segments), ['dns.qry.name', 'tcp.reassembled_in', 'tcp.segment.count']);
  const last = rows[rows.length - 2];
  t.is(last.protocol, 'DNS');
  t.deepEqual(last.values[0], ['split.example.com']);
  t.deepEqual(last.values[2], ['3']);
  t.regex(rows[3].info, /\[TCP segment of a reassembled PDU\]$/);
  t.deepEqual(bugs(rows), []);
});

/** A TLS record of `type` around `body`. */
function tlsRecord(type: number, body: Uint8Array, version = 0x0303): Uint8Array {
  return Uint8Array.from([type, version >> 8, version & 0xff, body.length >> 8, body.length & 0xff, ...body]);
}

test('a handshake message claiming 2^24 bytes in a small record is shown as encrypted, not read past the record', (t) => {
  const body = Uint8Array.from([1, 0xff, 0xff, 0xff, ...new Uint8Array(96)]);
  const rows = dissectAll(tcpConversation(443, [tlsRecord(22, body)]), ['tls.handshake.type']);
  t.is(rows[3].info, 'Encrypted Handshake Message');
  t.deepEqual(rows[3].values[0], []);
  t.deepEqual(bugs(rows), []);
});

test('a 65,535-byte record over 46 segments is reassembled, and its end begins the next record', (t) => {
  const record = tlsRecord(23, new Uint8Array(65535).fill(7));
  const stream = Uint8Array.from([...record, ...tlsRecord(21, Uint8Array.of(2, 40))]);
  const rows = dissectAll(tcpConversation(443, segmentsOf(stream, 1448)), ['tls.record.length', 'tcp.reassembled.length']);
  const completing = rows.findIndex((row) => row.values[1].length > 0);
  t.true(completing > 0);
  t.deepEqual(rows[completing].values[1], ['65540']);
  t.is(rows[completing].info, 'Application Data, Alert (Level: Fatal, Description: Handshake Failure)');
  t.deepEqual(bugs(rows), []);
});

/** A TLS 1.2 Certificate message holding one certificate of these DER bytes. */
function certificateMessage(der: Uint8Array): Uint8Array {
  const entry = [der.length >> 16, (der.length >> 8) & 0xff, der.length & 0xff, ...der];
  const list = [entry.length >> 16, (entry.length >> 8) & 0xff, entry.length & 0xff, ...entry];
  return tlsRecord(22, Uint8Array.from([11, list.length >> 16, (list.length >> 8) & 0xff, list.length & 0xff, ...list]));
}

test('a certificate whose DER nests 10,000 deep or overruns its lengths is an expert note', (t) => {
  const nested: number[] = [];
  for (let depth = 0; depth < 10_000; depth++) nested.push(0x30, 0x80 | 2, 0, 0);
  for (let depth = 0; depth < 10_000; depth++) {
    const remaining = (10_000 - depth - 1) * 4;
    nested[depth * 4 + 2] = remaining >> 8;
    nested[depth * 4 + 3] = remaining & 0xff;
  }
  const overrun = Uint8Array.of(0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x30, 0x03, 2, 1, 1);
  for (const der of [Uint8Array.from(nested.slice(0, 40_000)), overrun]) {
    const rows = dissectAll(tcpConversation(443, segmentsOf(certificateMessage(der), 1448), true));
    t.true(rows.some((row) => row.experts.some((note) => note.startsWith('[Certificate not decoded'))), rows.map((row) => row.experts.join('; ')).join(' | '));
    t.deepEqual(bugs(rows), []);
  }
});

function httpResponse(headers: string, body: Uint8Array): Uint8Array {
  return Uint8Array.from([...text(`HTTP/1.1 200 OK\r\n${headers}\r\n`), ...body]);
}

test('a chunk size of 2^64 is an expert note; the chunks before it are kept', (t) => {
  const body = text('5\r\nhello\r\nffffffffffffffff\r\nxyz\r\n0\r\n\r\n');
  const rows = dissectAll(tcpConversation(80, [httpResponse('Transfer-Encoding: chunked\r\n', body)], true), ['http.chunk_size', 'http.file_data']);
  const response = rows[3];
  t.deepEqual(response.values[0], ['5']);
  t.deepEqual(response.values[1], ['hello']);
  t.true(response.experts.some((note) => note.includes('Chunk size "ffffffffffffffff"')), response.experts.join('; '));
  t.deepEqual(bugs(rows), []);
});

test('a gzip bomb stops at the output bound with an expert note', (t) => {
  const bomb = gzipSync(new Uint8Array(MAX_UNCOMPRESSED * 4));
  t.true(bomb.length < 100_000);
  const response = httpResponse(`Content-Encoding: gzip\r\nContent-Length: ${bomb.length}\r\n`, bomb);
  const rows = dissectAll(tcpConversation(80, segmentsOf(response, 1448), true), ['http.file_data']);
  const completing = rows.find((row) => row.protocol === 'HTTP');
  t.truthy(completing);
  t.true(completing?.experts.some((note) => note.includes(`Uncompressed body larger than ${MAX_UNCOMPRESSED} bytes`)));
  t.deepEqual(bugs(rows), []);
});

test('a header line of 1 MB is not waited for past its bound', (t) => {
  const response = text(`HTTP/1.1 200 OK\r\nX-Long: ${'a'.repeat(1 << 20)}\r\nContent-Length: 0\r\n\r\n`);
  const rows = dissectAll(tcpConversation(80, segmentsOf(response, 1448), true));
  t.true(rows.some((row) => row.experts.some((note) => note.startsWith('[Header line over'))));
  // Reassembly gave up after about 64 KiB, not after the whole megabyte.
  const waiting = rows.filter((row) => row.info.endsWith('[TCP segment of a reassembled PDU]')).length;
  t.true(waiting < 100, `${waiting} segments waited`);
  t.deepEqual(bugs(rows), []);
});

test('a PDU past the reassembly bound is not reassembled: "[Reassembly limit reached]"', (t) => {
  const response = httpResponse(`Content-Length: ${MAX_PDU + 1}\r\n`, new Uint8Array(0));
  const rows = dissectAll(tcpConversation(80, [response], true));
  t.true(rows[3].experts.includes('[Reassembly limit reached]'), rows[3].experts.join('; '));
  t.deepEqual(bugs(rows), []);
});

test('every segment of the TLS and HTTP fixtures cut at every length dissects without a dissector bug', (t) => {
  const conversations = [
    tcpConversation(443, [tlsRecord(22, Uint8Array.from([1, 0, 0, 4, 3, 3, 0, 0])), tlsRecord(23, new Uint8Array(40))]),
    tcpConversation(80, [httpResponse('Content-Type: application/json\r\nContent-Length: 27\r\n', text('{"a":[1,2,{"b":null}],"c":"d"}'.slice(0, 27)))], true),
    tcpConversation(80, [httpResponse('Transfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n', Uint8Array.from([...text('a\r\n'), ...gzipSync(text('hi')).subarray(0, 10), ...text('\r\n0\r\n\r\n')]))], true),
    tcpConversation(53, [dnsQueryOverTcp('cut.example')]),
  ];
  let cuts = 0;
  for (const frames of conversations) {
    for (let index = 0; index < frames.length; index++) {
      const whole = frames[index];
      for (let length = 0; length < whole.data.length; length++) {
        const cut = frames.slice(0, index + 1).map((frame) => ({ ...frame }));
        cut[index].data = whole.data.subarray(0, length);
        cut[index].capturedLength = length;
        t.deepEqual(bugs(dissectAll(cut)), [], `frame ${index + 1} cut at ${length}`);
        cuts++;
      }
    }
  }
  t.log(`${cuts} cut captures`);
});

test('a 1 MB form body is read as text without a dissector bug', (t) => {
  const form = text(`a=${'b'.repeat(1 << 20)}`);
  const request = Uint8Array.from([...text(`POST /f HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${form.length}\r\n\r\n`), ...form]);
  const rows = dissectAll(tcpConversation(80, segmentsOf(request, 1448)), ['urlencoded-form.key', 'urlencoded-form.value']);
  t.deepEqual(bugs(rows), []);
  const completing = rows.find((row) => row.values[0].length > 0);
  t.deepEqual(completing?.values[0], ['a']);
  t.is(completing?.values[1][0].length, 1 << 20);
});
