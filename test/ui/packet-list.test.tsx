// The packet list component: visible rows laid out to the width, selection, marks, and capture text
// that tries to drive the terminal shown escaped.
import test from 'ava';
import { render } from 'ink-testing-library';
import { columnWidths, fit, MIN_INFO_WIDTH, PacketList, type PacketRow } from '../../src/ui/PacketList.js';
import { defaultColumns, parseColumnFormat, type ListColumn } from '../../src/decode/column-format.js';
import { registry } from '../helpers/decode.js';

const ESC = '\u001b';
const field = (abbrev: string) => registry.field(abbrev);
const COLUMNS = defaultColumns(field);

function row(number: number, info: string, protocol = 'TCP'): PacketRow {
  return { number, time: '0.000123', tap: '↓ veth0', source: '10.77.0.1', destination: '10.77.0.2', protocol, length: 74, info, extra: [], marked: number === 2, alert: number === 3 };
}

/** The frame without styling, so assertions see the text the user reads. */
function plain(frame: string | undefined): string {
  return (frame ?? '').replace(/\u001b\[[0-9;]*m/g, '');
}

test('columns fill the width: each as wide as what it shows, Info the rest, at least 30 at 80 columns', (t) => {
  const shown = { time: 8, tap: 7, source: 9, destination: 9 };
  for (const width of [80, 120, 200]) {
    const widths = columnWidths(width, 1_000_000, shown);
    const total = Object.values(widths).reduce((sum, w) => sum + w, 0) + 7;
    t.is(total, width, String(width));
    t.true(widths.info >= MIN_INFO_WIDTH, `${width}: Info ${widths.info}`);
  }
  // Wide: every column whole, the addresses as wide as the widest shown.
  t.like(columnWidths(200, 99_999, { time: 15, tap: 7, source: 25, destination: 12 }), { time: 15, tap: 7, source: 25, destination: 12 });
  // 80 columns (77 for the rows' text) with IPv6 addresses and nanoseconds: the Tap column keeps its arrow,
  // the addresses and Time give up what Info needs.
  const narrow = columnWidths(77, 99_999, { time: 11, tap: 7, source: 25, destination: 25 });
  t.like(narrow, { tap: 3, time: 7, source: 7, destination: 7, info: 30 });
  t.true(narrow.source >= 7 && narrow.destination >= 7);
  t.is(fit('abcdef', 4), 'abc…');
  t.is(fit('ab', 4, true), '  ab');
});

test('rows render one line each, within the width, the selected one pointed at and marks starred', (t) => {
  const rows = [row(1, '443 → 51000 [SYN] Seq=0 Win=64240 Len=0'), row(2, 'a'.repeat(300)), row(3, 'Standard query 0x1 A example.com', 'DNS')];
  const { lastFrame } = render(<PacketList rows={rows} selected={1} width={80} largestNumber={3} colour={false} columns={COLUMNS} />);
  const lines = plain(lastFrame()).split('\n');
  t.is(lines.length, 4);
  // At 80 columns the address columns are as wide as the addresses: headed by their short names.
  t.regex(lines[0], /No\. +Time +Tap +Source +Dst +Proto +Len +Info/);
  t.regex(plain(render(<PacketList rows={rows} selected={1} width={120} largestNumber={3} colour={false} columns={COLUMNS} />).lastFrame()), /Source +Destination +Proto/);
  for (const line of lines) t.true(Array.from(line).length <= 80, line);
  t.true(lines[2].startsWith('>* '), 'row 2 is selected and marked');
  t.true(lines[3].startsWith('  !'), 'row 3 is flagged by the "Bad TCP" rule, without colour too');
  t.true(lines[1].startsWith('  '));
  t.true(lines[2].endsWith('…'));
});

test('escape sequences from a capture are shown as text, never sent to the terminal', (t) => {
  const hostile = `${ESC}]52;c;SGVsbG8=\u0007 ${ESC}]0;owned\u0007 ${ESC}[2J \u009b31m \u202eevil`;
  const rows = [{ ...row(1, hostile), source: `${ESC}[H`, tap: `↓ ${ESC}[1m` }];
  const { lastFrame } = render(<PacketList rows={rows} selected={-1} width={100} largestNumber={1} colour={false} columns={COLUMNS} />);
  const frame = lastFrame() ?? '';
  t.false(frame.includes(ESC), 'no ESC at all: no colour and no selection here');
  t.false(frame.includes('\u009b'));
  t.false(frame.includes('\u202e'));
  t.true(frame.includes('\\x1b]52;c;SGVsbG8='));
});

test('nanosecond times are shown whole where there is room: the Time column is as wide as the widest time in view', (t) => {
  const rows = [{ ...row(1, 'a'), time: '2.132707654' }, { ...row(2, 'b'), time: '12345.000000001' }];
  let lines = plain(render(<PacketList rows={rows} selected={-1} width={120} largestNumber={2} colour={false} columns={COLUMNS} />).lastFrame()).split('\n');
  t.regex(lines[1], / 2\.132707654 /);
  t.regex(lines[2], / 12345\.000000001 /);
  // At 80 columns Info keeps 30: the Tap column loses its interface, the addresses and the times what
  // Info needs (the times their last digits).
  lines = plain(render(<PacketList rows={rows} selected={-1} width={80} largestNumber={2} colour={false} columns={COLUMNS} />).lastFrame()).split('\n');
  t.regex(lines[1], / 2\.1327076 ↓ +10\.77\.… /);
  t.regex(lines[2], / 12345\.000 ↓ +10\.77\.… /);
  for (const line of lines) t.true(Array.from(line).length <= 80, line);
});

test('columns of the preferences: custom ones as wide as their texts, hidden ones gone, a set width kept, Info the rest', (t) => {
  const parsed = parseColumnFormat('"No.","%m","Win","%Cus:tcp.window_size","Time","%t","Source","%s","Destination","%d","Info","%i","SP","%uS"', field);
  if (!parsed.ok) return t.fail(parsed.error);
  const columns: ListColumn[] = parsed.columns.map((spec) => ({ spec, hidden: spec.format === '%t', width: spec.format === '%d' ? 5 : undefined }));
  const rows = [{ ...row(1, 'x'.repeat(200)), extra: ['64240', '443'] }, { ...row(2, 'y'), extra: ['5', '51000'] }];
  const shown = columns.filter((column) => !column.hidden);
  const lines = plain(render(<PacketList rows={rows} selected={-1} width={100} largestNumber={2} colour={false} columns={shown} />).lastFrame()).split('\n');
  // Win: as wide as "64240"; Destination cut to the 5 set; Info whatever is left, SP after it.
  t.regex(lines[0], /^ {3}No\. Win {3}Source {4}Dst {3}Info +SP$/);
  t.regex(lines[1], /^ {5}1 64240 10\.77\.0\.1 10\.7… x+… +443$/);
  t.regex(lines[2], /^ \* {3}2 5 {5}10\.77\.0\.1 10\.7… y +51000$/);
  for (const line of lines) t.is(Array.from(line).length, 100, line);
});
