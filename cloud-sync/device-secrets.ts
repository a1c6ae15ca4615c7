// The cloud's device secrets at rest: sealed with the service's key file (protocol/secret-box.ts), checked and sealed at
// every start, opened once per key lookup (AES-GCM costs microseconds against a batch's milliseconds: nothing to cache).
import { isSealed, reviewStoredSecrets, SecretKeyError, SECRET_KEY_FILE_ENV, type SecretBox } from '../node-kit/secret-box';
import type { KeyStatus } from '../protocol/store';
import type { Db } from './db';

export const REVOKE_UNREADABLE_COMMAND = 'seatpilot cloud key revoke-unreadable';

/** The secret of a key row. A revoked key is refused on its status alone, so its secret is never opened. */
export function openStoredSecret(box: SecretBox | undefined, keyId: string, stored: string, status: KeyStatus): string {
  if (status === 'revoked' || !isSealed(stored)) return status === 'revoked' ? '' : stored;
  if (!box) throw new SecretKeyError(`device key ${keyId} is sealed and this process was given no secret key file (${SECRET_KEY_FILE_ENV})`);
  return box.open(keyId, stored);
}

/**
 * Checks that every key still in use opens with this service's key file (else SecretKeyError, naming the file), then
 * seals the secrets stored before sealing. Safe beside other replicas doing the same: each row changes only from the
 * value it was read with.
 */
export async function sealStoredSecrets(db: Db): Promise<{ sealed: number }> {
  if (!db.secrets) return { sealed: 0 };
  const rows = await db.query<{ key_id: string; secret: string; status: KeyStatus }>('SELECT key_id, secret, status FROM seatpilot.device_keys');
  const plan = reviewStoredSecrets(rows.map((r) => ({ key_id: r.key_id, secret: r.secret, usable: r.status !== 'revoked' })), db.secrets, REVOKE_UNREADABLE_COMMAND);
  let sealed = 0;
  for (const p of plan) {
    sealed += (await db.query('UPDATE seatpilot.device_keys SET secret = $2 WHERE key_id = $1 AND secret = $3 RETURNING 1', [p.keyId, p.to, p.from])).length;
  }
  return { sealed };
}

/** After a lost key file: revokes the keys still in use whose secrets do not open, so the service starts again. */
export async function revokeUnreadableKeys(db: Db, now = new Date()): Promise<{ revoked: string[] }> {
  const box = db.secrets;
  if (!box) throw new SecretKeyError(`no secret key file given (${SECRET_KEY_FILE_ENV})`);
  const rows = await db.query<{ key_id: string; secret: string }>(`SELECT key_id, secret FROM seatpilot.device_keys WHERE status <> 'revoked'`);
  const revoked: string[] = [];
  for (const r of rows) {
    if (!isSealed(r.secret)) continue;
    try {
      box.open(r.key_id, r.secret);
    } catch {
      await db.query(`UPDATE seatpilot.device_keys SET status = 'revoked', revoked_at = $2 WHERE key_id = $1`, [r.key_id, now]);
      revoked.push(r.key_id);
    }
  }
  return { revoked };
}
