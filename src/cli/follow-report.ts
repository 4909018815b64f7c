// `-z follow,tcp|udp|http,MODE,N` drawn as tshark 4.0's tap-follow.c draws it: the nodes, then each chunk in
// stream order, node 1's indented by a tab; ascii keeps CR and LF and shows other unprintable bytes as
// `.`; hex dumps each side at its own offsets; raw writes hex digits.
import { streamFilter, type FollowMode, type FollowStatistic } from '../session/stats/follow-statistic.js';
import { BYTES_PER_LINE, hexLine } from '../util/hex-dump.js';


const SEPARATOR = '='.repeat(67) + '\n';

function node(index: number, end: { address: string; port: number } | undefined): string {
  const address = end?.address ?? '';
  return `Node ${index}: ${address.includes(':') ? `[${address}]` : address}:${end?.port ?? 0}\n`;
}

/** What a byte shows as in ascii mode. */
function asciiOf(byte: number): string {
  return byte === 0x0d || byte === 0x0a || (byte >= 0x20 && byte < 0x7f) ? String.fromCharCode(byte) : '.';
}

export function drawFollow(statistic: FollowStatistic, mode: FollowMode, first: number, last: number): string {
  const follower = statistic.follower;
  let text = `\n${SEPARATOR}Follow: ${statistic.protocol},${mode}\nFilter: ${streamFilter(statistic)}\n${node(0, follower.client)}${node(1, follower.server)}`;
  const offsets = [0, 0];
  follower.chunks.forEach((chunk, index) => {
    const side = chunk.server ? 1 : 0;
    const bytes = statistic.bytesOf(chunk);
    const chunkNumber = index + 1;
    if (chunkNumber < first || chunkNumber > last) {
      offsets[side] += bytes.length;
      return;
    }
    const indent = chunk.server ? '\t' : '';
    if (mode === 'ascii') {
      text += `${indent}${bytes.length}\n${Array.from(bytes, asciiOf).join('')}\n`;
    } else if (mode === 'raw') {
      text += `${indent}${Buffer.from(bytes).toString('hex')}\n`;
    } else {
      for (let at = 0; at < bytes.length; at += BYTES_PER_LINE) text += `${indent}${hexLine(bytes, at, offsets[side] + at)}\n`;
      offsets[side] += bytes.length;
    }
  });
  return text + SEPARATOR;
}
