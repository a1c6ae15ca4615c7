// The upstream stand-in checks signatures as SYSTEM.md's wire contract says: a test that passes against it proves a
// correctly signed request, not just any request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest } from '../core/signing';
import { skewedUpstream } from './test-servers';

const KEY = { keyId: 'key_ts1', secret: 'sps_test-servers-secret-01' };
const SKEW_MS = -10 * 60_000;

describe('skewedUpstream', () => {
  let upstream: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    upstream = await skewedUpstream(SKEW_MS, { [KEY.keyId]: KEY.secret });
  });
  afterAll(async () => upstream?.close());

  const post = async (o: { secret?: string; keyId?: string; signBody?: string; body?: string; nowSeconds?: number; nonce?: string; headers?: Record<string, string> } = {}) => {
    const body = o.body ?? '{}';
    const signed = await signRequest({
      keyId: o.keyId ?? KEY.keyId, secret: o.secret ?? KEY.secret, method: 'POST', pathWithQuery: '/v1/events', body: o.signBody ?? body,
      nowSeconds: o.nowSeconds ?? Math.floor((Date.now() + SKEW_MS) / 1000), ...(o.nonce ? { nonce: o.nonce } : {}),
    });
    const r = await fetch(`${upstream.url}/v1/events`, { method: 'POST', headers: { ...signed, 'content-type': 'application/json', ...(o.headers ?? {}) }, body });
    return { status: r.status, error: ((await r.json()) as { error: string }).error };
  };

  it('takes a request signed with the right secret on its clock, refusing the empty batch only as bad_envelope', async () => {
    expect(await post()).toEqual({ status: 400, error: 'bad_envelope' });
  });

  it('refuses a wrong secret, an unknown key and a body other than the one signed', async () => {
    expect(await post({ secret: 'sps_some-other-secret-0001' })).toEqual({ status: 401, error: 'bad_signature' });
    expect(await post({ keyId: 'key_nobody' })).toEqual({ status: 401, error: 'unknown_key' });
    expect(await post({ signBody: '{}', body: '{"events":[]}' })).toEqual({ status: 401, error: 'bad_signature' });
  });

  it('refuses a timestamp outside ±300 s of its own clock, missing headers and a reused nonce', async () => {
    expect(await post({ nowSeconds: Math.floor(Date.now() / 1000) })).toEqual({ status: 401, error: 'stale_timestamp' });
    const r = await fetch(`${upstream.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(r.status).toBe(401);
    expect(await r.json()).toEqual({ error: 'missing_auth' });
    const nonce = 'nonce-used-once-0123456789';
    expect(await post({ nonce })).toEqual({ status: 400, error: 'bad_envelope' });
    expect(await post({ nonce })).toEqual({ status: 401, error: 'replayed_nonce' });
  });
});
