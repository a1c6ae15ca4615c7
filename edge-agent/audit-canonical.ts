// The hub audit's hashed text, made in one pass per value on the check-in's path. The contract is core's
// (core/audit/chain.ts canonicalEntry over the values as read back from their stored JSON text); these functions give
// the same bytes, faster, and audit-canonical.test.ts holds them to it byte for byte over many varied entries.
//
// Why it is faster: core's way for a stored value is stringify (to store), parse (to have what is read back),
// canonicalJson (generic: Object.keys, filter, sort, map, join, for every object, the entry's own 13 keys included).
// Here a value's canonical text is written straight from the value while it is plain JSON data (what JSON.parse
// gives back is then the same data), and the entry's keys, whose sorted order is fixed, are written in that order.
import { canonicalJson, type ChainFields } from '../core/audit/chain';

/** A value this walk cannot vouch for (a toJSON, a function, a boxed primitive, a class instance): core's way then. */
const NOT_PLAIN = Symbol('not plain');

function plain(value: unknown): string | typeof NOT_PLAIN {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      // Non-finite numbers are written null, as JSON.stringify writes them and as they are read back.
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return NOT_PLAIN;
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          const v: unknown = value[i];
          // In an array JSON writes undefined as null (and so it is read back).
          const t = v === undefined ? 'null' : plain(v);
          if (t === NOT_PLAIN) return NOT_PLAIN;
          out += i === 0 ? t : `,${t}`;
        }
        return `${out}]`;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) return NOT_PLAIN;
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj).sort();
      let out = '{';
      let first = true;
      for (const k of keys) {
        const v = obj[k];
        // JSON leaves an undefined member out, so it is not there to read back.
        if (v === undefined) continue;
        const t = plain(v);
        if (t === NOT_PLAIN) return NOT_PLAIN;
        out += `${first ? '' : ','}${JSON.stringify(k)}:${t}`;
        first = false;
      }
      return `${out}}`;
    }
    default:
      // undefined, function, symbol, bigint: JSON's own handling (or refusal) decides, through core's way.
      return NOT_PLAIN;
  }
}

/** A before/after value as stored: its JSON text (null when absent) and the canonical text of what is read back. */
export interface StoredValue {
  /** The text written to before_json / after_json; null when there is no value. */
  json: string | null;
  /** canonicalJson of JSON.parse(json), 'null' when json is null: what the entry's hash is over. */
  canonical: string;
}

const ABSENT: StoredValue = { json: null, canonical: 'null' };

/**
 * A value already written as canonical text (made from plain data, as edge-agent/audit-log.ts's door entries are):
 * stored and hashed as it is, with no second walk. JSON.stringify writes the data it stands for.
 */
export class CanonicalJson implements StoredValue {
  constructor(readonly text: string) {}
  /** As a stored value: the text is both what is stored and what is hashed. */
  get json(): string {
    return this.text;
  }
  get canonical(): string {
    return this.text;
  }
  toJSON(): unknown {
    return JSON.parse(this.text) as unknown;
  }
}

/** The canonical text of one value as stored and read back (a member of a CanonicalJson being written). */
export function canonicalValue(value: unknown): string {
  const fast = plain(value);
  return fast === NOT_PLAIN ? storedValue(value).canonical : fast;
}

/**
 * A plain value is stored as its canonical text, which is JSON whose reading back gives the same data, so one pass
 * makes both (its keys are sorted where JSON.stringify keeps the object's order; nothing reads them in order).
 */
export function storedValue(value: unknown): StoredValue {
  if (value === undefined || value === null) return ABSENT;
  if (value instanceof CanonicalJson) return value;
  const fast = plain(value);
  if (fast !== NOT_PLAIN) return { json: fast, canonical: fast };
  const json = JSON.stringify(value) as string | undefined;
  if (json === undefined) return ABSENT;
  return { json, canonical: canonicalJson(JSON.parse(json)) };
}

/** A scalar field of the entry as canonicalJson writes it; undefined leaves the key out, as canonicalJson does. */
const field = (key: string, v: unknown, first = false): string =>
  v === undefined ? '' : `${first ? '' : ','}"${key}":${typeof v === 'string' ? JSON.stringify(v) : canonicalJson(v)}`;

/** The end of an entry's canonical text: its tenant and venue (constant per chain, so HubAudit makes it once). */
export function venueTailText(tenantId: string, venueId: string): string {
  return `${field('tenant_id', tenantId)}${field('venue_id', venueId)}}`;
}

type EntryFields = Omit<ChainFields, 'before' | 'after'>;

/**
 * Exactly canonicalEntry(prevHash, entry) when `before` / `after` are the canonical texts of entry.before /
 * entry.after (storedValue(...).canonical). The keys in their sorted order: action, actor, actor_id, after, at,
 * before, channel, entity, entity_id, prev_hash, seq, tenant_id, venue_id. `tail`, venueTailText of the entry's
 * tenant and venue, stands for those two fields when given.
 */
export function canonicalEntryText(prevHash: string, entry: EntryFields, before: string, after: string): string;
export function canonicalEntryText(prevHash: string, entry: Omit<EntryFields, 'tenant_id' | 'venue_id'>, before: string, after: string, tail: string): string;
export function canonicalEntryText(prevHash: string, entry: Omit<EntryFields, 'tenant_id' | 'venue_id'> & Partial<EntryFields>, before: string, after: string, tail?: string): string {
  const end = tail ?? `${field('tenant_id', entry.tenant_id)}${field('venue_id', entry.venue_id)}}`;
  const { action, actor, actor_id, at, channel, entity, entity_id, seq } = entry;
  // The hub's own entries: every field there, strings (ids may be null) and a whole seq, written in one template.
  if (typeof action === 'string' && typeof actor === 'string' && typeof at === 'string' && typeof channel === 'string' && typeof entity === 'string'
      && (actor_id === null || typeof actor_id === 'string') && (entity_id === null || typeof entity_id === 'string') && Number.isSafeInteger(seq)) {
    const q = JSON.stringify;
    return `{"action":${q(action)},"actor":${q(actor)},"actor_id":${actor_id === null ? 'null' : q(actor_id)},"after":${after},"at":${q(at)},"before":${before},"channel":${q(channel)},"entity":${q(entity)},"entity_id":${entity_id === null ? 'null' : q(entity_id)},"prev_hash":${q(prevHash)},"seq":${seq}${end}`;
  }
  const head = field('action', action, true) + field('actor', actor) + field('actor_id', actor_id);
  // `after` is always present (null when absent): if every key before it was left out, it opens the object.
  return `{${head}${head === '' ? '' : ','}"after":${after}${field('at', at)},"before":${before}${field('channel', channel)}${field('entity', entity)}${field('entity_id', entity_id)},"prev_hash":${JSON.stringify(prevHash)}${field('seq', seq)}${end}`;
}
