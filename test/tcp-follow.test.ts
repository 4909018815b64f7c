// The follower's rules on crafted segments, where a lab recording rarely goes: a retransmission that
// carries more than was seen, a segment ahead of a gap held until the gap fills, a held segment partly seen
// already, and the other side acknowledging bytes the capture never had.
import test from 'ava';
import { missingText, TcpFollower, type FollowSegment } from '../src/session/stats/tcp-follow.js';

/** A segment of `length` bytes from `seq`, its bytes at offset 0 of its frame. */
function segment(frame: number, fromClient: boolean, seq: number, length: number, ack = 0, syn = false): FollowSegment {
  return { frame, fromClient, seq, ack, syn, length, payloadAt: 0, captured: length };
}

const chunks = (follower: TcpFollower) => follower.chunks.map((chunk) => [chunk.server ? 'S' : 'C', chunk.frame, chunk.at, chunk.length, chunk.missing ?? '']);

test('in order, with a SYN; a retransmission that carries more than was seen adds only the new bytes', (t) => {
  const follower = new TcpFollower();
  follower.add(segment(1, true, 1000, 0, 0, true));
  follower.add(segment(2, true, 1001, 10));
  follower.add(segment(3, true, 1001, 10));
  follower.add(segment(4, true, 1006, 10));
  t.deepEqual(chunks(follower), [['C', 2, 0, 10, ''], ['C', 4, 5, 5, '']]);
});

test('a segment after a gap waits for it; a held segment partly seen gives its new part', (t) => {
  const follower = new TcpFollower();
  follower.add(segment(1, false, 5000, 10));
  follower.add(segment(2, false, 5020, 10));
  t.deepEqual(chunks(follower), [['S', 1, 0, 10, '']]);
  follower.add(segment(3, false, 5010, 15));
  t.deepEqual(chunks(follower), [['S', 1, 0, 10, ''], ['S', 3, 0, 15, ''], ['S', 2, 5, 5, '']]);
});

test('the other side acknowledging bytes the capture never had gives a chunk saying how many', (t) => {
  const follower = new TcpFollower();
  follower.add(segment(1, true, 100, 10));
  follower.add(segment(2, true, 130, 10));
  follower.add(segment(3, false, 900, 0, 140));
  t.deepEqual(chunks(follower), [['C', 1, 0, 10, ''], ['C', 3, 0, missingText(20).length, 20], ['C', 2, 0, 10, '']]);
  t.is(missingText(20), '[20 bytes missing in capture file]\u0000');
});
