// The packet list's columns in print mode: `-o gui.column.format:...` as tshark takes it, the preferences
// file under XDG_CONFIG_HOME, and the file the interface saves (preferences.ts).
import test from 'ava';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { columnPreferences, listColumns, parsePreferences, savePreferences, withProcessColumn } from '../src/cli/preferences.js';
import { CORPUS, CORPUS_ABSENT, corpusPresent } from './helpers/corpus.js';
import { registry } from './helpers/decode.js';
import { runCli } from './helpers/run.js';
import { SAMPLE } from './helpers/app.js';
import { tshark, TSHARK_ABSENT, tsharkPresent } from './helpers/tshark.js';

const RECORDING = join(CORPUS, 'recorded/srv.pcapng');
const field = (abbrev: string) => registry.field(abbrev);
const directory = mkdtempSync(join(tmpdir(), 'tsshark-columns-'));
test.after.always(() => rmSync(directory, { recursive: true, force: true }));

/** Column sets that exercise each kind: fixed formats, time formats, ports, arrows both ways, custom fields. */
const FORMATS = [
  '"No.","%m","Src","%s","Win","%Cus:tcp.window_size:0:R","Info","%i"',
  '"No.","%m","Flags","%Cus:tcp.flags.str","Dst","%d","W","%Cus:tcp.window_size","Info","%i"',
  '"Dst","%d","Src","%s","Time","%Tt","uS","%uS","D","%rd","Proto","%p"',
  '"No.","%m","Rel","%Rt","UTC","%Yut","Delta shown","%Gt","Abs","%At","Len","%L","SP","%S","DP","%uD"',
  '"P","%Cus:ip.proto","PU","%Cus:ip.proto:0:U","F","%Cus:tcp.flags","T","%Cus:frame.time_delta","DF","%Cus:ip.flags.df","A","%Cus:ip.src or ip.dst","B","%Cus:ip.addr:2","C","%Cus:ip.addr:-1","IPF","%Cus:ip.flags"',
];

const compared = tsharkPresent ? (corpusPresent ? undefined : CORPUS_ABSENT) : TSHARK_ABSENT;
(compared ? test.skip : test)(`-o gui.column.format prints tshark's lines for ${FORMATS.length} column sets${compared ? ` (${compared})` : ''}`, async (t) => {
  for (const format of FORMATS) {
    for (const file of [RECORDING, SAMPLE]) {
      // -Y: the delta from the previous displayed frame (%Gt) counts the filter.
      const args = ['-r', file, '-Y', 'frame.number > 3', '-o', `gui.column.format:${format}`];
      const [theirs, ours] = await Promise.all([tshark(args), runCli(args)]);
      t.is(ours.stderr, '');
      t.true(ours.stdout.split('\n').length > 10);
      t.is(ours.stdout, theirs.stdout, `${format} on ${file}`);
    }
  }
});

test('print mode reads the columns from the preferences file; -o and gui.column.hide over it', async (t) => {
  const home = join(directory, 'print');
  mkdirSync(join(home, 'tsshark'), { recursive: true });
  writeFileSync(join(home, 'tsshark/preferences'), '# mine\ngui.column.format: "No.", "%m", "Proto", "%p", "Len", "%L"\n');
  const first = (result: { stdout: string }) => result.stdout.split('\n')[0];
  t.is(first(await runCli(['-r', SAMPLE, '-c', '1'], undefined, home)), '    1 ICMPv6 92');
  t.is(first(await runCli(['-r', SAMPLE, '-c', '1', '-o', 'gui.column.hide:%p'], undefined, home)), '    1 92');
  t.is(first(await runCli(['-r', SAMPLE, '-c', '1', '-o', 'gui.column.format:"Info","%i"'], undefined, home)), 'Neighbor Solicitation for fe80::a0b6:a1ff:fee9:7912');
  // Without a file, Wireshark's columns with the Tap column (left out of a frame no tap annotates).
  t.regex(first(await runCli(['-r', SAMPLE, '-c', '1'])), /^ {4}1 {3}0\.000000 ↓ {11}:: → ff02::1:ffe9:7912 ICMPv6 92 Neighbor/);
});

test('a wrong column, preference or file says what and where, and prints nothing', async (t) => {
  const wrong = async (args: string[], message: RegExp, home?: string) => {
    const result = await runCli(['-r', SAMPLE, ...args], undefined, home);
    t.is(result.status, 1);
    t.is(result.stdout, '');
    t.regex(result.stderr, message);
    t.notRegex(result.stderr, /\n\s+at /);
  };
  await wrong(['-o', 'gui.column.format:"No.","%Q"'], /^tsshark: gui\.column\.format: column "No\.": format "%Q" is not one tsshark shows/);
  await wrong(['-o', 'gui.column.format:"No.","%Cus:no.such"'], /"no\.such" is not a field/);
  await wrong(['-o', 'gui.column.format:"No.","%m'], /a string that starts at character 7 is not closed/);
  await wrong(['-o', 'gui.column.format:"No."'], /expected pairs of a title and a format/);
  await wrong(['-o', 'gui.colum.format:"No.","%m"'], /^tsshark: -o: "gui\.colum\.format:"No\.","%m"": tsshark's preferences are gui\.column\.format/);
  const home = join(directory, 'wrong');
  mkdirSync(join(home, 'tsshark'), { recursive: true });
  writeFileSync(join(home, 'tsshark/preferences'), '\n# fine\nfont: big\n');
  await wrong([], new RegExp(`^tsshark: ${join(home, 'tsshark/preferences')}:3: "font: big"`), home);
});

test('saving the columns rewrites their lines and keeps every other line', (t) => {
  const path = join(directory, 'save/tsshark/preferences');
  const columns = listColumns(parsePreferences('gui.column.format: "No.", "%m", "Win", "%Cus:tcp.window_size:0:R", "Info", "%i"', 'test'), field);
  columns[1].width = 8;
  columns[0].hidden = true;
  savePreferences(path, columnPreferences(columns));
  writeFileSync(path, `# my comment\n${readFileSync(path, 'utf8')}`);
  columns.reverse();
  savePreferences(path, columnPreferences(columns));
  const text = readFileSync(path, 'utf8');
  t.true(text.startsWith('# my comment\n'));
  t.is(text.match(/^gui\.column\.format:/gm)?.length, 1);
  const read = listColumns(parsePreferences(text, path), field);
  t.deepEqual(
    read.map((column) => [column.spec.title, column.spec.format, column.hidden, column.width]),
    [['Info', '%i', false, undefined], ['Win', '%Cus:tcp.window_size:0:R', false, 8], ['No.', '%m', true, undefined]],
  );
});

test('--proc adds a Process column before Info, unless a column shows a proc field already', (t) => {
  const defaults = listColumns(parsePreferences('', 'test'), field);
  const titles = (columns: ReturnType<typeof listColumns>) => columns.map(({ spec }) => spec.title);
  t.deepEqual(titles(withProcessColumn(defaults, field)), ['No.', 'Time', 'Tap', 'Source', 'Destination', 'Protocol', 'Length', 'Process', 'Info']);
  t.is(withProcessColumn(defaults, field).find(({ spec }) => spec.title === 'Process')?.spec.fields[0].abbrev, 'proc.comm');
  const own = listColumns(parsePreferences('gui.column.format: "No.", "%m", "PID", "%Cus:proc.pid", "Info", "%i"\n', 'test'), field);
  t.deepEqual(titles(withProcessColumn(own, field)), ['No.', 'PID', 'Info']);
});
