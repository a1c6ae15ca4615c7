// Console passwords: scrypt (node:crypto), stored as `scrypt$<N>$<r>$<p>$<salt b64url>$<hash b64url>` so that the
// parameters can be raised later and every stored hash still verifies with its own.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export const SCRYPT_PARAMS = { N: 32768, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const SALT_BYTES = 16;
/** Bounds for parameters read from a stored hash: a corrupt row must not make one sign-in take minutes or gigabytes. */
const LIMITS = { N: 1 << 20, r: 32, p: 16 };

function derive(password: string, salt: Buffer, keylen: number, params: { N: number; r: number; p: number }): Promise<Buffer> {
  // scrypt needs 128·N·r·p bytes; Node's default maxmem (32 MiB) is exactly that for N=32768, r=8, so it refuses.
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r * params.p };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, KEY_LENGTH, SCRYPT_PARAMS);
  const { N, r, p } = SCRYPT_PARAMS;
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

interface Stored {
  params: { N: number; r: number; p: number };
  salt: Buffer;
  key: Buffer;
}

function parse(stored: string): Stored | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = parts.slice(1, 4).map((x) => (/^[1-9][0-9]{0,7}$/.test(x) ? Number(x) : NaN)) as [number, number, number];
  if (!(N >= 2 && N <= LIMITS.N && (N & (N - 1)) === 0 && r >= 1 && r <= LIMITS.r && p >= 1 && p <= LIMITS.p)) return null;
  const salt = Buffer.from(parts[4] as string, 'base64url');
  const key = Buffer.from(parts[5] as string, 'base64url');
  if (salt.length < 8 || key.length < 16 || key.length > 64) return null;
  return { params: { N, r, p }, salt, key };
}

/**
 * Whether `password` is the one `stored` was made from. With no stored hash (an unknown e-mail, an account that has
 * not chosen a password yet) or an unreadable one, it still spends one hash of today's cost and answers false, so the
 * time an answer takes tells nobody which e-mails have accounts.
 */
export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  const parsed = stored ? parse(stored) : null;
  if (!parsed) {
    await derive(password, randomBytes(SALT_BYTES), KEY_LENGTH, SCRYPT_PARAMS);
    return false;
  }
  const key = await derive(password, parsed.salt, parsed.key.length, parsed.params);
  return timingSafeEqual(key, parsed.key);
}
