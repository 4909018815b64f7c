#!/usr/bin/env node
// bench/offline: print mode on a ~1,000,000-frame capture, tsshark against tshark and tcpdump in one
// run. Prints frames/s, peak RSS and ratios, and the frame store's bytes per frame.
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { big, buildLiveLike, COPIES, FRAMES_PER_COPY, liveLike, measure, root } from './big-capture.js';
await buildLiveLike();
const frames = COPIES * FRAMES_PER_COPY;
// Run as installed: bin/tsshark.js itself, so that its shebang's Node flags apply.
const tsshark = join(root, 'bin/tsshark.js');
const runs = [
  ['tsshark -r', tsshark, ['-r', big]],
  ['tshark -r', 'tshark', ['-r', big]],
  ['tsshark -T fields -e ip.src -e ip.dst', tsshark, ['-r', big, '-T', 'fields', '-e', 'ip.src', '-e', 'ip.dst']],
  ['tshark -T fields -e ip.src -e ip.dst', 'tshark', ['-r', big, '-T', 'fields', '-e', 'ip.src', '-e', 'ip.dst']],
  ['tcpdump -nn -r', 'tcpdump', ['-nn', '-r', big]],
  // A copy of a capture whose frames record their direction: tsshark annotates every frame's tap.
  ['tsshark -w pcapng (directions)', tsshark, ['-r', liveLike, '-w', '/dev/null']],
  ['tshark -w pcapng (directions)', 'tshark', ['-r', liveLike, '-w', '/dev/null']],
  ['tcpdump -w (directions)', 'tcpdump', ['-r', liveLike, '-w', '/dev/null']],
];
console.log(`${frames} frames in ${big}`);
const results = new Map();
for (const [label, command, args] of runs) {
  const result = measure(command, args);
  results.set(label, result);
  console.log(`${label.padEnd(40)} ${result.seconds.toFixed(2).padStart(7)} s ${Math.round(frames / result.seconds).toLocaleString('en').padStart(10)} frames/s ${result.rssMb.toFixed(0).padStart(6)} MB peak RSS`);
}
const ratio = (ours, theirs) => {
  const a = results.get(ours);
  const b = results.get(theirs);
  return `${(b.seconds / a.seconds).toFixed(2)}x tshark's frames/s, ${(a.rssMb / b.rssMb).toFixed(2)}x its peak RSS`;
};
console.log(`text:   tsshark ${ratio('tsshark -r', 'tshark -r')}; tcpdump ${(results.get('tshark -r').seconds / results.get('tcpdump -nn -r').seconds).toFixed(2)}x tshark's frames/s`);
console.log(`fields: tsshark ${ratio('tsshark -T fields -e ip.src -e ip.dst', 'tshark -T fields -e ip.src -e ip.dst')}`);
console.log(`-w:     tsshark ${ratio('tsshark -w pcapng (directions)', 'tshark -w pcapng (directions)')} (tsshark adds each frame's tap annotation)`);

// The frame store's index over the same file (bytes stay in the file).
const storeScript = `
  import { openCapture } from ${JSON.stringify(join(root, 'dist/src/capture/capture-reader.js'))};
  import { FrameStore } from ${JSON.stringify(join(root, 'dist/src/capture/frame-store.js'))};
  const before = process.memoryUsage();
  const store = new FrameStore({ file: ${JSON.stringify(big)} });
  const reader = await openCapture(${JSON.stringify(big)});
  await reader.read((frame) => { store.append(frame, reader.interfaces); });
  const after = process.memoryUsage();
  const grown = (after.arrayBuffers + after.heapUsed) - (before.arrayBuffers + before.heapUsed);
  console.log('frame store: ' + store.count + ' frames, index ' + FrameStore.INDEX_BYTES_PER_FRAME + ' B/frame, measured ' + (grown / store.count).toFixed(1) + ' B/frame (arrays grown by doubling, chunk buffer included)');
`;
const store = spawnSync(process.execPath, ['--input-type=module', '-e', storeScript], { encoding: 'utf8' });
process.stdout.write(store.stdout + store.stderr);
