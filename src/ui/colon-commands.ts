// The command line (`:`): the commands of the keys by name (listed in `?` beside their keys), a packet's
// number, and those that take an argument (`:follow udp 3`, `:filter X`, `:time F`, `:decode-as R`,
// `:write PATH`).
import { isTimeFormat, TIME_FORMATS, type TimeFormat } from '../decode/time-format.js';
import type { FollowedStream, FollowProtocol } from '../session/stats/follow-statistic.js';
import type { CommandName } from './commands.js';

/** What the commands do, given by the interface. */
export interface ColonActions {
  run(command: CommandName): void;
  goTo(number: number): void;
  follow(stream: FollowedStream): void;
  filter(text: string): void;
  time(format: TimeFormat): void;
  decodeAs(argument: string): void;
  write(path: string): void;
  quit(): void;
  tell(message: string): void;
}

/** Names (and their short forms) of the commands that take no argument. */
const BY_NAME: Readonly<Record<string, CommandName>> = {
  conv: 'conversations',
  conversations: 'conversations',
  endpoints: 'endpoints',
  phs: 'hierarchy',
  hierarchy: 'hierarchy',
  expert: 'expert',
  taps: 'taps',
  proc: 'processes',
  drops: 'drops',
  verdicts: 'verdicts',
  warnings: 'warnings',
  help: 'help',
  io: 'ioGraph',
  columns: 'columns',
  fold: 'fold',
};

/** `:follow [tcp|udp|http] N`: TCP unless named. */
function followArgument(argument: string, actions: ColonActions): void {
  const match = /^(?:(tcp|udp|http)\s+)?(\d+)$/.exec(argument);
  if (!match) return actions.tell(`:follow takes [tcp|udp|http] and a stream number, not "${argument}"`);
  actions.follow({ protocol: (match[1] ?? 'tcp') as FollowProtocol, stream: Number(match[2]) });
}

export function runColonCommand(text: string, actions: ColonActions): void {
  const [name] = text.split(/\s+/);
  const argument = text.slice(name.length).trim();
  if (/^\d+$/.test(name)) return actions.goTo(Number(name));
  if (BY_NAME[name] !== undefined) return actions.run(BY_NAME[name]);
  switch (name) {
    case 'follow':
      return argument === '' ? actions.run('followStream') : followArgument(argument, actions);
    case 'filter':
      return actions.filter(argument);
    case 'time':
      return isTimeFormat(argument) ? actions.time(argument) : actions.tell(`:time takes one of ${TIME_FORMATS.join(' ')}, as tshark's -t`);
    case 'decode-as':
      return actions.decodeAs(argument);
    case 'write':
      return argument === '' ? actions.run('export') : actions.write(argument);
    case 'q':
    case 'quit':
      return actions.quit();
    default:
      actions.tell(`No ":${name}": ? lists the commands (conv, follow N, filter X, time F, write...) beside their keys`);
  }
}
