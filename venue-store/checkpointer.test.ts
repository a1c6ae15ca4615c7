import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from './open';
import { startWalCheckpointer } from './checkpointer';

describe('WAL checkpointer', () => {
  it('checkpoints the log from its own thread while the main connection writes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-ckpt-'));
    const file = join(dir, 'kiosk.sqlite');
    const { db } = openStore(file);
    try {
      db.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, v TEXT)');
      const ins = db.prepare('INSERT INTO filler (v) VALUES (?)');
      for (let i = 0; i < 300; i++) db.transaction(() => ins.run('x'.repeat(2000)))();
      const dbSizeBefore = statSync(file).size;
      const ckpt = startWalCheckpointer(file, { intervalMs: 20 });
      const deadline = Date.now() + 10_000;
      while (ckpt.checkpoints() === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(ckpt.checkpoints()).toBeGreaterThan(0);
      // The rows reached the database file itself, and nothing is left in the log to copy.
      expect(statSync(file).size).toBeGreaterThan(dbSizeBefore + 300 * 2000 * 0.9);
      const [r] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[];
      expect(r!.checkpointed).toBe(r!.log);
      await ckpt.stop();
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
