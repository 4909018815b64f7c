#!/usr/bin/env node
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
