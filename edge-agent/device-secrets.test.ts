// The doors' secrets in the hub's SQLite file are sealed with the key file agent.json names, kept apart from the
// database: a copy of agent.sqlite alone cannot sign, a hub started without its key file stops naming it (no secret
// in the output, EX_CONFIG so systemd does not loop), rows from before sealing are sealed at start. Real agent, real
// files, real child processes.
import { describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../venue-store/open';
import { loadAgentConfig } from './config';
import { startAgent } from './runtime';
import { AgentStore } from './store';
import { batchOf, checkinEvent, signedInject } from '../tests/signed';
import { runCli } from '../tests/cli-run';

const VENUE = 'ven_sealed';

/** A hub box as paired: /etc-like config folder with agent.json, its database in a data folder of its own. */
function hubBox(): { configDir: string; configFile: string; dataDir: string; databaseFile: string; keyFile: string } {
  const root = mkdtempSync(join(tmpdir(), 'sp-hub-secrets-'));
  const configDir = join(root, 'etc');
  const dataDir = join(root, 'var');
  mkdirSync(configDir, { mode: 0o700 });
  const configFile = join(configDir, 'agent.json');
  writeFileSync(configFile, JSON.stringify({ venue_id: VENUE, device_id: 'dev_hub', listen: { host: '127.0.0.1', port: 0 }, database: join(dataDir, 'agent.sqlite') }), { mode: 0o600 });
  return { configDir, configFile, dataDir, databaseFile: join(dataDir, 'agent.sqlite'), keyFile: join(configDir, 'seatpilot-secrets.key') };
}

const stored = (databaseFile: string, keyId: string) => {
  const { db } = openStore(databaseFile);
  try {
    return db.prepare('SELECT secret FROM device_keys WHERE key_id = ?').pluck().get(keyId) as string;
  } finally {
    db.close();
  }
};

describe('the hub seals the doors\' secrets', () => {
  it('stores a value that is not the secret, kept by the key file beside agent.json; signing with the stored value is refused', async () => {
    const box = hubBox();
    const agent = await startAgent(loadAgentConfig(box.configFile));
    try {
      expect(statSync(box.keyFile).mode & 0o777).toBe(0o600);
      const door = agent.store.issueKey('dev_door', 'kiosk');
      const key = { ...door, venue_id: VENUE };
      const ok = await signedInject(agent.app, key, 'POST', '/v1/events', batchOf([checkinEvent(key)]));
      expect(ok.statusCode).toBe(200);
      const value = stored(box.databaseFile, door.key_id);
      expect(value).toMatch(/^sk1\./);
      expect(value).not.toContain(door.secret);
      const forged = await signedInject(agent.app, key, 'POST', '/v1/events', batchOf([checkinEvent(key)]), { secret: value });
      expect([forged.statusCode, forged.json().error]).toEqual([401, 'bad_signature']);
    } finally {
      await agent.close();
    }
  });

  it('seals at start what an older release stored as it is, and the door keeps working', async () => {
    const box = hubBox();
    const { db } = openStore(box.databaseFile);
    const door = new AgentStore(db, VENUE).issueKey('dev_door', 'kiosk');
    db.close();
    expect(stored(box.databaseFile, door.key_id)).toBe(door.secret);
    const agent = await startAgent(loadAgentConfig(box.configFile));
    try {
      expect(stored(box.databaseFile, door.key_id)).toMatch(/^sk1\./);
      const key = { ...door, venue_id: VENUE };
      expect((await signedInject(agent.app, key, 'POST', '/v1/events', batchOf([checkinEvent(key)]))).statusCode).toBe(200);
    } finally {
      await agent.close();
    }
  });

  it('a copy of agent.sqlite without the key file does not start: exit 78 naming the file, then revoke-unreadable and pair again', async () => {
    const box = hubBox();
    const agent = await startAgent(loadAgentConfig(box.configFile));
    const door = agent.store.issueKey('dev_door', 'kiosk');
    await agent.close();
    // Another box given only the database.
    const copy = hubBox();
    mkdirSync(copy.dataDir, { recursive: true });
    cpSync(box.databaseFile, copy.databaseFile);
    const r = await runCli(['agent', '--config', copy.configFile]);
    expect(r.code, r.stdout + r.stderr).toBe(78);
    expect(r.stderr.trim()).toMatch(new RegExp(`^seatpilot agent: 1 device key in use \\(${door.key_id}\\) does not open with the secret key file ${copy.keyFile} .*\`seatpilot agent key revoke-unreadable --config FILE\` revokes those keys, then pair the devices again$`));
    expect(r.stderr).not.toContain(door.secret);

    const revoked = await runCli(['agent', 'key', 'revoke-unreadable', '--config', copy.configFile]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(JSON.parse(revoked.stdout)).toEqual({ revoked: [door.key_id] });
    const restarted = await startAgent(loadAgentConfig(copy.configFile));
    try {
      const key = { ...door, venue_id: VENUE };
      const refused = await signedInject(restarted.app, key, 'POST', '/v1/events', batchOf([checkinEvent(key)]));
      expect([refused.statusCode, refused.json().error]).toEqual([401, 'revoked_key']);
      const again = { ...restarted.store.issueKey('dev_door', 'kiosk'), venue_id: VENUE };
      expect((await signedInject(restarted.app, again, 'POST', '/v1/events', batchOf([checkinEvent(again)]))).statusCode).toBe(200);
    } finally {
      await restarted.close();
    }
  });
});
