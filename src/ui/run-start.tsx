// The start screen's session: the terminal held (alternate screen) while the user picks interfaces and a
// capture filter, given back before the capture's own interface takes it.
import { render } from 'ink';
import { loadPcapAddon } from '../capture/native/addon.js';
import { packetCount } from './start-rates.js';
import { StartScreen, type StartChoice } from './StartScreen.js';
import { holdTerminal } from './terminal.js';

const LINKTYPE_ETHERNET = 1;

/** Resolves with the interfaces and capture filter chosen, or undefined when the user quits. */
export async function runStartScreen(): Promise<StartChoice | undefined> {
  const addon = loadPcapAddon();
  const devices = addon.listInterfaces();
  let done!: (choice: StartChoice | undefined) => void;
  const chosen = new Promise<StartChoice | undefined>((resolve) => (done = resolve));
  const terminal = holdTerminal(1, () => done(undefined));
  const instance = render(
    <StartScreen
      devices={devices}
      packets={(name) => packetCount(name)}
      // Checked for Ethernet, which nearly every device is; the capture checks it again for its own.
      checkFilter={(filter) => addon.checkFilter(LINKTYPE_ETHERNET, filter)}
      onStart={done}
      onQuit={() => done(undefined)}
      columns={process.stdout.columns || 80}
      rows={(process.stdout.rows || 24) - 1}
    />,
    { exitOnCtrlC: false, patchConsole: false },
  );
  try {
    return await chosen;
  } finally {
    instance.unmount();
    terminal.release();
  }
}
