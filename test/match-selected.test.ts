// Apply as Filter: for every node of every frame's tree, the expression made of its field and value
// compiles, and selects the frame it was made from (what a user expects of `a` on any line); on a sample of
// them tshark selects the same frames. Over the bundled sample and, when present, the corpus' recordings
// of DNS, TLS, HTTP and TCP.
import { join } from 'node:path';
import test from 'ava';
import type { InterfaceInfo } from '../src/capture/frame.js';
import { FrameStore } from '../src/capture/frame-store.js';
import { walkTree } from '../src/decode/tree.js';
import { compileFilter } from '../src/filter/display-filter.js';
import { combineFilter, matchSelected, quoteString } from '../src/filter/match-selected.js';
import { DecodedStore } from '../src/session/decoded-store.js';
import { readAll } from './helpers/capture.js';
import { CORPUS, CORPUS_ABSENT, corpusPresent, repoRoot } from './helpers/corpus.js';
import { registry } from './helpers/decode.js';
import { runCli } from './helpers/run.js';
import { tsharkLines, tsharkPresent, TSHARK_ABSENT } from './helpers/tshark.js';

interface Checked {
  expressions: Set<string>;
  failures: string[];
}

/** Every node of every frame of `path` (its first `limit` frames): compiled and matched against its own frame. */
async function checkEveryNode(path: string, limit: number): Promise<Checked> {
  const capture = await readAll(path);
  const decoded = new DecodedStore(new FrameStore(), registry, []);
  const interfaces: InterfaceInfo[] = [];
  for (const { frame, iface } of capture.frames) interfaces[frame.interfaceId] = iface;
  for (const { frame } of capture.frames.slice(0, limit)) decoded.append(frame, interfaces);
  const checked: Checked = { expressions: new Set(), failures: [] };
  for (let index = 0; index < decoded.count; index++) {
    const detail = decoded.detail(index);
    const expressions = new Set<string>();
    for (const { node } of walkTree(detail.roots)) {
      const expression = matchSelected(node);
      if (expression !== undefined) expressions.add(expression);
    }
    for (const expression of expressions) {
      checked.expressions.add(expression);
      const compiled = compileFilter(expression, registry);
      if (!compiled.ok) {
        checked.failures.push(`frame ${index + 1}: ${expression}: ${compiled.error.message}`);
        continue;
      }
      const again = decoded.again(index, decoded.createDissection({ tree: false, columns: false, fields: compiled.filter.fields }));
      if (!compiled.filter.matches(again)) checked.failures.push(`frame ${index + 1}: ${expression} does not select it`);
    }
  }
  return checked;
}

test('every node of the sample makes a filter that compiles and selects its frame; tshark selects the same frames', async (t) => {
  const sample = join(repoRoot, 'samples/lab.pcap');
  const { expressions, failures } = await checkEveryNode(sample, Infinity);
  t.deepEqual(failures.slice(0, 20), []);
  t.true(expressions.size > 300, `${expressions.size} expressions`);
  t.true(expressions.has('dns.qry.name == "nope.lab.test"'));
  t.true(expressions.has('ip.src == 10.77.0.2'));
  t.true(expressions.has('icmp'));
  if (!tsharkPresent) return t.pass(TSHARK_ABSENT);
  // Every 50th expression, through both tools: the same frames (tshark has no tap.* fields).
  const sampled = [...expressions].filter((expression, index) => index % 50 === 0 && !/^tap\b/.test(expression));
  for (const expression of sampled) {
    const ours = await runCli(['-r', sample, '-Y', expression, '-T', 'fields', '-e', 'frame.number']);
    const theirs = await tsharkLines(['-r', sample, '-Y', expression, '-T', 'fields', '-e', 'frame.number']);
    t.deepEqual(ours.stdout.split('\n').filter(Boolean), theirs, expression);
  }
});

test('every node of the recordings (DNS, TCP, TLS, HTTP, NFLOG, cooked captures) makes a filter that selects its frame', async (t) => {
  if (!corpusPresent) return t.pass(CORPUS_ABSENT);
  for (const name of ['rtr-client-side.pcap', 'rtr-nflog.pcap', 'rtr-any-sll2.pcap', 'rtr-two-ifaces.pcapng']) {
    const { expressions, failures } = await checkEveryNode(join(CORPUS, 'recorded', name), 400);
    t.deepEqual(failures.slice(0, 20), [], name);
    t.true(expressions.size > 100, `${name}: ${expressions.size} expressions`);
  }
});

test('strings are quoted with escapes; the combinations keep the applied filter in parentheses', (t) => {
  t.is(quoteString('a "b" \\ c\n\x7f'), '"a \\"b\\" \\\\ c\\x0a\\x7f"');
  t.is(combineFilter('selected', 'ip.src == 1.2.3.4', 'tcp'), 'ip.src == 1.2.3.4');
  t.is(combineFilter('and', 'ip.src == 1.2.3.4', 'tcp || udp'), '(tcp || udp) && ip.src == 1.2.3.4');
  t.is(combineFilter('or', 'ip.src == 1.2.3.4', 'tcp'), '(tcp) || ip.src == 1.2.3.4');
  t.is(combineFilter('andNot', 'ip.src == 1.2.3.4', ''), '!(ip.src == 1.2.3.4)');
  t.is(combineFilter('andNot', 'arp', 'eth'), '(eth) && !(arp)');
  t.is(combineFilter('and', 'arp', ' '), 'arp');
});
