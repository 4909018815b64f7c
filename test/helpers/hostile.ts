// Captures whose text tries to drive the terminal: OSC 0 (title), OSC 52 (clipboard), CSI 2J (clear),
// C1 0x9b (CSI), U+202E (bidi override), in a DNS name, an interface name and a comment.

import { pcapngHead, pcapngOption, pcapngPacket } from './pcapng-blocks.js';

/** Base64 of what OSC 52 would put on the clipboard. */
export const CLIPBOARD_PAYLOAD = 'cGF5bG9hZA==';

/** An Ethernet/IPv4/UDP/DNS query whose name carries a terminal escape sequence. */
export function hostileCapture(): Buffer {
  const label = Buffer.from('\x1b]0;pwned\x07\x1b[2J\x9b');
  // OSC 52 would write the clipboard; U+202E would reverse the text after it.
  const clipboard = Buffer.from(`\x1b]52;c;${CLIPBOARD_PAYLOAD}\x07\u202e`);
  const name = Buffer.concat([Buffer.of(label.length), label, Buffer.of(clipboard.length), clipboard, Buffer.of(3), Buffer.from('com'), Buffer.of(0)]);
  const dns = Buffer.concat([Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]), name, Buffer.from([0, 1, 0, 1])]);
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(40000, 0);
  udp.writeUInt16BE(53, 2);
  udp.writeUInt16BE(8 + dns.length, 4);
  const ip = Buffer.from([0x45, 0, 0, 0, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
  ip.writeUInt16BE(20 + 8 + dns.length, 2);
  const eth = Buffer.from([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00]);
  const frame = Buffer.concat([eth, ip, udp, dns]);
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(1, 20);
  const record = Buffer.alloc(16);
  record.writeUInt32LE(frame.length, 8);
  record.writeUInt32LE(frame.length, 12);
  return Buffer.concat([header, record, frame]);
}

/** The same frame in pcapng, with an interface name and a comment carrying escape sequences raw. */
export function hostilePcapng(): Buffer {
  const frame = hostileCapture().subarray(40);
  return Buffer.concat([
    pcapngHead([pcapngOption(2, 'eth0\x1b]0;title\x07')]),
    // epb_flags inbound, so the Tap column shows the interface name.
    pcapngPacket(frame, [pcapngOption(1, '\x1b]52;c;cGF5bG9hZA==\x07\u202e'), pcapngOption(2, '\x01\x00\x00\x00')]),
  ]);
}
