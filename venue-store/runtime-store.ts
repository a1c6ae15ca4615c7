// The store exactly as a running kiosk or agent opens it, and as bench:checkin opens it (so the two cannot drift):
// an integrity check bounded in time, the file opened (WAL, synchronous=FULL, migrations), WAL checkpoints in their
// worker thread off the scan path, and the health that every write path reports to.
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { chmodSync, existsSync, readdirSync, renameSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database, { type Database as SqliteDatabase } from 'better-sqlite3';
import { startWalCheckpointer, type WalCheckpointer } from './checkpointer';
import { openStore, type OpenedStore } from './open';
import { PRIVATE_FILE_MODE } from '../node-kit/private-files';
import { StoreHealth, classifyStoreError, type StoreFault } from './store-health';

export type IntegrityResult = { state: 'ok' } | { state: 'damaged'; detail: string } | { state: 'unknown'; detail: string };

// Plain CommonJS evaluated in the worker (as the checkpointer's), so a slow check never blocks the process's start.
const CHECK_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
let out;
try {
  const Database = require(workerData.driver);
  const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.pragma('quick_check(5)').map((r) => r.quick_check);
    out = rows.length === 1 && rows[0] === 'ok' ? { state: 'ok' } : { state: 'damaged', detail: rows.join('; ').replace(/\\s*\\n\\s*/g, '; ').slice(0, 300) };
  } finally { db.close(); }
} catch (e) {
  const code = String(e && e.code || '');
  const damaged = code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB';
  out = { state: damaged ? 'damaged' : 'unknown', detail: String(e && e.message || e) };
}
parentPort.postMessage(out);
`;

/**
 * `PRAGMA quick_check` in a worker, given at most `timeoutMs`: a check that has not finished by then says `unknown` and
 * the box starts anyway (a large healthy file must not keep a door dark), and damage found later is still reported.
 */
export async function quickCheck(file: string, timeoutMs = 5_000): Promise<IntegrityResult> {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(CHECK_SOURCE, { eval: true, workerData: { file, driver } });
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      new Promise<IntegrityResult>((resolve) => {
        worker.once('message', (m: IntegrityResult) => resolve(m));
        worker.once('error', (e) => resolve({ state: 'unknown', detail: e.message }));
      }),
      new Promise<IntegrityResult>((resolve) => {
        timer = setTimeout(() => resolve({ state: 'unknown', detail: `the integrity check did not finish within ${timeoutMs} ms` }), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    await worker.terminate();
  }
}

export interface RuntimeStore extends OpenedStore {
  file: string;
  health: StoreHealth;
  checkpointer: WalCheckpointer | null;
  integrity: IntegrityResult;
  /** Where a damaged file was set aside at this start, with how many unsent events were recovered from it. */
  rebuilt: { damagedFile: string; reason: string; recoveredEvents: number } | null;
  close(): Promise<void>;
}

export interface RuntimeStoreOptions {
  integrityTimeoutMs?: number;
  checkpointIntervalMs?: number;
  /**
   * A kiosk sets a damaged file aside and starts on a fresh one (its guest list comes again from the hub); unsent
   * events that can still be read from the damaged copy are queued again. The agent holds the venue's truth and never
   * does this by itself: it starts on the file and reports the damage.
   */
  rebuildIfDamaged?: boolean;
  now?: () => number;
  onFault?: (kind: string, message: string) => void;
  onHealthChange?: (fault: StoreFault | null) => void;
}

const SIDE_FILES = ['', '-wal', '-shm'];

function setAside(file: string, stamp: string): string {
  const aside = `${file}.damaged-${stamp}`;
  for (const suffix of SIDE_FILES) if (existsSync(file + suffix)) renameSync(file + suffix, aside + suffix);
  return aside;
}

/** Damaged copies hold the same guests and credentials as the live file: owner only, those of earlier starts too. */
function privateDamagedCopies(file: string): void {
  const prefix = `${basename(file)}.damaged-`;
  let names: string[];
  try {
    names = readdirSync(dirname(file));
  } catch {
    return;
  }
  for (const name of names) if (name.startsWith(prefix)) chmodSync(join(dirname(file), name), PRIVATE_FILE_MODE);
}

/** Unsent events still readable from a damaged copy, queued again in the new file's outbox. */
function recoverUnsent(damagedFile: string, db: SqliteDatabase): number {
  let rows: { event_id: string; type: string; event_json: string; created_at: string; created_ms: number }[];
  try {
    const old = new Database(damagedFile, { readonly: true, fileMustExist: true });
    try {
      rows = old.prepare("SELECT event_id, type, event_json, created_at, created_ms FROM outbox_events WHERE state = 'pending' AND event_json <> '' ORDER BY created_ms").all() as typeof rows;
    } finally {
      old.close();
    }
  } catch {
    return 0;
  }
  const insert = db.prepare('INSERT INTO outbox (event_id, type, event_json, created_at, created_ms) VALUES (?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING');
  let n = 0;
  db.transaction(() => {
    for (const r of rows) {
      try {
        JSON.parse(r.event_json);
      } catch {
        continue; // a row whose text the damage reached is not sent half-read
      }
      n += insert.run(r.event_id, r.type, r.event_json, r.created_at, r.created_ms).changes;
    }
  })();
  return n;
}

export async function openRuntimeStore(file: string, opts: RuntimeStoreOptions = {}): Promise<RuntimeStore> {
  const now = opts.now ?? Date.now;
  const memory = file === ':memory:';
  let integrity: IntegrityResult = { state: 'ok' };
  if (!memory && existsSync(file)) integrity = await quickCheck(file, opts.integrityTimeoutMs);
  let rebuilt: RuntimeStore['rebuilt'] = null;
  const rebuild = (reason: string) => {
    const damagedFile = setAside(file, new Date(now()).toISOString().replace(/[:.]/g, '-'));
    rebuilt = { damagedFile, reason, recoveredEvents: 0 };
  };
  if (integrity.state === 'damaged' && opts.rebuildIfDamaged) rebuild(integrity.detail);
  let opened: OpenedStore;
  try {
    opened = openStore(file);
  } catch (e) {
    if (!opts.rebuildIfDamaged || rebuilt || classifyStoreError(e) !== 'damaged') throw e;
    rebuild((e as Error).message);
    opened = openStore(file);
  }
  if (rebuilt) {
    const r = rebuilt as NonNullable<RuntimeStore['rebuilt']>;
    r.recoveredEvents = recoverUnsent(r.damagedFile, opened.db);
    opts.onFault?.('store_rebuilt', `${file} was damaged (${r.reason}); set aside as ${r.damagedFile}, ${r.recoveredEvents} unsent events recovered`);
  }
  if (!memory) privateDamagedCopies(file);
  const health = new StoreHealth(opened.db, { file, now, // The kiosk is the box that rebuilds its file; the hub holds the venue's truth and only reports.
    role: opts.rebuildIfDamaged ? 'kiosk' : 'hub',
    ...(opts.onHealthChange ? { onChange: opts.onHealthChange } : {}) });
  if (integrity.state === 'damaged' && !rebuilt) health.report(Object.assign(new Error(`quick_check: ${integrity.detail}`), { code: 'SQLITE_CORRUPT' }));
  const checkpointer = memory
    ? null
    : startWalCheckpointer(file, {
        ...(opts.checkpointIntervalMs !== undefined ? { intervalMs: opts.checkpointIntervalMs } : {}),
        // A failed checkpoint is logged, not shown: commits still go to the log, and the writes that fail say so.
        onError: (m) => opts.onFault?.('checkpoint', m),
      });
  return {
    ...opened,
    file,
    health,
    checkpointer,
    integrity,
    rebuilt,
    close: async () => {
      health.stop();
      await checkpointer?.stop();
      opened.db.close();
    },
  };
}
