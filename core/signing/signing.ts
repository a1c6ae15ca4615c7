// The request-signing scheme of SYSTEM.md (v1), used by every client and server of the protocol.
// Pure: WebCrypto (a web standard, global in Node and browsers) does the hashing; no Node modules.
import { LIMITS, type AuthErrorCode } from '../contract/contract';

export const SIGNATURE_VERSION = 'v1';
export const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

const encoder = new TextEncoder();
const subtle = globalThis.crypto.subtle;

function toHex(buf: ArrayBuffer): string {
  const bytes = new Uint8Array(buf);
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += (bytes[i] as number).toString(16).padStart(2, '0');
  return out;
}

function asBytes(body: Uint8Array | string | undefined | null): Uint8Array {
  if (body === undefined || body === null) return new Uint8Array(0);
  return typeof body === 'string' ? encoder.encode(body) : body;
}

export async function sha256Hex(body: Uint8Array | string | undefined | null): Promise<string> {
  return toHex(await subtle.digest('SHA-256', asBytes(body) as BufferSource));
}

const keyCache = new Map<string, Promise<CryptoKey>>();
function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keyCache.get(secret);
  if (!key) {
    key = subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    // Secrets are few (one per device key); bound the cache anyway.
    if (keyCache.size > 10_000) keyCache.clear();
    keyCache.set(secret, key);
  }
  return key;
}

export async function hmacSha256Hex(secret: string, message: string): Promise<string> {
  return toHex(await subtle.sign('HMAC', await hmacKey(secret), encoder.encode(message)));
}

export interface SignInput {
  ts: number | string;
  nonce: string;
  method: string;
  /** Path with its query string, exactly as sent. */
  pathWithQuery: string;
  bodySha256Hex: string;
}

/** The six lines, joined by \n with no trailing newline. */
export function canonicalString(input: SignInput): string {
  return [SIGNATURE_VERSION, String(input.ts), input.nonce, input.method.toUpperCase(), input.pathWithQuery, input.bodySha256Hex].join('\n');
}

export async function signature(secret: string, input: SignInput): Promise<string> {
  return `${SIGNATURE_VERSION}=${await hmacSha256Hex(secret, canonicalString(input))}`;
}

/** Compares two strings in time that depends only on their lengths, never on where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const len = Math.max(a.length, b.length);
  let diff = a.length ^ b.length;
  for (let i = 0; i < len; i++) diff |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0);
  return diff === 0;
}

/** A random nonce of 32 URL-safe characters. */
export function newNonce(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(24));
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export interface SignedHeaders {
  'x-key': string;
  'x-ts': string;
  'x-nonce': string;
  'x-sig': string;
}

export interface SignRequestInput {
  keyId: string;
  secret: string;
  method: string;
  pathWithQuery: string;
  body?: Uint8Array | string | null;
  /** Unix seconds; defaults to the caller's clock (pass a corrected clock when the receiver's Date says we are skewed). */
  nowSeconds?: number;
  nonce?: string;
}

export async function signRequest(input: SignRequestInput): Promise<SignedHeaders> {
  const ts = String(Math.floor(input.nowSeconds ?? Date.now() / 1000));
  const nonce = input.nonce ?? newNonce();
  const sig = await signature(input.secret, {
    ts,
    nonce,
    method: input.method,
    pathWithQuery: input.pathWithQuery,
    bodySha256Hex: await sha256Hex(input.body),
  });
  return { 'x-key': input.keyId, 'x-ts': ts, 'x-nonce': nonce, 'x-sig': sig };
}

export interface IncomingSignature {
  keyId: string;
  ts: string;
  nonce: string;
  sig: string;
}

export type HeaderCheck = { ok: true; value: IncomingSignature & { tsSeconds: number } } | { ok: false; error: AuthErrorCode; detail: string };

/** Checks the presence and form of the four headers and the timestamp window. Key lookup, HMAC and nonce come after. */
export function checkHeaders(headers: Record<string, string | string[] | undefined>, nowSeconds: number): HeaderCheck {
  const one = (name: string): string | undefined => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const keyId = one('x-key');
  const ts = one('x-ts');
  const nonce = one('x-nonce');
  const sig = one('x-sig');
  if (!keyId || !ts || !nonce || !sig) return { ok: false, error: 'missing_auth', detail: 'x-key, x-ts, x-nonce and x-sig are all required' };
  if (!/^\d{1,12}$/.test(ts)) return { ok: false, error: 'stale_timestamp', detail: 'x-ts must be Unix time in whole seconds' };
  const tsSeconds = Number(ts);
  if (Math.abs(nowSeconds - tsSeconds) > LIMITS.clockSkewSeconds) {
    return { ok: false, error: 'stale_timestamp', detail: `x-ts is ${nowSeconds - tsSeconds} s from the receiver's clock; the limit is ±${LIMITS.clockSkewSeconds} s` };
  }
  if (!NONCE_PATTERN.test(nonce)) return { ok: false, error: 'bad_signature', detail: 'x-nonce must be 16–64 characters of [A-Za-z0-9_-]' };
  if (!/^v1=[0-9a-f]{64}$/.test(sig)) return { ok: false, error: 'bad_signature', detail: 'x-sig must be v1= followed by 64 lowercase hex digits' };
  return { ok: true, value: { keyId, ts, nonce, sig, tsSeconds } };
}

/** True when `sig` is the signature of this request under `secret`; compared in constant time. */
export async function verifySignature(
  secret: string,
  incoming: IncomingSignature,
  request: { method: string; pathWithQuery: string; bodySha256Hex: string },
): Promise<boolean> {
  const expected = await signature(secret, { ts: incoming.ts, nonce: incoming.nonce, ...request });
  return constantTimeEqual(expected, incoming.sig);
}
