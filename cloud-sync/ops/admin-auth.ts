// Bearer-token guard for /admin/*: the token from SEATPILOT_ADMIN_TOKEN, compared in constant time (protocol/bearer.ts).
import { checkBearer, type BearerError } from '../../protocol/bearer';
import type { FastifyReply, FastifyRequest } from 'fastify';

export type AdminAuthError = BearerError;

/** Shorter tokens are refused at start: an admin token guards every tenant's billing. */
export const MIN_ADMIN_TOKEN_LENGTH = 16;

export function checkAdminAuth(header: string | undefined, expected: string): AdminAuthError | null {
  return checkBearer(header, expected);
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
