// Text forms of addresses as Wireshark prints them (RFC 5952 for IPv6).

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function formatIPv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

export function formatIPv4Bytes(bytes: Uint8Array, at = 0): string {
  return `${bytes[at]}.${bytes[at + 1]}.${bytes[at + 2]}.${bytes[at + 3]}`;
}

export function formatMac(bytes: Uint8Array, at = 0, length = 6): string {
  let text = HEX[bytes[at]];
  for (let i = 1; i < length; i++) text += ':' + HEX[bytes[at + i]];
  return text;
}

export function formatHex(bytes: Uint8Array, separator = ''): string {
  let text = '';
  for (let i = 0; i < bytes.length; i++) text += (i > 0 ? separator : '') + HEX[bytes[i]];
  return text;
}

export function formatIPv6Bytes(bytes: Uint8Array, at = 0): string {
  const words = ipv6Words;
  for (let i = 0; i < 8; i++) words[i] = (bytes[at + 2 * i] << 8) | bytes[at + 2 * i + 1];
  // IPv4-mapped and IPv4-compatible forms keep the dotted quad, as inet_ntop does.
  if (words[0] === 0 && words[1] === 0 && words[2] === 0 && words[3] === 0 && words[4] === 0 && (words[5] === 0xffff || (words[5] === 0 && words[6] !== 0))) {
    const quad = formatIPv4Bytes(bytes, at + 12);
    return words[5] === 0xffff ? `::ffff:${quad}` : `::${quad}`;
  }
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return hexWords(0, 8);
  return `${hexWords(0, bestStart)}::${hexWords(bestStart + bestLength, 8)}`;
}

/** The address being formatted, as words: every Source and Destination of an IPv6 frame passes here. */
const ipv6Words = new Uint16Array(8);
const wordTexts: string[] = [];

function hexWords(from: number, to: number): string {
  let text = '';
  for (let i = from; i < to; i++) {
    const word = ipv6Words[i];
    text += (i > from ? ':' : '') + (wordTexts[word] ??= word.toString(16));
  }
  return text;
}
