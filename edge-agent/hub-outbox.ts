// The hub's outbox as its push to the cloud sees it: the SQLite outbox (events and check-in rows, venue-store/outbox.ts)
// and the hub's audit chain. As a check-in row carries its own event, an audit_log row carries its own audit.entry:
// the event is built from the row when the push asks for it, so appending an entry (on every check-in's path) writes
// no second copy. What has gone up is one mark, audit_carry.seq (venue-store migration 0011): every entry at or below
// it was acknowledged by the cloud (or refused for good, counted in audit_carry.dead).
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import type { SeatPilotEvent } from '../core/contract/contract';
import type { Outbox, OutboxItem } from '../core/contract/outbox';
import { auditEntryEventId, auditEntryPayload, type AuditRow } from './audit-log';

/**
 * An audit item's id is AUDIT_ID_BASE + seq. The outbox's own ids are its rows' ids (≥ 1, far below it) and check-in
 * rowids negated (≤ -1): the three never meet.
 */
export const AUDIT_ID_BASE = 2 ** 50;

export interface HubOutboxOptions {
  venueId: string;
  /** The hub's own device id (its cloud key's): the cloud takes audit.entry only from the hub itself. */
  deviceId: string;
  clock?: () => number;
  /** At most this many out-of-order acknowledgements kept in memory (ACKED_LIMIT unless told). */
  ackedLimit?: number;
}

/**
 * Out-of-order acknowledgements wait in memory for the seq below them. Past this many, the highest are forgotten: they
 * are offered again, and the cloud takes a resent entry as a duplicate, so forgetting costs a resend, never an entry.
 */
export const ACKED_LIMIT = 10_000;

export class HubOutbox implements Outbox {
  private readonly s: Record<'page' | 'mark' | 'head' | 'oldest' | 'carry' | 'dead' | 'dropPending', Statement>;
  private readonly clock: () => number;
  /** The carried mark as stored (read once; this process is its only writer). */
  private mark: number | null = null;
  /** Seqs above the mark acknowledged out of order: the mark moves over them once the gap below them is filled. */
  private readonly acked = new Set<number>();
  /** Failed attempts of entries not yet acknowledged (this process's; the outbox's own rows keep theirs in SQLite). */
  private readonly attempts = new Map<number, number>();
  private eventsFirst = false;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly events: Outbox,
    private readonly opts: HubOutboxOptions,
  ) {
    this.clock = opts.clock ?? Date.now;
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      page: p(`SELECT seq, venue_id, at, device_id, actor, role, action, entity, entity_id, before_json, after_json, prev_hash, hash
                 FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`),
      mark: p('SELECT seq FROM audit_carry WHERE id = 1').pluck(),
      head: p('SELECT seq FROM audit_head WHERE id = 1').pluck(),
      oldest: p('SELECT at FROM audit_log WHERE seq > ? ORDER BY seq LIMIT 1').pluck(),
      // Forward only: a second process on the same file (a CLI) can never move it back.
      carry: p('UPDATE audit_carry SET seq = ? WHERE id = 1 AND seq < ?'),
      dead: p('UPDATE audit_carry SET dead = dead + ?, last_dead = ? WHERE id = 1'),
      // The desk's pending decisions (venue migration 0011) carried by an outbox row now dead.
      dropPending: p(`DELETE FROM desk_pending WHERE event_id IN (
                        SELECT event_id FROM outbox WHERE id = ? AND state = 'dead' AND type IN ('seat.changed', 'guest.added'))`),
    };
  }

  /**
   * At most `limit` items, the events' and the audit's interleaved: each source gets at least half the batch while it
   * has that many waiting (the other's share when it has fewer), so neither waits behind the other's backlog; within
   * the batch, oldest first. The audit entries in seq order.
   */
  pending(limit: number): OutboxItem[] {
    const n = Math.max(0, Math.floor(limit));
    if (n === 0) return [];
    const events = this.events.pending(n);
    const audit = this.auditPending(n);
    // An odd batch's extra item goes to each source in turn: a batch of one (the push halving after a 413) too.
    this.eventsFirst = !this.eventsFirst;
    const eventsShare = this.eventsFirst ? Math.ceil(n / 2) : Math.floor(n / 2);
    const takeEvents = Math.min(events.length, Math.max(eventsShare, n - audit.length));
    const takeAudit = Math.min(audit.length, n - takeEvents);
    const a = audit.slice(0, takeAudit);
    const e = events.slice(0, takeEvents);
    const out: OutboxItem[] = [];
    let i = 0;
    let j = 0;
    while (i < e.length || j < a.length) {
      const ev = e[i];
      const au = a[j];
      if (au === undefined || (ev !== undefined && Date.parse(ev.created_at) <= Date.parse(au.created_at))) {
        out.push(ev as OutboxItem);
        i++;
      } else {
        out.push(au);
        j++;
      }
    }
    return out;
  }

  markSent(ids: readonly number[]): void {
    const seqs: number[] = [];
    const others: number[] = [];
    for (const id of ids) {
      if (id > AUDIT_ID_BASE) seqs.push(id - AUDIT_ID_BASE);
      else others.push(id);
    }
    if (others.length) this.events.markSent(others);
    if (seqs.length) this.acknowledge(seqs);
  }

  markDead(id: number, reason: string): void {
    if (id <= AUDIT_ID_BASE) {
      // A desk decision the cloud refused for good will never be answered by a cloud guest change: its pending rows
      // would keep the hub's value over the cloud's forever. They end with it, so the cloud's next change decides.
      this.db.transaction(() => {
        this.events.markDead(id, reason);
        if (id > 0) this.s.dropPending.run(id);
      })();
      return;
    }
    // Refused for good (the cloud would refuse it again): not offered again, counted and kept by its reason. The
    // cloud's chain then says incomplete from this seq, which is what it is.
    const seq = id - AUDIT_ID_BASE;
    if (seq <= this.carried() || this.acked.has(seq)) return;
    this.db.transaction(() => {
      this.s.dead.run(1, `seq ${seq}: ${reason}`);
      this.acknowledge([seq]);
    })();
  }

  recordAttempt(ids: readonly number[], error: string): void {
    const others = ids.filter((id) => id <= AUDIT_ID_BASE);
    if (others.length) this.events.recordAttempt(others, error);
    for (const id of ids) if (id > AUDIT_ID_BASE) this.attempts.set(id - AUDIT_ID_BASE, (this.attempts.get(id - AUDIT_ID_BASE) ?? 0) + 1);
  }

  depth(): number {
    return this.events.depth() + this.auditDepth();
  }

  /** The audit entries not yet gone up. */
  auditDepth(): number {
    return Math.max(0, (this.s.head.get() as number) - this.carried() - this.acked.size);
  }

  oldestUnsentSeconds(nowMs: number = this.clock()): number {
    const events = this.events.oldestUnsentSeconds(nowMs);
    // The entry just above the mark is never acknowledged (the mark would be past it): it is the oldest unsent.
    const at = this.s.oldest.get(this.carried()) as string | undefined;
    const audit = at === undefined ? 0 : Math.max(0, (nowMs - Date.parse(at)) / 1000);
    return Math.max(events, Number.isFinite(audit) ? audit : 0);
  }

  /** The highest seq such that it and every seq below it went up. */
  carried(): number {
    this.mark ??= (this.s.mark.get() as number | undefined) ?? 0;
    return this.mark;
  }

  private auditPending(limit: number): OutboxItem[] {
    const mark = this.carried();
    // Entries acknowledged out of order lie above the mark: read past them.
    const want = limit + this.acked.size;
    const rows = this.s.page.all(mark, want) as AuditRow[];
    // Seqs that will never go up: removed from audit_log or no longer buildable, both by someone who dropped its
    // triggers. Left in place they would hold the mark (and, for a row that throws, the whole push) forever; dead,
    // the mark moves over them, and the chain's verification names the entry as broken on both tiers anyway.
    // A gap counts once the mark reaches it: a gap higher up is found when the entries below it have gone up.
    // Appends write row and head in one transaction, so a seq below the head with no row is a removal, never an
    // append still in flight; the head itself names the newest entries removed.
    const next = rows[0]?.seq ?? ((this.s.head.get() as number | undefined) ?? mark) + 1;
    const to = next - 1;
    const gap = to > mark ? { to, reason: to === mark + 1 ? `seq ${to} missing from audit_log` : `seqs ${mark + 1}-${to} missing from audit_log` } : null;
    const dead: { seq: number; reason: string }[] = [];
    const out: OutboxItem[] = [];
    for (const r of rows) {
      if (this.acked.has(r.seq) || out.length >= limit) continue;
      let payload: ReturnType<typeof auditEntryPayload>;
      try {
        payload = auditEntryPayload(r);
      } catch (err) {
        dead.push({ seq: r.seq, reason: `seq ${r.seq}: cannot be rebuilt (${err instanceof Error ? err.message : String(err)})` });
        continue;
      }
      out.push({
        id: AUDIT_ID_BASE + r.seq,
        event: {
          event_id: auditEntryEventId(this.opts.venueId, r.seq, r.at), type: 'audit.entry', occurred_at: r.at,
          venue_id: this.opts.venueId, device_id: this.opts.deviceId, payload,
        } as SeatPilotEvent,
        attempts: this.attempts.get(r.seq) ?? 0,
        created_at: r.at,
      });
    }
    if (gap || dead.length) {
      this.db.transaction(() => {
        if (gap) {
          this.s.dead.run(gap.to - mark, gap.reason);
          this.advance(gap.to);
        }
        for (const d of dead) this.s.dead.run(1, d.reason);
        this.acknowledge(dead.map((d) => d.seq));
      })();
    }
    return out;
  }

  /** Moves the mark to `to` (if above it), then over the acknowledged seqs contiguous with it; stored once. */
  private advance(to: number): void {
    const from = this.carried();
    let mark = Math.max(from, to);
    while (this.acked.delete(mark + 1)) mark++;
    for (const seq of this.acked) if (seq <= mark) this.acked.delete(seq);
    if (mark > from) {
      this.s.carry.run(mark, mark);
      this.mark = mark;
    }
  }

  /** Moves the mark over the contiguous acknowledged seqs; the rest wait in memory for the gap below them. */
  private acknowledge(seqs: readonly number[]): void {
    const mark = this.carried();
    for (const seq of seqs) {
      this.attempts.delete(seq);
      if (seq > mark) this.acked.add(seq);
    }
    this.advance(mark);
    const max = this.opts.ackedLimit ?? ACKED_LIMIT;
    if (this.acked.size > max) {
      // Forget the highest (the furthest from the mark): they are resent, the cloud takes them as duplicates.
      for (const seq of [...this.acked].sort((a, b) => a - b).slice(max)) this.acked.delete(seq);
    }
  }
}
