// The command line as users meet it: print mode against tshark on the sample, -w, stdin, errors.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { CORPUS, corpusPresent, repoRoot } from './helpers/corpus.js';
import { pcapngHead, pcapngPacket } from './helpers/pcapng-blocks.js';
import { runCli } from './helpers/run.js';
import { tshark, tsharkPresent, TSHARK_ABSENT } from './helpers/tshark.js';

const SAMPLE = join(repoRoot, 'samples/lab.pcap');
const dir = mkdtempSync(join(tmpdir(), 'tsshark-cli-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

/** Our text lines without the Tap column (the sample's frames name no interface: ` ↓` / ` ↑`). */
const withoutTap = (line: string) => line.replace(/^(\s*\d+\s+\d+\.\d+) [↓↑]/, '$1');

test('text output is tshark\'s, plus the direction of each frame', async (t) => {
  const ours = await runCli(['-r', SAMPLE]);
  t.is(ours.status, 0);
  const lines = ours.stdout.trimEnd().split('\n');
  t.is(lines.length, 42);
  t.regex(lines[0], /^ {4}1 {3}0\.000000 [↓↑] /);
  if (!tsharkPresent) return t.log(TSHARK_ABSENT);
  const theirs = await tshark(['-r', SAMPLE]);
  const theirLines = theirs.stdout.trimEnd().split('\n');
  const differing = lines.map(withoutTap).filter((line, i) => line !== theirLines[i]);
  t.deepEqual(differing, []);
});

test('-T fields prints what tshark prints', async (t) => {
  const fields = ['frame.number', 'ip.src', 'ip.id', 'ip.flags.df', 'tcp.flags', 'udp.srcport', 'dns.qry.name', 'dns.a', 'dns.aaaa', 'sll.pkttype', 'icmpv6.type', 'frame.time_relative'];
  const args = ['-r', SAMPLE, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])];
  const ours = await runCli(args);
  t.is(ours.status, 0);
  if (!tsharkPresent) return t.log(TSHARK_ABSENT);
  const theirs = await tshark(args);
  t.is(ours.stdout, theirs.stdout);
});

test('-T fields of link and IP fields alone (TCP left undissected) print what tshark prints, a tunnel\'s inner datagram too', async (t) => {
  if (!tsharkPresent) return t.pass(TSHARK_ABSENT);
  const files = [SAMPLE];
  if (corpusPresent) {
    files.push(
      join(CORPUS, 'recorded/rtr-client-side.pcap'),
      join(CORPUS, 'tcpdump-tests/bigtcp-ipv4-vxlan-ipv6.pcap'),
      join(CORPUS, 'tcpdump-tests/LINKTYPE_RAW_ipv6.pcap'),
    );
  }
  const fields = ['frame.number', 'frame.len', 'ip.src', 'ip.dst', 'ip.ttl', 'ipv6.src', 'ipv6.nxt', 'udp.dstport', 'icmp.type'];
  for (const file of files) {
    const args = ['-r', file, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])];
    const [ours, theirs] = await Promise.all([runCli(args), tshark(['-n', ...args])]);
    t.is(ours.status, 0, file);
    t.is(ours.stdout, theirs.stdout, file);
  }
});

test('-T fields options: header, separator, first occurrence, columns', async (t) => {
  const ours = await runCli(['-r', SAMPLE, '-c', '6', '-T', 'fields', '-E', 'header=y', '-E', 'separator=,', '-E', 'occurrence=f', '-e', 'frame.number', '-e', 'eth.addr', '-e', '_ws.col.Protocol']);
  const lines = ours.stdout.trimEnd().split('\n');
  t.is(lines[0], 'frame.number,eth.addr,_ws.col.Protocol');
  t.is(lines.length, 7);
  t.regex(lines[6], /^6,,ICMP$/);
});

test('-T json prints one object per frame keyed by field name', async (t) => {
  const ours = await runCli(['-r', SAMPLE, '-c', '3', '-T', 'json', '-e', 'frame.number', '-e', 'ipv6.addr']);
  const objects = ours.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  t.is(objects.length, 3);
  t.is(objects[0]['frame.number'], '1');
  t.true(Array.isArray(objects[0]['ipv6.addr']));
  const whole = await runCli(['-r', SAMPLE, '-c', '1', '-T', 'json']);
  const tree = JSON.parse(whole.stdout) as Record<string, unknown>;
  t.is(tree['tap.direction'], 'ingress');
  t.is(tree['frame.protocols'], 'sll:ethertype:ipv6:icmpv6');
});

test('-c stops after N frames; -r - reads standard input', async (t) => {
  const ours = await runCli(['-r', '-', '-c', '5'], readFileSync(SAMPLE));
  t.is(ours.status, 0);
  t.is(ours.stdout.trimEnd().split('\n').length, 5);
});

test('-w writes pcapng by default and pcap with -F pcap; tshark reads both', async (t) => {
  const pcapng = join(dir, 'out.pcapng');
  const pcap = join(dir, 'out.pcap');
  t.is((await runCli(['-r', SAMPLE, '-c', '10', '-w', pcapng])).status, 0);
  t.is((await runCli(['-r', SAMPLE, '-w', pcap, '-F', 'pcap'])).status, 0);
  t.is(readFileSync(pcapng).readUInt32LE(0), 0x0a0d0d0a);
  t.is(readFileSync(pcap).readUInt32LE(0), 0xa1b2c3d4);
  if (!tsharkPresent) return t.log(TSHARK_ABSENT);
  t.is((await tshark(['-r', pcapng])).stdout.trimEnd().split('\n').length, 10);
  t.is((await tshark(['-r', pcap])).stdout, (await tshark(['-r', SAMPLE])).stdout);
});

test('a nanosecond pcapng keeps its nanoseconds: -F pcap writes the nanosecond magic, the Time column shows 9 digits', async (t) => {
  const tsresolNano = Buffer.alloc(8);
  tsresolNano.writeUInt16LE(9, 0);
  tsresolNano.writeUInt16LE(1, 2);
  tsresolNano[4] = 9;
  const frame = readFileSync(SAMPLE).subarray(40, 40 + 60);
  // Timestamps 0 and 123,456,789 ns: only a nanosecond pcap holds the second one.
  const late = pcapngPacket(frame);
  late.writeUInt32LE(123_456_789, 8 + 8);
  const source = join(dir, 'nano.pcapng');
  writeFileSync(source, Buffer.concat([pcapngHead([tsresolNano]), pcapngPacket(frame), late]));
  const pcap = join(dir, 'nano.pcap');
  t.is((await runCli(['-r', source, '-w', pcap, '-F', 'pcap'])).status, 0);
  const written = readFileSync(pcap);
  t.is(written.readUInt32LE(0), 0xa1b23c4d);
  t.is(written.readUInt32LE(24 + 16 + 60 + 4), 123_456_789);
  const lines = (await runCli(['-r', source])).stdout.trimEnd().split('\n');
  t.regex(lines[1], /^ {4}2 0\.123456789 /);
});

test('a damaged file prints the frames before the damage, then one error line, status 2', async (t) => {
  const cut = join(dir, 'cut.pcap');
  writeFileSync(cut, readFileSync(SAMPLE).subarray(0, 1000));
  const ours = await runCli(['-r', cut]);
  t.is(ours.status, 2);
  t.true(ours.stdout.split('\n').length > 3);
  t.regex(ours.stderr, /^tsshark: .*cut\.pcap: record is truncated: header says \d+ captured bytes, the file has \d+ \(at byte \d+\)\n$/);
});

test('user mistakes get one line and a status, never a stack trace', async (t) => {
  const cases: [string[], number, RegExp][] = [
    [['--bogus'], 1, /^tsshark: Unknown option '--bogus'/],
    [['-r', join(dir, 'missing.pcap')], 2, /^tsshark: The file ".*missing\.pcap" doesn't exist\.\n$/],
    [['-r', dir], 2, /is a directory/],
    [['-r', SAMPLE, '-T', 'fields', '-e', 'ip.sorc'], 1, /^tsshark: Some fields aren't valid:\n\tip\.sorc\n$/],
    [['-r', SAMPLE, '-T', 'xml'], 1, /invalid -T "xml"/],
    [['-r', SAMPLE, '--workers', '0'], 1, /invalid --workers "0": expected a positive whole number/],
    [['-r', SAMPLE, '--workers', '64'], 1, /invalid --workers "64": at most 16/],
    [['-r', SAMPLE, '-c', 'ten'], 1, /invalid -c "ten"/],
    [['-r', SAMPLE, '-Y', 'ip.sorc == 1'], 2, /^tsshark: "ip\.sorc" is not a valid protocol or protocol field\.\n {4}ip\.sorc == 1\n {4}\^~~~~~~\n$/],
    [['-r', SAMPLE, '-Y', 'tcp.port == 80 and'], 2, /^tsshark: Unexpected end of filter expression\./],
    [['-r', SAMPLE, '-i', 'lo'], 1, /^tsshark: give either -r \(read a file\) or -i \(capture live\), not both\n$/],
    [['-r', SAMPLE, '-f', 'tcp'], 1, /^tsshark: capture filters \(-f\) apply to live capture \(-i\); to select frames of a file use a display filter \(-Y\)\n$/],
    [['-i', 'lo', '-s', 'all'], 1, /invalid -s "all": expected a whole number/],
    [['-i', 'lo', '-B', '0'], 1, /invalid -B "0": expected a positive whole number/],
    [['-i', 'lo', '-B', '99999'], 1, /invalid -B "99999": at most 4096 MiB/],
    [['-i', 'lo', '-a', 'packets:5'], 1, /invalid -a "packets:5": expected duration:<seconds>/],
    [['--tui', '-r', SAMPLE], 2, /interactive interface \(--tui\) needs a terminal on standard output/],
    [[], 2, /no input/],
  ];
  for (const [args, status, message] of cases) {
    const result = await runCli(args);
    t.is(result.status, status, args.join(' '));
    t.regex(result.stderr, message, args.join(' '));
    t.notRegex(result.stderr, /\n\s+at /, `${args.join(' ')}: no stack trace`);
  }
});

test('-h prints usage; -v prints the version', async (t) => {
  t.regex((await runCli(['-h'])).stdout, /^Usage: tsshark/);
  t.regex((await runCli(['-v'])).stdout, /^tsshark \d+\.\d+\.\d+\n$/);
});

test('-Y prints the frames that match with their original numbers, and nothing when the filter is bad', async (t) => {
  const ours = await runCli(['-r', SAMPLE, '-Y', 'icmp && ip.addr == 10.77.0.0/24', '-T', 'fields', '-e', 'frame.number']);
  t.is(ours.status, 0);
  const theirs = await tshark(['-r', SAMPLE, '-Y', 'icmp && ip.addr == 10.77.0.0/24', '-T', 'fields', '-e', 'frame.number']);
  if (tsharkPresent) t.is(ours.stdout, theirs.stdout);
  t.true(ours.stdout.split('\n').length > 2);
  const bad = await runCli(['-r', SAMPLE, '-Y', 'ip.src == abc']);
  t.is(bad.status, 2);
  t.is(bad.stdout, '');
});

test('-w with -Y writes only the matching frames', async (t) => {
  const out = join(dir, 'dns-only.pcapng');
  const written = await runCli(['-r', SAMPLE, '-Y', 'dns', '-w', out]);
  t.is(written.status, 0);
  if (!tsharkPresent) return t.pass(TSHARK_ABSENT);
  const copy = await tshark(['-r', out, '-T', 'fields', '-e', 'frame.protocols']);
  const original = await tshark(['-r', SAMPLE, '-Y', 'dns', '-T', 'fields', '-e', 'frame.protocols']);
  t.is(copy.stdout, original.stdout);
  t.true(copy.stdout.split('\n').length > 2);
});

test('a frame -Y keeps prints exactly as it does without -Y (state such as TCP retransmissions and reassembly is not advanced twice)', async (t) => {
  const files = [SAMPLE, join(CORPUS, 'recorded/rtr-any-sll2.pcap')].filter((file) => file === SAMPLE || corpusPresent);
  const filter = 'tcp.analysis.retransmission || ip.frag_offset > 0 || ipv6.fraghdr || icmp || icmpv6 || dns';
  for (const file of files) {
    for (const format of [[], ['-T', 'json']]) {
      const all = (await runCli(['-r', file, ...format])).stdout.split('\n');
      const kept = new Set((await runCli(['-r', file, '-Y', filter, '-T', 'fields', '-e', 'frame.number'])).stdout.trim().split('\n'));
      const number = (line: string) => (format.length === 0 ? line.trim().split(' ')[0] : (/"frame\.number":"(\d+)"/.exec(line)?.[1] ?? ''));
      const expected = all.filter((line) => kept.has(number(line)));
      const filtered = (await runCli(['-r', file, '-Y', filter, ...format])).stdout.split('\n').filter((line) => line !== '');
      t.true(filtered.length > 5, file);
      t.deepEqual(filtered, expected, `${file} ${format.join(' ')}`);
    }
  }
});
