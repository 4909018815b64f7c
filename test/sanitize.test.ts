// Capture bytes never reach the terminal raw: escape sequences in DNS names and payloads are escaped.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { sanitize } from '../src/decode/sanitize.js';
import { runCli } from './helpers/run.js';

test('controls, ESC, DEL, C1 and bidi/zero-width characters are escaped; visible text stays', (t) => {
  t.is(sanitize('plain → text é 漢字'), 'plain → text é 漢字');
  t.is(sanitize('\x1b]52;c;aGk=\x07'), '\\x1b]52;c;aGk=\\x07');
  t.is(sanitize('a\x9bb\x7fc\x00'), 'a\\x9bb\\x7fc\\x00');
  t.is(sanitize('evil\u202etxt.exe\u200b'), 'evil\\u{202e}txt.exe\\u{200b}');
  t.is(sanitize('tab\there\nnewline'), 'tab\\x09here\\x0anewline');
});

/** An Ethernet/IPv4/UDP/DNS query whose name carries a terminal escape sequence. */
function hostileCapture(): Buffer {
  const label = Buffer.from('\x1b]0;pwned\x07\x1b[2J\x9b');
  const name = Buffer.concat([Buffer.of(label.length), label, Buffer.of(3), Buffer.from('com'), Buffer.of(0)]);
  const dns = Buffer.concat([Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]), name, Buffer.from([0, 1, 0, 1])]);
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(40000, 0);
  udp.writeUInt16BE(53, 2);
  udp.writeUInt16BE(8 + dns.length, 4);
  const ip = Buffer.from([0x45, 0, 0, 0, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
  ip.writeUInt16BE(20 + 8 + dns.length, 2);
  const eth = Buffer.from([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00]);
  const frame = Buffer.concat([eth, ip, udp, dns]);
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(1, 20);
  const record = Buffer.alloc(16);
  record.writeUInt32LE(frame.length, 8);
  record.writeUInt32LE(frame.length, 12);
  return Buffer.concat([header, record, frame]);
}

/** The same frame in pcapng, with an interface name and a comment carrying escape sequences raw. */
function hostilePcapng(): Buffer {
  const frame = hostileCapture().subarray(40);
  const option = (code: number, text: string) => {
    const value = Buffer.from(text);
    const padded = Buffer.alloc((value.length + 3) & ~3);
    value.copy(padded);
    const head = Buffer.alloc(4);
    head.writeUInt16LE(code, 0);
    head.writeUInt16LE(value.length, 2);
    return Buffer.concat([head, padded]);
  };
  const block = (type: number, body: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32LE(type, 0);
    head.writeUInt32LE(body.length + 12, 4);
    const tail = Buffer.alloc(4);
    tail.writeUInt32LE(body.length + 12, 0);
    return Buffer.concat([head, body, tail]);
  };
  const shb = Buffer.alloc(16);
  shb.writeUInt32LE(0x1a2b3c4d, 0);
  shb.writeUInt16LE(1, 4);
  shb.writeBigInt64LE(-1n, 8);
  const idb = Buffer.alloc(8);
  idb.writeUInt16LE(1, 0);
  idb.writeUInt32LE(65535, 4);
  const epb = Buffer.alloc(20);
  epb.writeUInt32LE(frame.length, 12);
  epb.writeUInt32LE(frame.length, 16);
  const data = Buffer.alloc((frame.length + 3) & ~3);
  frame.copy(data);
  return Buffer.concat([
    block(0x0a0d0d0a, shb),
    block(1, Buffer.concat([idb, option(2, 'eth0\x1b]0;title\x07'), Buffer.alloc(4)])),
    // epb_flags inbound, so the Tap column shows the interface name.
    block(6, Buffer.concat([epb, data, option(1, '\x1b]52;c;cGF5bG9hZA==\x07\u202e'), option(2, '\x01\x00\x00\x00'), Buffer.alloc(4)])),
  ]);
}

test('print mode escapes interface names and comments that carry escape sequences', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsshark-sanitize-'));
  try {
    const file = join(dir, 'hostile.pcapng');
    writeFileSync(file, hostilePcapng());
    const text = await runCli(['-r', file]);
    t.is(text.status, 0);
    t.regex(text.stdout, /↓ eth0\\x1b\]0;title\\x07 /);
    const fields = await runCli(['-r', file, '-T', 'fields', '-e', 'frame.comment', '-e', 'frame.interface_name', '-e', 'tap.iface']);
    t.is(fields.stdout, '\\x1b]52;c;cGF5bG9hZA==\\x07\\u{202e}\teth0\\x1b]0;title\\x07\teth0\\x1b]0;title\\x07\n');
    for (const output of [text.stdout, fields.stdout]) t.notRegex(output, /[\x1b\x07\x80-\x9f\u202e]/u);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('print mode writes no ESC or C1 byte for a DNS name full of escape sequences', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsshark-sanitize-'));
  try {
    const file = join(dir, 'hostile.pcap');
    writeFileSync(file, hostileCapture());
    for (const args of [['-r', file], ['-r', file, '-T', 'fields', '-e', 'dns.qry.name'], ['-r', file, '-T', 'json']]) {
      const result = await runCli(args);
      t.is(result.status, 0);
      t.notRegex(result.stdout, /[\x1b\x07\x80-\x9f]/u, args.join(' '));
      // The label's bytes are shown escaped (JSON doubles the backslashes); 0x9b arrives as UTF-8 C2 9B.
      t.regex(result.stdout, /\\{1,2}x1b\]0;pwned\\{1,2}x07\\{1,2}x1b\[2J\\{1,2}xc2\\{1,2}x9b\.com/, args.join(' '));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
