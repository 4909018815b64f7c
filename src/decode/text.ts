// Bytes as text, the two ways Wireshark reads protocol text: each byte its own character (ISO 8859-1), or
// ASCII with U+FFFD for each byte above 0x7f (ENC_ASCII). Built in pieces: a spread of a long body's bytes
// into one call would pass more arguments than the engine allows.

const PIECE = 4096;

export function latin1Text(bytes: Uint8Array): string {
  let text = '';
  for (let from = 0; from < bytes.length; from += PIECE) text += String.fromCharCode(...bytes.subarray(from, from + PIECE));
  return text;
}

export function asciiText(bytes: Uint8Array): string {
  let text = '';
  for (let from = 0; from < bytes.length; from += PIECE) {
    text += String.fromCharCode(...Array.from(bytes.subarray(from, from + PIECE), (byte) => (byte < 0x80 ? byte : 0xfffd)));
  }
  return text;
}
