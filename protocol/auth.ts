// Verifies a signed `/v1/*` request (SYSTEM.md wire contract) against the store's keys and nonces.
import { LIMITS } from '../core/contract/contract';
import { checkHeaders, sha256Hex, verifySignature } from '../core/signing/signing';
import { WireError } from './errors';
import type { Caller, IngestStore } from './store';

export interface SignedRequest {
  method: string;
  /** Path with its query string, exactly as received. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array | undefined;
}

/** The caller, or a WireError with the documented 401 code. */
export async function authenticate(store: Pick<IngestStore, 'findKey' | 'useNonce'>, req: SignedRequest, nowMs: number): Promise<Caller> {
  const nowSeconds = Math.floor(nowMs / 1000);
  const h = checkHeaders(req.headers, nowSeconds);
  if (!h.ok) throw new WireError(401, h.error, h.detail);
  const key = await store.findKey(h.value.keyId);
  if (!key) throw new WireError(401, 'unknown_key', 'this key is not known here; pair the device again');
  if (key.status === 'revoked') throw new WireError(401, 'revoked_key', 'this key was revoked');
  if (key.status === 'rotated' && key.expiresAt && key.expiresAt.getTime() <= nowMs) {
    throw new WireError(401, 'revoked_key', 'this key was rotated more than 24 h ago; use its successor');
  }
  const valid = await verifySignature(key.secret, h.value, {
    method: req.method,
    pathWithQuery: req.url,
    bodySha256Hex: await sha256Hex(req.body),
  });
  if (!valid) throw new WireError(401, 'bad_signature', 'the signature does not match this request');
  const fresh = await store.useNonce(key.keyId, h.value.nonce, new Date(nowMs + LIMITS.nonceTtlSeconds * 1000));
  if (!fresh) throw new WireError(401, 'replayed_nonce', 'this nonce was already used with this key');
  return { keyId: key.keyId, tenantId: key.tenantId, venueId: key.venueId, deviceId: key.deviceId, deviceKind: key.deviceKind };
}
