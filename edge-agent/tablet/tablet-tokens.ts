// Table tablets' pairing on the hub's SQLite: single-use pairing codes and the tablets' tokens, both stored only as
// SHA-256 hashes, revocation, and when each tablet was last seen.
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { StaffRole, TabletPairingCode, TabletPairResponse } from '../../core/contract/staff';
import { randomCode } from '../../protocol/random-code';
import type { HubAudit } from '../audit-log';

/**
 * `role`: what the pairing code gave the tablet (migration 0008; tablets paired before roles are stewards); `host`: a
 * host tablet, alerted of every VIP (migration 0011).
 */
export type TokenCheck = { status: 'ok'; tablet: { id: string; label: string; role: StaffRole; host: boolean } } | { status: 'unknown' | 'revoked' };

export interface TabletRow {
  id: string;
  label: string;
  role: StaffRole;
  host: boolean;
  created_at: string;
  revoked_at: string | null;
  last_seen_at: string | null;
}

// No 0/O, 1/I/L: codes are read off a screen or a slip of paper and typed on a tablet.
export const TABLET_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/** Pairing codes are typed by people: case, spaces and dashes do not matter. */
export function normalizePairingCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '');
}

/** 8 of 31 characters: about 39.6 bits, for a code that lives minutes behind a per-address rate limit. */
export const TABLET_CODE_LENGTH = 8;

export function newTabletPairingCode(): string {
  const out = randomCode(TABLET_CODE_ALPHABET, TABLET_CODE_LENGTH);
  return `${out.slice(0, 4)}-${out.slice(4)}`;
}

export class TabletTokens {
  private readonly s: Record<string, Statement>;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly clock: () => number,
    /** Records pairing codes made, tablets paired and revoked (the hub's audit, SQLite 0009). */
    private readonly audit?: HubAudit,
  ) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      addCode: p('INSERT INTO tablet_pairing_codes (code_sha256, label, created_by, created_at, expires_ms, role, host) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      useCode: p('UPDATE tablet_pairing_codes SET used_at = ?, tablet_id = ? WHERE code_sha256 = ? AND used_at IS NULL AND expires_ms > ? RETURNING label, role, host'),
      addTablet: p('INSERT INTO tablets (id, label, token_sha256, created_at, role, host) VALUES (?, ?, ?, ?, ?, ?)'),
      tablet: p('SELECT id, label, role, host, token_sha256, revoked_at FROM tablets WHERE id = ?'),
      seen: p('UPDATE tablets SET last_seen_at = ? WHERE id = ?'),
      revoke: p('UPDATE tablets SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
      tablets: p('SELECT id, label, role, host, created_at, revoked_at, last_seen_at FROM tablets ORDER BY created_at, id'),
    };
  }

  /** `role` (default steward): what the tablet that redeems the code works as; `host` (default false): a host tablet. */
  createPairingCode(opts: { label: string; createdBy: string; ttlMs: number; role?: StaffRole; host?: boolean }): TabletPairingCode {
    const now = this.clock();
    const code = newTabletPairingCode();
    const role = opts.role ?? 'steward';
    const host = opts.host ?? false;
    this.db.transaction(() => {
      this.s.addCode!.run(sha256(normalizePairingCode(code)), opts.label, opts.createdBy, new Date(now).toISOString(), now + opts.ttlMs, role, host ? 1 : 0);
      this.audit?.append({
        // The kiosk's staff session makes codes (its role is the kiosk's to check), or the operator's CLI.
        deviceId: opts.createdBy === 'cli' ? null : opts.createdBy, actor: opts.createdBy, role: opts.createdBy === 'cli' ? 'cli' : 'staff', action: 'tablet.pairing_code_created', entity: 'tablet_pairing_code', entityId: null,
        after: { label: opts.label, role, ...(host ? { host } : {}), expires_at: new Date(now + opts.ttlMs).toISOString() },
      });
    })();
    return { code, label: opts.label, expires_at: new Date(now + opts.ttlMs).toISOString(), role, host };
  }

  /** Redeems a code once: a new tablet and its token (shown once, stored hashed), or null (unknown, used, expired). */
  redeemPairingCode(code: string, label?: string): TabletPairResponse | null {
    const now = this.clock();
    const id = `tab_${randomBytes(6).toString('hex')}`;
    const secret = randomBytes(32).toString('base64url');
    return this.db.transaction(() => {
      const row = this.s.useCode!.get(new Date(now).toISOString(), id, sha256(normalizePairingCode(code)), now) as { label: string; role: StaffRole; host: number } | undefined;
      if (!row) return null;
      const name = label?.trim() || row.label;
      this.s.addTablet!.run(id, name, sha256(secret), new Date(now).toISOString(), row.role, row.host);
      this.audit?.append({ deviceId: id, actor: id, role: row.role, action: 'tablet.paired', entity: 'tablet', entityId: id, after: { label: name, role: row.role, ...(row.host ? { host: true } : {}) } });
      return { tablet_id: id, label: name, token: `${id}.${secret}` };
    })();
  }

  checkToken(token: string): TokenCheck {
    const dot = token.indexOf('.');
    if (dot <= 0) return { status: 'unknown' };
    const row = this.s.tablet!.get(token.slice(0, dot)) as { id: string; label: string; role: StaffRole; host: number; token_sha256: string; revoked_at: string | null } | undefined;
    // Hash the presented secret even for an unknown id, so both paths take the same time.
    const presented = Buffer.from(sha256(token.slice(dot + 1)), 'hex');
    const stored = Buffer.from(row?.token_sha256 ?? '0'.repeat(64), 'hex');
    const match = timingSafeEqual(presented, stored);
    if (!row || !match) return { status: 'unknown' };
    if (row.revoked_at !== null) return { status: 'revoked' };
    return { status: 'ok', tablet: { id: row.id, label: row.label, role: row.role, host: row.host === 1 } };
  }

  touchTablet(id: string): void {
    this.s.seen!.run(new Date(this.clock()).toISOString(), id);
  }

  tabletStatus(id: string): 'ok' | 'revoked' | 'unknown' {
    const row = this.s.tablet!.get(id) as { revoked_at: string | null } | undefined;
    return !row ? 'unknown' : row.revoked_at === null ? 'ok' : 'revoked';
  }

  /** `by`: the kiosk whose staff session revoked it, or 'cli'. */
  revokeTablet(id: string, by = 'cli'): boolean {
    const at = new Date(this.clock()).toISOString();
    return this.db.transaction(() => {
      if (this.s.revoke!.run(at, id).changes !== 1) return false;
      this.audit?.append({ deviceId: by === 'cli' ? null : by, actor: by, role: by === 'cli' ? 'cli' : 'staff', action: 'tablet.revoked', entity: 'tablet', entityId: id, after: { revoked_at: at } });
      return true;
    })();
  }

  listTablets(): TabletRow[] {
    return (this.s.tablets!.all() as Array<Omit<TabletRow, 'host'> & { host: number }>).map((r) => ({ ...r, host: r.host === 1 }));
  }
}
