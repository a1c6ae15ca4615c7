// Checks a tenant's audit chain (sql 0018, core/audit/chain.ts): the chained entries in seq order, page by page, then
// that the chain ends at the tenant's head, and that no unchained entry was slipped in after the chain began. Served as
// `GET /console/api/audit/chain` (routes/audit.ts) and `seatpilot cloud audit verify` (below).
import { verifyChain, GENESIS_HASH, type ChainedEntry, type ChainLink } from '../../core/audit/chain';
import type { AuditChainBreakReason, AuditChainState } from '../../core/console/audit';
import { CliError, parseOptions } from '../../node-kit/cli';
import { AdminError } from '../admin';
import { verifyVenueAudit, type VenueAuditVerdict } from '../desk/venue-audit-verify';
import type { Db, Queryable } from '../db';

const PAGE = 1000;

interface EntryRow extends Omit<ChainedEntry, 'at' | 'id' | 'seq'> {
  id: number | string;
  seq: number | string;
  at: Date | string;
}

const iso = (at: Date | string | null): string | null => (at === null ? null : new Date(at).toISOString());

function broken(entry: { id: number; at: string; action: string } | null, reason: AuditChainBreakReason) {
  return { id: entry?.id ?? null, at: entry?.at ?? null, action: entry?.action ?? null, reason };
}

/** The chain's state for one tenant; run it in one transaction (the console's scoped one, or the owner's). */
export async function verifyAuditChain(q: Queryable, tenantId: string, pageSize = PAGE): Promise<AuditChainState> {
  // The head first: its entries were committed with it, so every entry up to its seq is visible to what follows.
  const [head] = await q.query<{ seq: number | string; hash: string; at: Date | string | null }>(
    'SELECT seq, hash, at FROM console.audit_chain_heads WHERE tenant_id = $1', [tenantId]);
  const [counts] = await q.query<{ before_chain: number | string; stray: number | string | null }>(
    `WITH f AS (SELECT min(id) AS first FROM console.audit_log WHERE tenant_id = $1 AND seq IS NOT NULL)
     SELECT count(*) FILTER (WHERE f.first IS NULL OR a.id < f.first) AS before_chain, min(a.id) FILTER (WHERE a.id > f.first) AS stray
       FROM console.audit_log a CROSS JOIN f WHERE a.tenant_id = $1 AND a.seq IS NULL`, [tenantId]);
  const beforeChain = Number(counts?.before_chain ?? 0);
  const upTo = head ? Number(head.seq) : Number.MAX_SAFE_INTEGER;
  let link: ChainLink = { seq: 0, hash: GENESIS_HASH };
  let last: ChainedEntry | null = null;
  let verified = 0;
  const state = (b: AuditChainState['broken']): AuditChainState => ({ state: b ? 'broken' : 'intact', verified, before_chain: beforeChain, head_at: last?.at ?? null, broken: b });
  for (;;) {
    const rows = await q.query<EntryRow>(
      `SELECT id, seq, prev_hash, hash, tenant_id, at, channel, actor_id, actor, action, entity, entity_id, venue_id, before, after
         FROM console.audit_log WHERE tenant_id = $1 AND seq IS NOT NULL AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4`,
      [tenantId, last ? last.seq : 0, upTo, pageSize]);
    const entries: ChainedEntry[] = rows.map((r) => ({ ...r, id: Number(r.id), seq: Number(r.seq), at: iso(r.at) as string }));
    const result = await verifyChain(entries, link);
    verified += result.count;
    if (!result.ok) return state(broken(result.entry, result.reason));
    link = result.head;
    last = entries.at(-1) ?? last;
    if (entries.length < pageSize) break;
  }
  // The newest entries removed (the chain stops short of its head), or the newest one replaced whole.
  if (link.seq !== (head ? Number(head.seq) : 0)) return state(broken(last, 'removed'));
  if (head && link.hash !== head.hash) {
    verified = Math.max(0, verified - 1);
    return state(broken(last, 'altered'));
  }
  if (counts?.stray !== null && counts?.stray !== undefined) {
    const [stray] = await q.query<{ id: number | string; at: Date | string; action: string }>('SELECT id, at, action FROM console.audit_log WHERE id = $1', [counts.stray]);
    return state(broken(stray ? { id: Number(stray.id), at: iso(stray.at) as string, action: stray.action } : null, 'unchained'));
  }
  return state(null);
}

export const AUDIT_USAGE = `       seatpilot cloud audit verify [--tenant T]                     [--data DIR]
       seatpilot cloud audit verify --venue V                        [--data DIR]   (the venue's hub chain as carried up)`;

type WithDb = <T>(dataDir: string | undefined, fn: (db: Db) => Promise<T>) => Promise<T>;

/** `audit verify`: one JSON line per tenant; exit 1 naming the first bad entry of each broken chain. False: not ours. */
export async function auditCommand(sub: string, verb: string | undefined, rest: string[], withDb: WithDb, usage: string): Promise<boolean> {
  if (sub !== 'audit' || verb !== 'verify') return false;
  const { values } = parseOptions(rest, { data: { type: 'string' }, tenant: { type: 'string' }, venue: { type: 'string' } }, usage);
  if (values.venue !== undefined) {
    if (values.tenant !== undefined) throw new CliError(`give --venue or --tenant, not both\n${usage}`, 2);
    await venueAuditCommand(values.venue, values.data, withDb);
    return true;
  }
  const results = await withDb(values.data, async (db) => {
    const tenants = values.tenant !== undefined ? [values.tenant] : (await db.query<{ id: string }>('SELECT id FROM seatpilot.tenants ORDER BY id')).map((r) => r.id);
    if (values.tenant !== undefined && !(await db.query('SELECT 1 FROM seatpilot.tenants WHERE id = $1', [values.tenant])).length) {
      throw new AdminError(`no tenant "${values.tenant}"`);
    }
    const out: (AuditChainState & { tenant_id: string })[] = [];
    for (const tenantId of tenants) out.push({ tenant_id: tenantId, ...(await db.tx((q) => verifyAuditChain(q, tenantId))) });
    return out;
  });
  for (const r of results) console.log(JSON.stringify(r));
  const bad = results.filter((r) => r.broken);
  if (bad.length) {
    throw new CliError(bad.map((r) => `the audit chain of tenant ${r.tenant_id} is broken at entry #${r.broken?.id ?? '?'} (${r.broken?.action ?? '?'}, ${r.broken?.at ?? '?'}): ${r.broken?.reason}`).join('\n'));
  }
  return true;
}

/**
 * `audit verify --venue V`: the venue's hub chain as the cloud holds it (telemetry.venue_audit), one JSON line; exit 1
 * naming the entry when it is broken. Incomplete (entries not arrived yet) is not a failure: it says from which seq.
 */
async function venueAuditCommand(venueId: string, dataDir: string | undefined, withDb: WithDb): Promise<void> {
  const result = await withDb(dataDir, async (db): Promise<VenueAuditVerdict & { venue_id: string; tenant_id: string }> => {
    const [v] = await db.query<{ tenant_id: string }>('SELECT tenant_id FROM seatpilot.venues WHERE id = $1', [venueId]);
    if (!v) throw new AdminError(`no venue "${venueId}"`);
    return { venue_id: venueId, tenant_id: v.tenant_id, ...(await db.tx((q) => verifyVenueAudit(q, v.tenant_id, venueId))) };
  });
  console.log(JSON.stringify(result));
  const b = result.broken;
  if (b) throw new CliError(`the hub audit chain of venue ${venueId} is broken at entry seq ${b.seq} (${b.action ?? '?'}, ${b.at ?? '?'}): ${b.reason}`);
}
