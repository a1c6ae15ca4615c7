// A venue hub's audit entry as stored (the hub's SQLite audit_log, and the same columns in the cloud's
// telemetry.venue_audit once carried up), and the chain fields it is hashed as. One mapping for both tiers, so the hub's
// `agent audit verify` and the cloud's check of a venue's chain read a row the same way:
//   tenant_id = venue_id = the venue, channel = role, actor_id = device_id, actor = actor,
//   entity / entity_id / action / at / seq / prev_hash / hash as stored, before / after the stored JSON values.
import type { ChainedEntry, ChainFields } from './chain';

export interface HubAuditRow {
  seq: number;
  venue_id: string;
  at: string;
  device_id: string | null;
  actor: string;
  role: string;
  action: string;
  entity: string;
  entity_id: string | null;
  before_json: string | null;
  after_json: string | null;
  prev_hash: string;
  hash: string;
}

/** The fields a row was hashed over; `before` / `after` are its stored JSON already parsed (null when absent). */
export function hubChainFields(r: Omit<HubAuditRow, 'prev_hash' | 'hash'>, before: unknown, after: unknown): ChainFields {
  return {
    seq: r.seq, tenant_id: r.venue_id, venue_id: r.venue_id, at: r.at, channel: r.role, actor_id: r.device_id, actor: r.actor,
    action: r.action, entity: r.entity, entity_id: r.entity_id, before, after,
  };
}

/** The row as verifyChain checks it (its seq as id, to name a bad entry). */
export function hubChainedEntry(r: HubAuditRow, before: unknown, after: unknown): ChainedEntry {
  return { ...hubChainFields(r, before, after), id: r.seq, prev_hash: r.prev_hash, hash: r.hash };
}
