// Command-line arguments, tshark's spelling wherever tshark has the flag. Parsing is Node's own
// util.parseArgs; this file only adds tshark's semantics and the usage text.
import { parseArgs } from 'node:util';
import { availableParallelism } from 'node:os';
import { MAX_CAPLEN } from '../capture/frame.js';
import { DEFAULT_TRACE_RATE } from '../capture/nft-tracer.js';
import { parseRingOptions, type RingOptions } from '../capture/ring-writer.js';
import { parseKeep, type KeepBound } from '../session/store-roll.js';
import { isTimeFormat, TIME_FORMATS, type TimeFormat } from '../decode/time-format.js';

export type OutputFormat = 'text' | 'fields' | 'json';

export interface FieldOutputOptions {
  header: boolean;
  separator: string;
  occurrence: 'a' | 'f' | 'l';
  aggregator: string;
}

export interface Options {
  readFile: string | undefined;
  interfaces: string[];
  captureFilter: string | undefined;
  snaplen: number;
  promiscuous: boolean;
  /** Kernel buffer per capture handle in MiB (-B); undefined for the live source's default. */
  bufferMiB: number | undefined;
  /** -a duration:S, in seconds. */
  durationSec: number | undefined;
  displayFilter: string | undefined;
  count: number | undefined;
  /** -t: the Time column's format, as tshark's. */
  timeFormat: TimeFormat;
  /** -o name:value: preferences over the preferences file's (preferences.ts), checked when read. */
  preferences: string[];
  /** -d: Decode As rules, as tshark's (`tcp.port==8443,tls`), checked against the registry later. */
  decodeAs: string[];
  writeFile: string | undefined;
  /** -b: -w's frames go to several files in turn (ring-writer.ts). */
  ring: RingOptions | undefined;
  writeFormat: 'pcap' | 'pcapng';
  output: OutputFormat;
  fields: string[];
  fieldOptions: FieldOutputOptions;
  /** -q: no line per frame (statistics only, or a copy with -w). */
  quiet: boolean;
  /** -z: statistics to draw after the frames, as tshark spells them. */
  statistics: string[];
  print: boolean;
  tui: boolean;
  /** --drops: count the kernel's drops while capturing live (as -z drops). */
  drops: boolean;
  /** --trace [MATCH] and --trace-rate: netfilter's verdicts on the captured packets. */
  trace: { match: string; rate: number } | undefined;
  listInterfaces: boolean;
  /** -D --all-netns: every network namespace's interfaces. */
  allNetns: boolean;
  /** --proc: name the process of each TCP and UDP flow (live; tsshark stays root to read /proc). */
  processes: boolean;
  /** --explain [IFACE]: the pipelines of this kernel and host; `interface` when one was named. */
  explain: { interface: string | undefined } | undefined;
  /** --workers: threads that dissect frames for a display filter in the interface (1: the main thread). */
  workers: number;
  /** The interface takes clicks and the wheel, unless --no-mouse. */
  mouse: boolean;
  /** --keep: the interface holds at most this many frames or megabytes (undefined: its default). */
  keep: KeepBound | undefined;
  help: boolean;
  version: boolean;
}

export class UsageError extends Error {}

export const USAGE = `Usage: tsshark [options] ...

Input:
  -r <file>|-            read frames from a pcap or pcapng file, or standard input
  -i <interface>         capture live: an interface, its number in -D, any, or
                         nflog:<group>; repeat it to merge several sources
  -f <capture filter>    BPF capture filter for live capture
  -s <snaplen>           bytes to keep of each frame (default 262144)
  -p                     don't put the interface into promiscuous mode
  -B <MiB>               kernel buffer per capture handle (default 8)
  -a duration:<sec>      stop capturing after this many seconds
  -D                     list the interfaces live capture can use
  --all-netns            with -D: every network namespace's interfaces, with the
                         -i that captures each (netns:NAME/IFACE, pid:PID/IFACE)
                         and the other end of each veth
  --explain [IFACE]      show where this kernel's tap points are, with the hooks
                         (nft chains, XDP, qdisc, tc) populated on this host

Processing:
  -Y <display filter>    show only frames matching a Wireshark display filter
  -c <count>             stop after this many frames
  -d <layer>==<selector>,<protocol>
                         decode as, as tshark's: e.g. tcp.port==8443,tls
                         (selector: a value, A-B or A:COUNT; repeatable)

Output:
  -w <file>|-            write frames to this file instead of printing them
  -F pcap|pcapng         format for -w (default pcapng)
  -b <key>:<value>       -w writes several files in turn, each complete, named
                         as dumpcap's (out_00001_YYYYMMDDhhmmss.pcapng), the
                         next one begun after filesize:KB, duration:SECONDS (the
                         wall clock live, frame time from -r) or packets:N;
                         files:N keeps the newest N
  -T text|fields|json    print format (default text)
  -t a|ad|adoy|d|dd|e|r|u|ud|udoy
                         the Time column's format, as tshark's (default r)
  -o <name>:<value>      a preference over the preferences file's
                         ($XDG_CONFIG_HOME/tsshark/preferences): the columns, as
                         Wireshark's gui.column.format:"No.","%m","Info","%i"
                         (%Cus:FIELD for any field; %tap the Tap column)
  -e <field>             a field to print with -T fields or -T json (repeatable)
  -E <option>=<value>    -T fields options: header=y|n, separator=/t|/s|<char>,
                         occurrence=a|f|l, aggregator=,|/s|<char>
  -z <statistic>         after the frames, as tshark draws it: conv,TYPE[,FILTER],
                         endpoints,TYPE[,FILTER] (TYPE: eth ip ipv6 tcp udp),
                         io,phs[,FILTER], expert[,LEVEL][,FILTER],
                         follow,tcp|udp|http,ascii|hex|raw,N, or tsshark's
                         taps[,FILTER] and drops (live: the kernel's drops
                         by reason while capturing; tsshark stays root)
  -q                     no line per frame (with -z: the statistics alone)
  --print                print even when standard output is a terminal
  --tui                  open the interactive interface
  --drops                live: count the kernel's drops by reason while
                         capturing (the interface's D view; in print mode,
                         as -z drops); tsshark stays root to undo its tracing
  --proc                 live: the process of each TCP and UDP flow (proc.pid,
                         proc.comm, proc.uid, proc.container, proc.pod), by
                         sock_diag and /proc when the flow is first seen;
                         tsshark stays root to read other users' processes
  --trace [NFT-MATCH]    live: netfilter's verdict on each captured packet
                         (tap.verdict, tap.verdict_by, tap.nft_trace): a table
                         of tsshark's sets nftrace on the captured devices'
                         packets (those NFT-MATCH selects, e.g. 'udp dport 53');
                         the kernel deletes it when tsshark exits
  --trace-rate <N>       packets per second --trace traces at most (default
                         1000; 0: no bound)
  --workers <N>          threads a display filter in the interface uses
                         (default: one per core, at most 4; 1: no worker threads)
  --keep <N>|<N>MB       the interface holds at most N frames (or N MB), letting
                         the oldest go, for a capture that runs for days
                         (default for a live capture or a pipe: 500000)
  --no-mouse             the interface leaves the mouse to the terminal (by
                         default clicks select and the wheel scrolls; Shift
                         with the mouse selects text either way)

Miscellaneous:
  -h, --help             show this help and exit
  -v, --version          show the version and exit
`;

function fieldOption(options: FieldOutputOptions, setting: string): void {
  const match = /^([a-z]+)=(.*)$/.exec(setting);
  if (!match) throw new UsageError(`invalid -E option "${setting}": expected name=value`);
  const [, name, value] = match;
  const character = (text: string) => (text === '/t' ? '\t' : text === '/s' ? ' ' : text);
  switch (name) {
    case 'header':
      if (value !== 'y' && value !== 'n') throw new UsageError(`invalid -E header value "${value}": expected y or n`);
      options.header = value === 'y';
      return;
    case 'separator':
      options.separator = character(value);
      return;
    case 'aggregator':
      options.aggregator = character(value);
      return;
    case 'occurrence':
      if (value !== 'a' && value !== 'f' && value !== 'l') throw new UsageError(`invalid -E occurrence value "${value}": expected a, f or l`);
      options.occurrence = value;
      return;
    default:
      throw new UsageError(`unknown -E option "${name}"`);
  }
}

/** Each worker holds a copy of the frame index and the in-order pass's memory. */
const MAX_WORKERS = 16;
const DEFAULT_MAX_WORKERS = 4;

const defaultWorkers = () => Math.min(availableParallelism(), DEFAULT_MAX_WORKERS);

/** Kernel buffers are allocated whole: -B above this is a typo, not a wish. */
const MAX_BUFFER_MIB = 4096;

function wholeNumber(flag: string, text: string, minimum: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < minimum) {
    throw new UsageError(`invalid ${flag} "${text}": expected a ${minimum > 0 ? 'positive ' : ''}whole number`);
  }
  return value;
}

export function parseOptions(argv: readonly string[]): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        r: { type: 'string' },
        i: { type: 'string', multiple: true },
        f: { type: 'string' },
        D: { type: 'boolean' },
        'all-netns': { type: 'boolean' },
        proc: { type: 'boolean' },
        s: { type: 'string' },
        p: { type: 'boolean' },
        B: { type: 'string' },
        a: { type: 'string', multiple: true },
        Y: { type: 'string' },
        c: { type: 'string' },
        t: { type: 'string' },
        d: { type: 'string', multiple: true },
        w: { type: 'string' },
        b: { type: 'string', multiple: true },
        F: { type: 'string' },
        T: { type: 'string' },
        e: { type: 'string', multiple: true },
        E: { type: 'string', multiple: true },
        z: { type: 'string', multiple: true },
        o: { type: 'string', multiple: true },
        q: { type: 'boolean' },
        print: { type: 'boolean' },
        tui: { type: 'boolean' },
        drops: { type: 'boolean' },
        trace: { type: 'boolean' },
        'trace-rate': { type: 'string' },
        explain: { type: 'boolean' },
        workers: { type: 'string' },
        'no-mouse': { type: 'boolean' },
        keep: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
  const values = parsed.values;
  const positionals = parsed.positionals;
  // Only --explain (its interface) and --trace (its nft match) take an operand, as tcpdump's options take none.
  const operands = values.explain || values.trace ? 1 : 0;
  if (positionals.length > operands) {
    throw new UsageError(`Unexpected argument '${positionals[operands]}'. This command does not take positional arguments`);
  }
  if (values.explain && values.trace) throw new UsageError('--explain describes the taps and --trace captures: give one of them');
  if (values['trace-rate'] !== undefined && !values.trace) throw new UsageError('--trace-rate bounds --trace: give --trace too');
  const traceRate = values['trace-rate'] === undefined ? DEFAULT_TRACE_RATE : wholeNumber('--trace-rate', values['trace-rate'], 0);
  const output = values.T ?? 'text';
  if (output !== 'text' && output !== 'fields' && output !== 'json') {
    throw new UsageError(`invalid -T "${output}": expected text, fields or json`);
  }
  const writeFormat = values.F ?? 'pcapng';
  if (writeFormat !== 'pcap' && writeFormat !== 'pcapng') throw new UsageError(`invalid -F "${writeFormat}": expected pcap or pcapng`);
  const count = values.c === undefined ? undefined : wholeNumber('-c', values.c, 1);
  const timeFormat = values.t ?? 'r';
  if (!isTimeFormat(timeFormat)) throw new UsageError(`invalid -t "${timeFormat}": expected one of ${TIME_FORMATS.join(', ')}`);
  const snaplen = values.s === undefined ? MAX_CAPLEN : wholeNumber('-s', values.s, 0);
  const workers = values.workers === undefined ? defaultWorkers() : wholeNumber('--workers', values.workers, 1);
  if (workers > MAX_WORKERS) throw new UsageError(`invalid --workers "${values.workers}": at most ${MAX_WORKERS}`);
  const bufferMiB = values.B === undefined ? undefined : wholeNumber('-B', values.B, 1);
  if (bufferMiB !== undefined && bufferMiB > MAX_BUFFER_MIB) throw new UsageError(`invalid -B "${values.B}": at most ${MAX_BUFFER_MIB} MiB`);
  let durationSec: number | undefined;
  for (const condition of values.a ?? []) {
    const match = /^duration:(\d+(?:\.\d+)?)$/.exec(condition);
    if (!match || Number(match[1]) <= 0) throw new UsageError(`invalid -a "${condition}": expected duration:<seconds>`);
    durationSec = Number(match[1]);
  }
  let keep: KeepBound | undefined;
  if (values.keep !== undefined) {
    const parsed = parseKeep(values.keep);
    if (!parsed.ok) throw new UsageError(parsed.error);
    keep = parsed.bound;
  }
  let ring: RingOptions | undefined;
  if (values.b !== undefined) {
    if (values.w === undefined) throw new UsageError("Multiple capture files requested, but the frames aren't being written to a file (-w)");
    if (values.w === '-') throw new UsageError('Multiple capture files requested, but the capture is being written to the standard output.');
    const parsed = parseRingOptions(values.b);
    if (!parsed.ok) throw new UsageError(parsed.error);
    ring = parsed.options;
  }
  const fieldOptions: FieldOutputOptions = { header: false, separator: '\t', occurrence: 'a', aggregator: ',' };
  for (const setting of values.E ?? []) fieldOption(fieldOptions, setting);
  const fields = values.e ?? [];
  if (output === 'fields' && fields.length === 0) throw new UsageError('-T fields needs at least one -e field');
  if (fields.length > 0 && output === 'text') throw new UsageError('-e needs -T fields or -T json');
  return {
    readFile: values.r,
    interfaces: values.i ?? [],
    captureFilter: values.f,
    // tcpdump's rule: 0, or more than the maximum, means the maximum.
    snaplen: snaplen === 0 || snaplen > MAX_CAPLEN ? MAX_CAPLEN : snaplen,
    promiscuous: !(values.p ?? false),
    bufferMiB,
    durationSec,
    displayFilter: values.Y,
    count,
    timeFormat,
    decodeAs: values.d ?? [],
    preferences: values.o ?? [],
    writeFile: values.w,
    ring,
    writeFormat,
    output,
    fields,
    fieldOptions,
    quiet: values.q ?? false,
    statistics: values.z ?? [],
    print: values.print ?? false,
    tui: values.tui ?? false,
    drops: values.drops ?? false,
    trace: values.trace ? { match: positionals[0] ?? '', rate: traceRate } : undefined,
    listInterfaces: values.D ?? false,
    allNetns: values['all-netns'] ?? false,
    processes: values.proc ?? false,
    explain: values.explain ? { interface: positionals[0] } : undefined,
    workers,
    mouse: !(values['no-mouse'] ?? false),
    keep,
    help: values.help ?? false,
    version: values.version ?? false,
  };
}
