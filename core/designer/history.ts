// Undo and redo for the Seat Designer: a bounded stack of whole layouts (they are small and immutable), where a run of
// changes with the same `coalesce` key (one drag, one typed label) is one step.
export interface HistoryOptions {
  /** Steps kept; the oldest is dropped beyond it (default 200). */
  limit?: number;
}

export const DEFAULT_HISTORY_LIMIT = 200;

export class History<T> {
  /** Oldest first; `states[index]` is the present, those after it the redo side. */
  private states: T[];
  private index = 0;
  /** The coalesce key of the step on top while its run is open (until seal, undo, redo or reset). */
  private openKey: string | undefined;
  private readonly limit: number;

  constructor(initial: T, options: HistoryOptions = {}) {
    const limit = options.limit ?? DEFAULT_HISTORY_LIMIT;
    if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`History: limit must be a whole number ≥ 0 (got ${limit})`);
    this.limit = limit;
    this.states = [initial];
  }

  /** The current state. */
  get present(): T {
    return this.states[this.index]!;
  }

  get canUndo(): boolean {
    return this.index > 0;
  }

  get canRedo(): boolean {
    return this.index < this.states.length - 1;
  }

  /** A new state; clears the redo side. With the same `coalesce` key as the previous push, replaces that step instead. */
  push(state: T, coalesce?: string): void {
    if (coalesce !== undefined && coalesce === this.openKey && this.index > 0) {
      this.states[this.index] = state;
      return;
    }
    this.states.length = this.index + 1;
    this.states.push(state);
    // `limit` undo steps: the present plus that many states behind it.
    const excess = this.states.length - 1 - this.limit;
    if (excess > 0) this.states.splice(0, excess);
    this.index = this.states.length - 1;
    this.openKey = coalesce;
  }

  /** Ends a coalescing run (a drag ended): the next push is a step of its own. */
  seal(): void {
    this.openKey = undefined;
  }

  /** Back one step (none left: unchanged); returns the new present. */
  undo(): T {
    this.openKey = undefined;
    if (this.index > 0) this.index--;
    return this.present;
  }

  /** Forward one step (none left: unchanged); returns the new present. */
  redo(): T {
    this.openKey = undefined;
    if (this.index < this.states.length - 1) this.index++;
    return this.present;
  }

  /** Starts over from `state` with no history (a draft loaded or restored). */
  reset(state: T): void {
    this.states = [state];
    this.index = 0;
    this.openKey = undefined;
  }
}
