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
