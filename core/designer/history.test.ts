import { describe, expect, it } from 'vitest';
import { DEFAULT_HISTORY_LIMIT, History } from './history';

/** Runs a script of operations and returns the present after each, so a table row reads like what the planner did. */
type Op = ['push', number] | ['push', number, string] | ['undo'] | ['redo'] | ['seal'] | ['reset', number];
function run(ops: readonly Op[], limit?: number): { presents: number[]; h: History<number> } {
  const h = new History(0, limit === undefined ? {} : { limit });
  const presents: number[] = [];
  for (const op of ops) {
    switch (op[0]) {
      case 'push': h.push(op[1], op[2]); presents.push(h.present); break;
      case 'undo': presents.push(h.undo()); break;
      case 'redo': presents.push(h.redo()); break;
      case 'seal': h.seal(); presents.push(h.present); break;
      case 'reset': h.reset(op[1]); presents.push(h.present); break;
    }
  }
  return { presents, h };
}

describe('History', () => {
  it.each<[string, Op[], number[]]>([
    ['undo and redo walk the steps', [['push', 1], ['push', 2], ['push', 3], ['undo'], ['undo'], ['redo'], ['redo']], [1, 2, 3, 2, 1, 2, 3]],
    ['undo at the start is a no-op returning the present', [['undo'], ['push', 1], ['undo'], ['undo']], [0, 1, 0, 0]],
    ['redo at the end is a no-op returning the present', [['redo'], ['push', 1], ['redo'], ['undo'], ['redo'], ['redo']], [0, 1, 1, 0, 1, 1]],
    ['a new push clears the redo side', [['push', 1], ['push', 2], ['undo'], ['push', 9], ['redo'], ['undo'], ['undo']], [1, 2, 1, 9, 9, 1, 0]],
    // One drag: many pushes with one key are one step; undo goes back to before the drag.
    ['a drag is one undo step', [['push', 1], ['push', 10, 'drag'], ['push', 11, 'drag'], ['push', 12, 'drag'], ['undo'], ['redo']], [1, 10, 11, 12, 1, 12]],
    ['seal ends a drag: two drags with the same key are two steps',
      [['push', 10, 'drag'], ['push', 11, 'drag'], ['seal'], ['push', 20, 'drag'], ['push', 21, 'drag'], ['undo'], ['undo']],
      [10, 11, 11, 20, 21, 11, 0]],
    ['a different key starts a step', [['push', 1, 'a'], ['push', 2, 'a'], ['push', 3, 'b'], ['undo'], ['undo']], [1, 2, 3, 2, 0]],
    ['a push without a key after a keyed one is its own step, and ends the run', [['push', 1, 'a'], ['push', 2], ['push', 3, 'a'], ['undo'], ['undo'], ['undo']], [1, 2, 3, 2, 1, 0]],
    ['undo ends a run: the next push with the key is a new step (the redo side is gone)',
      [['push', 1, 'a'], ['push', 2, 'a'], ['undo'], ['push', 3, 'a'], ['undo'], ['redo'], ['redo']], [1, 2, 0, 3, 0, 3, 3]],
    ['undo mid-run: the next keyed push does not overwrite the step undone to',
      [['push', 1, 'a'], ['push', 2, 'b'], ['push', 3, 'b'], ['undo'], ['push', 4, 'b'], ['undo'], ['undo']], [1, 2, 3, 1, 4, 1, 0]],
    ['redo ends a run too', [['push', 1, 'a'], ['undo'], ['redo'], ['push', 2, 'a'], ['undo']], [1, 0, 1, 2, 1]],
    ['even a redo with nothing to redo ends the run', [['push', 1, 'a'], ['redo'], ['push', 2, 'a'], ['undo'], ['undo']], [1, 1, 2, 1, 0]],
    ['reset forgets every step', [['push', 1], ['push', 2], ['undo'], ['reset', 7], ['undo'], ['redo']], [1, 2, 1, 7, 7, 7]],
    ['reset ends a run', [['push', 1, 'a'], ['reset', 5], ['push', 6, 'a'], ['undo']], [1, 5, 6, 5]],
  ])('%s', (_name, ops, expected) => {
    expect(run(ops).presents).toEqual(expected);
  });

  it('canUndo and canRedo follow the position', () => {
    const h = new History('a');
    expect([h.canUndo, h.canRedo]).toEqual([false, false]);
    h.push('b');
    expect([h.canUndo, h.canRedo]).toEqual([true, false]);
    h.undo();
    expect([h.canUndo, h.canRedo]).toEqual([false, true]);
    h.redo();
    expect([h.canUndo, h.canRedo]).toEqual([true, false]);
    h.reset('z');
    expect([h.canUndo, h.canRedo, h.present]).toEqual([false, false, 'z']);
  });

  it.each([
    [3, 10, [10, 9, 8, 7, 7]],
    [1, 5, [5, 4, 4]],
  ])('limit %i: after %i pushes only the newest steps undo', (limit, pushes, expected) => {
    const ops: Op[] = [];
    for (let i = 1; i <= pushes; i++) ops.push(['push', i]);
    const { h } = run(ops, limit);
    const seen = [h.present];
    for (let i = 0; i < limit + 1; i++) seen.push(h.undo());
    expect(seen).toEqual(expected);
    expect(h.canUndo).toBe(false);
    // The dropped steps are gone for redo too: redo climbs back only through what was kept.
    let top = h.present;
    while (h.canRedo) top = h.redo();
    expect(top).toBe(pushes);
  });

  it('keeps 200 steps by default', () => {
    const h = new History(0);
    for (let i = 1; i <= 250; i++) h.push(i);
    let undos = 0;
    while (h.canUndo) {
      h.undo();
      undos++;
    }
    expect(DEFAULT_HISTORY_LIMIT).toBe(200);
    expect(undos).toBe(200);
    expect(h.present).toBe(50);
  });

  it('a coalesced run counts as one step against the limit', () => {
    const h = new History(0, { limit: 2 });
    h.push(1);
    for (let i = 0; i < 50; i++) h.push(100 + i, 'drag');
    expect(h.undo()).toBe(1);
    expect(h.undo()).toBe(0);
  });

  it('limit 0 keeps no undo at all', () => {
    const h = new History(0, { limit: 0 });
    h.push(1);
    expect(h.canUndo).toBe(false);
    expect(h.undo()).toBe(1);
  });

  it.each([-1, 1.5, Number.NaN])('refuses limit %s', (limit) => {
    expect(() => new History(0, { limit })).toThrow(RangeError);
  });

  it('keeps the states themselves (the same objects, for cheap layouts)', () => {
    const a = { n: 1 };
    const b = { n: 2 };
    const h = new History(a);
    h.push(b);
    expect(h.undo()).toBe(a);
    expect(h.redo()).toBe(b);
  });
});
