// `Authorization: Bearer <token>` checked in constant time, for /admin/* and a guarded /metrics.
import { createHash, timingSafeEqual } from 'node:crypto';

export type BearerError = 'missing_auth' | 'bad_token';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Hashing first gives equal lengths, so the comparison time says nothing about the token. */
export function checkBearer(header: string | undefined, token: string): BearerError | null {
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return 'missing_auth';
  return timingSafeEqual(digest(m[1] as string), digest(token)) ? null : 'bad_token';
}
