// Console password hashes: the stored format, verification with the parameters the hash carries, and refusals.
import { describe, expect, it } from 'vitest';
import { randomBytes, scryptSync } from 'node:crypto';
import { hashPassword, verifyPassword } from './passwords';
import { normalizeEmail, passwordProblem } from '../../../core/console/auth';

describe('console passwords', () => {
  it('stores scrypt with its parameters and a fresh salt, and verifies only the same password', async () => {
    const one = await hashPassword('a long enough password');
    const two = await hashPassword('a long enough password');
    expect(one).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(two).not.toBe(one);
    expect(await verifyPassword('a long enough password', one)).toBe(true);
    expect(await verifyPassword('a long enough password', two)).toBe(true);
    expect(await verifyPassword('a long enough passworD', one)).toBe(false);
    expect(await verifyPassword('', one)).toBe(false);
  });

  it('verifies with the parameters read from the stored hash (older, cheaper ones keep working)', async () => {
    const salt = randomBytes(16);
    const key = scryptSync('old password 123', salt, 32, { N: 1024, r: 4, p: 2 });
    const stored = `scrypt$1024$4$2$${salt.toString('base64url')}$${key.toString('base64url')}`;
    expect(await verifyPassword('old password 123', stored)).toBe(true);
    expect(await verifyPassword('old password 124', stored)).toBe(false);
    // The same hash read with today's parameters would not match: the stored ones are what made it verify.
    const today = `scrypt$32768$8$1$${salt.toString('base64url')}$${key.toString('base64url')}`;
    expect(await verifyPassword('old password 123', today)).toBe(false);
  });

  it('treats the same text in composed and decomposed Unicode as the same password', async () => {
    const stored = await hashPassword('contraseña segura');
    expect(await verifyPassword('contrasen\u0303a segura', stored)).toBe(true);
  });

  it('answers false, never throws, for no hash or an unreadable one (a corrupt row costs no minutes of CPU)', async () => {
    const salt = randomBytes(16).toString('base64url');
    const key = randomBytes(32).toString('base64url');
    for (const stored of [null, undefined, '', 'bcrypt$2b$10$abc', `scrypt$1000$8$1$${salt}$${key}`, `scrypt$${2 ** 22}$8$1$${salt}$${key}`,
      `scrypt$1024$8$1$${salt}`, `scrypt$1024$99$1$${salt}$${key}`, `scrypt$1024$8$1$$${key}`]) {
      expect(await verifyPassword('whatever it is', stored), String(stored)).toBe(false);
    }
  });

  it('says what is wrong with a new password, and normalises e-mail addresses', () => {
    expect(passwordProblem('123456789')).toBe('choose a password of at least 10 characters');
    expect(passwordProblem('1234567890')).toBeNull();
    expect(passwordProblem('x'.repeat(201))).toBe('choose a password of at most 200 characters');
    expect(normalizeEmail('  Ana.Garcia@Example.TEST ')).toBe('ana.garcia@example.test');
    expect(normalizeEmail('ana garcia@example.test')).toBeNull();
    expect(normalizeEmail('no-at-sign')).toBeNull();
  });
});
