// The protocol tree: every node carries the bytes it spans, so the hex pane can light them.
import test from 'ava';
import type { Frame } from '../src/capture/frame.js';
import { FrameDecoder } from '../src/decode/decoder.js';
import { nodeLabel, walkTree, type TreeNode } from '../src/decode/tree.js';
import { registry } from './helpers/decode.js';

// tcpdump -xx -r samples/lab.pcap 'tcp[tcpflags] == tcp-syn' (LINUX_SLL2, IPv4, TCP SYN with options):
// 0x0000:  0800 0000 0000 0002 0001 0006 a2b6 a1e9
// 0x0010:  7912 0000 4500 003c a427 4000 4006 81f8
// 0x0020:  0a4d 0001 0a4d 0002 d206 0035 d5b7 edae
// 0x0030:  0000 0000 a002 faf0 14cb 0000 0204 05b4
// 0x0040:  0402 080a 7048 c660 0000 0000 0103 030a
const SYN = Uint8Array.from(
  Buffer.from(
    '0800000000000002000100 06a2b6a1e9 79120000 4500003ca42740004006 81f80a4d00010a4d0002 d2060035d5b7edae 00000000a002faf014cb0000 020405b4 0402 080a7048c66000000000 01 03030a'.replace(/ /g, ''),
    'hex',
  ),
);

function frameOf(data: Uint8Array, originalLength = data.length): Frame {
  return { tsSec: 1, tsNsec: 0, capturedLength: data.length, originalLength, linkType: 276, interfaceId: 0, flags: 0, comment: undefined, data, dataOffset: 0 };
}

function tree(data: Uint8Array, originalLength?: number): TreeNode[] {
  return new FrameDecoder(registry, { tree: true, columns: true }).decode(frameOf(data, originalLength), undefined).roots;
}

function find(roots: readonly TreeNode[], abbrev: string): TreeNode {
  for (const { node } of walkTree(roots)) if (node.field.abbrev === abbrev) return node;
  throw new Error(`no ${abbrev} in the tree`);
}

const span = (node: TreeNode) => [node.start, node.length, node.value];

test('the tree lists Tap, Frame, then each layer', (t) => {
  t.deepEqual(tree(SYN).map((node) => node.field.abbrev), ['tap', 'frame', 'sll', 'ip', 'tcp']);
});

test('nodes carry their byte ranges and values', (t) => {
  const roots = tree(SYN);
  t.deepEqual(span(find(roots, 'tap.direction')), [10, 1, 'ingress']);
  t.deepEqual(span(find(roots, 'sll.etype')), [0, 2, 0x0800]);
  t.deepEqual(span(find(roots, 'sll.ifindex')), [4, 4, 2]);
  t.deepEqual([find(roots, 'ip').start, find(roots, 'ip').length], [20, 20]);
  t.deepEqual(span(find(roots, 'ip.ttl')), [28, 1, 64]);
  t.deepEqual(span(find(roots, 'ip.src')), [32, 4, 0x0a4d0001]);
  t.deepEqual([find(roots, 'tcp').start, find(roots, 'tcp').length], [40, 40]);
  t.deepEqual(span(find(roots, 'tcp.srcport')), [40, 2, 53766]);
  t.deepEqual(span(find(roots, 'tcp.seq_raw')), [44, 4, 3585600942]);
  t.deepEqual(span(find(roots, 'tcp.flags')), [52, 2, 0x002]);
  t.deepEqual(span(find(roots, 'tcp.flags.syn')), [52, 2, true]);
  t.deepEqual(span(find(roots, 'tcp.options.mss_val')), [62, 2, 1460]);
  t.deepEqual(span(find(roots, 'tcp.options.timestamp.tsval')), [68, 4, 1883817568]);
  t.deepEqual(span(find(roots, 'tcp.options.wscale.shift')), [79, 1, 10]);
});

test('generated nodes have no bytes and show in brackets', (t) => {
  const roots = tree(SYN);
  const length = find(roots, 'tcp.len');
  t.true(length.generated);
  t.is(length.length, 0);
  t.is(nodeLabel(length), '[TCP Segment Len: 0]');
  t.is(nodeLabel(find(roots, 'tcp.flags')), 'Flags: 0x002 (SYN)');
  t.is(nodeLabel(find(roots, 'ip')), 'Internet Protocol Version 4, Src: 10.77.0.1, Dst: 10.77.0.2');
});

test('a frame cut by the snaplen keeps what was decoded and says which layer was cut', (t) => {
  const roots = tree(SYN.subarray(0, 50), SYN.length);
  t.deepEqual(span(find(roots, 'tcp.srcport')), [40, 2, 53766]);
  t.is(roots.at(-1)?.field.abbrev, '_ws.short');
  t.is(nodeLabel(roots.at(-1) as TreeNode), '[Packet size limited during capture: TCP truncated]');
});

test('a frame shorter than its headers say is malformed, marked at the top level', (t) => {
  const roots = tree(SYN.subarray(0, 50), 50);
  t.is(roots.at(-1)?.field.abbrev, '_ws.malformed');
  t.is(nodeLabel(roots.at(-1) as TreeNode), '[Malformed Packet: TCP]');
});
