// Typed-array columns (frame index, per-frame results, filter rows) grow by doubling.

type Column = Float64Array | Int32Array | Uint32Array | Uint16Array;

/** A column twice as long as `column`, holding its elements first. */
export function doubled<T extends Column>(column: T): T {
  const grown = new (column.constructor as new (length: number) => T)(column.length * 2);
  grown.set(column);
  return grown;
}
