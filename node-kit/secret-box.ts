// Device secrets at rest. A receiver must hold each device's HMAC secret itself to check its signatures, so the secret is
// sealed (AES-256-GCM) under a key kept in a file of its own, outside the data folder: a copy of the database alone
// cannot sign requests. Rows written before sealing existed are read as they are and sealed at the next start.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, SHARED_BITS } from './private-files';

/** The cloud's key file; the agent names its own in agent.json (`secret_key_file`). */
export const SECRET_KEY_FILE_ENV = 'SEATPILOT_SECRET_KEY_FILE';
export const DEFAULT_SECRET_KEY_FILE_NAME = 'seatpilot-secrets.key';

const SEALED = 'sk1.';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The key file is missing, unreadable or wrong, or a stored secret does not open with it. Never carries a secret. */
export class SecretKeyError extends Error {
  override name = 'SecretKeyError';
}

/** `seatpilot-secrets.key` in the folder that holds `dataDir`: beside the data folder, never inside it. */
export function secretKeyFileBeside(dataDir: string): string {
  return join(dirname(resolve(dataDir)), DEFAULT_SECRET_KEY_FILE_NAME);
}

export function isSealed(stored: string): boolean {
  return stored.startsWith(SEALED);
}

/** The key fingerprint a sealed value names, or null for a value stored before sealing. */
export function sealedWith(stored: string): string | null {
  return isSealed(stored) ? (stored.split('.')[1] ?? '') : null;
}

export class SecretBox {
  /** Names the key without revealing it: sealed values carry it, so a wrong key file is told apart from damage. */
  readonly fingerprint: string;

  private constructor(
    private readonly key: Buffer,
    /** Where the key lives, for messages; null for a key that lives in this process only. */
    readonly file: string | null,
  ) {
    this.fingerprint = createHash('sha256').update('seatpilot secret key fingerprint\n').update(key).digest('hex').slice(0, 12);
  }

  /** A key for a database that lives and dies with this process (PGlite in memory, `:memory:` SQLite). */
  static ephemeral(): SecretBox {
    return new SecretBox(randomBytes(KEY_BYTES), null);
  }

  static fromKey(key: Buffer, file: string | null = null): SecretBox {
    if (key.length !== KEY_BYTES) throw new SecretKeyError(`a secret key is ${KEY_BYTES} bytes; got ${key.length}`);
    return new SecretBox(Buffer.from(key), file);
  }

  /**
   * The key in `file`, which is created (32 random bytes, base64, mode 0600) when it does not exist yet. A key file
   * that group or others may read is made 0600 again.
   */
  static load(file: string, opts: { create?: boolean } = {}): SecretBox {
    const path = resolve(file);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' || opts.create === false) throw new SecretKeyError(`cannot read the secret key file ${path} (${code ?? (e as Error).message})${code === 'EACCES' ? ': it must belong to the user the service runs as' : ''}`);
      createKeyFile(path);
      text = readFileSync(path, 'utf8');
    }
    const key = Buffer.from(text.trim(), 'base64');
    if (key.length !== KEY_BYTES || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(text.trim())) {
      throw new SecretKeyError(`the secret key file ${path} does not hold a key (${KEY_BYTES} bytes in base64, one line); restore it from the backup`);
    }
    try {
      if (statSync(path).mode & SHARED_BITS) chmodSync(path, PRIVATE_FILE_MODE);
    } catch (e) {
      throw new SecretKeyError(`the secret key file ${path} is readable by others and cannot be made 0600 (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    return new SecretBox(key, path);
  }

  private where(): string {
    return this.file ?? "this process's temporary key";
  }

  /** `sk1.<fingerprint>.<iv>.<ciphertext and tag>`; the key id is authenticated with it, so a value moved to another row does not open. */
  seal(keyId: string, secret: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(`seatpilot device key ${keyId}`));
    const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${SEALED}${this.fingerprint}.${iv.toString('base64url')}.${body.toString('base64url')}`;
  }

  /** The secret of a stored value: a sealed one opened, one stored before sealing as it is. */
  open(keyId: string, stored: string): string {
    if (!isSealed(stored)) return stored;
    const [, fingerprint, ivText, bodyText] = stored.split('.');
    if (fingerprint !== this.fingerprint) {
      throw new SecretKeyError(`device key ${keyId} was sealed with another secret key (fingerprint ${fingerprint}); ${this.where()} holds ${this.fingerprint}`);
    }
    try {
      const iv = Buffer.from(ivText ?? '', 'base64url');
      const body = Buffer.from(bodyText ?? '', 'base64url');
      if (iv.length !== IV_BYTES || body.length < TAG_BYTES) throw new Error('truncated');
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
      decipher.setAAD(Buffer.from(`seatpilot device key ${keyId}`));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretKeyError(`device key ${keyId} does not open with ${this.where()}: its stored value is damaged`);
    }
  }
}

export interface StoredSecret {
  key_id: string;
  secret: string;
  /** Whether a request may still be signed with it (active, or rotated and within its 24 h): only those must open. */
  usable: boolean;
}

/**
 * What a start does with the stored secrets: the rows to seal (stored before sealing), after checking that every
 * usable sealed one opens with this key. A wrong or replaced key file stops the start here, naming the file, instead
 * of every request failing later.
 */
export function reviewStoredSecrets(rows: StoredSecret[], box: SecretBox, fixCommand: string): { keyId: string; from: string; to: string }[] {
  const failed: string[] = [];
  const foreign = new Set<string>();
  for (const r of rows) {
    if (!r.usable || !isSealed(r.secret)) continue;
    try {
      box.open(r.key_id, r.secret);
    } catch {
      failed.push(r.key_id);
      foreign.add(sealedWith(r.secret) ?? '');
    }
  }
  if (failed.length) {
    throw new SecretKeyError(
      `${failed.length} device key${failed.length === 1 ? '' : 's'} in use (${failed.slice(0, 3).join(', ')}${failed.length > 3 ? ', …' : ''}) ${failed.length === 1 ? 'does' : 'do'} not open with the secret key file ${box.file ?? '(none)'}` +
        ` (it holds key ${box.fingerprint}; sealed with ${[...foreign].join(', ')}). Restore the key file this database was used with from its backup;` +
        ` if it is lost, \`${fixCommand}\` revokes those keys, then pair the devices again`,
    );
  }
  return rows.filter((r) => !isSealed(r.secret)).map((r) => ({ keyId: r.key_id, from: r.secret, to: box.seal(r.key_id, r.secret) }));
}

/** Written under a temporary name and linked into place: two processes starting at once end up with one key. */
function createKeyFile(path: string): void {
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const fd = openSync(tmp, 'wx', PRIVATE_FILE_MODE);
    try {
      writeSync(fd, `${randomBytes(KEY_BYTES).toString('base64')}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    // Run as root for the service user (sudo seatpilot agent kiosk add): the key goes to the folder's owner.
    if (process.getuid?.() === 0) {
      const owner = statSync(dir);
      if (owner.uid !== 0) chownSync(tmp, owner.uid, owner.gid);
    }
    try {
      linkSync(tmp, path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      unlinkSync(tmp);
    }
  } catch (e) {
    throw new SecretKeyError(`cannot create the secret key file ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); create it where the service may write, or name another place`);
  }
}
