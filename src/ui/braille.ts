// Line graphs in braille characters: a cell is 2 dots wide and 4 high, so a terminal column holds two
// intervals and a row four levels, each series drawn as a line (a dot per interval, joined upright to the
// one before). A cell takes the colour of the last series that put a dot in it.

/** U+2800 plus these bits lights a dot: [column][row from the top]. */
const DOT_BITS = [
  [0x01, 0x02, 0x04, 0x40],
  [0x08, 0x10, 0x20, 0x80],
] as const;
const BRAILLE_BLANK = 0x2800;
export const DOTS_PER_COLUMN = 2;
const DOTS_PER_ROW = 4;

/** A cell of the graph: its character and the series that coloured it (-1: none). */
export interface BrailleCell {
  text: string;
  series: number;
}

/**
 * Rows (top first) of `columns` cells, `height` rows high, plotting each of `series` (values per interval,
 * two intervals a column) on a scale whose top is `most`.
 */
export function brailleGraph(series: readonly (readonly number[])[], most: number, columns: number, height: number): BrailleCell[][] {
  const bits = Array.from({ length: height }, () => new Array<number>(columns).fill(0));
  const owner = Array.from({ length: height }, () => new Array<number>(columns).fill(-1));
  const levels = height * DOTS_PER_ROW;
  const levelOf = (value: number) => Math.min(levels - 1, Math.round((value / Math.max(1, most)) * (levels - 1)));
  series.forEach((values, index) => {
    let previous: number | undefined;
    for (let interval = 0; interval < Math.min(values.length, columns * DOTS_PER_COLUMN); interval++) {
      const level = levelOf(values[interval]);
      const from = previous === undefined ? level : Math.min(previous, level);
      const to = previous === undefined ? level : Math.max(previous, level);
      const column = Math.floor(interval / DOTS_PER_COLUMN);
      for (let dot = from; dot <= to; dot++) {
        const row = height - 1 - Math.floor(dot / DOTS_PER_ROW);
        bits[row][column] |= DOT_BITS[interval % DOTS_PER_COLUMN][DOTS_PER_ROW - 1 - (dot % DOTS_PER_ROW)];
        owner[row][column] = index;
      }
      previous = level;
    }
  });
  // An empty cell is a space, not the blank braille character: cheaper for the terminal and for Ink.
  return bits.map((row, rowIndex) => row.map((cellBits, column) => ({ text: cellBits === 0 ? ' ' : String.fromCharCode(BRAILLE_BLANK + cellBits), series: owner[rowIndex][column] })));
}
