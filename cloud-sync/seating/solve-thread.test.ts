// The console's auto-assign runs the engine in a worker thread: a plan comes back from it, this thread stays free
// while it works, a guest list the engine refuses is a failure with its sentence, and a worker that dies is a failed
// run, never a rejection.
import { describe, expect, it } from 'vitest';
import type { OccasionData } from './occasion-plan';
import { planInWorker, stopSpareSolveWorker, warmSolveWorker } from './solve-thread';

const guest = (id: string, extra: Partial<OccasionData['guests'][number]> = {}) => ({
  id, name: id.toUpperCase(), party_size: 1, table_id: null, group: null, together_with: [], apart_from: [], needs: [], seat_locked: false, ...extra,
});
const DATA: OccasionData = {
  occasion_id: 'occ', tenant_id: 'ten', venue_id: 'ven',
  tables: [{ id: 't1', label: 'T1', capacity: 3, tags: [] }, { id: 't2', label: 'T2', capacity: 2, tags: ['accessible'] }],
  guests: [guest('a', { together_with: ['b'] }), guest('b'), guest('c', { needs: ['accessible'] }), guest('d', { apart_from: ['c'] })],
  relations: [],
};

describe('planInWorker', () => {
  it('answers the plan and its moves', async () => {
    const outcome = await planInWorker(DATA, { timeLimitMs: 300 });
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.plan).toMatchObject({ guests_to_seat: 4, guests_seated: 4, unseated: [] });
    const to = Object.fromEntries(outcome.plan.moves.map((m) => [m.guest_id, m.to]));
    expect(to['c']).toBe('t2');
    expect(to['a']).toBe(to['b']);
    expect(to['d']).not.toBe('t2');
  });

  it('a spare worker started ahead answers the next run, and a stopped spare is replaced by a fresh worker', async () => {
    warmSolveWorker();
    warmSolveWorker(); // one spare at most
    expect(await planInWorker(DATA, { timeLimitMs: 300 })).toMatchObject({ ok: true, plan: { guests_seated: 4 } });
    warmSolveWorker();
    stopSpareSolveWorker();
    expect(await planInWorker(DATA, { timeLimitMs: 300 })).toMatchObject({ ok: true, plan: { guests_seated: 4 } });
  });

  it('this thread keeps answering while the engine searches for its whole time limit', async () => {
    // 80 guests with scores between most pairs: no proof of optimality in 1.5 s, so the search takes all of it.
    const guests = Array.from({ length: 80 }, (_, i) => guest(`g${i}`));
    const relations = guests.flatMap((g, i) => guests.slice(i + 1, i + 30).map((h, j) => ({ a: g.id, b: h.id, score: ((i * 7 + j * 13) % 21) - 10, rule: null })));
    const data: OccasionData = { ...DATA, guests, relations, tables: Array.from({ length: 10 }, (_, i) => ({ id: `t${i}`, label: `T${i}`, capacity: 9, tags: [] })) };
    let last = performance.now();
    let longest = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
    }, 10);
    const outcome = await planInWorker(data, { timeLimitMs: 1500 });
    clearInterval(timer);
    expect(outcome).toMatchObject({ ok: true, plan: { optimal: false, guests_seated: 80 } });
    // In this thread the search would have held the loop for the whole 1.5 s.
    expect(longest).toBeLessThan(750);
  });

  it('a guest list the engine refuses is a failure naming why', async () => {
    const outcome = await planInWorker({ ...DATA, guests: [guest('a', { together_with: ['b'] }), guest('b', { apart_from: ['a'] })] }, { timeLimitMs: 300 });
    expect(outcome).toEqual({ ok: false, message: expect.stringMatching(/cannot be seated as it is: relations\[0\] is both apart and together/) });
  });

  it('a worker that runs out of memory is a failed run with a sentence for the planner', async () => {
    const outcome = await planInWorker(DATA, { timeLimitMs: 300, resourceLimits: { maxOldGenerationSizeMb: 1, maxYoungGenerationSizeMb: 1 } });
    expect(outcome).toMatchObject({ ok: false, message: expect.stringContaining('nothing was changed'), detail: expect.any(String) });
  });

  it('an aborted run stops its worker and fails', async () => {
    const stop = new AbortController();
    const run = planInWorker(DATA, { timeLimitMs: 5000, signal: stop.signal });
    stop.abort();
    expect(await run).toMatchObject({ ok: false, detail: 'aborted' });
  });
});
