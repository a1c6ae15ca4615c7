// Opens a venue SQLite file, the kiosk's or the hub's: WAL, durable commits, migrations applied.
import Database, { type Database as SqliteDatabase } from 'better-sqlite3';
import { dirname } from 'node:path';
import { migrateSqlite, type MigrateReport, type Migration } from '../sql/migrate';
import { loadVenueMigrations } from './migrations';
import { createPrivateFile, ensurePrivateDir, privateSqliteFiles } from '../node-kit/private-files';

/** About 40 MB of log at 4 KiB pages before a commit checkpoints by itself. */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 10_000;

export interface OpenedStore {
  db: SqliteDatabase;
  migration: MigrateReport;
}

export class StoreOpenError extends Error {
  override name = 'StoreOpenError';
}

/**
 * `synchronous=FULL` in WAL mode fsyncs the log at every commit: a check-in whose transaction returned survives a power
 * cut, which is the promise the welcome screen makes. It applies to every write on this connection, sync pages
 * included; they commit once per page, so the cost there is one fsync per page.
 */
export function openStore(file: string, opts: { migrations?: Migration[] } = {}): OpenedStore {
  // Guest names, credentials and device keys: owner only. SQLite gives -wal and -shm the database file's mode, so a
  // file created 0600 keeps its companions 0600 too; the modes are put right again at every open.
  if (file !== ':memory:') {
    ensurePrivateDir(dirname(file));
    createPrivateFile(file);
    privateSqliteFiles(file);
  }
  let db: SqliteDatabase;
  try {
    db = new Database(file);
  } catch (e) {
    throw new StoreOpenError(`cannot open the database file ${file}: ${(e as Error).message}`);
  }
  try {
    db.pragma('busy_timeout = 5000');
    if (file !== ':memory:') {
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new StoreOpenError(`${file}: SQLite refused WAL mode (got "${String(mode)}"); is the file system read-only or a network share?`);
    }
    db.pragma('synchronous = FULL');
    // Checkpoints belong off the scan path (venue-store/checkpointer.ts); this high threshold is only the fallback.
    db.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
    const migration = migrateSqlite(db, opts.migrations ?? loadVenueMigrations());
    if (file !== ':memory:') privateSqliteFiles(file);
    return { db, migration };
  } catch (e) {
    db.close();
    throw e;
  }
}
