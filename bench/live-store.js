#!/usr/bin/env -S node --max-semi-space-size=2
// What the interface does with a live capture, without a terminal: every frame goes into the frame store
// and the decoded store (src/ui/run-tui.tsx does the same), with tsshark's default kernel buffer. Until SIGINT; then prints its counts as JSON.
// Usage (root): bench/live-store.js INTERFACE
import { FrameStore } from '../dist/src/capture/frame-store.js';
import { LiveCapture } from '../dist/src/capture/live-capture.js';
import { createRegistry } from '../dist/src/decode/decoder.js';
import { DecodedStore } from '../dist/src/session/decoded-store.js';
import { TAP_COLUMN_FIELDS } from '../dist/src/decode/protocols/tap.js';

const capture = await LiveCapture.open({ sources: [process.argv[2]], snaplen: 262144, promiscuous: true, bufferBytes: undefined, captureFilter: undefined });
const decoded = new DecodedStore(new FrameStore({}), createRegistry(), TAP_COLUMN_FIELDS);
process.on('SIGINT', () => capture.stop());
process.stderr.write(`Capturing on '${process.argv[2]}'\n`);
await capture.read((frame) => {
  decoded.append(frame, capture.interfaces);
});
process.stdout.write(`${JSON.stringify({ ...capture.counts, stored: decoded.count, rssMB: Math.round(process.memoryUsage().rss / 2 ** 20) })}\n`);
await capture.close();
