// Crash test: a child checks guests in as fast as it can and is SIGKILLed at random moments, again and again, on the
// same SQLite file. After each kill: every check-in it reported is stored with its outbox event, no outbox event lacks
// its check-in row (nor the reverse), sync pages are all-or-nothing, and the file is intact.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CheckinService } from '../kiosk/checkin-service';
import { openStore } from '../venue-store/open';
import { guestChange, occasionChange, page } from './fixtures/sync-fixtures';
import { bundleEntry } from './bundle-entry';
import { CRASH_GUESTS, SYNC_PAGE_GUESTS, SYNC_VERSION_BASE, SYNC_VERSION_STEP } from './kiosk-crash-shared';

const ROOT = resolve(import.meta.dirname, '..');
const KILLS = 20;
// Bounded on a busy machine: stop early once this much time has gone, if at least MIN_KILLS were done.
const BUDGET_MS = 30_000;
const MIN_KILLS = 10;

interface Run {
  reported: string[];
  statuses: Map<string, string>;
}

/** Starts the child, lets it work for a random moment after it is ready, kills it with SIGKILL. */
function runAndKill(childScript: string, file: string, workMs: number): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [childScript, file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    const run: Run = { reported: [], statuses: new Map() };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line === 'ready') {
          timer = setTimeout(() => child.kill('SIGKILL'), workMs);
          continue;
        }
        const [id, status] = line.split(' ');
        run.reported.push(id as string);
        run.statuses.set(id as string, status as string);
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      // A partial last line (killed mid-write) was never a complete report: it is ignored.
      if (signal !== 'SIGKILL') reject(new Error(`child ended by itself (code ${code}): ${stderr}`));
      else resolvePromise(run);
    });
  });
}

describe('kiosk store under SIGKILL', () => {
  it(`keeps every reported check-in with its event across up to ${KILLS} kills`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-crash-'));
    const file = join(dir, 'kiosk.sqlite');
    const started = Date.now();
    // Inside the repository, so the bundle finds better-sqlite3 in node_modules.
    mkdirSync(join(ROOT, '.tmp'), { recursive: true });
    const childDir = mkdtempSync(join(ROOT, '.tmp', 'crash-child-'));
    try {
      const childScript = await bundleEntry('tests/kiosk-crash-child.ts', childDir);
      {
        const { db } = openStore(file);
        const svc = new CheckinService(db, { venue_id: 'ven_crash', device_id: 'kiosk_crash', door_id: 'door_a' });
        svc.applySyncPage(
          page([
            occasionChange(1, { reentry_policy: 'unlimited', starts_at: '2020-01-01T00:00:00.000Z', ends_at: '2099-01-01T00:00:00.000Z' }),
            ...Array.from({ length: CRASH_GUESTS }, (_, i) => guestChange(2 + i, { id: `g_${i}`, name: `Guest ${i} Page0`, credentials: [{ kind: 'barcode', value: `B-${i}` }] })),
          ]),
        );
        db.close();
      }
      const allReported = new Map<string, string>();
      let kills = 0;
      for (let k = 0; k < KILLS && (k < MIN_KILLS || Date.now() - started < BUDGET_MS); k++) {
        const run = await runAndKill(childScript, file, 30 + Math.floor(Math.random() * 300));
        kills++;
        for (const [id, status] of run.statuses) allReported.set(id, status);

        const { db } = openStore(file);
        try {
          expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
          const rows = new Map((db.prepare("SELECT event_id, outcome FROM checkins WHERE source = 'local'").all() as { event_id: string; outcome: string }[]).map((r) => [r.event_id, r.outcome]));
          // A local check-in carries its event (venue-store/migrations/0006): the event is the row's own column, naming the row's id.
          const events = new Set(db.prepare("SELECT event_id FROM checkins WHERE source = 'local' AND json_extract(event_json, '$.event_id') = event_id").pluck().all() as string[]);
          const missing = [...allReported.keys()].filter((id) => !rows.has(id) || !events.has(id));
          expect(missing, `kill ${k + 1}: reported but lost`).toEqual([]);
          for (const [id, status] of allReported) expect(rows.get(id)).toBe(status === 'ok' ? 'admitted' : 'rejected');
          const orphanEvents = db.prepare("SELECT count(*) FROM outbox_events o WHERE o.type LIKE 'checkin.%' AND NOT EXISTS (SELECT 1 FROM checkins c WHERE c.event_id = o.event_id AND c.source = 'local')").pluck().get();
          const rowsWithoutEvent = db.prepare("SELECT count(*) FROM checkins c WHERE c.source = 'local' AND (c.event_json IS NULL OR json_extract(c.event_json, '$.event_id') IS NOT c.event_id)").pluck().get();
          expect(orphanEvents, `kill ${k + 1}: outbox events without their check-in`).toBe(0);
          expect(rowsWithoutEvent, `kill ${k + 1}: check-ins without their event`).toBe(0);
          // Sync pages are all or nothing: the first 200 guests all carry the same page, and it is the one the cursor names.
          const pages = db.prepare(`SELECT DISTINCT substr(name, instr(name, 'Page')) FROM guests WHERE id IN (${Array.from({ length: SYNC_PAGE_GUESTS }, (_, j) => `'g_${j}'`).join(',')})`).pluck().all() as string[];
          expect(pages.length, `kill ${k + 1}: a sync page was half applied: ${pages.join(', ')}`).toBe(1);
          const state = db.prepare('SELECT cursor, version FROM sync_state').get() as { cursor: string; version: number };
          if (state.version >= SYNC_VERSION_BASE) {
            const n = Math.floor((state.version - SYNC_VERSION_BASE) / SYNC_VERSION_STEP);
            expect(state.cursor).toBe(`p${n}`);
            expect(pages[0]).toBe(`Page${n}`);
          }
        } finally {
          db.close();
        }
      }
      // The test proves something only if the child got work done between kills.
      expect(allReported.size).toBeGreaterThan(kills * 5);
      console.log(`crash test: ${kills} kills, ${allReported.size} reported check-ins, all present with their events`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(childDir, { recursive: true, force: true });
    }
  }, 55_000);
});
