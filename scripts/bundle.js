// Bundles the compiled CLI into dist/bundle for bin/tsshark.js. Node 20 has no module compile cache, and
// loading Ink and React as ~100 separate ES modules took 0.45 s before the first screen; one bundle with
// React's production build loads in about half that. The interface stays a separate chunk, loaded only when
// the UI opens, so print mode does not pay for it.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';
import { inkBoundedCaches } from './ink-bounded-caches.js';

// Chunk names carry content hashes: chunks of earlier builds would pile up.
rmSync('dist/bundle', { recursive: true, force: true });

await build({
  // The workers are entries of their own: live-capture.js and redo-pool.js start them from files beside them.
  entryPoints: { main: 'dist/src/cli/main.js', 'live-worker': 'dist/src/capture/live-worker.js', 'redo-worker': 'dist/src/session/redo-worker.js' },
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Ink loads it only when DEV=true, for React DevTools; it is not a dependency of ours.
  external: ['react-devtools-core'],
  define: {
    'process.env.NODE_ENV': '"production"',
    // Yoga (Ink's layout engine) fetches its WebAssembly from an embedded data: URL when `fetch` exists,
    // which loads Node's whole HTTP client first (~40 ms before the first screen); without, it decodes it.
    fetch: 'undefined',
  },
  // Some of Ink's dependencies are CommonJS and require Node's built-ins.
  banner: { js: "import { createRequire as createBannerRequire } from 'node:module'; const require = createBannerRequire(import.meta.url);" },
  plugins: [inkBoundedCaches],
  logLevel: 'warning',
});
