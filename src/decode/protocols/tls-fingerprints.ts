// Client and server fingerprints of TLS hellos: JA3 / JA3S (Salesforce's definition, as tshark 4.0 prints
// them: decimal lists, GREASE left out, MD5) and JA4 (FoxIO's published definition, beyond tshark 4.0).
import { createHash } from 'node:crypto';
import type { Dissection } from '../dissection.js';
import { defineFields } from '../field.js';
import type { HelloSummary } from './tls-extensions.js';
import { isGrease, VERSION } from './tls-versions.js';

export const ja3Fields = defineFields('tls.handshake', {
  ja3_full: { name: 'JA3 Fullstring', type: 'string' },
  ja3: { name: 'JA3', type: 'string' },
  ja3s_full: { name: 'JA3S Fullstring', type: 'string' },
  ja3s: { name: 'JA3S', type: 'string' },
  ja4: { name: 'JA4', type: 'string' },
  ja4_r: { name: 'JA4 (raw)', type: 'string' },
});

const EXTENSION_SERVER_NAME = 0;
const EXTENSION_ALPN = 16;
const JA4_VERSIONS: Readonly<Record<number, string>> = {
  [VERSION.TLS13]: '13', [VERSION.TLS12]: '12', [VERSION.TLS11]: '11', [VERSION.TLS10]: '10', [VERSION.SSL3]: 's3', 0x0002: 's2',
};

const digest = (algorithm: string, text: string) => createHash(algorithm).update(text).digest('hex');
const withoutGrease = (values: readonly number[]) => values.filter((value) => !isGrease(value));

/** Adds ja3_full and ja3 (and JA4) of a ClientHello, only when asked for: hashing costs. */
export function addClientFingerprints(ctx: Dissection, version: number, ciphers: readonly number[], hello: HelloSummary): void {
  if (ctx.wants(ja3Fields.ja3_full) || ctx.wants(ja3Fields.ja3)) {
    const full = [version, withoutGrease(ciphers).join('-'), withoutGrease(hello.extensions).join('-'), withoutGrease(hello.groups).join('-'), hello.pointFormats.join('-')].join(',');
    ctx.generated(ja3Fields.ja3_full, full);
    ctx.generated(ja3Fields.ja3, digest('md5', full));
  }
  if (ctx.wants(ja3Fields.ja4) || ctx.wants(ja3Fields.ja4_r)) {
    const [ja4, raw] = ja4Of(version, ciphers, hello);
    ctx.generated(ja3Fields.ja4, ja4);
    ctx.generated(ja3Fields.ja4_r, raw);
  }
}

export function addServerFingerprints(ctx: Dissection, version: number, cipher: number, hello: HelloSummary): void {
  if (!ctx.wants(ja3Fields.ja3s_full) && !ctx.wants(ja3Fields.ja3s)) return;
  const full = [version, cipher, withoutGrease(hello.extensions).join('-')].join(',');
  ctx.generated(ja3Fields.ja3s_full, full);
  ctx.generated(ja3Fields.ja3s, digest('md5', full));
}

const hex4 = (value: number) => value.toString(16).padStart(4, '0');
const twoDigits = (count: number) => String(Math.min(count, 99)).padStart(2, '0');
const isAlphanumeric = (code: number) => (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);

/** JA4's ALPN part: first and last character of the first protocol, or of its hex when not alphanumeric. */
function alpnChars(alpn: readonly string[]): string {
  const first = alpn[0];
  if (first === undefined || first.length === 0) return '00';
  const a = first.charCodeAt(0);
  const z = first.charCodeAt(first.length - 1);
  if (isAlphanumeric(a) && isAlphanumeric(z)) return first[0] + first[first.length - 1];
  const hex = Array.from(first, (c) => (c.charCodeAt(0) & 0xff).toString(16).padStart(2, '0')).join('');
  return hex[0] + hex[hex.length - 1];
}

/** JA4 over TCP: `t` + version + SNI + counts + ALPN, then truncated SHA-256 of the sorted ciphers and of the extensions and signature algorithms. */
function ja4Of(legacyVersion: number, ciphers: readonly number[], hello: HelloSummary): [string, string] {
  const versions = withoutGrease(hello.supportedVersions);
  const version = versions.length > 0 ? Math.max(...versions) : legacyVersion;
  const suites = withoutGrease(ciphers);
  const extensions = withoutGrease(hello.extensions);
  const a = `t${JA4_VERSIONS[version] ?? '00'}${hello.serverName ? 'd' : 'i'}${twoDigits(suites.length)}${twoDigits(extensions.length)}${alpnChars(hello.alpn)}`;
  const sortedSuites = suites.map(hex4).sort().join(',');
  const hashedExtensions = extensions.filter((type) => type !== EXTENSION_SERVER_NAME && type !== EXTENSION_ALPN).map(hex4).sort().join(',');
  const signatures = hello.signatureAlgorithms.map(hex4).join(',');
  const extensionText = signatures === '' ? hashedExtensions : `${hashedExtensions}_${signatures}`;
  const truncated = (text: string) => (text === '' ? '000000000000' : digest('sha256', text).slice(0, 12));
  return [`${a}_${truncated(sortedSuites)}_${truncated(hashedExtensions === '' ? '' : extensionText)}`, `${a}_${sortedSuites}_${extensionText}`];
}
