// npm runs this at install: it builds the live-capture addon (build/Release/tsshark_pcap.node) with node-gyp.
// Without libpcap's headers or a C++ toolchain the install still succeeds, since reading files needs none of
// it; `tsshark -i` then says what to install. With them present a failed build fails the install.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PCAP_HEADER = '/usr/include/pcap/pcap.h';
const compiler = process.env.CXX ?? 'g++';

function runs(command) {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
}

const missing = [
  existsSync(PCAP_HEADER) ? undefined : 'libpcap-dev',
  runs(compiler) ? undefined : 'g++',
  runs('make') ? undefined : 'make',
  runs('python3') ? undefined : 'python3',
].filter((name) => name !== undefined);

if (missing.length > 0) {
  process.stderr.write(
    `tsshark: the live-capture addon is not built (reading capture files works without it).\n` +
      `  To capture live (-i, -D): apt-get install ${missing.join(' ')}, then run: npm rebuild tsshark\n`,
  );
  process.exit(0);
}

// npm puts its own node-gyp on the path of lifecycle scripts and names it in npm_config_node_gyp.
const nodeGyp = process.env.npm_config_node_gyp;
const build = nodeGyp
  ? spawnSync(process.execPath, [nodeGyp, 'rebuild'], { stdio: 'inherit' })
  : spawnSync('node-gyp', ['rebuild'], { stdio: 'inherit' });
process.exit(build.status ?? 1);
