#!/usr/bin/env node
// bench/filter: five representative display filters on the ~1,000,000-frame capture, tsshark -Y against
// tshark -Y in one run (text output to /dev/null, as a user pipes it). Prints frames/s, the ratio, and
// how many frames each filter selects (counted by tsshark; tshark must agree, which the test suite checks).
// Also times filter validation as the UI does it: compiling every prefix of a filter as if typed.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { big, build, COPIES, FRAMES_PER_COPY, measure, root } from './big-capture.js';

const FILTERS = [
  ['address with CIDR', 'ip.addr == 10.25.0.0/16'],
  ['port set', 'tcp.port in {22, 443, 8443}'],
  ['string contains', 'dns.qry.name contains "web"'],
  ['matches', 'dns.qry.name matches "^www\\\\..*test$"'],
  ['three-clause boolean', 'tcp.flags.syn == 1 && tcp.flags.ack == 0 && ip.ttl <= 64'],
];

build();
// Read the file once first, so the first filter measured does not pay for a cold page cache.
spawnSync('cat', [big], { stdio: ['ignore', 'ignore', 'ignore'] });
const frames = COPIES * FRAMES_PER_COPY;
// Run as installed: bin/tsshark.js itself, so that its shebang's Node flags apply.
const tsshark = join(root, 'bin/tsshark.js');
console.log(`${frames} frames in ${big}`);
let oursTotal = 0;
let theirsTotal = 0;
for (const [label, filter] of FILTERS) {
  const selected = spawnSync(tsshark, ['-r', big, '-Y', filter, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const matched = selected.stdout.split('\n').length - 1;
  const ours = measure(tsshark, ['-r', big, '-Y', filter]);
  const theirs = measure('tshark', ['-r', big, '-Y', filter]);
  oursTotal += ours.seconds;
  theirsTotal += theirs.seconds;
  const rate = (seconds) => Math.round(frames / seconds).toLocaleString('en').padStart(10);
  console.log(`${label.padEnd(22)} ${filter}`);
  console.log(
    `  ${matched.toLocaleString('en')} frames selected; tsshark ${ours.seconds.toFixed(2)} s ${rate(ours.seconds)} frames/s ${ours.rssMb.toFixed(0)} MB;` +
      ` tshark ${theirs.seconds.toFixed(2)} s ${rate(theirs.seconds)} frames/s ${theirs.rssMb.toFixed(0)} MB; ${(theirs.seconds / ours.seconds).toFixed(2)}x tshark's frames/s`,
  );
}
console.log(`all five: tsshark ${(theirsTotal / oursTotal).toFixed(2)}x tshark's frames/s`);

const validation = `
  import { createRegistry } from ${JSON.stringify(join(root, 'dist/src/decode/decoder.js'))};
  import { compileFilter } from ${JSON.stringify(join(root, 'dist/src/filter/display-filter.js'))};
  const registry = createRegistry();
  const filters = ${JSON.stringify(FILTERS.map(([, f]) => f))};
  let keystrokes = 0;
  let worst = 0;
  const started = performance.now();
  for (let round = 0; round < 20; round++) for (const filter of filters) for (let i = 1; i <= filter.length; i++) {
    const t0 = performance.now();
    compileFilter(filter.slice(0, i), registry);
    worst = Math.max(worst, performance.now() - t0);
    keystrokes++;
  }
  console.log('validation as typed: ' + ((performance.now() - started) / keystrokes).toFixed(3) + ' ms per keystroke on average, ' + worst.toFixed(2) + ' ms at worst (' + keystrokes + ' keystrokes)');
`;
const result = spawnSync(process.execPath, ['--input-type=module', '-e', validation], { encoding: 'utf8' });
process.stdout.write(result.stdout + result.stderr);
