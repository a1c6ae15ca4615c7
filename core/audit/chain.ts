// The audit's hash chain, pure: what an entry's hash is over, and the check that finds the first deleted, altered or
// reordered entry. Used by the cloud (console.audit_log, cloud-sync/console/audit.ts) and meant for the hub's audit too.
//
// Canonical form (so a third party can verify without this code):
//   hash(entry) = lowercase hex SHA-256 of the UTF-8 bytes of canonicalJson(record), where record is the JSON object
//   {action, actor, actor_id, after, at, before, channel, entity, entity_id, prev_hash, seq, tenant_id, venue_id}:
//   - `seq` an integer (1 for a tenant's first chained entry, then +1 each), `prev_hash` the previous entry's hash
//     (GENESIS_HASH, 64 zeros, for seq 1), `at` the time as ISO 8601 UTC with milliseconds (`2026-12-01T16:40:00.123Z`),
//     `before`/`after` the stored JSON values (null when absent), every other field a string or null;
//   - canonicalJson: objects with their keys sorted by UTF-16 code units (JavaScript's default sort) at every depth,
//     no whitespace anywhere, strings and numbers written as ECMAScript JSON.stringify writes them, arrays in order.
//   In Python: json.dumps(record, sort_keys=True, separators=(',', ':'), ensure_ascii=False) gives the same bytes for
//   the audit's values (integers, strings of the Basic Multilingual Plane).
import { sha256Hex } from '../signing/signing';

export const GENESIS_HASH = '0'.repeat(64);

/** What is hashed of one entry (its database id is not: the chain's order is `seq`). */
export interface ChainFields {
  /** 1 for a tenant's first chained entry, then +1 each. */
  seq: number;
  tenant_id: string;
  /** ISO 8601 UTC with milliseconds. */
  at: string;
  channel: string;
  actor_id: string | null;
  actor: string;
  action: string;
  entity: string;
  entity_id: string | null;
  venue_id: string | null;
  before: unknown;
  after: unknown;
}

export interface ChainedEntry extends ChainFields {
  /** The store's id, only to name a bad entry. */
  id: number;
  prev_hash: string;
  hash: string;
}

export type ChainBreakReason = 'altered' | 'removed' | 'reordered';

export interface ChainLink {
  seq: number;
  hash: string;
}

export type ChainResult =
  | { ok: true; count: number; head: ChainLink }
  | { ok: false; entry: ChainedEntry; reason: ChainBreakReason; count: number };

/** JSON with sorted keys and no whitespace (see the top of this file). */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`audit chain: ${typeof value} has no JSON form`);
  return text;
}

/** The exact text an entry's hash is over. */
export function canonicalEntry(prevHash: string, entry: ChainFields): string {
  return canonicalJson({
    action: entry.action, actor: entry.actor, actor_id: entry.actor_id, after: entry.after ?? null, at: entry.at,
    before: entry.before ?? null, channel: entry.channel, entity: entry.entity, entity_id: entry.entity_id,
    prev_hash: prevHash, seq: entry.seq, tenant_id: entry.tenant_id, venue_id: entry.venue_id,
  });
}

export function entryHash(prevHash: string, entry: ChainFields): Promise<string> {
  return sha256Hex(canonicalEntry(prevHash, entry));
}

/**
 * Checks entries given in seq order, continuing from `from` (the genesis, or the last link of the previous page).
 * The first bad entry: a seq that skips (removed: entries before it are missing), a prev_hash that is not the previous
 * entry's hash (reordered, or forged in between), a hash that is not over its own fields (altered).
 */
export async function verifyChain(entries: readonly ChainedEntry[], from: ChainLink = { seq: 0, hash: GENESIS_HASH }): Promise<ChainResult> {
  let head = from;
  let count = 0;
  for (const entry of entries) {
    if (entry.seq !== head.seq + 1) return { ok: false, entry, reason: entry.seq > head.seq + 1 ? 'removed' : 'reordered', count };
    if (entry.prev_hash !== head.hash) return { ok: false, entry, reason: 'reordered', count };
    if ((await entryHash(entry.prev_hash, entry)) !== entry.hash) return { ok: false, entry, reason: 'altered', count };
    head = { seq: entry.seq, hash: entry.hash };
    count++;
  }
  return { ok: true, count, head };
}
