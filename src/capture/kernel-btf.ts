// Where the running kernel keeps a structure's members, read from its BTF (/sys/kernel/btf/vmlinux, the
// type information every kernel since 5.4 built with CONFIG_DEBUG_INFO_BTF carries). tsshark's drop probe
// reads `struct sk_buff` through these offsets, so it fits the kernel it runs on without headers or a
// compiler. Format: Documentation/bpf/btf.rst.
import { readFileSync } from 'node:fs';

export const VMLINUX_BTF = '/sys/kernel/btf/vmlinux';

const MAGIC = 0xeb9f;
const Header = { MAGIC: 0, HDR_LEN: 4, TYPE_OFF: 8, TYPE_LEN: 12, STR_OFF: 16, STR_LEN: 20, SIZE: 24 } as const;
/** A btf_type: name_off, info, size_or_type. */
const TYPE_BYTES = 12;
const MEMBER_BYTES = 12;

/** BTF_KIND_*, and the bytes that follow each kind's btf_type (per member for those with `vlen`). */
const Kind = { INT: 1, ARRAY: 3, STRUCT: 4, UNION: 5, ENUM: 6, FUNC_PROTO: 13, VAR: 14, DATASEC: 15, DECL_TAG: 17, ENUM64: 19 } as const;
const FIXED_TRAILER: Readonly<Record<number, number>> = { [Kind.INT]: 4, [Kind.ARRAY]: 12, [Kind.VAR]: 4, [Kind.DECL_TAG]: 4 };
const PER_ITEM: Readonly<Record<number, number>> = { [Kind.STRUCT]: MEMBER_BYTES, [Kind.UNION]: MEMBER_BYTES, [Kind.ENUM]: 8, [Kind.FUNC_PROTO]: 8, [Kind.DATASEC]: 12, [Kind.ENUM64]: 12 };
/** Types read at most: vmlinux has about 150,000; a corrupt count must not loop for long. */
const MAX_TYPES = 4_000_000;

export class BtfError extends Error {}

interface TypeEntry {
  nameOffset: number;
  kind: number;
  /** Whether a struct's member offsets hold a bitfield size in their top byte. */
  kindFlag: boolean;
  vlen: number;
  /** Where its trailing data (members) starts. */
  trailer: number;
}

/** A BTF file's types, read once, asked for any number of structs. */
export class KernelBtf {
  private constructor(
    private readonly view: DataView,
    private readonly types: TypeEntry[],
    private readonly stringAt: (offset: number) => string,
  ) {}

  /** Throws BtfError when `btf` is not BTF of this machine's byte order or is cut short. */
  static read(btf: Uint8Array = readFileSync(VMLINUX_BTF)): KernelBtf {
    const view = new DataView(btf.buffer, btf.byteOffset, btf.byteLength);
    if (btf.length < Header.SIZE || view.getUint16(Header.MAGIC, true) !== MAGIC) throw new BtfError('not BTF of this machine\'s byte order (no 0xeb9f magic)');
    const headerLength = view.getUint32(Header.HDR_LEN, true);
    const typesAt = headerLength + view.getUint32(Header.TYPE_OFF, true);
    const typesEnd = typesAt + view.getUint32(Header.TYPE_LEN, true);
    const stringsAt = headerLength + view.getUint32(Header.STR_OFF, true);
    const stringsEnd = stringsAt + view.getUint32(Header.STR_LEN, true);
    if (typesEnd > btf.length || stringsEnd > btf.length) throw new BtfError(`a section runs past the end (${btf.length} bytes)`);
    const stringAt = (offset: number): string => {
      const start = stringsAt + offset;
      if (offset === 0 || start >= stringsEnd) return '';
      const end = btf.indexOf(0, start);
      return Buffer.from(btf.buffer, btf.byteOffset + start, (end < 0 ? stringsEnd : end) - start).toString('latin1');
    };
    // Type ids start at 1; index 0 stands for void.
    const types: TypeEntry[] = [{ nameOffset: 0, kind: 0, kindFlag: false, vlen: 0, trailer: 0 }];
    for (let at = typesAt; at < typesEnd && types.length < MAX_TYPES; ) {
      if (at + TYPE_BYTES > typesEnd) throw new BtfError(`type ${types.length} is cut short at byte ${at}`);
      const info = view.getUint32(at + 4, true);
      const kind = (info >>> 24) & 0x1f;
      const vlen = info & 0xffff;
      types.push({ nameOffset: view.getUint32(at, true), kind, kindFlag: info >>> 31 === 1, vlen, trailer: at + TYPE_BYTES });
      at += TYPE_BYTES + (FIXED_TRAILER[kind] ?? 0) + vlen * (PER_ITEM[kind] ?? 0);
    }
    return new KernelBtf(view, types, stringAt);
  }

  /** The members of struct `name` wanted, as byte offsets, members of anonymous unions and structs within it included. */
  structOffsets<Member extends string>(name: string, members: readonly Member[]): Record<Member, number> {
    const { view, types, stringAt } = this;
    const struct = types.find((type) => type.kind === Kind.STRUCT && stringAt(type.nameOffset) === name);
    if (struct === undefined) throw new BtfError(`no struct ${name}`);
    const found = new Map<string, number>();
    const visit = (type: TypeEntry, base: number, depth: number): void => {
      for (let i = 0; i < type.vlen; i++) {
        const at = type.trailer + i * MEMBER_BYTES;
        const memberName = stringAt(view.getUint32(at, true));
        const memberType = types[view.getUint32(at + 4, true)];
        const bits = view.getUint32(at + 8, true);
        const offset = base + (type.kindFlag ? bits & 0xffffff : bits);
        if (memberName !== '') {
          if (!found.has(memberName) && offset % 8 === 0) found.set(memberName, offset / 8);
        } else if (memberType !== undefined && (memberType.kind === Kind.STRUCT || memberType.kind === Kind.UNION) && depth < 8) {
          visit(memberType, offset, depth + 1);
        }
      }
    };
    visit(struct, 0, 0);
    const offsets = {} as Record<Member, number>;
    for (const member of members) {
      const offset = found.get(member);
      if (offset === undefined) throw new BtfError(`struct ${name} has no member ${member}`);
      offsets[member] = offset;
    }
    return offsets;
  }
}
