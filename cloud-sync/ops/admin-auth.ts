// Bearer-token guard for /admin/*: the token from SEATPILOT_ADMIN_TOKEN, compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export type AdminAuthError = 'missing_auth' | 'bad_token';

/** Shorter tokens are refused at start: an admin token guards every tenant's billing. */
export const MIN_ADMIN_TOKEN_LENGTH = 16;

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Hashing first gives equal lengths, so the comparison time says nothing about the token. */
export function tokenMatches(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

export function checkAdminAuth(header: string | undefined, expected: string): AdminAuthError | null {
  if (!header) return 'missing_auth';
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  if (!m) return 'missing_auth';
  return tokenMatches(m[1] as string, expected) ? null : 'bad_token';
}

export function adminAuthHook(expected: string) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const error = checkAdminAuth(request.headers.authorization, expected);
    if (error === null) return;
    const message: string = (() => {
      switch (error) {
        case 'missing_auth':
          return 'send Authorization: Bearer <SEATPILOT_ADMIN_TOKEN>';
        case 'bad_token':
          return 'the admin token is wrong';
        default: {
          const never: never = error;
          return never;
        }
      }
    })();
    await reply.code(401).header('www-authenticate', 'Bearer realm="seatpilot-admin"').send({ error, message });
  };
}
