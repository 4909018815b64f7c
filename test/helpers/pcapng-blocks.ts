// Little-endian pcapng built byte by byte, for tests that need exact layouts (damaged files, raw option
// bytes) that the product's writer would never produce.

/** A block: type, total length, body, total length again. */
export function pcapngBlock(type: number, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32LE(type, 0);
  head.writeUInt32LE(body.length + 12, 4);
  const tail = Buffer.alloc(4);
  tail.writeUInt32LE(body.length + 12, 0);
  return Buffer.concat([head, body, tail]);
}

/** An option with its value as given (text as UTF-8, unescaped), padded to 4 bytes. */
export function pcapngOption(code: number, value: string): Buffer {
  const bytes = Buffer.from(value);
  const head = Buffer.alloc(4);
  head.writeUInt16LE(code, 0);
  head.writeUInt16LE(bytes.length, 2);
  const padded = Buffer.alloc((bytes.length + 3) & ~3);
  bytes.copy(padded);
  return Buffer.concat([head, padded]);
}

/** Options, closed by opt_endofopt; nothing when there are none. */
function optionList(options: readonly Buffer[]): Buffer {
  return options.length === 0 ? Buffer.alloc(0) : Buffer.concat([...options, Buffer.alloc(4)]);
}

/** A section header (version 1.0, length unknown) and one Ethernet interface, snaplen 65535. */
export function pcapngHead(interfaceOptions: readonly Buffer[] = []): Buffer {
  const shb = Buffer.alloc(16);
  shb.writeUInt32LE(0x1a2b3c4d, 0);
  shb.writeUInt16LE(1, 4);
  shb.writeBigInt64LE(-1n, 8);
  const idb = Buffer.alloc(8);
  idb.writeUInt16LE(1, 0);
  idb.writeUInt32LE(65535, 4);
  return Buffer.concat([pcapngBlock(0x0a0d0d0a, shb), pcapngBlock(1, Buffer.concat([idb, optionList(interfaceOptions)]))]);
}

/** An enhanced packet block on interface 0 at time 0, holding all of `data`. */
export function pcapngPacket(data: Uint8Array, options: readonly Buffer[] = []): Buffer {
  const fixed = Buffer.alloc(20);
  fixed.writeUInt32LE(data.length, 12);
  fixed.writeUInt32LE(data.length, 16);
  const padded = Buffer.alloc((data.length + 3) & ~3);
  padded.set(data);
  return pcapngBlock(6, Buffer.concat([fixed, padded, optionList(options)]));
}
