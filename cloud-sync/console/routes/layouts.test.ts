// The Seat Designer's API through the real app (app.inject) on PGlite and on the real PostgreSQL: the draft made from a
// plan and tables the CLI set, saving under a revision, the checks the schema cannot make, publishing to the doors
// (GET /v1/sync, signed as the venue's agent, serves the v1 plan and tables an old kiosk's validator accepts), a label
// swap, removing a table with guests and publishing while guests arrive (both asked first), versions and restoring,
// background images checked by their bytes; a viewer cannot write, tenant B never reaches tenant A's venue.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncChange, SyncFloorPlan, SyncTable } from '../../../core/contract/contract';
import { ajv, checkSyncResponse } from '../../../core/contract/validate';
import { IMAGE_MAX_BYTES, LayoutDraftSchema, type LayoutDraft, type LayoutVersion, type LayoutVersionList, type PublishPreview } from '../../../core/console/layout';
import type { Layout } from '../../../core/designer/layout';
import { projectLayout } from '../../../core/designer/project';
import type { IssuedKey } from '../../admin';
import type { CloudApp } from '../../app';
import { importGuests } from '../../guestlist/import-guests';
import { addOccasion, importTables, setFloorPlan } from '../../guestlist/manage';
import { backends, type TestDatabase } from '../../../tests/pg-backends';
import { asUser, closeConsoleWorld, consoleWorld, type ConsoleTenant, type TestSession } from '../../../tests/fixtures/console';
import { GIF_1x1, JPEG_37x23, PNG_41x17 } from '../../../tests/fixtures/layout-images';
import { signedInject } from '../../../tests/signed';

const validateDraft = ajv.compile(LayoutDraftSchema);
const PLAN: SyncFloorPlan = {
  width: 20, height: 12,
  walls: [{ x1: 0, y1: 6, x2: 8, y2: 6 }],
  obstacles: [{ x: 14, y: 8, w: 2, h: 1 }],
  doors: [{ id: 'door-main', label: 'Main', x: 10, y: 12 }, { id: 'door-garden', label: 'Garden', x: 20, y: 3 }],
};
const TABLES_CSV = 'id,label,capacity,shape,x,y,w,h,tags\nt-one,1,8,round,2,2,1.5,1.5,accessible\nt-two,2,6,rect,6,2,2,1,\nt-three,3,10,round,10,2,1.5,1.5,vip|accessible\n';

describe.each(backends())('Seat Designer API on %s', (backend) => {
  let t: TestDatabase;
  let cloud: CloudApp;
  let A: ConsoleTenant;
  let B: ConsoleTenant;
  let agent: IssuedKey;
  let bTableId = '';
  const url = (venueId: string, rest = '') => `/console/api/venues/${venueId}/layout${rest}`;
  const call = (who: TestSession, method: 'GET' | 'PUT' | 'POST', path: string, payload?: unknown) =>
    asUser(cloud.app, who, { method, url: path, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
  const draft = async (who: TestSession = A.viewer) => {
    const res = await call(who, 'GET', url(A.venueId));
    expect(res.statusCode, res.body).toBe(200);
    return res.json<LayoutDraft>();
  };
  const save = (layout: Layout, revision: number, who: TestSession = A.planner) => call(who, 'PUT', url(A.venueId), { revision, layout });
  const saved = async (layout: Layout, revision: number) => {
    const res = await save(layout, revision);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<LayoutDraft>();
  };
  const publish = (body: Record<string, unknown>, who: TestSession = A.planner) => call(who, 'POST', url(A.venueId, '/publish'), body);
  const audits = (action: string) =>
    t.db.query<{ actor: string; entity_id: string; before: unknown; after: Record<string, unknown> }>('SELECT actor, entity_id, before, after FROM console.audit_log WHERE action = $1 ORDER BY id', [action]);

  /** What the venue's doors hold after syncing from nothing: every page signed as the agent, each checked by the contract. */
  const doors = async () => {
    const tables = new Map<string, SyncTable>();
    let plan: SyncFloorPlan | null = null;
    const guests = new Map<string, string | null>();
    let cursor: string | undefined;
    for (let pages = 0; pages < 100; pages++) {
      const res = await signedInject(cloud.app, agent, 'GET', `/v1/sync?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.statusCode, res.body).toBe(200);
      const checked = checkSyncResponse(res.json());
      expect(checked.ok, checked.ok ? '' : checked.detail).toBe(true);
      if (!checked.ok) throw new Error(checked.detail);
      for (const c of checked.page.changes as SyncChange[]) {
        if (c.kind === 'table') tables.set(c.table.id, c.table);
        else if (c.kind === 'floor_plan') plan = c.floor_plan;
        else if (c.kind === 'guest') guests.set(c.guest.id, c.guest.table_id);
        else if (c.kind === 'tombstone' && c.entity === 'table') tables.delete(c.id);
      }
      cursor = checked.page.cursor;
      if (!checked.page.has_more) break;
    }
    const sorted = [...tables.values()].sort((a, b) => a.id.localeCompare(b.id));
    return { plan, tables: sorted, guests };
  };
  const projected = (layout: Layout) => {
    const p = projectLayout(layout);
    return { plan: p.floor_plan, tables: [...p.tables].sort((a, b) => a.id.localeCompare(b.id)) };
  };

  beforeAll(async () => {
    ({ t, A, B, agent, cloud } = await consoleWorld(backend, async ({ t, A, B }) => {
      // Tenant A's venue as an operator set it up before the designer: `floorplan set` and `tables import`.
      await setFloorPlan(t.db, A.venueId, JSON.stringify(PLAN));
      await importTables(t.db, A.venueId, TABLES_CSV);
      await importGuests(t.db, { venueId: A.venueId, occasionId: A.occasionId, csv: 'guest_id,name,party_size,table,barcode\nana,Ana,2,3,BC-ana\nben,Ben,1,3,BC-ben\ncai,Cai,1,1,BC-cai\n' });
      await importTables(t.db, B.venueId, 'label,capacity\nB1,4\n');
      bTableId = (await t.db.query<{ id: string }>('SELECT id FROM guestlist.seating_tables WHERE venue_id = $1', [B.venueId]))[0]!.id;
    }));
  }, 120_000);
  afterAll(() => closeConsoleWorld({ t, cloud }));

  it('makes the first draft from the plan and tables the CLI set, revision 0, nothing to publish', async () => {
    const d = await draft();
    expect(validateDraft(d), JSON.stringify(validateDraft.errors)).toBe(true);
    expect(d).toMatchObject({ venue_id: A.venueId, revision: 0, updated_at: null, published: null, unpublished_changes: false });
    expect(d.layout.doors).toEqual([{ id: 'door-main', label: 'Main', x: 10, y: 12 }, { id: 'door-garden', label: 'Garden', x: 20, y: 3 }]);
    expect(d.layout.walls).toEqual([{ id: 'wall-1', points: [{ x: 0, y: 6 }, { x: 8, y: 6 }] }]);
    expect(d.layout.tables.map((x) => [x.id, x.label, x.shape, x.capacity, x.x, x.y, x.tags])).toEqual([
      ['t-one', '1', 'round', 8, 2.75, 2.75, ['accessible']],
      ['t-two', '2', 'rect', 6, 7, 2.5, []],
      ['t-three', '3', 'round', 10, 10.75, 2.75, ['vip', 'accessible']],
    ]);
    // Projected back, it is exactly what the doors have: the designer starts from the kiosks' own plan.
    expect(projected(d.layout)).toEqual(await doors().then(({ plan, tables }) => ({ plan, tables })));
  });

  it('saves under the revision: the next is +1, an older one is a conflict, and an autosave is not audited', async () => {
    const d = await draft();
    const layout = { ...d.layout, labels: [{ id: 'lbl-stage', text: 'Stage end', x: 15, y: 1, size: 0.6, rotation: 0 }] };
    const s1 = await saved(layout, 0);
    expect(s1).toMatchObject({ revision: 1, updated_by: A.planner.account.email, unpublished_changes: true });
    expect(s1.layout.labels).toHaveLength(1);
    const stale = await save(d.layout, 0);
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ error: 'conflict', message: expect.stringContaining('revision 1') });
    expect((await draft()).layout.labels).toEqual(layout.labels);
    expect(await t.db.query(`SELECT action FROM console.audit_log WHERE action LIKE 'layout.%'`)).toEqual([]);
  });

  it('refuses with a 400 naming the element: a repeated id, two tables with one label, another venue\'s table id, a foreign image, a bad shape', async () => {
    const d = await draft();
    const L = d.layout;
    const cases: [Layout, RegExp][] = [
      [{ ...L, doors: [...L.doors, { id: 't-two', label: 'Side', x: 0, y: 3 }] }, /id "t-two" is used twice: by door "Side" and by table "2"/],
      [{ ...L, tables: L.tables.map((x) => (x.id === 't-two' ? { ...x, label: '1' } : x)) }, /two tables are labelled "1" \(ids t-one and t-two\)/],
      // Tenant B's table: invisible to A's session, found all the same (its id is a global key).
      [{ ...L, tables: [...L.tables, { ...L.tables[0]!, id: bTableId, label: '9' }] }, new RegExp(`table "9" has the id "${bTableId}", which belongs to a table of another venue`)],
      [{ ...L, background: { image_id: 'f'.repeat(64), x: 0, y: 0, m_per_px: 0.01, opacity: 0.5, width_px: 100, height_px: 100 } }, /background image "f{64}" is not one of this venue's images/],
    ];
    for (const [layout, message] of cases) {
      const res = await save(layout, d.revision);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json()).toMatchObject({ error: 'bad_request', message: expect.stringMatching(message) });
    }
    const schema = await save({ ...L, tables: [{ ...L.tables[0]!, rotation: 400 }] }, d.revision);
    expect(schema.statusCode).toBe(400);
    expect(schema.json()).toMatchObject({ error: 'bad_request', message: expect.stringContaining('rotation') });
    expect((await draft()).revision).toBe(d.revision);
  });

  it('publishes to the doors: the v1 plan and tables (a rotated table its bounding box, a banquet a rect) through GET /v1/sync', async () => {
    const d = await draft();
    const layout: Layout = {
      ...d.layout,
      zones: [{ id: 'zone-dance', label: 'Dance', x: 15, y: 4, w: 4, h: 3, rotation: 0 }],
      tables: [
        ...d.layout.tables.map((x) => (x.id === 't-two' ? { ...x, rotation: 30, capacity: 7 } : x)),
        { id: 't-four', label: '4', shape: 'banquet', capacity: 12, x: 5, y: 9, w: 4, h: 1, rotation: 0, tags: ['family'] },
      ],
    };
    const s = await saved(layout, d.revision);
    const preview = await call(A.planner, 'POST', url(A.venueId, '/preview'), { revision: s.revision });
    expect(preview.statusCode, preview.body).toBe(200);
    expect(preview.json<PublishPreview>()).toMatchObject({ revision: s.revision, live_occasions: [], tables_added: 1, tables_changed: 1, tables_removed: [], unreachable_tables: [] });
    expect((await call(A.planner, 'POST', url(A.venueId, '/preview'), { revision: s.revision - 1 })).statusCode).toBe(409);

    const res = await publish({ revision: s.revision, note: 'first from the designer' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ version: 1, tables_added: 1, tables_changed: 1, tables_removed: 0, guests_unseated: 0 });
    const door = await doors();
    expect({ plan: door.plan, tables: door.tables }).toEqual(projected(layout));
    expect(door.tables.find((x) => x.id === 't-four')).toEqual({ id: 't-four', label: '4', capacity: 12, shape: 'rect', x: 3, y: 8.5, w: 4, h: 1 });
    const two = door.tables.find((x) => x.id === 't-two')!;
    expect(two.w).toBeCloseTo(2 * Math.cos(Math.PI / 6) + 1 * Math.sin(Math.PI / 6), 3);
    expect(await t.db.query('SELECT tags FROM guestlist.seating_table_tags WHERE table_id = $1', ['t-four'])).toEqual([{ tags: ['family'] }]);
    expect(await audits('layout.publish')).toEqual([expect.objectContaining({ actor: A.planner.account.email, entity_id: A.venueId, before: { version: null }, after: expect.objectContaining({ version: 1, tables: { total: 4, added: 1, changed: 1, removed: 0 } }) })]);
    expect(await draft()).toMatchObject({ published: { version: 1, published_by: A.planner.account.email }, unpublished_changes: false });
  });

  it('swaps two tables\' labels in one publish (the unique label index never sees two "1"s)', async () => {
    const d = await draft();
    const swapped = d.layout.tables.map((x) => (x.id === 't-one' ? { ...x, label: '2' } : x.id === 't-two' ? { ...x, label: '1' } : x));
    const s = await saved({ ...d.layout, tables: swapped }, d.revision);
    const res = await publish({ revision: s.revision });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ version: 2, tables_changed: 2 });
    const labels = Object.fromEntries((await doors()).tables.map((x) => [x.id, x.label]));
    expect(labels).toMatchObject({ 't-one': '2', 't-two': '1', 't-three': '3', 't-four': '4' });
  });

  it('asks before removing a table with guests, then unseats them (synced, audited) and removes it', async () => {
    // A past occasion's guest at the same table keeps its seating: that evening's record is not rewritten.
    const past = await addOccasion(t.db, { venueId: A.venueId, name: 'Last spring', startsAt: '2025-04-01T18:00:00Z', endsAt: '2025-04-02T02:00:00Z' });
    await importGuests(t.db, { venueId: A.venueId, occasionId: past.id, csv: 'guest_id,name,table\nold-1,Olga Past,3\n' });
    const d = await draft();
    const s = await saved({ ...d.layout, tables: d.layout.tables.filter((x) => x.id !== 't-three') }, d.revision);
    const refused = await publish({ revision: s.revision });
    expect(refused.statusCode, refused.body).toBe(409);
    expect(refused.json()).toMatchObject({ error: 'confirm_needed', message: expect.stringContaining('2 guests are seated at table "3"'), preview: { tables_removed: [{ id: 't-three', label: '3', guests: 2 }] } });
    expect((await doors()).tables.map((x) => x.id)).toContain('t-three');

    const res = await publish({ revision: s.revision, unseat_removed: true });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ version: 3, tables_removed: 1, guests_unseated: 2 });
    const door = await doors();
    expect(door.tables.map((x) => x.id)).not.toContain('t-three');
    expect(Object.fromEntries(door.guests)).toMatchObject({ ana: null, ben: null, cai: 't-one' });
    const [old] = await t.db.query<{ table_id: string | null }>('SELECT table_id FROM guestlist.guests WHERE id = $1', ['old-1']);
    expect(old?.table_id).toBe('t-three');
    const [unseat] = await audits('layout.unseat');
    expect(unseat?.before).toEqual({ guests: [{ id: 'ana', occasion_id: A.occasionId, table_id: 't-three' }, { id: 'ben', occasion_id: A.occasionId, table_id: 't-three' }] });
    expect((await audits('layout.publish')).map((a) => [a.before, a.after.version])).toEqual([[{ version: null }, 1], [{ version: 1 }, 2], [{ version: 2 }, 3]]);
  });

  it('asks before publishing while guests arrive, saying which doors change their routes', async () => {
    const now = Date.now();
    const live = await addOccasion(t.db, { venueId: A.venueId, name: 'Tonight', startsAt: new Date(now - 3600_000).toISOString(), endsAt: new Date(now + 3600_000).toISOString() });
    try {
      const d = await draft();
      // A wall across the room south of the tables: the main door's routes go round it, the garden door's do not.
      const s = await saved({ ...d.layout, walls: [...d.layout.walls, { id: 'wall-new', points: [{ x: 4, y: 10.5 }, { x: 16, y: 10.5 }] }] }, d.revision);
      const refused = await publish({ revision: s.revision });
      expect(refused.statusCode, refused.body).toBe(409);
      const body = refused.json<{ error: string; message: string; preview: PublishPreview }>();
      expect(body).toMatchObject({ error: 'confirm_needed', preview: { live_occasions: [{ id: live.id, name: 'Tonight' }] } });
      expect(body.preview.doors_changed).toContain('door-main');
      expect(body.message).toContain(`${body.preview.doors_changed.length} door`);
      const ok = await publish({ revision: s.revision, confirm_live: true });
      expect(ok.statusCode, ok.body).toBe(200);
      expect(ok.json()).toMatchObject({ version: 4 });
    } finally {
      await t.db.query('UPDATE guestlist.occasions SET deleted = true WHERE id = $1', [live.id]);
    }
  });

  it('lists versions newest first, serves one or the latest, and restores one as the draft without publishing it', async () => {
    const list = (await call(A.viewer, 'GET', url(A.venueId, '/versions'))).json<LayoutVersionList>();
    expect(list.versions.map((v) => [v.version, v.tables, v.doors])).toEqual([[4, 3, 2], [3, 3, 2], [2, 4, 2], [1, 4, 2]]);
    expect(list.versions.at(-1)).toMatchObject({ note: 'first from the designer', published_by: A.planner.account.email });
    const v1 = (await call(A.viewer, 'GET', url(A.venueId, '/versions/1'))).json<LayoutVersion>();
    expect(v1.layout.tables.map((x) => x.label)).toEqual(['1', '2', '3', '4']);
    expect((await call(A.viewer, 'GET', url(A.venueId, '/versions/latest'))).json<LayoutVersion>().version).toBe(4);
    expect((await call(A.viewer, 'GET', url(A.venueId, '/versions/99'))).statusCode).toBe(404);
    expect((await call(B.viewer, 'GET', url(B.venueId, '/versions/latest'))).statusCode).toBe(404);

    const d = await draft();
    expect((await call(A.planner, 'POST', url(A.venueId, '/versions/1/restore'), { revision: d.revision - 1 })).statusCode).toBe(409);
    const before = await doors();
    const res = await call(A.planner, 'POST', url(A.venueId, '/versions/1/restore'), { revision: d.revision });
    expect(res.statusCode, res.body).toBe(200);
    const restored = res.json<LayoutDraft>();
    expect(restored).toMatchObject({ revision: d.revision + 1, published: { version: 4 }, unpublished_changes: true });
    expect(restored.layout.tables.map((x) => x.id)).toEqual(['t-one', 't-two', 't-three', 't-four']);
    expect(await doors()).toEqual(before);
    expect(await audits('layout.restore')).toEqual([expect.objectContaining({ actor: A.planner.account.email, after: { version: 1, revision: d.revision + 1 } })]);
  });

  it('takes a PNG or a JPEG by its bytes, once per content, serves it back byte for byte; refuses the rest', async () => {
    const upload = (body: Buffer, type: string, who: TestSession = A.planner) =>
      asUser(cloud.app, who, { method: 'POST', url: url(A.venueId, '/images'), headers: { 'content-type': type }, payload: body });
    const png = await upload(PNG_41x17, 'image/png');
    expect(png.statusCode, png.body).toBe(201);
    const pngId = createHash('sha256').update(PNG_41x17).digest('hex');
    expect(png.json()).toEqual({ image_id: pngId, mime: 'image/png', width_px: 41, height_px: 17, bytes: PNG_41x17.length });
    // The browser's type is not trusted either way: a JPEG sent as octet-stream is a JPEG.
    const jpeg = await upload(JPEG_37x23, 'application/octet-stream');
    expect(jpeg.json()).toMatchObject({ mime: 'image/jpeg', width_px: 37, height_px: 23 });
    expect((await upload(PNG_41x17, 'image/png')).json()).toMatchObject({ image_id: pngId });
    expect(await t.db.query('SELECT count(*)::int AS n FROM guestlist.layout_images WHERE venue_id = $1', [A.venueId])).toEqual([{ n: 2 }]);

    for (const [body, type] of [[GIF_1x1, 'image/gif'], [Buffer.from('not an image, honestly'), 'image/png'], [JPEG_37x23.subarray(0, 40), 'image/jpeg']] as const) {
      const res = await upload(Buffer.from(body), type);
      expect(res.statusCode, type).toBe(400);
      expect(res.json()).toEqual({ error: 'bad_request', message: 'not a PNG or JPEG image' });
    }
    const big = Buffer.concat([PNG_41x17, Buffer.alloc(IMAGE_MAX_BYTES + 1 - PNG_41x17.length)]);
    expect((await upload(big, 'image/png')).statusCode).toBe(413);

    const served = await call(A.viewer, 'GET', url(A.venueId, `/images/${pngId}`));
    expect(served.statusCode).toBe(200);
    expect(Buffer.compare(served.rawPayload, PNG_41x17)).toBe(0);
    expect(served.headers).toMatchObject({ 'content-type': 'image/png', 'cache-control': 'private, max-age=31536000, immutable', 'x-content-type-options': 'nosniff' });
    expect((await call(B.viewer, 'GET', url(A.venueId, `/images/${pngId}`))).statusCode).toBe(404);
    expect((await call(A.viewer, 'GET', url(A.venueId, `/images/${'0'.repeat(64)}`))).statusCode).toBe(404);
    expect((await upload(PNG_41x17, 'image/png', A.viewer)).statusCode).toBe(403);

    // Now the draft may stand on it.
    const d = await draft();
    const background = { image_id: pngId, x: 0, y: 0, m_per_px: 0.5, opacity: 0.4, width_px: 41, height_px: 17 };
    expect((await saved({ ...d.layout, background }, d.revision)).layout.background).toEqual(background);
  });

  it('lets a viewer read but write nothing, and answers tenant B 404 on every route of A\'s venue', async () => {
    const d = await draft();
    const writes: ['PUT' | 'POST', string, unknown][] = [
      ['PUT', url(A.venueId), { revision: d.revision, layout: d.layout }],
      ['POST', url(A.venueId, '/preview'), { revision: d.revision }],
      ['POST', url(A.venueId, '/publish'), { revision: d.revision, confirm_live: true, unseat_removed: true }],
      ['POST', url(A.venueId, '/versions/1/restore'), { revision: d.revision }],
    ];
    for (const [method, path, body] of writes) {
      const res = await call(A.viewer, method, path, body);
      expect(res.statusCode, `${method} ${path}`).toBe(403);
      expect((await call(B.planner, method, path, body)).statusCode, `B ${method} ${path}`).toBe(404);
    }
    for (const path of [url(A.venueId), url(A.venueId, '/versions'), url(A.venueId, '/versions/latest'), url(A.venueId, '/versions/1')]) {
      expect((await call(B.viewer, 'GET', path)).statusCode, path).toBe(404);
    }
    const upload = await asUser(cloud.app, B.planner, { method: 'POST', url: url(A.venueId, '/images'), headers: { 'content-type': 'image/png' }, payload: PNG_41x17 });
    expect(upload.statusCode).toBe(404);
    // Nothing of that moved A's draft or versions.
    expect(await draft()).toEqual(d);
    expect((await call(A.viewer, 'GET', url(A.venueId, '/versions'))).json<LayoutVersionList>().versions).toHaveLength(4);
  });
});
