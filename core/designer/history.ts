// Undo and redo for the Seat Designer: a bounded stack of whole layouts (they are small and immutable), where a run of
// changes with the same `coalesce` key (one drag, one typed label) is one step.
export interface HistoryOptions {
  /** Steps kept; the oldest is dropped beyond it (default 200). */
  limit?: number;
}

export class History<T> {
  constructor(initial: T, options: HistoryOptions = {}) {
    void initial;
    void options;
    throw new Error('core/designer/history: not built yet');
  }
  /** The current state. */
  get present(): T { throw new Error('todo'); }
  get canUndo(): boolean { throw new Error('todo'); }
  get canRedo(): boolean { throw new Error('todo'); }
  /** A new state; clears the redo side. With the same `coalesce` key as the previous push, replaces that step instead. */
  push(state: T, coalesce?: string): void { void state; void coalesce; throw new Error('todo'); }
  /** Ends a coalescing run (a drag ended): the next push is a step of its own. */
  seal(): void { throw new Error('todo'); }
  undo(): T { throw new Error('todo'); }
  redo(): T { throw new Error('todo'); }
  /** Starts over from `state` with no history (a draft loaded or restored). */
  reset(state: T): void { void state; throw new Error('todo'); }
}
