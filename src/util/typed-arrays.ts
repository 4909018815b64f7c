// Typed-array columns (frame index, per-frame results, filter rows) grow by doubling. The columns worker
// threads read (the frame index, the in-order pass's results) live in shared memory: a snapshot hands
// them over without copying, and the thread that appends only ever writes past what it handed over.

type Column = Float64Array | Int32Array | Uint32Array | Uint16Array | Uint8Array;
type ColumnType<T extends Column> = { new (length: number): T; new (buffer: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number };

/** A column of `length` elements in shared memory. */
export function sharedColumn<T extends Column>(type: ColumnType<T>, length: number): T {
  return new type(new SharedArrayBuffer(length * type.BYTES_PER_ELEMENT));
}

/** A column twice as long as `column`, holding its elements first; shared when `column` is. */
export function doubled<T extends Column>(column: T): T {
  const type = column.constructor as ColumnType<T>;
  const grown = column.buffer instanceof SharedArrayBuffer ? sharedColumn(type, column.length * 2) : new type(column.length * 2);
  grown.set(column);
  return grown;
}
