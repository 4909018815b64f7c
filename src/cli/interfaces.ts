// One line of `tsshark -D`: tcpdump -D's "name (description) [flags]", then the interface's addresses.
import { ConnectionStatus, InterfaceFlag, type DeviceDescription } from '../capture/native/addon.js';

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
