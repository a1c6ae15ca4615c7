// The kiosk's and the hub's SQLite files are their owner's alone, whatever the umask: real files, a real kiosk store
// (checkpointer included) and a real agent, with umask 000 so nothing is left to the process's defaults.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRuntimeStore } from './runtime-store';
import { openStore } from './open';
import { startAgent } from '../edge-agent/runtime';
import { sharedEntries } from '../node-kit/private-files';

const modeOf = (p: string) => statSync(p).mode & 0o777;
const tmp = (p: string) => mkdtempSync(join(tmpdir(), `sp-modes-${p}-`));

describe('SQLite data files are owner-only', () => {
  let umask: number;
  beforeAll(() => {
    umask = process.umask(0o000);
  });
  afterAll(() => {
    process.umask(umask);
  });

  it('a new kiosk folder is 0700 and the database, -wal and -shm 0600 after writes and checkpoints', async () => {
    const dir = join(tmp('kiosk'), 'kiosk-a');
    const file = join(dir, 'kiosk.sqlite');
    const store = await openRuntimeStore(file, { rebuildIfDamaged: true, checkpointIntervalMs: 20, onFault: () => undefined });
    try {
      const insert = store.db.prepare("INSERT INTO outbox (event_id, type, event_json, created_at, created_ms) VALUES (?, 'device.heartbeat', '{}', '2026-01-01T00:00:00Z', 0)");
      for (let i = 0; i < 200; i++) insert.run(`00000000-0000-7000-8000-${String(i).padStart(12, '0')}`);
      await new Promise((r) => setTimeout(r, 100));
      expect(modeOf(dir)).toBe(0o700);
      for (const f of [file, `${file}-wal`, `${file}-shm`]) expect([f, modeOf(f)]).toEqual([f, 0o600]);
      expect(sharedEntries(dir)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('puts the modes right again at the next start: a folder 0755, a database 0644, an older damaged copy 0666', async () => {
    const dir = join(tmp('again'), 'kiosk-b');
    const file = join(dir, 'kiosk.sqlite');
    openStore(file).db.close();
    chmodSync(dir, 0o755);
    chmodSync(file, 0o644);
    writeFileSync(`${file}.damaged-2026-01-01T00-00-00-000Z`, 'old bytes', { mode: 0o666 });
    expect(sharedEntries(dir).length).toBe(3);
    const store = await openRuntimeStore(file, { rebuildIfDamaged: true, onFault: () => undefined });
    try {
      expect(sharedEntries(dir)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('keeps a damaged file it sets aside 0600, with the new file beside it', async () => {
    const dir = join(tmp('damaged'), 'kiosk-c');
    mkdirSync(dir, { mode: 0o700 });
    const file = join(dir, 'kiosk.sqlite');
    writeFileSync(file, Buffer.alloc(64 * 1024, 7), { mode: 0o644 });
    const store = await openRuntimeStore(file, { rebuildIfDamaged: true, onFault: () => undefined });
    try {
      expect(store.rebuilt?.damagedFile).toMatch(/kiosk\.sqlite\.damaged-/);
      expect(modeOf(store.rebuilt!.damagedFile)).toBe(0o600);
      expect(sharedEntries(dir)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('leaves a sticky shared folder as it is, and still makes the database in it 0600', async () => {
    const shared = tmp('sticky');
    chmodSync(shared, 0o1777);
    const file = join(shared, 'kiosk.sqlite');
    openStore(file).db.close();
    expect(statSync(shared).mode & 0o7777).toBe(0o1777);
    expect(modeOf(file)).toBe(0o600);
  });

  it("the hub's folder, database and secret key file are owner-only once it runs", async () => {
    const root = tmp('hub');
    const dir = join(root, 'agent');
    const agent = await startAgent({ config: { venue_id: 'ven_modes', device_id: 'dev_hub', listen: { host: '127.0.0.1', port: 0 } }, databaseFile: join(dir, 'agent.sqlite') });
    try {
      agent.store.issueKey('dev_door', 'kiosk');
      expect(modeOf(dir)).toBe(0o700);
      expect(sharedEntries(dir)).toEqual([]);
      // Beside the data folder, not in it: a copy of the folder does not carry the key.
      expect(modeOf(join(root, 'seatpilot-secrets.key'))).toBe(0o600);
    } finally {
      await agent.close();
    }
    expect(sharedEntries(root)).toEqual([]);
  });
});
