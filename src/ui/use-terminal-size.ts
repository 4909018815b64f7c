// The terminal's size, following resizes (or a fixed size, for tests).
import { useStdout } from 'ink';
import { useEffect, useReducer } from 'react';

export interface Size {
  columns: number;
  rows: number;
}

export function useTerminalSize(fixed: Size | undefined): Size {
  const { stdout } = useStdout();
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    if (fixed) return;
    stdout.on('resize', redraw);
    return () => {
      stdout.off('resize', redraw);
    };
  }, [stdout, fixed]);
  return fixed ?? { columns: stdout.columns || 80, rows: stdout.rows || 24 };
}
