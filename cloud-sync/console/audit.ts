// Writes one entry of the append-only audit (console.audit_log, sql 0016), in the transaction of the change it records.
import type { AuditChannel } from '../../core/console/audit';
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

export async function recordAudit(q: Queryable, who: AuditActor, change: AuditChange): Promise<void> {
  await q.query(
    `INSERT INTO console.audit_log (tenant_id, channel, actor_id, actor, action, entity, entity_id, venue_id, before, after)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb)`,
    [change.tenantId, who.channel, who.actorId, who.actor, change.action, change.entity, change.entityId ?? null, change.venueId ?? null,
     change.before === undefined ? null : JSON.stringify(change.before), change.after === undefined ? null : JSON.stringify(change.after)],
  );
}
