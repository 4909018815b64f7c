// A hex dump line as tshark's follow writes it (and Wireshark's Follow dialog shows it): an 8-digit
// offset, 16 bytes in hex with a gap after the eighth, then the printable ASCII with a gap too.
export const BYTES_PER_LINE = 16;

const HEX_WIDTH = BYTES_PER_LINE * 3 + 1;

/** The line for bytes [at, at+16) of `bytes`, labelled with `offset`. */
export function hexLine(bytes: Uint8Array, at: number, offset: number): string {
  const end = Math.min(bytes.length, at + BYTES_PER_LINE);
  let hex = '';
  let ascii = '';
  for (let i = at; i < end; i++) {
    const byte = bytes[i];
    hex += byte.toString(16).padStart(2, '0') + ' ';
    ascii += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.';
    if (i - at === BYTES_PER_LINE / 2 - 1) {
      hex += ' ';
      ascii += ' ';
    }
  }
  // tshark drops one space at the end of the line: the gap after a last eighth byte, or a space byte.
  if (ascii.endsWith(' ')) ascii = ascii.slice(0, -1);
  return `${(offset >>> 0).toString(16).toUpperCase().padStart(8, '0')}  ${hex.padEnd(HEX_WIDTH)} ${ascii}`;
}
