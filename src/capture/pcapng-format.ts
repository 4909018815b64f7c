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

/** Where a device is: its network namespace, and the container and pod that namespace belongs to. */
export interface DevicePlace {
  netns?: string;
  container?: string;
  pod?: string;
}

/**
 * tsshark writes a device's network namespace (and its container and pod) at the end of its if_description
 * (`… [netns pod-a; container web]`): pcapng has no option for them, Wireshark shows the description, and
 * tsshark reads them back.
 */
export function describeWithNetns(description: string | undefined, place: DevicePlace): string | undefined {
  if (place.netns === undefined) return description;
  const owners = (['container', 'pod'] as const).map((owner) => (place[owner] === undefined ? '' : `; ${owner} ${place[owner]}`)).join('');
  return `${description === undefined ? '' : description + ' '}[netns ${place.netns}${owners}]`;
}

/** An if_description's own text and the place describeWithNetns put in it. */
export function netnsOfDescription(text: string): { description: string | undefined } & DevicePlace {
  const match = /^(?:(.*) )?\[netns ([^\];]+)(?:; container ([^\];]+))?(?:; pod ([^\];]+))?\]$/s.exec(text);
  if (match === null) return { description: text };
  const [, description, netns, container, pod] = match;
  return { description, netns, ...(container === undefined ? {} : { container }), ...(pod === undefined ? {} : { pod }) };
}
