// The hub audit's fast hashed text against core's contract (core/audit/chain.ts): for thousands of varied entries,
// canonicalEntryText over storedValue's canonical texts is canonicalEntry over the values as read back from the stored
// JSON, byte for byte; and a chain appended by HubAudit verifies with core's verifyChain.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalEntry, canonicalJson, type ChainFields } from '../core/audit/chain';
import { seededRandom } from '../core/seating/engine';
import { openStore } from '../venue-store/open';
import { canonicalEntryText, storedValue } from './audit-canonical';
import { eventChange, HubAudit, verifyHubAudit } from './audit-log';

const STRINGS = ['', 'a', 'Zoë Ñúñez', 'quote " and \\ backslash', 'line\nbreak\ttab', '\u0000\u001f control', 'emoji 🎉', 'lone \ud800 surrogate',
  '</script>', 'ü', '__proto__', 'constructor', '10', '2', 'B', 'a b', 'é', 'e\u0301'];
const KEYS = ['guest_id', 'table_id', 'party_size', 'b', 'a', 'A', 'Z', '_', '10', '9', '1e3', 'é', 'e', 'ü', 'occurred_at', '', 'a.b', '__proto__'];

function value(rand: () => number, depth: number): unknown {
  const r = rand();
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  if (depth > 3 || r < 0.3) {
    const k = Math.floor(rand() * 12);
    return [null, true, false, 0, -0, 1.5, -7, 1e21, 123456789012, Number.NaN, Infinity, pick(STRINGS)][k];
  }
  if (r < 0.45) return Array.from({ length: Math.floor(rand() * 4) }, () => (rand() < 0.1 ? undefined : value(rand, depth + 1)));
  if (r < 0.5) {
    // Not plain data: JSON's own handling applies (toJSON, a function member, a class instance, a null prototype).
    return pick([new Date(Date.UTC(2026, 11, 1, 20, 0, 0, 5)), { toJSON: () => ({ z: 1, a: [2] }) }, { f: () => 1, k: 2 }, new (class Seat { table = 't1'; n = 2 })(),
      Object.assign(Object.create(null) as object, { b: 1, a: { d: 2, c: 3 } }), [() => 1, Symbol('s')], new Map([[1, 2]])]);
  }
  const obj: Record<string, unknown> = {};
  const n = Math.floor(rand() * 6);
  for (let i = 0; i < n; i++) {
    const k = pick(KEYS);
    if (k === '__proto__') Object.defineProperty(obj, k, { value: value(rand, depth + 1), enumerable: true, configurable: true, writable: true });
    else obj[k] = rand() < 0.1 ? undefined : value(rand, depth + 1);
  }
  return obj;
}

/** As core reads a stored entry back: the value parsed from its stored text (null when none). */
const readBack = (json: string | null): unknown => (json === null ? null : JSON.parse(json));

// The cases come from core's seeded generator, so a failure names the same case every run.
describe("the hub audit's fast canonical text", () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-audit-canon-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("a stored value's canonical text is core's canonicalJson of what its stored JSON reads back as", () => {
    const rand = seededRandom(20);
    for (let i = 0; i < 5000; i++) {
      const v = i % 10 === 0 ? undefined : value(rand, 0);
      const s = storedValue(v);
      const json = v === undefined || v === null ? null : (JSON.stringify(v) as string | undefined) ?? null;
      // Stored as its canonical text: it reads back as the data JSON.stringify writes, and hashes as that data does.
      expect(readBack(s.json), `case ${i}`).toEqual(readBack(json));
      expect(s.canonical, `case ${i}: ${json}`).toBe(canonicalJson(readBack(json)));
      expect(s.canonical, `case ${i}: ${s.json}`).toBe(canonicalJson(readBack(s.json)));
    }
  });

  it('the entry text is canonicalEntry byte for byte, over varied entries (nulls, unicode, nested values, odd scalars)', () => {
    const rand = seededRandom(0xa0d17);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
    const maybe = (s: string): string | null | undefined => pick([s, null, s, pick(STRINGS), undefined]);
    for (let i = 0; i < 3000; i++) {
      const before = storedValue(rand() < 0.4 ? undefined : value(rand, 0));
      const after = storedValue(value(rand, 0));
      const entry = {
        seq: pick([1, 2, 999, 2 ** 31, i]), tenant_id: pick(['ven_1', 'vén "2"', '']), venue_id: maybe('ven_1') as string | null,
        at: pick(['2026-12-01T20:00:00.000Z', new Date(Date.UTC(2026, 0, 1) + i * 7777).toISOString()]), channel: pick(['device', 'steward', 'supervisor', 'cli']),
        actor_id: maybe('dev_door_a') as string | null, actor: pick(['dev_door_a', 'cli:ops', 'Zoë']), action: pick(['checkin.succeeded', 'seat.changed', 'tablet.pair']),
        entity: pick(['guest', 'door', 'tablet']), entity_id: maybe('g-ana') as string | null,
      };
      const prev = pick(['0'.repeat(64), 'ab'.repeat(32)]);
      const core: ChainFields = { ...entry, before: readBack(before.json), after: readBack(after.json) };
      expect(canonicalEntryText(prev, entry, before.canonical, after.canonical), `case ${i}`).toBe(canonicalEntry(prev, core));
    }
  });

  it("entries appended by HubAudit from doors' events verify with core's verifyChain (an entry altered does not)", async () => {
    const { db } = openStore(join(dir, 'hub.sqlite'));
    try {
      let clock = Date.UTC(2026, 11, 1, 19, 0, 0, 0);
      const audit = new HubAudit(db, 'ven_canon', () => (clock += 17));
      const rand = seededRandom(7);
      const types = ['checkin.succeeded', 'checkin.rejected', 'checkin.reverted', 'guest.added', 'seat.changed', 'staff.pin_failed'];
      db.transaction(() => {
        for (let i = 0; i < 300; i++) {
          const payload = { guest_id: `g-${i}`, door_id: 'door-ñ', by_role: i % 3 ? 'steward' : undefined, party_size: 1 + (i % 4), table_id: i % 5 ? `t${i % 9}` : null,
            name: STRINGS[i % STRINGS.length], from_table_id: 't1', to_table_id: 't2', reason: 'wrong "guest"', failures: 3, locked: true, extra: value(rand, 1) };
          audit.appendEvents([{ event_id: `e-${i}`, type: types[i % types.length] as string, device_id: 'dev_door_a', occurred_at: new Date(clock).toISOString(), payload }]);
          audit.append({ deviceId: null, actor: 'cli:ops', role: 'cli', action: 'device.revoke', entity: 'device', before: value(rand, 0), after: { at: new Date(clock), status: 'revoked' } });
        }
      })();
      expect(await verifyHubAudit(db)).toEqual({ entries: 600, state: 'intact', broken: null });
      db.exec('DROP TRIGGER audit_log_no_update');
      db.prepare("UPDATE audit_log SET after_json = replace(after_json, 'door-ñ', 'door-n') WHERE seq = 41").run();
      expect(await verifyHubAudit(db)).toMatchObject({ state: 'broken', broken: { seq: 41, reason: 'altered' } });
    } finally {
      db.close();
    }
  });

  it("eventChange keeps what it records: the event's id and time and the payload's fields, written in canonical order", () => {
    const change = eventChange({ event_id: 'e1', type: 'seat.changed', device_id: 'dev_t', occurred_at: '2026-12-01T20:00:00.000Z',
      payload: { guest_id: 'g1', from_table_id: 't1', to_table_id: 't2', source: 'hub', by_role: 'supervisor' } });
    expect(JSON.stringify(change)).toBe(JSON.stringify({ deviceId: 'dev_t', actor: 'dev_t', role: 'supervisor', entity: 'guest', entityId: 'g1', action: 'seat.changed',
      before: { table_id: 't1' }, after: { event_id: 'e1', guest_id: 'g1', occurred_at: '2026-12-01T20:00:00.000Z', source: 'hub', table_id: 't2' } }));
    // A payload value that is not a scalar is written canonically too (keys sorted, undefined members left out).
    const odd = eventChange({ event_id: 'e3', type: 'checkin.succeeded', device_id: 'd', occurred_at: '2026-12-01T20:00:00.000Z',
      payload: { guest_id: 'g"1', door_id: { z: 1, a: [undefined, 'ñ'], m: undefined }, direction: 'entry', party_size: Number.NaN, table_id: null } });
    const text = storedValue(odd?.after).json as string;
    expect(text).toBe('{"direction":"entry","door_id":{"a":[null,"ñ"],"z":1},"event_id":"e3","guest_id":"g\\"1","occurred_at":"2026-12-01T20:00:00.000Z","party_size":null,"table_id":null}');
    expect(canonicalJson(JSON.parse(text))).toBe(text);
    expect(eventChange({ event_id: 'e2', type: 'device.heartbeat', device_id: 'd', occurred_at: '2026-12-01T20:00:00.000Z', payload: {} })).toBeNull();
  });
});
