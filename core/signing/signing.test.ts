import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { canonicalString, checkHeaders, constantTimeEqual, newNonce, NONCE_PATTERN, sha256Hex, signRequest, signature, verifySignature } from './signing';

interface Vector { name: string; secret: string; ts: string; nonce: string; method: string; path: string; body: string; body_sha256: string; canonical: string; x_sig: string }
const vectors = JSON.parse(readFileSync(new URL('./testdata/signing-vectors.json', import.meta.url), 'utf8')) as Vector[];

/** An independent implementation: OpenSSL's command line. */
function opensslHmac(secret: string, message: string): string {
  return execFileSync('openssl', ['dgst', '-sha256', '-hmac', secret, '-r'], { input: Buffer.from(message, 'utf8') }).toString().split(' ')[0] as string;
}
function opensslSha256(body: string): string {
  return execFileSync('openssl', ['dgst', '-sha256', '-r'], { input: Buffer.from(body, 'utf8') }).toString().split(' ')[0] as string;
}

describe('signing test vectors', () => {
  it.each(vectors)('$name matches the stored vector and OpenSSL', async (v) => {
    const bodyHash = await sha256Hex(v.body === '' ? undefined : v.body);
    expect(bodyHash).toBe(v.body_sha256);
    expect(bodyHash).toBe(opensslSha256(v.body));
    const canonical = canonicalString({ ts: v.ts, nonce: v.nonce, method: v.method, pathWithQuery: v.path, bodySha256Hex: bodyHash });
    expect(canonical).toBe(v.canonical);
    const sig = await signature(v.secret, { ts: v.ts, nonce: v.nonce, method: v.method, pathWithQuery: v.path, bodySha256Hex: bodyHash });
    expect(sig).toBe(v.x_sig);
    expect(sig).toBe(`v1=${opensslHmac(v.secret, canonical)}`);
  });

  it('hashes the empty body as SHA-256 of the empty string', async () => {
    expect(await sha256Hex(undefined)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});

describe('signRequest / verifySignature', () => {
  it('round-trips and refuses any altered part', async () => {
    const body = '{"x":1}';
    const h = await signRequest({ keyId: 'k1', secret: 's3cret', method: 'post', pathWithQuery: '/v1/events', body, nowSeconds: 1_800_000_000 });
    expect(h['x-ts']).toBe('1800000000');
    expect(NONCE_PATTERN.test(h['x-nonce'])).toBe(true);
    const incoming = { keyId: h['x-key'], ts: h['x-ts'], nonce: h['x-nonce'], sig: h['x-sig'] };
    const req = { method: 'POST', pathWithQuery: '/v1/events', bodySha256Hex: await sha256Hex(body) };
    expect(await verifySignature('s3cret', incoming, req)).toBe(true);
    expect(await verifySignature('s3cret!', incoming, req)).toBe(false);
    expect(await verifySignature('s3cret', incoming, { ...req, method: 'PUT' })).toBe(false);
    expect(await verifySignature('s3cret', incoming, { ...req, pathWithQuery: '/v1/events?x=1' })).toBe(false);
    expect(await verifySignature('s3cret', incoming, { ...req, bodySha256Hex: await sha256Hex('{"x":2}') })).toBe(false);
    expect(await verifySignature('s3cret', { ...incoming, ts: '1800000001' }, req)).toBe(false);
  });

  it('makes distinct well-formed nonces', () => {
    const seen = new Set(Array.from({ length: 1000 }, newNonce));
    expect(seen.size).toBe(1000);
    for (const n of seen) expect(n).toMatch(NONCE_PATTERN);
  });
});

describe('checkHeaders', () => {
  const now = 1_800_000_000;
  const good = { 'x-key': 'k', 'x-ts': String(now), 'x-nonce': 'abcdefghijklmnop', 'x-sig': `v1=${'a'.repeat(64)}` };
  it('accepts the window edges and refuses 301 s either side', () => {
    expect(checkHeaders({ ...good, 'x-ts': String(now - 300) }, now).ok).toBe(true);
    expect(checkHeaders({ ...good, 'x-ts': String(now + 300) }, now).ok).toBe(true);
    expect(checkHeaders({ ...good, 'x-ts': String(now - 301) }, now)).toMatchObject({ ok: false, error: 'stale_timestamp' });
    expect(checkHeaders({ ...good, 'x-ts': String(now + 301) }, now)).toMatchObject({ ok: false, error: 'stale_timestamp' });
  });
  it('names missing auth and malformed parts', () => {
    expect(checkHeaders({ ...good, 'x-sig': undefined }, now)).toMatchObject({ ok: false, error: 'missing_auth' });
    expect(checkHeaders({ ...good, 'x-nonce': 'short' }, now)).toMatchObject({ ok: false, error: 'bad_signature' });
    expect(checkHeaders({ ...good, 'x-sig': 'v1=XYZ' }, now)).toMatchObject({ ok: false, error: 'bad_signature' });
    expect(checkHeaders({ ...good, 'x-ts': '12.5' }, now)).toMatchObject({ ok: false, error: 'stale_timestamp' });
  });
});

describe('constantTimeEqual', () => {
  it('is equality', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
  });
});
