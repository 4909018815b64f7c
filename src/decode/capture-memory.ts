// State that lives across the frames of one capture (reassembly tables, stream numbers), kept per
// owner so each dissector finds its own and nothing is global. A frame may be dissected again: print
// mode dissects the frames a filter kept a second time with columns, and the UI dissects any frame in
// view or selected, in any order. The results of the steps that change state (or read state that
// later frames change) are remembered per frame and given back, so each frame sees the state it saw the
// first time. Print mode remembers only the last frame; the UI remembers every frame's.
import { doubled, sharedColumn } from '../util/typed-arrays.js';

const INITIAL_FRAMES = 1024;

/**
 * Classes whose instances a step may return (a PDU, a TCP stream): a snapshot's copy in another thread
 * gets its prototype back by name, as structured cloning keeps an object's fields but not its class.
 */
const rememberedClasses = new Map<string, abstract new (...args: never[]) => object>();
const classNames = new Map<unknown, string>();

export function rememberedClass(name: string, type: abstract new (...args: never[]) => object): void {
  rememberedClasses.set(name, type);
  classNames.set(type, name);
}

/** What another thread needs to dissect again any frame this memory has seen (CaptureMemory.fromSnapshot). */
export interface MemorySnapshot {
  /** Shared with the memory, valid up to `resultCount` and `frames`. */
  results: Int32Array;
  resultCount: number;
  starts: Uint32Array;
  frames: number;
  /** Frames before the first the memory saw. */
  base: number;
  distinct: unknown[];
  facts: [string, number][];
  /** The instances of remembered classes among the results and what they reach, with their class names. */
  instances: [object, string][];
}

/** Every object reachable from `roots` whose class is a remembered one. */
function classInstances(roots: readonly unknown[]): [object, string][] {
  const found: [object, string][] = [];
  const seen = new Set<object>();
  const pending: unknown[] = [...roots];
  while (pending.length > 0) {
    const value = pending.pop();
    if (value === null || typeof value !== 'object' || seen.has(value) || ArrayBuffer.isView(value)) continue;
    seen.add(value);
    const name = classNames.get(value.constructor);
    if (name !== undefined) found.push([value, name]);
    if (value instanceof Map) for (const [key, item] of value) pending.push(key, item);
    else if (value instanceof Set) for (const item of value) pending.push(item);
    else for (const item of Object.values(value)) pending.push(item);
  }
  return found;
}
const INITIAL_RESULTS = 1024;
const MAX_PLAIN_NUMBER = 0x7fffffff;

export class CaptureMemory {
  private readonly states = new Map<object, unknown>();
  /**
   * Every remembered step result, frame after frame, in step order, as an index into `distinct`: results
   * repeat (a TCP segment's stream, true/false), and a million frames' worth as one JS array of references
   * cost three times the memory. A non-negative integer result is kept in place as its complement.
   */
  private results: Int32Array = sharedColumn(Int32Array, INITIAL_RESULTS);
  private resultCount = 0;
  private readonly distinct: unknown[] = [];
  private readonly indexOf = new Map<unknown, number>();
  /** Where each frame's results start in `results` (frame n at n - 1), when every frame is remembered. */
  private starts: Uint32Array;
  private framesSeen = 0;
  private cursor = 0;
  private end = 0;
  private replayingFrame = false;
  /**
   * Numbers a replay reads that the first pass sets once for the whole capture (the frame from which
   * TCP copies are remembered): state, but kept here so that a copy of the memory has it too.
   */
  private readonly facts = new Map<string, number>();

  /**
   * Frame `number`'s bytes, where the frames are kept (the UI's store): what a frame built from several
   * frames' bytes (a reassembled PDU) is rebuilt from, instead of being kept twice.
   */
  frameData: ((number: number) => Uint8Array) | undefined;

  /** `rememberEveryFrame`: any frame seen may be dissected again, not just the last. */
  /** `base`: frames before the first this memory sees (a decoder that carries on from another, --keep). */
  constructor(
    private readonly rememberEveryFrame = false,
    private readonly base = 0,
  ) {
    this.starts = sharedColumn(Uint32Array, rememberEveryFrame ? INITIAL_FRAMES : 0);
    this.framesSeen = base;
  }

  /** The remembered results, for another thread (every frame must be remembered). */
  snapshot(): MemorySnapshot {
    const distinct = this.distinct.slice();
    return {
      results: this.results,
      resultCount: this.resultCount,
      starts: this.starts,
      frames: this.framesSeen,
      base: this.base,
      distinct,
      facts: [...this.facts],
      instances: classInstances(distinct),
    };
  }

  /** A memory that dissects again the frames of a snapshot (made after structured cloning). */
  static fromSnapshot(snapshot: MemorySnapshot): CaptureMemory {
    for (const [instance, name] of snapshot.instances) {
      const type = rememberedClasses.get(name);
      if (type === undefined) throw new Error(`a snapshot names class ${name}, which is not remembered here`);
      Object.setPrototypeOf(instance, type.prototype);
    }
    const memory = new CaptureMemory(true, snapshot.base);
    memory.results = snapshot.results;
    memory.resultCount = snapshot.resultCount;
    memory.starts = snapshot.starts;
    memory.framesSeen = snapshot.frames;
    for (const value of snapshot.distinct) memory.distinct.push(value);
    for (const [key, value] of snapshot.facts) memory.facts.set(key, value);
    return memory;
  }

  stateOf<T>(owner: object, create: () => T): T {
    let state = this.states.get(owner) as T | undefined;
    if (state === undefined) {
      state = create();
      this.states.set(owner, state);
    }
    return state;
  }

  /** The owner's state if something created it, without creating it. */
  findState<T>(owner: object): T | undefined {
    return this.states.get(owner) as T | undefined;
  }

  fact(key: string): number {
    return this.facts.get(key) ?? 0;
  }

  setFact(key: string, value: number): void {
    this.facts.set(key, value);
  }

  /** Whether the frame being dissected was dissected before (its steps' results are given back). */
  get replaying(): boolean {
    return this.replayingFrame;
  }

  /** Frames seen for the first time so far. */
  get frames(): number {
    return this.framesSeen;
  }

  /**
   * The decoder starts frame `number` (1-based): the next new frame, or one seen before (then the last
   * one unless every frame is remembered), whose steps are replayed.
   */
  beginFrame(number: number): void {
    if (number === this.framesSeen + 1) {
      if (this.rememberEveryFrame) {
        this.startAt(number, this.resultCount);
      } else if (this.resultCount !== 0) {
        this.resultCount = 0;
        this.distinct.length = 0;
      }
      this.framesSeen = number;
      this.replayingFrame = false;
      return;
    }
    if (number <= this.base || number > this.framesSeen || (!this.rememberEveryFrame && number !== this.framesSeen)) {
      throw new RangeError(`frame ${number} cannot be dissected again (frames seen: ${this.framesSeen})`);
    }
    this.replayingFrame = true;
    this.cursor = this.rememberEveryFrame ? this.starts[number - 1 - this.base] : 0;
    this.end = number === this.framesSeen ? this.resultCount : this.starts[number - this.base];
  }

  /**
   * Runs a step that changes state (adds a fragment, advances a TCP flow) the first time the frame is
   * dissected, and gives back its result when the frame is dissected again. Steps are matched by order,
   * which the same bytes keep the same.
   */
  once<T>(step: () => T): T {
    if (!this.replayingFrame) {
      const result = step();
      this.remember(result);
      return result;
    }
    return this.cursor < this.end ? this.recall<T>() : step();
  }

  /**
   * `once` without a closure, for the steps of every frame: `memory.remembered ? memory.recall() :
   * memory.record(step())` keeps the same results in the same order.
   */
  get remembered(): boolean {
    return this.replayingFrame && this.cursor < this.end;
  }

  recall<T>(): T {
    const entry = this.results[this.cursor++];
    return (entry < 0 ? ~entry : this.distinct[entry]) as T;
  }

  record<T>(result: T): T {
    if (!this.replayingFrame) this.remember(result);
    return result;
  }

  private remember(result: unknown): void {
    let index: number | undefined;
    // Counts and frame numbers (an echo reply's request) are kept as they are, complemented (negative);
    // interning them would cost a map entry each.
    if (typeof result === 'number' && result >= 0 && result <= MAX_PLAIN_NUMBER && Number.isInteger(result)) index = ~result;
    // Interning saves memory when every frame is remembered; for the last frame alone it would only cost.
    else if (this.rememberEveryFrame) index = this.indexOf.get(result);
    if (index === undefined) {
      index = this.distinct.length;
      this.distinct.push(result);
      if (this.rememberEveryFrame) this.indexOf.set(result, index);
    }
    if (this.resultCount === this.results.length) this.results = doubled(this.results);
    this.results[this.resultCount++] = index;
  }

  private startAt(number: number, start: number): void {
    if (number - this.base > this.starts.length) this.starts = doubled(this.starts);
    this.starts[number - 1 - this.base] = start;
  }
}
