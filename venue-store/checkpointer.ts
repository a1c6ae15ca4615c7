// Moves WAL checkpoints off the scan path. SQLite's automatic checkpoint runs inside whichever commit crosses the
// threshold, so roughly one check-in in a hundred would also copy the log into the database file and fsync it (several
// ms: the whole p99). Instead a worker thread with its own connection runs PASSIVE checkpoints, which never block the
// writer; the scan connection keeps a high automatic threshold only as a fallback should the worker stop.
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';

export interface WalCheckpointer {
  /** Checkpoint passes that moved frames into the database file so far (as last reported by the worker). */
  checkpoints(): number;
  /** Ends the worker after its current checkpoint; resolves once its connection is closed. */
  stop(): Promise<void>;
}

// Plain CommonJS evaluated in the worker, so it loads the same way under tsx, vitest, Node and Electron.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
db.pragma('synchronous = FULL');
let done = 0;
let stopping = false;
function tick() {
  if (stopping) return;
  try {
    const r = db.pragma('wal_checkpoint(PASSIVE)')[0];
    // A pass counts when it moved frames into the database file; under a steady writer it rarely copies the whole log.
    if (r && (r.busy === 0 || r.checkpointed > 0)) done++;
    parentPort.postMessage({ done });
  } catch (e) {
    parentPort.postMessage({ error: String(e && e.message || e) });
  }
  timer = setTimeout(tick, workerData.intervalMs);
}
let timer = setTimeout(tick, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m === 'stop') { stopping = true; clearTimeout(timer); db.close(); parentPort.close(); }
});
`;

export const DEFAULT_CHECKPOINT_INTERVAL_MS = 500;

export function startWalCheckpointer(file: string, opts: { intervalMs?: number; onError?: (message: string) => void } = {}): WalCheckpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver, intervalMs: opts.intervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS } });
  let done = 0;
  worker.on('message', (m: { done?: number; error?: string }) => {
    if (typeof m.done === 'number') done = m.done;
    if (m.error) opts.onError?.(m.error);
  });
  worker.on('error', (e) => opts.onError?.(e.message));
  // The worker must never keep a kiosk process alive on its own.
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    checkpoints: () => done,
    stop: async () => {
      worker.ref(); // keep the process up until the worker has closed its connection
      worker.postMessage('stop');
      const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 5000).unref());
      if ((await Promise.race([exited, timeout])) === 'timeout') await worker.terminate();
    },
  };
}
