// Sealing device secrets at rest: what a sealed value reveals, what opens it, and the key file's life (made 0600 on
// first use, refused when it holds no key), on real files with umask 000.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reviewStoredSecrets, SecretBox, SecretKeyError } from './secret-box';

const tmp = () => mkdtempSync(join(tmpdir(), 'sp-secretbox-'));
const SECRET = 'sps_4fGq1xk3U0mC1c5tT2bqH0wq2Z3r5v9yQk7bJm2dN8s';

describe('SecretBox', () => {
  let umask: number;
  beforeAll(() => {
    umask = process.umask(0o000);
  });
  afterAll(() => {
    process.umask(umask);
  });

  it('seals to a value that holds no trace of the secret and opens only for its own key id', () => {
    const box = SecretBox.ephemeral();
    const sealed = box.seal('key_a', SECRET);
    expect(sealed).toMatch(new RegExp(`^sk1\\.${box.fingerprint}\\.[\\w-]+\\.[\\w-]+$`));
    expect(sealed).not.toContain(SECRET);
    expect(sealed).not.toContain(Buffer.from(SECRET).toString('base64url').slice(0, 12));
    expect(box.seal('key_a', SECRET)).not.toBe(sealed);
    expect(box.open('key_a', sealed)).toBe(SECRET);
    // Copied onto another key's row, it does not open.
    expect(() => box.open('key_b', sealed)).toThrow(SecretKeyError);
    // A value stored before sealing is read as it is.
    expect(box.open('key_old', SECRET)).toBe(SECRET);
  });

  it('refuses a value sealed with another key, naming both fingerprints and never the secret', () => {
    const file = join(tmp(), 'seatpilot-secrets.key');
    const mine = SecretBox.load(file);
    const other = SecretBox.ephemeral();
    const sealed = other.seal('key_a', SECRET);
    let err: Error | undefined;
    try {
      mine.open('key_a', sealed);
    } catch (e) {
      err = e as Error;
    }
    expect(err).toBeInstanceOf(SecretKeyError);
    expect(err!.message).toBe(`device key key_a was sealed with another secret key (fingerprint ${other.fingerprint}); ${file} holds ${mine.fingerprint}`);
    const tampered = `${sealed.slice(0, -4)}AAAA`.replace(other.fingerprint, mine.fingerprint);
    expect(() => mine.open('key_a', tampered)).toThrow(/does not open with .*seatpilot-secrets\.key: its stored value is damaged/);
  });

  it('makes the key file 0600 on first use, reads the same key after, and makes a shared one 0600 again', () => {
    const dir = tmp();
    const file = join(dir, 'keys', 'seatpilot-secrets.key');
    const first = SecretBox.load(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'keys')).mode & 0o777).toBe(0o700);
    expect(readFileSync(file, 'utf8')).toMatch(/^[A-Za-z0-9+/]{43}=\n$/);
    const again = SecretBox.load(file);
    expect(again.fingerprint).toBe(first.fingerprint);
    expect(again.open('k', first.seal('k', SECRET))).toBe(SECRET);
    chmodSync(file, 0o644);
    SecretBox.load(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses a key file that holds no key, and a missing one when asked not to create it', () => {
    const dir = tmp();
    const bad = join(dir, 'bad.key');
    writeFileSync(bad, 'not a key\n');
    expect(() => SecretBox.load(bad)).toThrow(`the secret key file ${bad} does not hold a key (32 bytes in base64, one line); restore it from the backup`);
    expect(() => SecretBox.load(join(dir, 'none.key'), { create: false })).toThrow(`cannot read the secret key file ${join(dir, 'none.key')} (ENOENT)`);
  });

  it('a start with the wrong key stops on the keys in use, not on revoked ones, and seals the plain ones', () => {
    const box = SecretBox.ephemeral();
    const lost = SecretBox.ephemeral();
    const revokedOnly = [{ key_id: 'key_old', secret: lost.seal('key_old', SECRET), usable: false }, { key_id: 'key_plain', secret: SECRET, usable: true }];
    const plan = reviewStoredSecrets(revokedOnly, box, 'fix-it');
    expect(plan.map((p) => p.keyId)).toEqual(['key_plain']);
    expect(box.open('key_plain', plan[0]!.to)).toBe(SECRET);
    const inUse = [{ key_id: 'key_live', secret: lost.seal('key_live', SECRET), usable: true }];
    expect(() => reviewStoredSecrets(inUse, box, 'fix-it')).toThrow(
      `1 device key in use (key_live) does not open with the secret key file (none) (it holds key ${box.fingerprint}; sealed with ${lost.fingerprint}). Restore the key file this database was used with from its backup; if it is lost, \`fix-it\` revokes those keys, then pair the devices again`,
    );
  });
});
