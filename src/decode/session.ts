// State that lives across the frames of one capture (reassembly tables, stream numbers), kept per
// owner so each dissector finds its own and nothing is global.
export class Session {
  private readonly states = new Map<object, unknown>();

  stateOf<T>(owner: object, create: () => T): T {
    let state = this.states.get(owner) as T | undefined;
    if (state === undefined) {
      state = create();
      this.states.set(owner, state);
    }
    return state;
  }
}
