// The running kernel's symbols (/proc/kallsyms): a helper's address by name, and the function an
// address is in. Root sees addresses; others (kptr_restrict) see zeros, and then nothing is named.
// Read once per process, when first needed: the file is a few megabytes.
import { readFileSync } from 'node:fs';

export const KALLSYMS = '/proc/kallsyms';

export class KernelSymbols {
  private static readonly loaded = new Map<string, KernelSymbols | undefined>();
  private readonly cache = new Map<bigint, string>();

  /** `addresses` and `names`: text symbols sorted by address, for `functionAt`. `byName`: the kernel's own first, then modules'. */
  private constructor(
    private readonly addresses: BigUint64Array,
    private readonly names: string[],
    private readonly byName: Map<string, bigint>,
  ) {}

  /** The symbols of `path`; undefined when their addresses are hidden from this process. */
  static of(path = KALLSYMS): KernelSymbols | undefined {
    if (!KernelSymbols.loaded.has(path)) KernelSymbols.loaded.set(path, KernelSymbols.read(path));
    return KernelSymbols.loaded.get(path);
  }

  private static read(path: string): KernelSymbols | undefined {
    const entries: { address: bigint; name: string }[] = [];
    const byName = new Map<string, bigint>();
    for (const line of readFileSync(path, 'latin1').split('\n')) {
      // "ffffffff81eef2a0 T bpf_redirect_peer" or "... t name [module]": text (code) symbols only.
      const first = line.indexOf(' ');
      const type = line[first + 1];
      if (type !== 'T' && type !== 't') continue;
      const end = line.indexOf(' ', first + 3);
      const address = BigInt(`0x${line.slice(0, first)}`);
      if (address === 0n) return undefined;
      const name = line.slice(first + 3, end < 0 ? undefined : end);
      entries.push({ address, name });
      if (!byName.has(name)) byName.set(name, address);
    }
    if (entries.length === 0) return undefined;
    entries.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
    return new KernelSymbols(BigUint64Array.from(entries, (entry) => entry.address), entries.map((entry) => entry.name), byName);
  }

  addressOf(name: string): bigint | undefined {
    return this.byName.get(name);
  }

  /** The function `address` is in (the last symbol at or before it), or the address in hexadecimal. */
  functionAt(address: bigint): string {
    const known = this.cache.get(address);
    if (known !== undefined) return known;
    let low = 0;
    let high = this.addresses.length - 1;
    if (address < this.addresses[0]) return `0x${address.toString(16)}`;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if (this.addresses[middle] <= address) low = middle;
      else high = middle - 1;
    }
    const name = this.names[low];
    this.cache.set(address, name);
    return name;
  }
}
