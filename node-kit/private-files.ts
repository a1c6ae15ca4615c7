// Data folders and database files that only their owner can read: guest names, credentials and device keys live there.
import { chmodSync, closeSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;
/** Group and other permission bits: none may be set on a data file or folder. */
export const SHARED_BITS = 0o077;

/** SQLite's companions of a database file: each holds the same data, and the kiosk's damaged copies too. */
const SQLITE_SIDE_FILES = ['', '-wal', '-shm', '-journal'];

/**
 * A folder that holds our data and nothing of anyone else's: created 0700, made 0700 when it already exists. A
 * sticky folder (/tmp) or one another user owns is shared by design and left alone, so a database configured straight
 * into it never locks others out; its files are still made 0600.
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const st = statSync(dir);
  const uid = process.getuid?.();
  if (st.mode & 0o1000) return;
  if (uid !== undefined && uid !== 0 && st.uid !== uid) return;
  if ((st.mode & 0o777) !== PRIVATE_DIR_MODE) chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Creates `file` empty with mode 0600 when it does not exist yet, so a database is never briefly readable by others. */
export function createPrivateFile(file: string): void {
  if (existsSync(file)) return;
  try {
    closeSync(openSync(file, 'wx', PRIVATE_FILE_MODE));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
}

/** 0600 on a SQLite database and each of its -wal, -shm and -journal files that exist. */
export function privateSqliteFiles(file: string): void {
  for (const suffix of SQLITE_SIDE_FILES) {
    const f = file + suffix;
    try {
      if ((statSync(f).mode & 0o777) !== PRIVATE_FILE_MODE) chmodSync(f, PRIVATE_FILE_MODE);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
}

/**
 * Folders 0700 and files 0600 throughout `dir` (PGlite unpacks its cluster 0666/0755 whatever the umask says). Links
 * are not followed: they point outside the tree.
 */
export function privateTree(dir: string): void {
  const walk = (d: string) => {
    if ((lstatSync(d).mode & 0o777) !== PRIVATE_DIR_MODE) chmodSync(d, PRIVATE_DIR_MODE);
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.isFile()) {
        try {
          if ((lstatSync(p).mode & 0o777) !== PRIVATE_FILE_MODE) chmodSync(p, PRIVATE_FILE_MODE);
        } catch (e) {
          // a temporary file the database removed between the listing and the chmod
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        }
      }
    }
  };
  walk(dir);
}

/** Every file and folder under `dir` (itself included) that group or others may read, write or enter. */
export function sharedEntries(dir: string): { path: string; mode: number }[] {
  const out: { path: string; mode: number }[] = [];
  const walk = (p: string) => {
    let st;
    try {
      st = lstatSync(p);
    } catch {
      return;
    }
    if (st.isSymbolicLink()) return;
    if (st.mode & SHARED_BITS) out.push({ path: p, mode: st.mode & 0o777 });
    if (st.isDirectory()) for (const name of readdirSync(p)) walk(join(p, name));
  };
  walk(dir);
  return out;
}
