// Who may call which console API route, every route at once: the owner, planner and viewer of tenant A, tenant B's
// planner against A's ids (404 or 403, and never a byte of A's data), no session (401), a write without the CSRF
// token (403). On PGlite and on the real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app';
import { addDevice } from '../admin';
import { importGuests } from '../guestlist/import-guests';
import { backends, freshDatabase, type TestDatabase } from '../../tests/pg-backends';
import { addTestAccount, asUser, consoleTenant, signIn, type ConsoleTenant, type TestSession } from '../../tests/fixtures/console';
import { may, type ConsolePermission, type ConsoleRole } from '../../core/console/roles';
import { emptyLayout, type Layout } from '../../core/designer/layout';
import { PNG_41x17 } from '../../tests/fixtures/layout-images';

interface Call {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  /** An object is sent as JSON, a string or bytes as they are with `contentType`. */
  body?: unknown;
  contentType?: string;
}

interface Route {
  name: string;
  permission: ConsolePermission;
  /** The call against tenant A's objects, made fresh for each caller (destructive routes get their own target). */
  call: (a: ConsoleTenant, who: TestSession) => Promise<Call>;
  /** Lists answer tenant B with B's own rows (200); everything else naming A's ids answers B 404 or 403. */
  list?: boolean;
}

let t: TestDatabase;
let app: FastifyInstance;
let A: ConsoleTenant;
let B: ConsoleTenant;
let deviceA: string;
let serial = 0;
const next = () => ++serial;

async function guestOfA(): Promise<string> {
  const id = `ga${next()}`;
  await importGuests(t.db, { venueId: A.venueId, occasionId: A.occasionId, csv: `guest_id,name,barcode\n${id},Matrix Guest ${id},BC-${id}` });
  return id;
}
async function versionOf(guestId: string): Promise<number> {
  const [r] = await t.db.query<{ version: number }>('SELECT version FROM guestlist.guests WHERE id = $1', [guestId]);
  return Number(r?.version);
}

/** The room of A's venue: one door, one table big enough for every role's seating move (published by the rows below). */
function roomOfA(): Layout {
  return { ...emptyLayout(), doors: [{ id: 'door-a', label: 'Main', x: 1, y: 1 }], tables: [{ id: 'tbl-a1', label: '1', shape: 'round', capacity: 1000, x: 10, y: 10, w: 1.8, h: 1.8, rotation: 0, tags: [] }] };
}
async function draftRevision(): Promise<number> {
  const [r] = await t.db.query<{ revision: number }>('SELECT revision FROM guestlist.layout_drafts WHERE venue_id = $1', [A.venueId]);
  return Number(r?.revision ?? 0);
}
/** A's owner, for the set-up a route needs (a published version, an image, a running job) whoever calls it after. */
async function asOwnerOfA(c: Call) {
  const res = await send(await signIn(t.db, A.owner.account), c);
  expect(res.statusCode, res.body.slice(0, 300)).toBeLessThan(400);
  return res.json() as Record<string, unknown>;
}
async function publishedOfA(): Promise<void> {
  await asOwnerOfA({ method: 'POST', url: `/console/api/venues/${A.venueId}/layout/publish`, body: { revision: await draftRevision(), confirm_live: true, unseat_removed: true } });
}

const ROUTES: Route[] = [
  { name: 'session', permission: 'read', call: async () => ({ method: 'GET', url: '/console/api/session' }), list: true },
  { name: 'sessions', permission: 'read', call: async () => ({ method: 'GET', url: '/console/api/sessions' }), list: true },
  { name: 'logout', permission: 'read', call: async () => ({ method: 'POST', url: '/console/api/logout' }), list: true },
  { name: 'logout everywhere', permission: 'read', call: async () => ({ method: 'POST', url: '/console/api/logout-everywhere' }), list: true },
  {
    name: 'revoke a session', permission: 'read', list: true,
    // One of the caller's own other sessions (another account's is a 404: cloud-sync/console/auth tests it).
    call: async (_a, who) => ({ method: 'DELETE', url: `/console/api/sessions/${(await signIn(t.db, who.account)).sessionId}` }),
  },
  { name: 'accounts', permission: 'manage_accounts', call: async () => ({ method: 'GET', url: '/console/api/accounts' }), list: true },
  { name: 'invite', permission: 'manage_accounts', call: async () => ({ method: 'POST', url: '/console/api/accounts', body: { email: `invitee${next()}@example.test`, role: 'viewer' } }), list: true },
  {
    name: 'change an account', permission: 'manage_accounts',
    call: async (a) => ({ method: 'PATCH', url: `/console/api/accounts/${(await addTestAccount(t.db, a.tenantId, 'viewer')).id}`, body: { role: 'planner' } }),
  },
  { name: 'a fresh link', permission: 'manage_accounts', call: async (a) => ({ method: 'POST', url: `/console/api/accounts/${(await addTestAccount(t.db, a.tenantId, 'viewer')).id}/link` }) },
  { name: 'venues', permission: 'read', call: async () => ({ method: 'GET', url: '/console/api/venues' }), list: true },
  { name: 'add a venue', permission: 'manage_venue', call: async () => ({ method: 'POST', url: '/console/api/venues', body: { name: `Annex ${next()}` } }), list: true },
  { name: 'rename a venue', permission: 'manage_venue', call: async (a) => ({ method: 'PATCH', url: `/console/api/venues/${a.venueId}`, body: { name: `Hall ${next()}` } }) },
  { name: 'occasions', permission: 'read', call: async (a) => ({ method: 'GET', url: `/console/api/occasions?venue_id=${a.venueId}` }) },
  { name: 'an occasion', permission: 'read', call: async (a) => ({ method: 'GET', url: `/console/api/occasions/${a.occasionId}` }) },
  {
    name: 'add an occasion', permission: 'edit_guests',
    call: async (a) => ({ method: 'POST', url: '/console/api/occasions', body: { venue_id: a.venueId, name: `Brunch ${next()}`, starts_at: '2027-01-01T10:00:00Z', ends_at: '2027-01-01T14:00:00Z', timezone: 'Europe/Madrid', reentry_policy: 'single' } }),
  },
  { name: 'edit an occasion', permission: 'edit_guests', call: async (a) => ({ method: 'PATCH', url: `/console/api/occasions/${a.occasionId}`, body: { name: `Gala ${next()}` } }) },
  { name: 'guest list', permission: 'read', call: async (a) => ({ method: 'GET', url: `/console/api/occasions/${a.occasionId}/guests` }) },
  { name: 'guest export', permission: 'read', call: async (a) => ({ method: 'GET', url: `/console/api/occasions/${a.occasionId}/guests.csv?q=matrix` }) },
  {
    name: 'guest import', permission: 'edit_guests',
    call: async (a) => {
      const id = `gi${next()}`;
      return { method: 'POST', url: `/console/api/occasions/${a.occasionId}/guests/import`, body: `guest_id,name,barcode\n${id},Imported ${id},BC-${id}`, contentType: 'text/csv' };
    },
  },
  { name: 'a guest', permission: 'read', call: async () => ({ method: 'GET', url: `/console/api/guests/${await guestOfA()}` }) },
  {
    name: 'edit a guest', permission: 'edit_guests',
    call: async () => {
      const id = await guestOfA();
      return { method: 'PATCH', url: `/console/api/guests/${id}`, body: { version: await versionOf(id), name: `Renamed ${id}` } };
    },
  },
  { name: 'revoke a guest', permission: 'edit_guests', call: async () => ({ method: 'POST', url: `/console/api/guests/${await guestOfA()}/revoke` }) },
  { name: 'delete a guest', permission: 'edit_guests', call: async () => ({ method: 'DELETE', url: `/console/api/guests/${await guestOfA()}` }) },
  { name: 'devices', permission: 'read', call: async (a) => ({ method: 'GET', url: `/console/api/venues/${a.venueId}/devices` }) },
  { name: 'pairing code', permission: 'manage_venue', call: async (a) => ({ method: 'POST', url: `/console/api/venues/${a.venueId}/pairing-codes`, body: { kind: 'kiosk', name: `door ${next()}` } }) },
  { name: 'revoke a device', permission: 'manage_venue', call: async (a) => ({ method: 'POST', url: `/console/api/devices/${(await addDevice(t.db, a.venueId, 'kiosk')).device_id}/revoke` }) },
  { name: 'live view', permission: 'read', call: async (a) => ({ method: 'GET', url: `/console/api/occasions/${a.occasionId}/live.json` }) },
  { name: 'audit', permission: 'read', call: async () => ({ method: 'GET', url: '/console/api/audit' }), list: true },
  { name: 'audit chain', permission: 'read', call: async () => ({ method: 'GET', url: '/console/api/audit/chain' }), list: true },
  // The Seat Designer (routes/layouts.ts).
  { name: 'room draft', permission: 'read', call: async (a) => ({ method: 'GET', url: `/console/api/venues/${a.venueId}/layout` }) },
  { name: 'save the room draft', permission: 'edit_layout', call: async (a) => ({ method: 'PUT', url: `/console/api/venues/${a.venueId}/layout`, body: { revision: await draftRevision(), layout: roomOfA() } }) },
  { name: 'publish preview', permission: 'edit_layout', call: async (a) => ({ method: 'POST', url: `/console/api/venues/${a.venueId}/layout/preview`, body: { revision: await draftRevision() } }) },
  {
    name: 'publish the room', permission: 'edit_layout',
    call: async (a) => ({ method: 'POST', url: `/console/api/venues/${a.venueId}/layout/publish`, body: { revision: await draftRevision(), confirm_live: true, unseat_removed: true } }),
  },
  { name: 'room versions', permission: 'read', call: async (a) => ({ method: 'GET', url: `/console/api/venues/${a.venueId}/layout/versions` }) },
  {
    name: 'a room version', permission: 'read',
    call: async (a) => {
      await publishedOfA();
      return { method: 'GET', url: `/console/api/venues/${a.venueId}/layout/versions/latest` };
    },
  },
  {
    name: 'restore a room version', permission: 'edit_layout',
    call: async (a) => {
      await publishedOfA();
      return { method: 'POST', url: `/console/api/venues/${a.venueId}/layout/versions/1/restore`, body: { revision: await draftRevision() } };
    },
  },
  { name: 'upload a background image', permission: 'edit_layout', call: async (a) => ({ method: 'POST', url: `/console/api/venues/${a.venueId}/layout/images`, body: PNG_41x17, contentType: 'image/png' }) },
  {
    name: 'a background image', permission: 'read',
    call: async (a) => {
      const image = await asOwnerOfA({ method: 'POST', url: `/console/api/venues/${a.venueId}/layout/images`, body: PNG_41x17, contentType: 'image/png' });
      return { method: 'GET', url: `/console/api/venues/${a.venueId}/layout/images/${String(image.image_id)}` };
    },
  },
  // The seating chart (routes/seating.ts).
  { name: 'seating chart', permission: 'read', call: async (a) => ({ method: 'GET', url: `/console/api/occasions/${a.occasionId}/seating` }) },
  {
    name: 'move a party', permission: 'edit_layout',
    call: async (a) => {
      const id = await guestOfA();
      return { method: 'POST', url: `/console/api/occasions/${a.occasionId}/seating/move`, body: { guest_id: id, table_id: 'tbl-a1', version: await versionOf(id) } };
    },
  },
  {
    name: 'lock a party', permission: 'edit_layout',
    call: async (a) => {
      const id = await guestOfA();
      return { method: 'POST', url: `/console/api/occasions/${a.occasionId}/seating/lock`, body: { guest_id: id, locked: true, version: await versionOf(id) } };
    },
  },
  {
    name: 'a party\'s relations', permission: 'edit_layout',
    call: async (a) => ({ method: 'PUT', url: `/console/api/occasions/${a.occasionId}/seating/relations/${await guestOfA()}`, body: { relations: [{ other: await guestOfA(), score: 20, rule: null }] } }),
  },
  { name: 'start auto-assign', permission: 'edit_layout', call: async (a) => ({ method: 'POST', url: `/console/api/occasions/${a.occasionId}/seating/auto`, body: { time_limit_ms: 200 } }) },
  {
    name: 'follow auto-assign', permission: 'read',
    call: async (a) => {
      const job = await asOwnerOfA({ method: 'POST', url: `/console/api/occasions/${a.occasionId}/seating/auto`, body: { time_limit_ms: 200 } });
      return { method: 'GET', url: `/console/api/occasions/${a.occasionId}/seating/auto/${String(job.job_id)}` };
    },
  },
  {
    name: 'apply a plan', permission: 'edit_layout',
    call: async (a) => ({ method: 'POST', url: `/console/api/occasions/${a.occasionId}/seating/apply`, body: { moves: [{ guest_id: await guestOfA(), from: null, to: 'tbl-a1' }] } }),
  },
];

const send = (who: TestSession | null, c: Call, csrf = true) =>
  asUser(app, who, {
    method: c.method,
    url: c.url,
    csrf,
    ...(c.body === undefined ? {} : typeof c.body === 'string' || Buffer.isBuffer(c.body) || c.body instanceof Uint8Array
      ? { payload: Buffer.from(c.body as string | Uint8Array), headers: { 'content-type': c.contentType ?? 'text/plain' } }
      : { payload: JSON.stringify(c.body), headers: { 'content-type': 'application/json' } }),
  });

/** What of tenant A must never reach tenant B: its ids and names. */
function leaksOfA(body: string): string[] {
  const secrets = [A.tenantId, A.venueId, A.occasionId, deviceA, 'Alpha Events', 'Alpha Events hall', 'Matrix Guest'];
  return secrets.filter((s) => body.includes(s));
}

describe.each(backends())('console API access on %s', (backend) => {
  beforeAll(async () => {
    t = await freshDatabase(backend);
    ({ app } = await buildApp({ db: t.db, doubleAdmissionEverySec: 0, assignMetricsEverySec: 0 }));
    A = await consoleTenant(t.db, 'Alpha Events');
    B = await consoleTenant(t.db, 'Bravo Weddings');
    deviceA = (await addDevice(t.db, A.venueId, 'kiosk', 'alpha door')).device_id;
    await guestOfA();
  });
  afterAll(async () => {
    await app?.close();
    await t?.drop();
  });

  const roles: ConsoleRole[] = ['owner', 'planner', 'viewer'];
  for (const route of ROUTES) {
    it(`${route.name}: A's owner, planner and viewer as their role allows`, async () => {
      for (const role of roles) {
        const who = await signIn(t.db, A[role].account);
        const res = await send(who, await route.call(A, who));
        if (may(role, route.permission)) {
          expect(res.statusCode, `${role}: ${res.body.slice(0, 300)}`).toBeLessThan(400);
        } else {
          expect(res.statusCode, `${role}: ${res.body.slice(0, 300)}`).toBe(403);
          expect(res.json().error).toBe('forbidden');
        }
      }
    });

    it(`${route.name}: tenant B's planner never gets A's data`, async () => {
      const who = await signIn(t.db, B.planner.account);
      const res = await send(who, await route.call(A, who));
      if (route.list) expect([200, 201, 204, 403]).toContain(res.statusCode);
      else expect([403, 404], res.body.slice(0, 300)).toContain(res.statusCode);
      expect(leaksOfA(res.body)).toEqual([]);
    });

    it(`${route.name}: 401 without a session`, async () => {
      const res = await send(null, await route.call(A, A.owner));
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toBe('no_session');
      expect(leaksOfA(res.body)).toEqual([]);
    });
  }

  for (const route of ROUTES) {
    it(`${route.name}: a write without the CSRF token is refused`, async () => {
      const who = await signIn(t.db, A.owner.account);
      const c = await route.call(A, who);
      if (c.method === 'GET') return;
      const res = await send(who, c, false);
      expect(res.statusCode).toBe(403);
      expect(res.json().error).toBe('csrf_missing');
    });
  }

  it('asks for a session before it reads or checks a body', async () => {
    const bad = await send(null, { method: 'POST', url: '/console/api/venues', body: { nonsense: true } });
    expect(bad.statusCode).toBe(401);
    expect(bad.body).not.toMatch(/nonsense|must have|additional/i);
    const huge = await send(null, { method: 'POST', url: `/console/api/occasions/${A.occasionId}/guests/import`, body: 'x'.repeat(2_000_000), contentType: 'text/csv' });
    expect(huge.statusCode).toBe(401);
  });

  it('refuses a live stream and the guest list to a revoked session', async () => {
    const who = await signIn(t.db, A.planner.account);
    await t.db.query('UPDATE console.sessions SET revoked_at = now() WHERE id = $1', [who.sessionId]);
    for (const url of [`/console/api/occasions/${A.occasionId}/live`, `/console/api/occasions/${A.occasionId}/guests`]) {
      const res = await send(who, { method: 'GET', url });
      expect(res.statusCode).toBe(401);
    }
  });
});
