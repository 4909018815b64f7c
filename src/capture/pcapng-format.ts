// pcapng block types and option codes (draft-ietf-opsawg-pcapng §4, §3.5), shared by reader and writer.

export const BlockType = {
  SECTION_HEADER: 0x0a0d0d0a,
  INTERFACE_DESCRIPTION: 0x00000001,
  /** Obsolete Packet Block, still written by old tools. */
  PACKET: 0x00000002,
  SIMPLE_PACKET: 0x00000003,
  NAME_RESOLUTION: 0x00000004,
  INTERFACE_STATISTICS: 0x00000005,
  ENHANCED_PACKET: 0x00000006,
  DECRYPTION_SECRETS: 0x0000000a,
} as const;

export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
/** Large enough for any legal frame plus options; bounds what a corrupt length can make us buffer. */
export const MAX_BLOCK_LENGTH = 16 * 1024 * 1024;

export const Option = {
  END: 0,
  COMMENT: 1,
  IF_NAME: 2,
  IF_DESCRIPTION: 3,
  IF_TSRESOL: 9,
  IF_FILTER: 11,
  IF_TSOFFSET: 14,
  EPB_FLAGS: 2,
  EPB_PACKETID: 5,
} as const;

/** Block bodies and option values are padded to 32 bits. */
export function padded(length: number): number {
  return (length + 3) & ~3;
}

/**
 * tsshark writes a device's network namespace at the end of its if_description (`… [netns pod-a]`): pcapng
 * has no option for it, Wireshark shows the description, and tsshark reads the namespace back.
 */
export function describeWithNetns(description: string | undefined, netns: string | undefined): string | undefined {
  if (netns === undefined) return description;
  return `${description === undefined ? '' : description + ' '}[netns ${netns}]`;
}

/** An if_description's own text and the namespace describeWithNetns put in it. */
export function netnsOfDescription(text: string): { description: string | undefined; netns: string | undefined } {
  const match = /^(?:(.*) )?\[netns ([^\]]+)\]$/s.exec(text);
  return match === null ? { description: text, netns: undefined } : { description: match[1], netns: match[2] };
}
