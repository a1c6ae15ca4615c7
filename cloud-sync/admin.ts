// Control-plane operations behind `seatpilot cloud tenant|venue|device|key …`: tenants, venues, devices and their keys.
import { randomBytes } from 'node:crypto';
import { LIMITS } from '../core/contract/contract';
import type { DeviceKind } from '../protocol/store';
import type { Queryable } from './db';

export class AdminError extends Error {
  override name = 'AdminError';
}

const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';
/** A short random id with a type prefix, e.g. `ven_8k2m…`: unambiguous to read aloud. */
export function newId(prefix: string, length = 16): string {
  const bytes = randomBytes(length);
  let s = '';
  for (const b of bytes) s += ALPHABET[b % ALPHABET.length];
  return `${prefix}_${s}`;
}

/** 32 random bytes, base64url: the HMAC key string a device signs with. */
export function newSecret(): string {
  return `sps_${randomBytes(32).toString('base64url')}`;
}

export const DEVICE_KINDS: readonly DeviceKind[] = ['kiosk', 'agent', 'gateway'];

export interface IssuedKey {
  key_id: string;
  secret: string;
  device_id: string;
  venue_id: string;
  tenant_id: string;
}

export async function addTenant(q: Queryable, name: string): Promise<{ id: string; name: string }> {
  if (!name.trim()) throw new AdminError('a tenant needs a name');
  const id = newId('ten');
  await q.query('INSERT INTO seatpilot.tenants (id, name) VALUES ($1, $2)', [id, name.trim()]);
  return { id, name: name.trim() };
}

export async function addVenue(q: Queryable, tenantId: string, name: string): Promise<{ id: string; tenant_id: string; name: string }> {
  if (!name.trim()) throw new AdminError('a venue needs a name');
  const t = await q.query('SELECT 1 FROM seatpilot.tenants WHERE id = $1', [tenantId]);
  if (!t.length) throw new AdminError(`no tenant "${tenantId}"`);
  const id = newId('ven');
  await q.query('INSERT INTO seatpilot.venues (id, tenant_id, name) VALUES ($1, $2, $3)', [id, tenantId, name.trim()]);
  return { id, tenant_id: tenantId, name: name.trim() };
}

async function issueKey(q: Queryable, device: { id: string; tenant_id: string; venue_id: string }): Promise<IssuedKey> {
  const keyId = newId('key');
  const secret = newSecret();
  const stored = q.secrets ? q.secrets.seal(keyId, secret) : secret;
  await q.query('INSERT INTO seatpilot.device_keys (key_id, device_id, tenant_id, venue_id, secret) VALUES ($1, $2, $3, $4, $5)', [keyId, device.id, device.tenant_id, device.venue_id, stored]);
  return { key_id: keyId, secret, device_id: device.id, venue_id: device.venue_id, tenant_id: device.tenant_id };
}

export async function addDevice(q: Queryable, venueId: string, kind: string, name?: string): Promise<IssuedKey & { kind: DeviceKind }> {
  if (!DEVICE_KINDS.includes(kind as DeviceKind)) throw new AdminError(`--kind must be one of ${DEVICE_KINDS.join(', ')}; got "${kind}"`);
  return q.tx(async (t) => {
    const v = await t.query<{ tenant_id: string }>('SELECT tenant_id FROM seatpilot.venues WHERE id = $1', [venueId]);
    if (!v[0]) throw new AdminError(`no venue "${venueId}"`);
    const id = newId('dev');
    await t.query('INSERT INTO seatpilot.devices (id, tenant_id, venue_id, kind, name) VALUES ($1, $2, $3, $4, $5)', [id, v[0].tenant_id, venueId, kind, name ?? null]);
    return { ...(await issueKey(t, { id, tenant_id: v[0].tenant_id, venue_id: venueId })), kind: kind as DeviceKind };
  });
}

/** A new key for the device; its current keys keep working for 24 h beside it. */
export async function rotateKey(q: Queryable, deviceId: string, now = new Date()): Promise<IssuedKey & { previous_keys_expire_at: string }> {
  return q.tx(async (t) => {
    const d = await t.query<{ id: string; tenant_id: string; venue_id: string }>('SELECT id, tenant_id, venue_id FROM seatpilot.devices WHERE id = $1 FOR UPDATE', [deviceId]);
    if (!d[0]) throw new AdminError(`no device "${deviceId}"`);
    const expires = new Date(now.getTime() + LIMITS.rotatedKeyGraceSeconds * 1000);
    await t.query(`UPDATE seatpilot.device_keys SET status = 'rotated', expires_at = $2 WHERE device_id = $1 AND status = 'active'`, [deviceId, expires]);
    return { ...(await issueKey(t, d[0])), previous_keys_expire_at: expires.toISOString() };
  });
}

export async function revokeKey(q: Queryable, keyId: string, now = new Date()): Promise<{ key_id: string; status: 'revoked' }> {
  const rows = await q.query(`UPDATE seatpilot.device_keys SET status = 'revoked', revoked_at = $2 WHERE key_id = $1 RETURNING key_id`, [keyId, now]);
  if (!rows.length) throw new AdminError(`no key "${keyId}"`);
  return { key_id: keyId, status: 'revoked' };
}
