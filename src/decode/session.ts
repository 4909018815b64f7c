// State that lives across the frames of one capture (reassembly tables, stream numbers), kept per
// owner so each dissector finds its own and nothing is global. A frame may be dissected a second time
// (print mode dissects the frames a filter kept again, with columns): the results of the steps that
// change state are remembered for the current frame and given back, so the state changes once.
export class Session {
  private readonly states = new Map<object, unknown>();
  private readonly remembered: unknown[] = [];
  private cursor = 0;
  private replaying = false;

  stateOf<T>(owner: object, create: () => T): T {
    let state = this.states.get(owner) as T | undefined;
    if (state === undefined) {
      state = create();
      this.states.set(owner, state);
    }
    return state;
  }

  /** The decoder starts a frame: a new one, or (`again`) the one it dissected last. */
  beginFrame(again: boolean): void {
    if (!again) this.remembered.length = 0;
    this.cursor = 0;
    this.replaying = again;
  }

  /**
   * Runs a step that changes state (adds a fragment, advances a TCP flow) the first time the frame is
   * dissected, and gives back its result when the frame is dissected again. Steps are matched by order,
   * which the same bytes keep the same.
   */
  once<T>(step: () => T): T {
    if (this.replaying && this.cursor < this.remembered.length) return this.remembered[this.cursor++] as T;
    const result = step();
    this.remembered.push(result);
    this.cursor++;
    return result;
  }
}
