// Pairing codes on the cloud: `seatpilot cloud device pair-code` issues one, `POST /pair` exchanges it (once) for a new
// device and its key, in one transaction, so two boxes racing with the same code cannot both get a device.
import { DEVICE_KINDS, AdminError, addDevice } from './admin';
import type { Queryable } from './db';
import {
  DEFAULT_PAIR_TTL_MINUTES,
  MAX_PAIR_TTL_MINUTES,
  PairError,
  UNKNOWN_CODE_MESSAGE,
  newPairingCode,
  pairingCodeHash,
  refusalOf,
  type PairExchange,
} from '../protocol/pairing';
import type { PairKind, PairRequest, PairResponse } from '../core/contract/pairing';

export interface IssuedPairCode {
  /** Shown once: only its hash is stored. */
  code: string;
  venue_id: string;
  tenant_id: string;
  kind: PairKind;
  expires_at: string;
}

export async function issuePairCode(
  q: Queryable,
  venueId: string,
  kind: string,
  opts: { ttlMinutes?: number; name?: string | undefined; now?: Date } = {},
): Promise<IssuedPairCode> {
  if (!DEVICE_KINDS.includes(kind as PairKind)) throw new AdminError(`--kind must be one of ${DEVICE_KINDS.join(', ')}; got "${kind}"`);
  const ttl = opts.ttlMinutes ?? DEFAULT_PAIR_TTL_MINUTES;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_PAIR_TTL_MINUTES) throw new AdminError(`--ttl-minutes must be a whole number from 1 to ${MAX_PAIR_TTL_MINUTES}; got "${ttl}"`);
  const v = await q.query<{ tenant_id: string }>('SELECT tenant_id FROM seatpilot.venues WHERE id = $1', [venueId]);
  if (!v[0]) throw new AdminError(`no venue "${venueId}"`);
  const code = newPairingCode();
  const now = opts.now ?? new Date();
  const expires = new Date(now.getTime() + ttl * 60_000);
  await q.query('INSERT INTO seatpilot.pairing_codes (code_hash, tenant_id, venue_id, kind, name, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
    pairingCodeHash(code),
    v[0].tenant_id,
    venueId,
    kind,
    opts.name ?? null,
    now,
    expires,
  ]);
  return { code, venue_id: venueId, tenant_id: v[0].tenant_id, kind: kind as PairKind, expires_at: expires.toISOString() };
}

interface CodeRow {
  venue_id: string;
  kind: PairKind;
  name: string | null;
  expires_at: Date | string;
  used_at: Date | string | null;
}

export class CloudPairing implements PairExchange {
  constructor(private readonly db: Queryable) {}

  async exchange(request: PairRequest, nowMs: number): Promise<PairResponse> {
    const hash = pairingCodeHash(request.code);
    return this.db.tx(async (t) => {
      // The row lock makes a second exchange of the same code wait, then see it used.
      const rows = await t.query<CodeRow>('SELECT venue_id, kind, name, expires_at, used_at FROM seatpilot.pairing_codes WHERE code_hash = $1 FOR UPDATE', [hash]);
      const row = rows[0];
      if (!row) throw new PairError('unknown_code', UNKNOWN_CODE_MESSAGE);
      const refusal = refusalOf({ venue_id: row.venue_id, expires_ms: new Date(row.expires_at).getTime(), used: row.used_at !== null }, request, nowMs);
      if (refusal) throw refusal;
      const issued = await addDevice(t, row.venue_id, row.kind, row.name ?? undefined);
      await t.query('UPDATE seatpilot.pairing_codes SET used_at = $2, device_id = $3 WHERE code_hash = $1', [hash, new Date(nowMs), issued.device_id]);
      return { device_id: issued.device_id, venue_id: issued.venue_id, tenant_id: issued.tenant_id, kind: issued.kind, key_id: issued.key_id, secret: issued.secret };
    });
  }
}
