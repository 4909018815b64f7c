// The one allowlist every capture-derived string passes before it reaches a terminal: printable ASCII
// and visible Unicode stay; controls, ESC, DEL, C1, and bidi/zero-width format characters are escaped,
// so a packet can never move the cursor, retitle the terminal or reach the clipboard (OSC 52).

const UNSAFE = /[^\x20-\x7e\p{L}\p{M}\p{N}\p{P}\p{S}\p{Zs}]|[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/gu;

function escape(character: string): string {
  const code = character.codePointAt(0) as number;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
}

const RIGHT_ARROW = 0x2192;

export function sanitize(text: string): string {
  // Most text is printable ASCII (and the → of TCP/UDP Info): check that cheaply before the full test.
  let plain = true;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 || code > 0x7e) && code !== RIGHT_ARROW) {
      plain = false;
      break;
    }
  }
  if (plain) return text;
  UNSAFE.lastIndex = 0;
  return UNSAFE.test(text) ? text.replace(UNSAFE, escape) : text;
}
