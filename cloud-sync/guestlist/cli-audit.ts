// The CLI's entries in the console's audit (console.audit_log): each change command writes one, as `cli:<os user>`,
// in the transaction of the change where the command's code takes a Queryable, else right after it.
import { userInfo } from 'node:os';
import type { Db, Queryable } from '../db';
import { recordAudit, type AuditActor, type AuditChange } from '../console/audit';

export function cliActor(): AuditActor {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
  return { channel: 'cli', actorId: null, actor: `cli:${user}`.slice(0, 254) };
}

/** Runs `change` and its audit entry in one transaction; `describe` says what to record (null: nothing changed). */
export function audited<T>(db: Queryable, change: (q: Queryable) => Promise<T>, describe: (result: T, q: Queryable) => Promise<AuditChange | null>): Promise<T> {
  return db.tx(async (q) => {
    const result = await change(q);
    const entry = await describe(result, q);
    if (entry) await recordAudit(q, cliActor(), entry);
    return result;
  });
}

/** For commands whose code opens its own transaction on a Db: the entry right after the change. */
export async function auditAfter<T>(db: Db, result: T, describe: (result: T, q: Queryable) => Promise<AuditChange | null>): Promise<T> {
  await db.tx(async (q) => {
    const entry = await describe(result, q);
    if (entry) await recordAudit(q, cliActor(), entry);
  });
  return result;
}

/** The tenant of a venue, occasion, guest, device or key (the audit's tenant_id). */
export async function tenantOf(q: Queryable, kind: 'venue' | 'occasion' | 'guest' | 'device' | 'key', id: string): Promise<{ tenantId: string; venueId: string | null }> {
  const sql = {
    venue: 'SELECT tenant_id, id AS venue_id FROM seatpilot.venues WHERE id = $1',
    occasion: 'SELECT tenant_id, venue_id FROM guestlist.occasions WHERE id = $1',
    guest: 'SELECT tenant_id, venue_id FROM guestlist.guests WHERE id = $1',
    device: 'SELECT tenant_id, venue_id FROM seatpilot.devices WHERE id = $1',
    key: 'SELECT tenant_id, venue_id FROM seatpilot.device_keys WHERE key_id = $1',
  }[kind];
  const [r] = await q.query<{ tenant_id: string; venue_id: string | null }>(sql, [id]);
  if (!r) throw new Error(`audit: no ${kind} "${id}" after the change`);
  return { tenantId: r.tenant_id, venueId: r.venue_id };
}
