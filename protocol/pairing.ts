// Pairing a box with a single-use code: the `POST /pair` route (served by the cloud for kiosks and agents, and by the
// edge agent for its doors' kiosks; its request, answer and refusals are core/contract/pairing.ts), the refusals' HTTP
// statuses, and the code format. Nobody types a secret: venue IT reads a short code off the admin's screen, the box gets
// its key over the wire.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PairRequestSchema, PairResponseSchema, type PairErrorBody, type PairErrorCode, type PairRequest, type PairResponse } from '../core/contract/pairing';
import { ajv, describeErrors } from '../core/contract/validate';
import { randomCode } from './random-code';
import { RateLimiter, type RateLimitOptions } from './rate-limit';

/** Each refusal of `POST /pair` (core/contract/pairing.ts) with its HTTP status. */
export function pairErrorStatus(code: PairErrorCode): number {
  switch (code) {
    case 'bad_request':
      return 400;
    case 'unknown_code':
      return 404;
    case 'code_used':
    case 'code_expired':
      return 410;
    case 'wrong_venue':
      return 409;
    case 'rate_limited':
      return 429;
    default: {
      const never: never = code;
      return never;
    }
  }
}

export class PairError extends Error {
  override name = 'PairError';
  constructor(readonly code: PairErrorCode, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

export const validatePairRequest = ajv.compile(PairRequestSchema);
export const validatePairResponse = ajv.compile(PairResponseSchema);

// No 0/o, 1/l/i: a code is read off one screen and typed on another.
export const CODE_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
export const CODE_LENGTH = 12;

/** A fresh code, grouped for reading aloud: `k7wm-3qpa-x9rd` (about 59 bits). */
export function newPairingCode(): string {
  const s = randomCode(CODE_ALPHABET, CODE_LENGTH);
  return `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8)}`;
}

/** What a person typed, in the one form that is hashed: case, spaces and dashes do not matter. */
export function normalizePairingCode(typed: string): string {
  return typed.toLowerCase().replace(/[\s-]/g, '');
}

/** Codes are stored hashed: a copy of the database does not hand out devices. */
export function pairingCodeHash(typed: string): string {
  return createHash('sha256').update(normalizePairingCode(typed), 'utf8').digest('hex');
}

export const DEFAULT_PAIR_TTL_MINUTES = 60;
export const MAX_PAIR_TTL_MINUTES = 7 * 24 * 60;
/** Unsigned and guessable only by brute force: a few tries per address, refilled slowly. */
export const DEFAULT_PAIR_RATE_LIMIT: RateLimitOptions = { perSecond: 0.2, burst: 10 };

export interface PairExchange {
  /** Consumes the code and issues the key in one transaction, or throws PairError. */
  exchange(request: PairRequest, nowMs: number): Promise<PairResponse>;
}

/** `POST /pair` on either server. Bodies may arrive as a Buffer: the `/v1` routes keep JSON raw for the signature. */
export function registerPairRoute(app: FastifyInstance, deps: { pairing: PairExchange; now?: () => number; rateLimit?: RateLimitOptions }): void {
  const now = deps.now ?? Date.now;
  const limiter = new RateLimiter(deps.rateLimit ?? DEFAULT_PAIR_RATE_LIMIT);
  const refuse = (reply: FastifyReply, e: PairError) => {
    for (const [k, v] of Object.entries(e.headers)) reply.header(k, v);
    return reply.code(pairErrorStatus(e.code)).send({ error: e.code, message: e.message } satisfies PairErrorBody);
  };
  app.post('/pair', async (request: FastifyRequest, reply) => {
    const wait = limiter.take(`pair:${request.ip}`, now());
    if (wait > 0) return refuse(reply, new PairError('rate_limited', `too many pairing attempts from this address; try again in ${wait} s`, { 'retry-after': String(wait) }));
    let body: unknown = request.body;
    if (Buffer.isBuffer(body)) {
      try {
        body = JSON.parse(body.toString('utf8'));
      } catch {
        return refuse(reply, new PairError('bad_request', 'the body is not valid JSON'));
      }
    }
    if (!validatePairRequest(body)) return refuse(reply, new PairError('bad_request', `pair request: ${describeErrors(validatePairRequest)}`));
    try {
      return await deps.pairing.exchange(body as PairRequest, now());
    } catch (e) {
      if (e instanceof PairError) return refuse(reply, e);
      throw e;
    }
  });
}

/** The refusal for a code record that exists but cannot be used; null when it can. Shared so both servers word it alike. */
export function refusalOf(record: { venue_id: string; expires_ms: number; used: boolean }, request: PairRequest, nowMs: number): PairError | null {
  if (record.used) return new PairError('code_used', 'this pairing code was already used; ask for a new one (each code pairs one box)');
  if (record.expires_ms <= nowMs) return new PairError('code_expired', `this pairing code expired at ${new Date(record.expires_ms).toISOString()}; ask for a new one`);
  if (request.venue_id !== undefined && request.venue_id !== record.venue_id) {
    return new PairError('wrong_venue', `this pairing code is for another venue than the one this box is set up for (${request.venue_id}); ask for a code for this venue`);
  }
  return null;
}

export const UNKNOWN_CODE_MESSAGE = 'no such pairing code; check it for typos, or ask for a new one';
