// The audit chain's canonical form against a hash computed by openssl from the documented text, and verifyChain's
// verdict for each kind of tampering.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { canonicalEntry, canonicalJson, entryHash, GENESIS_HASH, verifyChain, type ChainedEntry, type ChainFields } from './chain';

function opensslSha256(text: string): string {
  return execFileSync('openssl', ['dgst', '-sha256', '-r'], { input: Buffer.from(text, 'utf8') }).toString().split(' ')[0] as string;
}

const first: ChainFields = {
  seq: 1, tenant_id: 't1', at: '2026-12-01T16:40:00.123Z', channel: 'console', actor_id: 'acc1', actor: 'ana@example.test',
  action: 'guest.update', entity: 'guest', entity_id: 'g1', venue_id: 'v1', before: { name: 'Ana', tags: ['b', 'a'] }, after: { tags: ['vip'], name: 'Ána' },
};

async function chainOf(n: number): Promise<ChainedEntry[]> {
  const out: ChainedEntry[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const fields: ChainFields = { ...first, seq: i, entity_id: `g${i}`, after: { n: i } };
    const hash = await entryHash(prev, fields);
    out.push({ ...fields, id: 100 + i, prev_hash: prev, hash });
    prev = hash;
  }
  return out;
}

describe('audit chain: canonical form', () => {
  it('is the documented text, byte for byte, and its SHA-256 is what openssl computes', async () => {
    // Written out by hand from the rule at the top of chain.ts: keys sorted at every depth, no whitespace.
    const expected = '{"action":"guest.update","actor":"ana@example.test","actor_id":"acc1","after":{"name":"Ána","tags":["vip"]},'
      + '"at":"2026-12-01T16:40:00.123Z","before":{"name":"Ana","tags":["b","a"]},"channel":"console","entity":"guest",'
      + `"entity_id":"g1","prev_hash":"${GENESIS_HASH}","seq":1,"tenant_id":"t1","venue_id":"v1"}`;
    expect(canonicalEntry(GENESIS_HASH, first)).toBe(expected);
    expect(await entryHash(GENESIS_HASH, first)).toBe(opensslSha256(expected));
  });

  it('writes absent values as null, escapes as JSON does, and does not depend on key order', () => {
    expect(canonicalJson({ b: 1, a: [undefined, null, 'x"y\n'], c: undefined })).toBe('{"a":[null,null,"x\\"y\\n"],"b":1}');
    const shuffled = Object.fromEntries(Object.entries(first).reverse()) as unknown as ChainFields;
    expect(canonicalEntry(GENESIS_HASH, shuffled)).toBe(canonicalEntry(GENESIS_HASH, first));
    expect(canonicalEntry(GENESIS_HASH, { ...first, before: undefined })).toContain('"before":null');
  });
});

describe('audit chain: verifyChain', () => {
  it('passes an untouched chain, with its count and head, also page by page', async () => {
    const chain = await chainOf(5);
    expect(await verifyChain(chain)).toEqual({ ok: true, count: 5, head: { seq: 5, hash: chain[4]?.hash } });
    const page1 = await verifyChain(chain.slice(0, 2));
    expect(page1.ok).toBe(true);
    if (!page1.ok) return;
    expect(await verifyChain(chain.slice(2), page1.head)).toMatchObject({ ok: true, count: 3, head: { seq: 5 } });
    expect(await verifyChain([])).toEqual({ ok: true, count: 0, head: { seq: 0, hash: GENESIS_HASH } });
  });

  it('names an altered entry (any hashed field changed)', async () => {
    for (const change of [{ after: { n: 99 } }, { actor: 'mallory' }, { at: '2026-12-01T16:40:00.124Z' }, { before: { name: 'Ana', tags: ['a', 'b'] } }]) {
      const chain = await chainOf(4);
      chain[2] = { ...(chain[2] as ChainedEntry), ...change };
      expect(await verifyChain(chain)).toMatchObject({ ok: false, reason: 'altered', count: 2, entry: { id: 103 } });
    }
  });

  it('names the entry after a removed one (a gap in seq)', async () => {
    const chain = await chainOf(4);
    chain.splice(1, 1);
    expect(await verifyChain(chain)).toMatchObject({ ok: false, reason: 'removed', count: 1, entry: { id: 103, seq: 3 } });
    // The first one removed: the chain does not start at 1.
    expect(await verifyChain((await chainOf(3)).slice(1))).toMatchObject({ ok: false, reason: 'removed', entry: { seq: 2 } });
  });

  it('names a reordered or forged entry (prev_hash is not the previous hash)', async () => {
    const chain = await chainOf(4);
    // Swapped seqs kept in place: entry 3's fields now claim seq 2 with the wrong predecessor.
    const swapped = [chain[0], { ...(chain[2] as ChainedEntry), seq: 2 }, { ...(chain[1] as ChainedEntry), seq: 3 }, chain[3]] as ChainedEntry[];
    expect(await verifyChain(swapped)).toMatchObject({ ok: false, reason: 'reordered', entry: { id: 103 } });
    // A forged entry with a correct hash over its own fields but a made-up predecessor.
    const fields: ChainFields = { ...first, seq: 3, actor: 'mallory' };
    const forged: ChainedEntry = { ...fields, id: 999, prev_hash: 'f'.repeat(64), hash: await entryHash('f'.repeat(64), fields) };
    expect(await verifyChain([chain[0], chain[1], forged] as ChainedEntry[])).toMatchObject({ ok: false, reason: 'reordered', entry: { id: 999 } });
    // A duplicated seq reads as out of order.
    expect(await verifyChain([chain[0], chain[1], chain[1]] as ChainedEntry[])).toMatchObject({ ok: false, reason: 'reordered', count: 2 });
  });
});
