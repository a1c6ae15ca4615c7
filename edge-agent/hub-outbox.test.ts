// The hub's push outbox on a real SQLite file: the SQLite outbox's events and the audit chain's entries, each entry
// carried as the audit.entry built from its row; batches interleave both; the carried mark moves only over the
// contiguous acknowledged seqs and survives a restart; depth and age count the audit backlog.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SeatPilotEvent } from '../core/contract/contract';
import type { OutboxItem } from '../core/contract/outbox';
import { checkEvent } from '../core/contract/validate';
import { openStore } from '../venue-store/open';
import { SqliteOutbox } from '../venue-store/outbox';
import { checkinEvent } from '../tests/signed';
import { auditEntryEventId, HubAudit } from './audit-log';
import { AUDIT_ID_BASE, HubOutbox } from './hub-outbox';

const VENUE = 'ven_hub_outbox';
const HUB = 'dev_hub';
const T0 = Date.UTC(2026, 11, 1, 19, 0, 0, 0);

type AuditEvent = Extract<SeatPilotEvent, { type: 'audit.entry' }>;

let dir: string;
let db: SqliteDatabase;
let now: number;
let events: SqliteOutbox;
let audit: HubAudit;
let hub: HubOutbox;

const open = (ackedLimit?: number) => new HubOutbox(db, events, { venueId: VENUE, deviceId: HUB, clock: () => now, ...(ackedLimit ? { ackedLimit } : {}) });
const isAudit = (i: OutboxItem) => i.event.type === 'audit.entry';
const seqOf = (i: OutboxItem) => (i.event as AuditEvent).payload.seq;
/** n check-ins queued for the cloud, each a second apart, with the entry it makes right after it. */
function checkins(n: number, withAudit = true): void {
  for (let k = 0; k < n; k++) {
    now += 1000;
    db.transaction(() => {
      const e = checkinEvent({ venue_id: VENUE, device_id: 'dev_door_a' }, { occurred_at: new Date(now).toISOString() });
      events.append(e, now);
      if (withAudit) audit.appendEvents([e]);
    })();
  }
}
function entries(n: number): void {
  for (let k = 0; k < n; k++) {
    now += 1000;
    db.transaction(() => audit.append({ deviceId: 'dev_tablet', actor: 'dev_tablet', role: 'supervisor', action: 'tablet.revoke', entity: 'tablet', entityId: `tab-${k}`, before: { status: 'active' }, after: { status: 'revoked' } }))();
  }
}
const carriedInFile = () => db.prepare('SELECT seq, dead, last_dead FROM audit_carry WHERE id = 1').get();

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sp-hub-outbox-'));
  db = openStore(join(dir, 'agent.sqlite')).db;
  now = T0;
  events = new SqliteOutbox(db, () => now);
  audit = new HubAudit(db, VENUE, () => now);
  hub = open();
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the hub's push outbox", () => {
  it("carries each entry as the audit.entry built from its row: the hub as sender, the id made from venue and seq, a valid event", () => {
    checkins(2);
    const items = hub.pending(10);
    expect(items.map((i) => i.event.type)).toEqual(['checkin.succeeded', 'audit.entry', 'checkin.succeeded', 'audit.entry']);
    const row = db.prepare('SELECT * FROM audit_log WHERE seq = 2').get() as Record<string, string>;
    const carried = items[3]!.event as AuditEvent;
    expect(carried).toEqual({
      event_id: auditEntryEventId(VENUE, 2, row.at as string), type: 'audit.entry', occurred_at: row.at, venue_id: VENUE, device_id: HUB,
      payload: { seq: 2, at: row.at, device_id: 'dev_door_a', actor: 'dev_door_a', role: 'device', action: 'checkin.succeeded', entity: 'guest', entity_id: row.entity_id,
        before: null, after: JSON.parse(row.after_json as string), prev_hash: row.prev_hash, hash: row.hash },
    });
    expect(checkEvent(carried).ok).toBe(true);
    expect(items[3]!.id).toBe(AUDIT_ID_BASE + 2);
    // Nothing was copied per entry: the outbox holds the check-ins only.
    expect(db.prepare("SELECT count(*) FROM outbox WHERE type = 'audit.entry'").pluck().get()).toBe(0);
  });

  it('interleaves both in every batch: neither backlog starves the other, a batch of one alternates', () => {
    checkins(30, false); // a long backlog of events, older than every entry
    entries(30);
    const batch = hub.pending(10);
    expect(batch.filter(isAudit)).toHaveLength(5);
    expect(batch.filter((i) => !isAudit(i))).toHaveLength(5);
    // Oldest first within the batch: the events (older) then the entries, these in seq order.
    expect(batch.map(isAudit)).toEqual([false, false, false, false, false, true, true, true, true, true]);
    expect(batch.filter(isAudit).map(seqOf)).toEqual([1, 2, 3, 4, 5]);
    const ones = [hub.pending(1), hub.pending(1), hub.pending(1), hub.pending(1)].map((b) => b.map(isAudit));
    expect(ones.flat().filter(Boolean)).toHaveLength(2);
    // One source short: the other fills the batch.
    hub.markSent(hub.pending(60).filter((i) => !isAudit(i)).map((i) => i.id));
    expect(events.depth()).toBe(0);
    expect(hub.pending(10).map(isAudit)).toEqual(Array(10).fill(true));
    checkins(3, false);
    hub.markSent(hub.pending(60).filter(isAudit).map((i) => i.id));
    expect(hub.pending(10).map(isAudit)).toEqual([false, false, false]);
  });

  it('moves the mark only over contiguous acknowledged seqs; out-of-order ones are not offered again', () => {
    entries(6);
    const ids = hub.pending(10).map((i) => i.id);
    hub.markSent([ids[1]!, ids[2]!, ids[4]!]); // seqs 2, 3, 5
    expect(hub.carried()).toBe(0);
    expect(carriedInFile()).toMatchObject({ seq: 0 });
    expect(hub.pending(10).map(seqOf)).toEqual([1, 4, 6]);
    expect(hub.depth()).toBe(3);
    hub.markSent([ids[0]!]); // seq 1: the mark runs over 1, 2, 3 and stops before 4
    expect(hub.carried()).toBe(3);
    expect(carriedInFile()).toMatchObject({ seq: 3 });
    expect(hub.pending(10).map(seqOf)).toEqual([4, 6]);
    hub.markSent([ids[3]!]);
    expect(hub.carried()).toBe(5);
    // An entry refused for good is not offered again, moves the mark like an acknowledgement, and is counted.
    hub.markDead(ids[5]!, 'bad_payload: whatever');
    expect(hub.carried()).toBe(6);
    expect(carriedInFile()).toEqual({ seq: 6, dead: 1, last_dead: 'seq 6: bad_payload: whatever' });
    expect(hub.pending(10)).toEqual([]);
    expect(hub.depth()).toBe(0);
    // An acknowledgement repeated (a retried batch answered twice) moves nothing.
    hub.markSent([ids[0]!, ids[5]!]);
    expect(hub.carried()).toBe(6);
  });

  it('a restart resumes from the stored mark (what was acknowledged above a gap is offered again: the cloud takes it as a duplicate)', () => {
    entries(5);
    const ids = hub.pending(10).map((i) => i.id);
    hub.markSent([ids[0]!, ids[1]!, ids[3]!]); // seqs 1, 2 and 4
    const restarted = open();
    expect(restarted.carried()).toBe(2);
    expect(restarted.pending(10).map(seqOf)).toEqual([3, 4, 5]);
    expect(restarted.depth()).toBe(3);
    // Entries made after the restart follow on.
    entries(1);
    restarted.markSent(restarted.pending(10).map((i) => i.id));
    expect(open().carried()).toBe(6);
    expect(open().pending(10)).toEqual([]);
  });

  it('depth and the oldest unsent age count the audit backlog beside the events', () => {
    expect(hub.depth()).toBe(0);
    expect(hub.oldestUnsentSeconds(now)).toBe(0);
    entries(3); // the first made at T0 + 1 s
    checkins(2, false);
    expect(hub.depth()).toBe(5);
    expect(hub.auditDepth()).toBe(3);
    expect(hub.oldestUnsentSeconds(T0 + 11_000)).toBe(10);
    const batch = hub.pending(10);
    hub.markSent(batch.filter(isAudit).map((i) => i.id).slice(0, 1));
    expect(hub.depth()).toBe(4);
    expect(hub.oldestUnsentSeconds(T0 + 11_000)).toBe(9);
    hub.markSent(batch.filter(isAudit).map((i) => i.id));
    expect(hub.depth()).toBe(2);
    expect(hub.oldestUnsentSeconds(T0 + 11_000)).toBe(events.oldestUnsentSeconds(T0 + 11_000));
    // Attempts of a failed send are counted per entry until it goes.
    hub.recordAttempt(hub.pending(10).map((i) => i.id), 'upstream unreachable');
    entries(1);
    hub.recordAttempt(hub.pending(10).map((i) => i.id), 'upstream unreachable');
    expect(hub.pending(10).map((i) => [i.event.type, i.attempts])).toEqual([['checkin.succeeded', 2], ['checkin.succeeded', 2], ['audit.entry', 1]]);
  });

  it('a row someone made unbuildable behind the triggers is dead (counted, named by seq); the rest of the push goes on', () => {
    checkins(3);
    db.exec('DROP TRIGGER audit_log_no_update');
    db.prepare("UPDATE audit_log SET after_json = '{not json' WHERE seq = 2").run();
    const items = hub.pending(10);
    expect(items.map((i) => i.event.type)).toEqual(['checkin.succeeded', 'audit.entry', 'checkin.succeeded', 'checkin.succeeded', 'audit.entry']);
    expect(items.filter(isAudit).map(seqOf)).toEqual([1, 3]);
    expect(carriedInFile()).toMatchObject({ dead: 1, last_dead: expect.stringMatching(/^seq 2: cannot be rebuilt/) });
    hub.markSent(items.map((i) => i.id));
    expect(hub.carried()).toBe(3);
    expect(hub.depth()).toBe(0);
    // Not counted twice, and nothing is left to offer after a restart.
    expect(hub.pending(10)).toEqual([]);
    expect(open().pending(10)).toEqual([]);
    expect(carriedInFile()).toMatchObject({ seq: 3, dead: 1 });
  });

  it('seqs removed behind the triggers are dead once the mark reaches them: the mark moves on, also after a restart', () => {
    entries(8);
    db.exec('DROP TRIGGER audit_log_no_delete');
    db.prepare('DELETE FROM audit_log WHERE seq IN (1, 4, 5, 8)').run();
    const first = hub.pending(10);
    // The gap right above the mark (seq 1) is dead at once; 4 and 5 wait until 2 and 3 have gone up.
    expect(first.map(seqOf)).toEqual([2, 3, 6, 7]);
    expect(carriedInFile()).toEqual({ seq: 1, dead: 1, last_dead: 'seq 1 missing from audit_log' });
    hub.markSent(first.map((i) => i.id));
    expect(hub.carried()).toBe(3);
    expect(hub.pending(10)).toEqual([]);
    // 4-5 then the newest one removed (8, named only by the head): the mark reaches the head.
    expect(hub.carried()).toBe(7);
    expect(hub.pending(10)).toEqual([]);
    expect(carriedInFile()).toEqual({ seq: 8, dead: 4, last_dead: 'seq 8 missing from audit_log' });
    expect(hub.depth()).toBe(0);
    expect(open().pending(10)).toEqual([]);
    expect(open().auditDepth()).toBe(0);
  });

  it('bounds the acknowledgements kept above a gap: the highest are forgotten and offered again', () => {
    hub = open(3);
    entries(10);
    const ids = hub.pending(10).map((i) => i.id);
    hub.markSent(ids.slice(1)); // seqs 2..10, seq 1 still out
    expect(hub.carried()).toBe(0);
    // Seqs 2, 3, 4 kept; 5..10 forgotten, so offered again (the cloud takes them as duplicates).
    expect(hub.pending(10).map(seqOf)).toEqual([1, 5, 6, 7, 8, 9, 10]);
    hub.markSent([ids[0]!]);
    expect(hub.carried()).toBe(4);
    hub.markSent(hub.pending(10).map((i) => i.id));
    expect(hub.carried()).toBe(10);
  });
});
