// One line of `tsshark -D`: tcpdump -D's "name (description) [flags]", then the interface's addresses; with
// --all-netns, every network namespace's devices and what their veths are paired with.
import { ConnectionStatus, InterfaceFlag, type DeviceDescription, type InterfaceAddress, type NetnsLink } from '../capture/native/addon.js';
import { vethPeer, type Netns } from '../capture/netns.js';

function connection(flags: number): string | undefined {
  const wireless = (flags & InterfaceFlag.WIRELESS) !== 0;
  switch (flags & InterfaceFlag.CONNECTION_STATUS) {
    case ConnectionStatus.CONNECTED:
      return wireless ? 'Associated' : 'Connected';
    case ConnectionStatus.DISCONNECTED:
      return wireless ? 'Not associated' : 'Disconnected';
    case ConnectionStatus.UNKNOWN:
      return wireless ? 'Association status unknown' : 'Connection status unknown';
    default:
      return undefined;
  }
}

export function describeDevice(device: DeviceDescription): string {
  const flags = [
    (device.flags & InterfaceFlag.UP) !== 0 ? 'Up' : undefined,
    (device.flags & InterfaceFlag.RUNNING) !== 0 ? 'Running' : undefined,
    (device.flags & InterfaceFlag.WIRELESS) !== 0 ? 'Wireless' : undefined,
    (device.flags & InterfaceFlag.LOOPBACK) !== 0 ? 'Loopback' : undefined,
    connection(device.flags),
  ].filter((flag) => flag !== undefined);
  const description = device.description === undefined ? '' : ` (${device.description})`;
  const addresses = device.addresses.map((address) =>
    address.prefixLength === undefined ? address.address : `${address.address}/${address.prefixLength}`,
  );
  return `${device.name}${description} [${flags.length > 0 ? flags.join(', ') : 'none'}]${addresses.map((address) => ` ${address}`).join('')}`;
}

/** IFF_* flags of a link, as rtnetlink gives them. */
const Iff = { UP: 0x1, LOOPBACK: 0x8, RUNNING: 0x40 } as const;

interface NamespaceLinks {
  netns: Netns;
  links: readonly NetnsLink[];
  addresses: readonly (InterfaceAddress & { index: number })[];
}

/** What `-i` takes for a device of a namespace: the host's by its name alone. */
function sourceSpec(netns: Netns, device: string): string {
  if (netns.name === 'host') return device;
  if (netns.path.startsWith('/run/netns/')) return `netns:${netns.name}/${device}`;
  return `pid:${/^\/proc\/(\d+)\//.exec(netns.path)?.[1] ?? '?'}/${device}`;
}

/**
 * `tsshark -D --all-netns`: every namespace's devices, each with the `-i` that captures it, its flags and
 * addresses, and for a veth the device and namespace at its other end (`linksIn` and `idIn` run in the
 * namespace given: the addon's netnsRun).
 */
export function describeNamespaces(namespaces: readonly Netns[], linksIn: (netns: Netns) => Omit<NamespaceLinks, 'netns'>, idIn: (netns: Netns, other: Netns) => number): string {
  const read: NamespaceLinks[] = [];
  for (const netns of namespaces) {
    try {
      read.push({ netns, ...linksIn(netns) });
    } catch (error) {
      // A namespace gone while listed is left out; one we may not enter is the user's to know.
      if ((error as NodeJS.ErrnoException).code === 'EPERM') throw error;
    }
  }
  const byNetns = new Map(read.map((entry) => [entry.netns, entry]));
  // Each namespace is asked for another's id once.
  const ids = new Map<string, number>();
  const reader = {
    links: (netns: Netns) => byNetns.get(netns)?.links ?? [],
    idOf: (from: Netns, other: Netns) => {
      const key = `${from.inode} ${other.inode}`;
      let id = ids.get(key);
      if (id === undefined) {
        id = idIn(from, other);
        ids.set(key, id);
      }
      return id;
    },
  };
  const listed = read.map((entry) => entry.netns);
  const lines: string[] = [];
  for (const entry of read) {
    const { container, pod } = entry.netns;
    lines.push(`${entry.netns.name} (net:[${entry.netns.inode}])${container === undefined ? '' : `, container ${container}`}${pod === undefined ? '' : `, pod ${pod}`}`);
    for (const link of entry.links) {
      const flags = [(link.flags & Iff.UP) !== 0 ? 'Up' : undefined, (link.flags & Iff.RUNNING) !== 0 ? 'Running' : undefined, (link.flags & Iff.LOOPBACK) !== 0 ? 'Loopback' : undefined].filter(Boolean);
      const addresses = entry.addresses.filter((address) => address.index === link.index).map((address) => ` ${address.address}/${address.prefixLength}`).join('');
      const peer = vethPeer(entry.netns, link, listed, reader);
      const peerText = link.kind === 'veth' ? ` (veth, peer ${peer === undefined ? 'in a namespace not listed' : `${peer.link.name}@${peer.netns.name}`})` : link.kind === undefined ? '' : ` (${link.kind})`;
      const master = link.master === undefined ? '' : ` in ${entry.links.find((candidate) => candidate.index === link.master)?.name ?? `#${link.master}`}`;
      lines.push(`  ${sourceSpec(entry.netns, link.name)} [${flags.length > 0 ? flags.join(', ') : 'none'}]${addresses}${peerText}${master}`);
    }
  }
  return lines.map((line) => line + '\n').join('');
}
