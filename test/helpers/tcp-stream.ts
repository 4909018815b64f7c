// Frames of one TCP conversation built byte by byte (Ethernet, IPv4, TCP without options), for tests that
// need payloads no real peer sends: hostile lengths, bombs, segments cut at chosen places.
import type { Frame } from '../../src/capture/frame.js';

const CLIENT_PORT = 40000;
const ETHERNET = 1;
const FLAGS = { SYN: 0x02, PSH_ACK: 0x18, ACK: 0x10, SYN_ACK: 0x12 } as const;

function frameOf(forward: boolean, seq: number, ack: number, flags: number, payload: Uint8Array, serverPort: number, time: number): Frame {
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(forward ? CLIENT_PORT : serverPort, 0);
  tcp.writeUInt16BE(forward ? serverPort : CLIENT_PORT, 2);
  tcp.writeUInt32BE(seq >>> 0, 4);
  tcp.writeUInt32BE(ack >>> 0, 8);
  tcp.writeUInt16BE((5 << 12) | flags, 12);
  tcp.writeUInt16BE(65535, 14);
  const ip = Buffer.from([0x45, 0, 0, 0, 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
  if (!forward) ip.set([10, 0, 0, 2, 10, 0, 0, 1], 12);
  ip.writeUInt16BE(20 + 20 + payload.length, 2);
  const eth = Buffer.from([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00]);
  const data = Buffer.concat([eth, ip, tcp, payload]);
  return {
    tsSec: 1_700_000_000 + Math.floor(time), tsNsec: Math.round((time % 1) * 1e9), capturedLength: data.length, originalLength: data.length,
    linkType: ETHERNET, interfaceId: 0, flags: 0, comment: undefined, data, dataOffset: 0,
  };
}

/**
 * A handshake, then each payload as one client → server segment (or server → client when `fromServer`),
 * each acknowledged; frames 10 ms apart.
 */
export function tcpConversation(serverPort: number, payloads: readonly Uint8Array[], fromServer = false): Frame[] {
  const clientIsn = 1000;
  const serverIsn = 5000;
  let time = 0;
  const next = () => (time += 0.01);
  const frames = [
    frameOf(true, clientIsn, 0, FLAGS.SYN, new Uint8Array(0), serverPort, next()),
    frameOf(false, serverIsn, clientIsn + 1, FLAGS.SYN_ACK, new Uint8Array(0), serverPort, next()),
    frameOf(true, clientIsn + 1, serverIsn + 1, FLAGS.ACK, new Uint8Array(0), serverPort, next()),
  ];
  let senderSeq = (fromServer ? serverIsn : clientIsn) + 1;
  const receiverSeq = (fromServer ? clientIsn : serverIsn) + 1;
  for (const payload of payloads) {
    frames.push(frameOf(!fromServer, senderSeq, receiverSeq, FLAGS.PSH_ACK, payload, serverPort, next()));
    senderSeq += payload.length;
    frames.push(frameOf(fromServer, receiverSeq, senderSeq, FLAGS.ACK, new Uint8Array(0), serverPort, next()));
  }
  return frames;
}

/** `bytes` cut into segments of at most `size` bytes. */
export function segmentsOf(bytes: Uint8Array, size: number): Uint8Array[] {
  const segments: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) segments.push(bytes.subarray(at, at + size));
  return segments;
}
