// Writes one entry of the append-only audit (console.audit_log, sql 0016), in the transaction of the change it records,
// appended to the tenant's hash chain (sql 0018, core/audit/chain.ts): the tenant's chain head is locked FOR UPDATE, so
// concurrent appends of one tenant take consecutive places, and the head moves with the entry in the same transaction.
import type { AuditChannel } from '../../core/console/audit';
import { entryHash, GENESIS_HASH, type ChainFields } from '../../core/audit/chain';
import type { Queryable } from '../db';

export interface AuditActor {
  channel: AuditChannel;
  /** The account's id (console), or null (cli). */
  actorId: string | null;
  /** The account's e-mail, or the CLI operator (`cli:<os user>`). */
  actor: string;
}

export interface AuditChange {
  tenantId: string;
  action: string;
  entity: string;
  entityId?: string | null;
  venueId?: string | null;
  before?: unknown;
  after?: unknown;
}

/** The value as jsonb will give it back (what the hash must be over): undefined fields dropped, dates as strings. */
function stored(value: unknown): unknown {
  if (value === undefined) return null;
  const text = JSON.stringify(value);
  return text === undefined ? null : (JSON.parse(text) as unknown);
}

export async function recordAudit(q: Queryable, who: AuditActor, change: AuditChange): Promise<void> {
  // The head, the entry and the head's move are one unit: a transaction of its own given a pool, else a savepoint.
  return q.tx((t) => append(t, who, change));
}

async function append(q: Queryable, who: AuditActor, change: AuditChange): Promise<void> {
  await q.query(
    `INSERT INTO console.audit_chain_heads (tenant_id, seq, hash) VALUES ($1, 0, $2) ON CONFLICT (tenant_id) DO NOTHING`,
    [change.tenantId, GENESIS_HASH],
  );
  const [head] = await q.query<{ seq: string | number; hash: string }>('SELECT seq, hash FROM console.audit_chain_heads WHERE tenant_id = $1 FOR UPDATE', [change.tenantId]);
  if (!head) throw new Error(`audit: no chain head for tenant "${change.tenantId}"`);
  // The time is taken under the lock, in milliseconds (what timestamptz keeps exactly), so `at` follows seq.
  const fields: ChainFields = {
    seq: Number(head.seq) + 1, tenant_id: change.tenantId, at: new Date().toISOString(), channel: who.channel, actor_id: who.actorId,
    actor: who.actor, action: change.action, entity: change.entity, entity_id: change.entityId ?? null, venue_id: change.venueId ?? null,
    before: stored(change.before), after: stored(change.after),
  };
  const hash = await entryHash(head.hash, fields);
  await q.query(
    `INSERT INTO console.audit_log (tenant_id, at, channel, actor_id, actor, action, entity, entity_id, venue_id, before, after, seq, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11::jsonb, $12, $13, $14)`,
    [fields.tenant_id, fields.at, fields.channel, fields.actor_id, fields.actor, fields.action, fields.entity, fields.entity_id, fields.venue_id,
     fields.before === null ? null : JSON.stringify(fields.before), fields.after === null ? null : JSON.stringify(fields.after), fields.seq, head.hash, hash],
  );
  await q.query('UPDATE console.audit_chain_heads SET seq = $2, hash = $3, at = $4 WHERE tenant_id = $1', [fields.tenant_id, fields.seq, hash, fields.at]);
}
