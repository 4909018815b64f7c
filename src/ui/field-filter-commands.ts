// Apply or prepare as filter from the tree, as Wireshark's context menu: the selected field with its value
// (`a`), and-ed (`&`) or or-ed (`|`) with the filter applied, excluded from it (`!`), or put in the filter
// line to edit (`A`). An expression that does not compile (a field this build cannot filter on) is said,
// not applied.
import type { TreeNode } from '../decode/tree.js';
import { compileFilter } from '../filter/display-filter.js';
import { combineFilter, matchSelected, type Combination } from '../filter/match-selected.js';
import type { CaptureSession } from '../session/capture-session.js';
import type { CommandHandlers } from './use-keys.js';

/** `apply`: applies a filter's text; `prepare`: opens the filter line on it; `tell`: a message. */
export function fieldFilterCommands(session: CaptureSession, node: TreeNode | undefined, apply: (text: string) => void, prepare: (text: string) => void, tell: (message: string) => void): CommandHandlers {
  const made = (combination: Combination): string | undefined => {
    const expression = node && matchSelected(node);
    if (expression === undefined) {
      tell('This line is not a field: nothing to filter on');
      return undefined;
    }
    const text = combineFilter(combination, expression, session.filters.appliedUserText ?? '');
    const compiled = compileFilter(text, session.decoded.registry);
    if (compiled.ok) return text;
    tell(`Cannot filter on this field: ${compiled.error.message}`);
    return undefined;
  };
  const applied = (combination: Combination) => () => {
    const text = made(combination);
    if (text !== undefined) apply(text);
  };
  return {
    applyAsFilter: applied('selected'),
    applyAndFilter: applied('and'),
    applyOrFilter: applied('or'),
    applyNotFilter: applied('andNot'),
    prepareAsFilter: () => {
      const text = made('selected');
      if (text !== undefined) prepare(text);
    },
  };
}
