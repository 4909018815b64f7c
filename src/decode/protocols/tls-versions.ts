// TLS protocol versions as Wireshark names them in the Protocol column (ssl_version_short_names), and
// which of them a record may set as its session's (tls_try_get_version).

export const VERSION = { SSL3: 0x0300, TLS10: 0x0301, TLS11: 0x0302, TLS12: 0x0303, TLS13: 0x0304, GMTLS: 0x0101 } as const;

const SHORT_NAMES: Readonly<Record<number, string>> = {
  0x0002: 'SSLv2', 0x0300: 'SSLv3', 0x0301: 'TLSv1', 0x0302: 'TLSv1.1', 0x0303: 'TLSv1.2', 0x0304: 'TLSv1.3', 0x0101: 'GMTLS',
  0xfeff: 'DTLSv1.0', 0xfefd: 'DTLSv1.2', 0x0100: 'DTLS 1.0 (OpenSSL pre 0.9.8f)',
};

/** The Protocol column's name for a version; an unknown session is "SSL", as Wireshark's fallback says. */
export function versionShortName(version: number): string {
  return SHORT_NAMES[version] ?? 'SSL';
}

export function isKnownVersion(version: number): boolean {
  return (version >= VERSION.SSL3 && version <= VERSION.TLS13) || version === VERSION.GMTLS;
}

/** RFC 8701: GREASE values are 0x?a?a with both bytes equal. */
export function isGrease(value: number): boolean {
  return (value & 0x0f0f) === 0x0a0a && value >> 8 === (value & 0xff);
}
