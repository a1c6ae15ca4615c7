// The store as the runtimes open it, on real SQLite files: integrity check, checkpointer, damaged files, store health.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckinService } from '../kiosk/checkin-service';
import { guestChange, occasionChange, page } from '../tests/fixtures/sync-fixtures';
import { corruptHeader, corruptTablePages } from '../tests/corrupt';
import { waitFor } from '../tests/wait';
import { openStore } from './open';
import { openRuntimeStore, quickCheck } from './runtime-store';
import { classifyStoreError } from './store-health';

const KIOSK = { venue_id: 'ven_rs', device_id: 'kiosk_rs', door_id: 'door_a' };
const DURING = Date.parse('2026-06-20T19:00:00.000Z');

/** A kiosk file with a guest list large enough to span many pages, and `admitted` check-ins not yet pushed. */
function kioskFile(file: string, admitted: number): string[] {
  const { db } = openStore(file);
  const svc = new CheckinService(db, KIOSK, { clock: () => DURING });
  svc.applySyncPage(page([occasionChange(1), ...Array.from({ length: 2000 }, (_, i) => guestChange(2 + i, { id: `g${i}`, name: `Guest Number ${i}`, credentials: [{ kind: 'barcode', value: `T-${i}` }] }))]));
  const ids = Array.from({ length: admitted }, (_, i) => svc.scan(`T-${i}`, { kind: 'barcode' }).event_id as string);
  db.close();
  return ids;
}

describe('runtime store', () => {
  let dir: string;
  const faults: string[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sp-rstore-'));
    faults.length = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const onFault = (kind: string, m: string) => void faults.push(`${kind}: ${m}`);

  it('checks a healthy file, starts the WAL checkpointer, and checkpoints while the kiosk writes', async () => {
    const file = join(dir, 'kiosk.sqlite');
    kioskFile(file, 0);
    const store = await openRuntimeStore(file, { checkpointIntervalMs: 20, rebuildIfDamaged: true, onFault });
    expect(store.integrity).toEqual({ state: 'ok' });
    expect(store.rebuilt).toBeNull();
    expect(store.checkpointer).not.toBeNull();
    const svc = new CheckinService(store.db, KIOSK, { clock: () => DURING });
    for (let i = 0; i < 50; i++) svc.scan(`T-${i}`, { kind: 'barcode' });
    await waitFor('a checkpoint from the worker', () => store.checkpointer!.checkpoints() > 0, 5_000);
    expect(store.health.current()).toBeNull();
    await store.close();
    expect(faults).toEqual([]);
  });

  it('sets a damaged kiosk file aside, starts on a fresh one, and queues again the unsent check-ins it can still read', async () => {
    const file = join(dir, 'kiosk.sqlite');
    const admitted = kioskFile(file, 5);
    corruptTablePages(file, 'guest_name_tokens', 4);
    expect((await quickCheck(file)).state).toBe('damaged');

    const store = await openRuntimeStore(file, { rebuildIfDamaged: true, onFault, now: () => DURING });
    expect(store.rebuilt).toMatchObject({ damagedFile: `${file}.damaged-2026-06-20T19-00-00-000Z`, recoveredEvents: 5 });
    expect(existsSync(store.rebuilt!.damagedFile)).toBe(true);
    expect(faults).toEqual([expect.stringMatching(/^store_rebuilt: .* set aside as .*\.damaged-.*, 5 unsent events recovered$/)]);
    // The fresh file holds no guest list yet, and the five admissions wait in its outbox to go to the hub.
    const svc = new CheckinService(store.db, KIOSK, { clock: () => DURING });
    expect(svc.syncState().version).toBe(0);
    expect(svc.outbox.pending(10).map((i) => i.event.event_id).sort()).toEqual([...admitted].sort());
    expect((await quickCheck(file)).state).toBe('ok');
    await store.close();
  });

  it('sets aside a file that is no database at all (its header overwritten)', async () => {
    const file = join(dir, 'kiosk.sqlite');
    kioskFile(file, 2);
    corruptHeader(file);
    const store = await openRuntimeStore(file, { rebuildIfDamaged: true, onFault });
    expect(store.rebuilt?.recoveredEvents).toBe(0);
    expect(readdirSync(dir).some((f) => f.startsWith('kiosk.sqlite.damaged-'))).toBe(true);
    await store.close();
  });

  it('never sets the hub\'s file aside: it starts on it and its health reports the damage', async () => {
    const file = join(dir, 'agent.sqlite');
    kioskFile(file, 0);
    corruptTablePages(file, 'guest_name_tokens', 2);
    const store = await openRuntimeStore(file, { onFault });
    expect(store.rebuilt).toBeNull();
    expect(store.integrity.state).toBe('damaged');
    expect(store.health.current()?.code).toBe('damaged');
    expect(readdirSync(dir).filter((f) => f.includes('damaged'))).toEqual([]);
    await store.close();
  });

  it('bounds the integrity check in time: a check that cannot finish says unknown and the box starts', async () => {
    const file = join(dir, 'kiosk.sqlite');
    kioskFile(file, 0);
    expect(await quickCheck(file, 0)).toEqual({ state: 'unknown', detail: 'the integrity check did not finish within 0 ms' });
  });

  it('clears a standing fault by itself once a probe commit succeeds', async () => {
    const file = join(dir, 'kiosk.sqlite');
    kioskFile(file, 0);
    const changes: (string | null)[] = [];
    const store = await openRuntimeStore(file, { onHealthChange: (f) => changes.push(f?.code ?? null) });
    expect(store.health.report(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }))).toBe(true);
    expect(store.health.current()?.detail).toMatch(/disk is full/);
    // Not a store fault: a guest's own error does not put the door out of order.
    expect(store.health.report(new Error('UNIQUE constraint failed'))).toBe(false);
    expect(store.health.probe()).toBeNull(); // this disk has room: the probe row commits
    expect(changes).toEqual(['disk_full', null]);
    await store.close();
  });

  it('classifies SQLite errors by their code, also when wrapped', () => {
    expect(classifyStoreError(Object.assign(new Error('x'), { code: 'SQLITE_FULL' }))).toBe('disk_full');
    expect(classifyStoreError(Object.assign(new Error('x'), { code: 'SQLITE_CORRUPT_INDEX' }))).toBe('damaged');
    expect(classifyStoreError(Object.assign(new Error('x'), { code: 'SQLITE_IOERR_WRITE' }))).toBe('write_failed');
    expect(classifyStoreError(new Error('wrapped', { cause: Object.assign(new Error('x'), { code: 'SQLITE_NOTADB' }) }))).toBe('damaged');
    expect(classifyStoreError(new Error('the hub said no'))).toBeNull();
  });
});
