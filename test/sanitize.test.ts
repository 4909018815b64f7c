// Capture bytes never reach the terminal raw: escape sequences in DNS names and payloads are escaped.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { sanitize } from '../src/decode/sanitize.js';
import { hostileCapture, hostilePcapng } from './helpers/hostile.js';
import { runCli } from './helpers/run.js';

test('controls, ESC, DEL, C1 and bidi/zero-width characters are escaped; visible text stays', (t) => {
  t.is(sanitize('plain → text é 漢字'), 'plain → text é 漢字');
  t.is(sanitize('\x1b]52;c;aGk=\x07'), '\\x1b]52;c;aGk=\\x07');
  t.is(sanitize('a\x9bb\x7fc\x00'), 'a\\x9bb\\x7fc\\x00');
  t.is(sanitize('evil\u202etxt.exe\u200b'), 'evil\\u{202e}txt.exe\\u{200b}');
  t.is(sanitize('tab\there\nnewline'), 'tab\\x09here\\x0anewline');
});

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
      t.notRegex(result.stdout, /[\x1b\x07\x80-\x9f\u202e]/u, args.join(' '));
      // The label's bytes are shown escaped (JSON doubles the backslashes); 0x9b arrives as UTF-8 C2 9B.
      t.regex(result.stdout, /\\{1,2}x1b\]0;pwned\\{1,2}x07\\{1,2}x1b\[2J\\{1,2}xc2\\{1,2}x9b\./, args.join(' '));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
