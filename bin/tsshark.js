#!/usr/bin/env -S node --max-semi-space-size=2
// V8's young generation is capped at 2 x 2 MiB: its default 2 x 16 MiB was a fifth of the interface's
// resident memory on a million frames and bought no speed (bench/README.md).
// The only place that exits the process: main() returns the status. It exits at once: the interactive
// interface may leave a read pending on a pipe that never ends.
import { main } from '../dist/bundle/main.js';

main(process.argv.slice(2)).then(
  (status) => {
    process.exit(status);
  },
  (error) => {
    process.stderr.write(`tsshark: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(70);
  },
);
