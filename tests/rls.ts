// Test helper: run queries as a Supabase client role with JWT claims, the way PostgREST does (SET LOCAL inside a transaction).
import type { Db, Queryable } from '../cloud-sync/db';

export function asRole<T>(db: Db, role: 'anon' | 'authenticated', claims: Record<string, unknown> | null, fn: (q: Queryable) => Promise<T>): Promise<T> {
  return db.tx(async (q) => {
    await q.query(`SELECT set_config('role', $1, true)`, [role]);
    if (claims) await q.query(`SELECT set_config('request.jwt.claims', $1, true)`, [JSON.stringify(claims)]);
    return fn(q);
  });
}

/** The error message of a statement that must fail (inside a savepoint, so the transaction goes on). */
export async function failure(q: Queryable, sql: string, params: unknown[] = []): Promise<string> {
  try {
    await q.tx((inner) => inner.query(sql, params));
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`expected this statement to fail: ${sql}`);
}
