// The sign-in throttle (console.login_throttle, in the database so every replica shares it). Keys: `account:<email>`
// and `source:<address>`. Four failures in a row are free; from the fifth, each failure locks its key for
// 2^(failures-5) seconds (1, 2, 4, … at most 15 minutes). A key with no failure for an hour starts again from 0.
import type { Queryable } from '../../db';

export const FREE_FAILURES = 4;
export const MAX_LOCK_S = 15 * 60;
export const DECAY_MS = 3600_000;

export const accountKey = (email: string) => `account:${email}`.slice(0, 300);
export const sourceKey = (address: string) => `source:${address}`.slice(0, 300);

/** How long a key stays locked after its `failures`-th failure in a row, in seconds (0: not locked). */
export function lockSeconds(failures: number): number {
  if (failures <= FREE_FAILURES) return 0;
  return Math.min(2 ** Math.min(failures - FREE_FAILURES - 1, 30), MAX_LOCK_S);
}

/** Seconds until every one of `keys` takes a try again (at least 1), or 0 when none is locked. */
export async function lockedFor(q: Queryable, keys: string[], now: Date): Promise<number> {
  const [row] = await q.query<{ until: Date | string | null }>(
    'SELECT max(locked_until) AS until FROM console.login_throttle WHERE key = ANY($1::text[]) AND locked_until > $2',
    [keys, now],
  );
  if (!row?.until) return 0;
  return Math.max(1, Math.ceil((new Date(row.until).getTime() - now.getTime()) / 1000));
}

/** Counts one failure against each key (one transaction, row by row, so concurrent failures all count). */
export async function recordFailure(q: Queryable, keys: string[], now: Date): Promise<void> {
  await q.tx(async (t) => {
    for (const key of keys) {
      const [row] = await t.query<{ failures: number }>(
        `INSERT INTO console.login_throttle AS t (key, failures, last_failure, locked_until) VALUES ($1, 1, $2, NULL)
         ON CONFLICT (key) DO UPDATE SET
           failures = CASE WHEN t.last_failure <= $3 THEN 1 ELSE t.failures + 1 END,
           last_failure = $2
         RETURNING failures`,
        [key, now, new Date(now.getTime() - DECAY_MS)],
      );
      const lock = lockSeconds(row?.failures ?? 1);
      await t.query('UPDATE console.login_throttle SET locked_until = $2 WHERE key = $1', [key, lock ? new Date(now.getTime() + lock * 1000) : null]);
    }
  });
}

export async function clearKey(q: Queryable, key: string): Promise<void> {
  await q.query('DELETE FROM console.login_throttle WHERE key = $1', [key]);
}
