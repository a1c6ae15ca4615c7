// Runs occasion-plan.ts planOccasion in a worker thread (solve-worker.mjs → solve-worker.ts) and answers its outcome.
// The engine's search is synchronous: in the cloud's own thread it would hold up ingest and every console request for
// the whole time limit. A worker that throws, crashes, runs out of memory or overruns is a failed run with a
// sentence for the planner, never a rejection.
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { OccasionData, PlanOutcome } from './occasion-plan';

const WORKER = new URL('./solve-worker.mjs', import.meta.url);
/**
 * Beyond the solver's own limit: the worker compiles its TypeScript (cached after the first run) and loads HiGHS,
 * and the plan's HiGHS worker has its own grace (seating/exact.ts). Past it the worker is stopped.
 */
const GRACE_MS = 30_000;
/** A spare worker nobody took is stopped after this long. */
const SPARE_IDLE_MS = 5 * 60_000;

/** What solve-worker.ts posts back. */
export type SolveWorkerAnswer = { kind: 'outcome'; outcome: PlanOutcome } | { kind: 'error'; detail: string };

export type ThreadOutcome = PlanOutcome | { ok: false; message: string; detail: string };

export interface SolveThreadOptions {
  timeLimitMs: number;
  seed?: number;
  graceMs?: number;
  /** Caps the worker's memory (a fresh worker is started for it, never the spare). */
  resourceLimits?: ResourceLimits;
  /** Aborted: the worker is stopped and the run fails (the service is closing). */
  signal?: AbortSignal;
}

const STOPPED = 'the seating engine stopped before it had a plan; nothing was changed, try auto-assign again';

// Starting a worker and loading the engine into it takes about a second (measured: 3,000 guests, 1 s limit: 2.7 s in
// a fresh worker, 1.6 s in this thread). One spare per process, started when a planner opens the chart, takes that
// second out of the wait after the click.
let spare: { worker: Worker; idle: NodeJS.Timeout } | null = null;

const dropSpare = (w: Worker) => {
  if (spare?.worker !== w) return;
  clearTimeout(spare.idle);
  spare = null;
  void w.terminate();
};

/** Starts the spare worker if there is none: it loads, waits unreferenced (it keeps no process alive), and expires. */
export function warmSolveWorker(): void {
  if (spare) return;
  const worker = new Worker(WORKER);
  worker.unref();
  const idle = setTimeout(() => dropSpare(worker), SPARE_IDLE_MS);
  idle.unref();
  spare = { worker, idle };
  // A spare that dies before it is taken is dropped; the run that would have taken it starts a fresh one.
  worker.on('error', () => dropSpare(worker));
  worker.on('exit', () => dropSpare(worker));
}

/** Stops the spare worker (the service is closing). */
export function stopSpareSolveWorker(): void {
  if (spare) dropSpare(spare.worker);
}

function takeWorker(opts: SolveThreadOptions): Worker {
  if (spare && !opts.resourceLimits) {
    const { worker, idle } = spare;
    clearTimeout(idle);
    spare = null;
    worker.removeAllListeners('error');
    worker.removeAllListeners('exit');
    worker.ref();
    return worker;
  }
  return new Worker(WORKER, { resourceLimits: opts.resourceLimits });
}

export function planInWorker(data: OccasionData, opts: SolveThreadOptions): Promise<ThreadOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    let worker: Worker | undefined;
    const onAbort = () => finish({ ok: false, message: 'auto-assign was stopped: the service is shutting down; nothing was changed', detail: 'aborted' });
    const finish = (o: ThreadOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(watchdog);
      opts.signal?.removeEventListener('abort', onAbort);
      void worker?.terminate();
      resolve(o);
    };
    const watchdog = setTimeout(
      () => finish({ ok: false, message: 'the seating engine took far longer than its time limit and was stopped; nothing was changed', detail: 'watchdog' }),
      opts.timeLimitMs + (opts.graceMs ?? GRACE_MS),
    );
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      worker = takeWorker(opts);
      worker.once('message', (answer: SolveWorkerAnswer) =>
        finish(answer.kind === 'outcome' ? answer.outcome : { ok: false, message: STOPPED, detail: answer.detail }));
      worker.once('error', (e: Error) => finish({ ok: false, message: STOPPED, detail: e.stack ?? e.message }));
      worker.once('exit', (code) => finish({ ok: false, message: STOPPED, detail: `the solve worker exited with code ${code} before answering` }));
      worker.postMessage({ data, timeLimitMs: opts.timeLimitMs, seed: opts.seed ?? 1 });
    } catch (e) {
      finish({ ok: false, message: STOPPED, detail: e instanceof Error ? e.message : String(e) });
    }
  });
}
