// Every console API statement runs in one transaction as seatpilot_console with the session's tenant as the claim
// (sql 0016), so row-level security scopes it even where a query forgot its tenant filter.
import type { Db, Queryable } from '../db';
import type { ConsoleSession } from './session';

export function scoped<T>(db: Db, session: Pick<ConsoleSession, 'tenantId' | 'accountId'>, fn: (q: Queryable) => Promise<T>): Promise<T> {
  return db.tx(async (q) => {
    await q.query(`SELECT set_config('role', 'seatpilot_console', true), set_config('request.jwt.claims', $1, true)`, [
      JSON.stringify({ tenant_id: session.tenantId, sub: session.accountId, role: 'seatpilot_console' }),
    ]);
    return fn(q);
  });
}
