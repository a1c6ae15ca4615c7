// The body of the console's auto-assign worker (started by solve-thread.ts through solve-worker.mjs): the engine's
// search is synchronous, so it runs here, off the cloud's event loop that ingest and the console share. The worker
// loads first and then waits for its one problem, so a spare can be started before a planner asks (solve-thread.ts).
import { parentPort } from 'node:worker_threads';
import { planOccasion, type OccasionData } from './occasion-plan';
import type { SolveWorkerAnswer } from './solve-thread';

parentPort!.once('message', (input: { data: OccasionData; timeLimitMs: number; seed: number }) => {
  void (async () => {
    let answer: SolveWorkerAnswer;
    try {
      answer = { kind: 'outcome', outcome: await planOccasion(input.data, { timeLimitMs: input.timeLimitMs, seed: input.seed }) };
    } catch (e) {
      answer = { kind: 'error', detail: e instanceof Error ? (e.stack ?? e.message) : String(e) };
    }
    parentPort!.postMessage(answer);
  })();
});
