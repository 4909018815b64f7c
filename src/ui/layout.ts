// The panes' share of the screen: the packet list, the tree and the bytes, each under its title line, over
// the line being edited (or the messages) and the status bar. The mouse finds the pane under the pointer by it.
export interface Layout {
  /** Packet rows under the list's header. */
  listRows: number;
  /** Lines of the tree and of the hex pane, each under its own title line. */
  treeRows: number;
  hexRows: number;
}

/** Ink redraws in place only while the output is shorter than the terminal, so one row is left free. */
export function layoutFor(rows: number): Layout {
  const panes = Math.max(6, rows - 1 - 2);
  const list = Math.max(2, Math.floor(panes * 0.45));
  const tree = Math.max(2, Math.floor((panes - list) * 0.55));
  const hex = Math.max(2, panes - list - tree);
  return { listRows: list - 1, treeRows: tree - 1, hexRows: hex - 1 };
}
