// requireTabletRole on a tiny guarded route over real paired tablets (a real SQLite file with the migrations applied):
// what future supervisor-only tablet actions (undo a check-in, moves) will rely on.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../venue-store/open';
import { SqliteOutbox } from '../../venue-store/outbox';
import { TabletStore } from './store';
import { requireTabletRole } from './tablet-roles';

describe('requireTabletRole', () => {
  it('lets a supervisor tablet through, refuses a steward tablet with supervisor_required, and lets both through a steward route', async () => {
    const { db } = openStore(join(mkdtempSync(join(tmpdir(), 'sp-tablet-roles-')), 'agent.sqlite'));
    const tablets = new TabletStore(db, new SqliteOutbox(db, Date.now), { venueId: 'v', deviceId: 'agent', undoMs: 0 });
    const paired = (role?: 'steward' | 'supervisor') => {
      const { code } = tablets.createPairingCode({ label: role ?? 'default', createdBy: 'test', ttlMs: 60_000, ...(role ? { role } : {}) });
      return tablets.redeemPairingCode(code)!.token;
    };
    const app = Fastify();
    const guarded = (path: string, needed: 'steward' | 'supervisor') =>
      app.post(path, async (request, reply) => {
        const check = tablets.checkToken(String(request.headers.authorization ?? '').replace(/^Bearer /, ''));
        if (check.status !== 'ok') return reply.code(401).send({ error: 'tablet_token_invalid' });
        if (!requireTabletRole(reply, check.tablet, needed)) return reply;
        return { done: check.tablet.id };
      });
    guarded('/undo', 'supervisor');
    guarded('/confirm', 'steward');
    const call = (path: string, token: string) => app.inject({ method: 'POST', url: path, headers: { authorization: `Bearer ${token}` } });
    try {
      const supervisor = paired('supervisor');
      const steward = paired('steward');
      const unnamed = paired();
      expect((await call('/undo', supervisor)).statusCode).toBe(200);
      for (const t of [steward, unnamed]) {
        const r = await call('/undo', t);
        expect(r.statusCode).toBe(403);
        expect(r.json()).toEqual({ error: 'supervisor_required', message: expect.stringMatching(/^A supervisor must do this/) });
      }
      for (const t of [supervisor, steward, unnamed]) expect((await call('/confirm', t)).statusCode).toBe(200);
    } finally {
      await app.close();
      db.close();
    }
  });
});
