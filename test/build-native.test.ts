// The install step: without a compiler (or libpcap's headers) it must not fail the install.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import test from 'ava';
import { repoRoot } from './helpers/corpus.js';

test('without a C++ compiler the addon build is skipped with a note, and the install goes on', (t) => {
  const result = spawnSync(process.execPath, [join(repoRoot, 'scripts/build-native.js')], {
    env: { ...process.env, CXX: '/nonexistent/c++' },
    encoding: 'utf8',
  });
  t.is(result.status, 0);
  t.regex(result.stderr, /the live-capture addon is not built \(reading capture files works without it\)/);
  t.regex(result.stderr, /apt-get install (libpcap-dev )?g\+\+/);
});
