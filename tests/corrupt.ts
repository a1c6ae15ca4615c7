// Test helper: damage a real SQLite file the way a failing disk or a yanked power cord does, page by page.
import Database from 'better-sqlite3';
import { closeSync, openSync, writeSync } from 'node:fs';

/** Overwrites `count` pages of `table` (leaf and interior) with garbage; the rest of the file stays readable. */
export function corruptTablePages(file: string, table: string, count = 3): number[] {
  const db = new Database(file);
  db.pragma('wal_checkpoint(TRUNCATE)');
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const pages = db.prepare('SELECT pageno FROM dbstat WHERE name = ? ORDER BY pageno').pluck().all(table) as number[];
  db.close();
  if (pages.length < count) throw new Error(`${table} has only ${pages.length} pages`);
  const picked = pages.slice(0, count);
  const fd = openSync(file, 'r+');
  try {
    for (const p of picked) writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (p - 1) * pageSize);
  } finally {
    closeSync(fd);
  }
  return picked;
}

/** Overwrites the file's 100-byte header: SQLite then says "file is not a database". */
export function corruptHeader(file: string): void {
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, Buffer.alloc(100, 0x5a), 0, 100, 0);
  } finally {
    closeSync(fd);
  }
}
