// Pairing codes on the venue hub: `seatpilot agent pair-code` issues one for a door's kiosk (its device id recorded
// with the code, so the cloud accepts the events the hub relays for it), and `POST /pair` on the agent exchanges it once
// for the kiosk's key, in one SQLite transaction.
import type { Database as SqliteDatabase } from 'better-sqlite3';
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
import type { PairRequest, PairResponse } from '../core/contract/pairing';
import type { AgentStore } from './store';

export interface IssuedAgentPairCode {
  code: string;
  device_id: string;
  venue_id: string;
  kind: 'kiosk' | 'gateway';
  expires_at: string;
}

export class AgentPairingError extends Error {
  override name = 'AgentPairingError';
}

interface CodeRow {
  device_id: string;
  kind: 'kiosk' | 'gateway';
  expires_ms: number;
  used_at: string | null;
}

export class AgentPairing implements PairExchange {
  private readonly db: SqliteDatabase;

  constructor(private readonly store: AgentStore, private readonly venueId: string) {
    this.db = store.db;
  }

  issue(deviceId: string, kind: 'kiosk' | 'gateway', opts: { ttlMinutes?: number; nowMs?: number } = {}): IssuedAgentPairCode {
    if (!deviceId.trim() || deviceId.length > 128) throw new AgentPairingError('--device must be the kiosk\'s device id (1 to 128 characters)');
    const ttl = opts.ttlMinutes ?? DEFAULT_PAIR_TTL_MINUTES;
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_PAIR_TTL_MINUTES) throw new AgentPairingError(`--ttl-minutes must be a whole number from 1 to ${MAX_PAIR_TTL_MINUTES}; got "${ttl}"`);
    const now = opts.nowMs ?? Date.now();
    const code = newPairingCode();
    const expires = now + ttl * 60_000;
    this.db
      .prepare('INSERT INTO pairing_codes (code_hash, device_id, kind, created_at, expires_ms) VALUES (?, ?, ?, ?, ?)')
      .run(pairingCodeHash(code), deviceId, kind, new Date(now).toISOString(), expires);
    return { code, device_id: deviceId, venue_id: this.venueId, kind, expires_at: new Date(expires).toISOString() };
  }

  async exchange(request: PairRequest, nowMs: number): Promise<PairResponse> {
    const hash = pairingCodeHash(request.code);
    // better-sqlite3 transactions are synchronous: no other request runs between the read and the consume.
    return this.db.transaction((): PairResponse => {
      const row = this.db.prepare('SELECT device_id, kind, expires_ms, used_at FROM pairing_codes WHERE code_hash = ?').get(hash) as CodeRow | undefined;
      if (!row) throw new PairError('unknown_code', UNKNOWN_CODE_MESSAGE);
      const refusal = refusalOf({ venue_id: this.venueId, expires_ms: row.expires_ms, used: row.used_at !== null }, request, nowMs);
      if (refusal) throw refusal;
      const key = this.store.issueKey(row.device_id, row.kind);
      this.db.prepare('UPDATE pairing_codes SET used_at = ?, key_id = ? WHERE code_hash = ?').run(new Date(nowMs).toISOString(), key.key_id, hash);
      return { device_id: row.device_id, venue_id: this.venueId, kind: row.kind, key_id: key.key_id, secret: key.secret };
    })();
  }
}
