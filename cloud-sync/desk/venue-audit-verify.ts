// Checks a venue's hub audit chain as the cloud holds it (telemetry.venue_audit, carried up as audit.entry events):
// core/audit/chain.ts verifyChain over the stored rows in seq order, with the fields the hub hashed
// (core/audit/hub-entry.ts, as the hub's edge-agent/audit-log.ts: tenant_id = venue_id = the venue, channel = role,
// actor_id = device_id).
//
// The cloud has no head of a venue's chain: entries reach it with the push, so a gap is most often entries still on
// their way (the WAN was down). A gap is `incomplete` (first_missing_seq names it) unless the cloud did receive the
// entry's event (telemetry.events_raw keeps every audit.entry stored): then the row was removed here, and the chain is
// `broken` at that seq. After a gap the entries are still checked among themselves, from the prev_hash of the first
// one past it, so an altered entry further on is found whatever is missing before it.
//
// A fork: the cloud received an audit.entry for a seq it already held with another hash (a hub restored from a backup,
// or a replacement box, numbering its chain again). The stored entry stays (append-only) and the other is kept only in
// telemetry.events_raw, so the chain is `broken` at that seq, reason 'forked', naming the entry that was not kept.
import { verifyChain, GENESIS_HASH, type ChainBreakReason, type ChainedEntry, type ChainLink } from '../../core/audit/chain';
import { hubChainedEntry, type HubAuditRow } from '../../core/audit/hub-entry';
import type { Queryable } from '../db';

export type VenueAuditState = 'intact' | 'incomplete' | 'broken';
/** Why a venue's chain is broken: the chain's own reasons, or 'forked' (another entry arrived at a seq already held). */
export type VenueAuditBreakReason = ChainBreakReason | 'forked';

export interface VenueAuditVerdict {
  /** Entries checked and found sound, in seq order up to the first broken one. */
  entries: number;
  state: VenueAuditState;
  /** The first seq the cloud does not hold (entries not arrived yet), or null. */
  first_missing_seq: number | null;
  /**
   * The first bad entry: altered, reordered, or removed after it was received; or, forked, the other entry received at
   * that seq (its at and action), which the cloud did not keep.
   */
  broken: { seq: number; at: string | null; action: string | null; reason: VenueAuditBreakReason } | null;
}

/** A telemetry.venue_audit row: the hub's columns; seq may come back from Postgres as text (bigint). */
type Row = Omit<HubAuditRow, 'seq'> & { seq: number | string };

const PAGE = 1000;

/** The stored JSON text as the hub hashed it; text that is no JSON at all can only be an altered entry. */
function parsed(text: string | null): { ok: true; value: unknown } | { ok: false } {
  if (text === null) return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function chained(r: Row): { entry: ChainedEntry; readable: boolean } {
  const before = parsed(r.before_json);
  const after = parsed(r.after_json);
  const seq = Number(r.seq);
  return {
    entry: hubChainedEntry({ ...r, seq }, before.ok ? before.value : null, after.ok ? after.value : null),
    readable: before.ok && after.ok,
  };
}

/**
 * The venue's chain state. Run it in one transaction (the console's scoped one, as seatpilot_console, or the owner's):
 * it reads telemetry.venue_audit and, for a gap, telemetry.events_raw.
 */
export async function verifyVenueAudit(q: Queryable, tenantId: string, venueId: string, pageSize = PAGE): Promise<VenueAuditVerdict> {
  let link: ChainLink = { seq: 0, hash: GENESIS_HASH };
  let lastAt: string | null = null;
  let entries = 0;
  let firstMissing: number | null = null;
  const verdict = (broken: VenueAuditVerdict['broken']): VenueAuditVerdict => ({
    entries, state: broken ? 'broken' : firstMissing !== null ? 'incomplete' : 'intact', first_missing_seq: firstMissing, broken,
  });
  // Entries up to the first fork are checked as usual; a break before it is the one reported.
  const fork = await forkedEntry(q, tenantId, venueId);
  const forked = () => verdict(fork ? { ...fork, reason: 'forked' } : null);
  let after = 0;
  for (;;) {
    const rows = await q.query<Row>(
      `SELECT seq, venue_id, at, device_id, actor, role, action, entity, entity_id, before_json, after_json, prev_hash, hash
         FROM telemetry.venue_audit WHERE tenant_id = $1 AND venue_id = $2 AND seq > $3 ORDER BY seq LIMIT $4`,
      [tenantId, venueId, after, pageSize],
    );
    const page = rows.map(chained);
    let i = 0;
    while (i < page.length) {
      const { entry, readable } = page[i] as { entry: ChainedEntry; readable: boolean };
      if (fork && entry.seq >= fork.seq) return forked();
      if (!readable) return verdict({ seq: entry.seq, at: entry.at, action: entry.action, reason: 'altered' });
      if (entry.seq > link.seq + 1) {
        // A gap: removed here if its event was received, else not arrived yet.
        const removed = await receivedEntry(q, tenantId, venueId, link.seq + 1, entry.seq - 1, lastAt, entry.at);
        if (removed) return verdict({ ...removed, reason: 'removed' });
        firstMissing ??= link.seq + 1;
        link = { seq: entry.seq - 1, hash: entry.prev_hash };
      }
      // Up to the next unreadable entry or gap, checked by core's verifier.
      let j = i + 1;
      while (j < page.length && (page[j] as { readable: boolean }).readable && (page[j] as { entry: ChainedEntry }).entry.seq === (page[j - 1] as { entry: ChainedEntry }).entry.seq + 1
        && !(fork && (page[j] as { entry: ChainedEntry }).entry.seq >= fork.seq)) j++;
      const run = page.slice(i, j).map((p) => p.entry);
      const result = await verifyChain(run, link);
      entries += result.count;
      if (!result.ok) return verdict({ seq: result.entry.seq, at: result.entry.at, action: result.entry.action, reason: result.reason });
      link = result.head;
      lastAt = run.at(-1)?.at ?? lastAt;
      i = j;
    }
    if (rows.length < pageSize) break;
    after = link.seq;
  }
  return forked();
}

/**
 * The lowest seq at which the cloud received an audit.entry whose hash is not the stored entry's, with that entry's at
 * and action, or null. Every audit.entry of the venue is looked at (a fork can come at any time after the entry it
 * contradicts), as every stored entry is by the chain check.
 */
async function forkedEntry(q: Queryable, tenantId: string, venueId: string): Promise<{ seq: number; at: string | null; action: string | null } | null> {
  const rows = await q.query<{ seq: number | string; at: string | null; action: string | null }>(
    `SELECT a.seq, e.payload->>'at' AS at, e.payload->>'action' AS action
       FROM telemetry.events_raw e
       JOIN telemetry.venue_audit a ON a.tenant_id = e.tenant_id AND a.venue_id = e.venue_id AND a.seq = (e.payload->>'seq')::bigint
      WHERE e.tenant_id = $1 AND e.venue_id = $2 AND e.type = 'audit.entry' AND e.payload->>'hash' IS DISTINCT FROM a.hash
      ORDER BY a.seq, e.occurred_at LIMIT 1`,
    [tenantId, venueId],
  );
  const r = rows[0];
  return r ? { seq: Number(r.seq), at: r.at, action: r.action } : null;
}

/**
 * The first entry from `fromSeq` to `toSeq` whose audit.entry event the cloud stored, or null: none of them has arrived.
 * Looked for around the neighbours' times (the hub's `at` is the event's occurred_at; a day's slack for a hub clock
 * set back meanwhile), so the index on (tenant, venue, type, occurred_at) keeps it short.
 */
async function receivedEntry(q: Queryable, tenantId: string, venueId: string, fromSeq: number, toSeq: number, sinceAt: string | null, untilAt: string): Promise<{ seq: number; at: string | null; action: string | null } | null> {
  const rows = await q.query<{ seq: number | string; at: string | null; action: string | null }>(
    `SELECT (payload->>'seq')::bigint AS seq, payload->>'at' AS at, payload->>'action' AS action
       FROM telemetry.events_raw
      WHERE tenant_id = $1 AND venue_id = $2 AND type = 'audit.entry'
        AND occurred_at >= coalesce($5::timestamptz - interval '1 day', '-infinity') AND occurred_at <= $6::timestamptz + interval '1 day'
        AND (payload->>'seq')::bigint BETWEEN $3 AND $4
      ORDER BY 1 LIMIT 1`,
    [tenantId, venueId, fromSeq, toSeq, sinceAt, untilAt],
  );
  const r = rows[0];
  return r ? { seq: Number(r.seq), at: r.at, action: r.action } : null;
}
