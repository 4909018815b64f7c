// The running kernel's symbols (/proc/kallsyms): a helper's address by name, and the function an
// address is in. Root sees addresses; others (kptr_restrict) see zeros, and then nothing is named.
// Read once per process, when first needed: the file is a few megabytes and 100,000 lines or more, so
// addresses are kept as two 32-bit halves (a double cannot hold 64 bits) and parsed without BigInt.
import { closeSync, openSync, readSync } from 'node:fs';

export const KALLSYMS = '/proc/kallsyms';

const HALF = 0x1_0000_0000n;
/**
 * Reads of /proc/kallsyms: the kernel walks its table again for each, so the small reads readFileSync
 * makes of a file that says it is empty cost seconds.
 */
const READ_BYTES = 1 << 20;
/** More than any kernel's kallsyms (about 10 MB with every module): bounds the text. */
const MAX_BYTES = 64 << 20;

function readWhole(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const chunks: Buffer[] = [];
    const chunk = Buffer.allocUnsafe(READ_BYTES);
    let total = 0;
    for (;;) {
      const got = readSync(fd, chunk, 0, READ_BYTES, null);
      if (got === 0 || total + got > MAX_BYTES) break;
      chunks.push(Buffer.from(chunk.subarray(0, got)));
      total += got;
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

const SPACE = 0x20;
const TAB = 0x09;
const NEWLINE = 0x0a;
const TEXT_SYMBOL = 0x54; // 'T'
const LOCAL_TEXT_SYMBOL = 0x74; // 't'

/** A hexadecimal digit's value, or -1. */
function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/** Symbols' indexes are below this (kallsyms has a few hundred thousand): a sort key's low bits hold one, and a 32-bit half with it stays exact in a double. */
const INDEX_BITS = 2 ** 20;

/**
 * The indexes of addresses in address order. The kernel's addresses share their upper half (x86-64's
 * ffffffff), so they sort as doubles of lower half and index, natively; others with a comparison.
 */
function sortedOrder(highs: readonly number[], lows: readonly number[]): Uint32Array {
  const count = lows.length;
  const order = new Uint32Array(count);
  if (count < INDEX_BITS && highs.every((high) => high === highs[0])) {
    const keys = new Float64Array(count);
    for (let index = 0; index < count; index++) keys[index] = lows[index] * INDEX_BITS + index;
    keys.sort();
    for (let index = 0; index < count; index++) order[index] = keys[index] % INDEX_BITS;
    return order;
  }
  for (let index = 0; index < count; index++) order[index] = index;
  return order.sort((a, b) => highs[a] - highs[b] || lows[a] - lows[b]);
}

export class KernelSymbols {
  private static readonly loaded = new Map<string, KernelSymbols | undefined>();
  private readonly cache = new Map<bigint, string>();

  /** `high`, `low` and `names`: text symbols sorted by address. `listed`: each one's place in the file. */
  private constructor(
    private readonly high: Uint32Array,
    private readonly low: Uint32Array,
    private readonly names: string[],
    private readonly listed: Uint32Array,
  ) {}

  /** The symbols of `path`; undefined when their addresses are hidden from this process. */
  static of(path = KALLSYMS): KernelSymbols | undefined {
    if (!KernelSymbols.loaded.has(path)) KernelSymbols.loaded.set(path, KernelSymbols.read(path));
    return KernelSymbols.loaded.get(path);
  }

  /** Parsed from the bytes: a string per line would cost a second on a busy machine. */
  private static read(path: string): KernelSymbols | undefined {
    const bytes = readWhole(path);
    // Names are slices of one string: a string made per symbol costs more than all the parsing.
    const text = bytes.toString('latin1');
    const highs: number[] = [];
    const lows: number[] = [];
    const names: string[] = [];
    // "ffffffff81eef2a0 T bpf_redirect_peer" or "... t name\t[module]": text (code) symbols only.
    for (let at = 0; at < bytes.length; ) {
      let high = 0;
      let low = 0;
      for (let digit = hexValue(bytes[at]); digit >= 0; digit = hexValue(bytes[++at])) {
        high = ((high * 16) + Math.floor(low / 0x1000_0000)) >>> 0;
        low = ((low % 0x1000_0000) * 16 + digit) >>> 0;
      }
      const type = bytes[at + 1];
      const symbol = bytes[at] === SPACE && (type === TEXT_SYMBOL || type === LOCAL_TEXT_SYMBOL);
      at += 3;
      const nameAt = at;
      while (at < bytes.length && bytes[at] !== NEWLINE && bytes[at] !== SPACE && bytes[at] !== TAB) at++;
      if (symbol) {
        if (high === 0 && low === 0) return undefined;
        highs.push(high);
        lows.push(low);
        names.push(text.slice(nameAt, at));
      }
      while (at < bytes.length && bytes[at] !== NEWLINE) at++;
      at++;
    }
    if (names.length === 0) return undefined;
    const order = sortedOrder(highs, lows);
    const sortedHighs = new Uint32Array(order.length);
    const sortedLows = new Uint32Array(order.length);
    const sortedNames = new Array<string>(order.length);
    for (let sorted = 0; sorted < order.length; sorted++) {
      sortedHighs[sorted] = highs[order[sorted]];
      sortedLows[sorted] = lows[order[sorted]];
      sortedNames[sorted] = names[order[sorted]];
    }
    return new KernelSymbols(sortedHighs, sortedLows, sortedNames, order);
  }

  /** The kernel's own symbol of that name when a module has one too (the kernel's is listed first). */
  addressOf(name: string): bigint | undefined {
    let found = -1;
    for (let index = 0; index < this.names.length; index++) {
      if (this.names[index] === name && (found < 0 || this.listed[index] < this.listed[found])) found = index;
    }
    return found < 0 ? undefined : this.addressAt(found);
  }

  /** The function `address` is in (the last symbol at or before it), or the address in hexadecimal. */
  functionAt(address: bigint): string {
    const known = this.cache.get(address);
    if (known !== undefined) return known;
    const high = Number(address / HALF);
    const low = Number(address % HALF);
    const before = (index: number) => this.high[index] < high || (this.high[index] === high && this.low[index] <= low);
    let name: string;
    if (!before(0)) {
      name = `0x${address.toString(16)}`;
    } else {
      let lowest = 0;
      let highest = this.names.length - 1;
      while (lowest < highest) {
        const middle = (lowest + highest + 1) >>> 1;
        if (before(middle)) lowest = middle;
        else highest = middle - 1;
      }
      name = this.names[lowest];
    }
    this.cache.set(address, name);
    return name;
  }

  private addressAt(index: number): bigint {
    return BigInt(this.high[index]) * HALF + BigInt(this.low[index]);
  }
}
