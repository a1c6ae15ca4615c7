// `seatpilot cloud layout …` on a PGlite folder and on the real PostgreSQL: an operator's venue (floorplan set, tables
// import) shown as the designer's draft, a layout file imported (a bad one refused with the reason), published (refused
// without --yes while a guest sits at a table it removes, saying why), versions listed, one restored; every change
// audited as cli:<user>. One command through the real `seatpilot` child process as well.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LayoutDraft, LayoutVersionList, PublishResult } from '../../core/console/layout';
import type { Layout } from '../../core/designer/layout';
import { cliOnBackend } from '../../tests/fixtures/cli-inprocess';
import { backends } from '../../tests/pg-backends';

describe.each(backends())('seatpilot cloud layout on %s', (backend) => {
  let venue = '';
  const dir = mkdtempSync(join(tmpdir(), 'sp-layout-cli-'));
  const cli = cliOnBackend(backend, () => join(dir, 'data'), { spawnTimeoutMs: 120_000 });
  const { run } = cli;
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const json = async <T>(cmd: string[]): Promise<T> => {
    const r = await run(cmd);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as T;
  };

  beforeAll(async () => {
    const tenant = (await json<{ id: string }>(['tenant', 'add', '--name', 'Layouts'])).id;
    venue = (await json<{ id: string }>(['venue', 'add', '--tenant', tenant, '--name', 'Hall'])).id;
    const plan = { width: 12, height: 8, walls: [], obstacles: [], doors: [{ id: 'door-1', label: 'Main', x: 6, y: 8 }] };
    await json(['floorplan', 'set', '--venue', venue, file('plan.json', JSON.stringify(plan))]);
    await json(['tables', 'import', '--venue', venue, file('tables.csv', 'id,label,capacity,x,y,w,h\nt-a,A,8,2,2,1.5,1.5\nt-b,B,6,6,2,1.5,1.5\n')]);
    const occasion = (await json<{ id: string }>(['occasion', 'add', '--venue', venue, '--name', 'Gala', '--starts', '2030-06-01T18:00:00Z', '--ends', '2030-06-02T02:00:00Z'])).id;
    await json(['guests', 'import', '--venue', venue, '--occasion', occasion, file('guests.csv', 'guest_id,name,table,barcode\nzoe,Zoe,B,BC-zoe\n')]);
  }, 120_000);

  it('shows, imports, refuses to publish without --yes saying why, publishes with it, lists and restores; all audited', async () => {
    const shown = await json<LayoutDraft>(['layout', 'show', '--venue', venue]);
    expect(shown).toMatchObject({ venue_id: venue, revision: 0, published: null });
    expect(shown.layout.tables.map((x) => x.label)).toEqual(['A', 'B']);

    // Table B goes, table C comes: the file may be what `layout show` printed, or a layout alone.
    const layout: Layout = { ...shown.layout, tables: [shown.layout.tables[0]!, { ...shown.layout.tables[1]!, id: 't-c', label: 'C', x: 9 }] };
    const bad = await run(['layout', 'import', '--venue', venue, file('bad.json', JSON.stringify({ ...layout, tables: [layout.tables[0], { ...layout.tables[1], label: 'A' }] }))]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('two tables are labelled "A"');
    const schema = await run(['layout', 'import', '--venue', venue, file('schema.json', JSON.stringify({ ...layout, grid: -1 }))]);
    expect(schema.code).toBe(1);
    expect(schema.stderr).toContain("does not match the Seat Designer's schema: /grid");
    const imported = await json<LayoutDraft>(['layout', 'import', '--venue', venue, file('layout.json', JSON.stringify({ ...shown, layout }))]);
    expect(imported).toMatchObject({ revision: 1, unpublished_changes: true });

    const refused = await run(['layout', 'publish', '--venue', venue]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('not published: 1 guest is seated at table "B", which the layout removes; they would be unseated. Run again with --yes');
    expect(await json<LayoutVersionList>(['layout', 'versions', '--venue', venue])).toEqual({ versions: [] });

    const published = await json<PublishResult>(['layout', 'publish', '--venue', venue, '--yes', '--note', 'from the shell']);
    expect(published).toMatchObject({ version: 1, tables_added: 1, tables_removed: 1, guests_unseated: 1 });
    const versions = await json<LayoutVersionList>(['layout', 'versions', '--venue', venue]);
    expect(versions.versions).toMatchObject([{ version: 1, tables: 2, doors: 1, note: 'from the shell', published_by: `cli:${userInfo().username}` }]);

    await json(['layout', 'import', '--venue', venue, file('again.json', JSON.stringify({ ...layout, tables: [] }))]);
    const restored = await json<LayoutDraft>(['layout', 'restore', '--venue', venue, '--version', '1']);
    expect(restored).toMatchObject({ revision: 3, published: { version: 1 }, unpublished_changes: false });
    expect(restored.layout.tables.map((x) => x.label)).toEqual(['A', 'C']);
    expect((await run(['layout', 'restore', '--venue', venue, '--version', '7'])).stderr).toContain('layout version 7 was not found');
    expect((await run(['layout', 'show', '--venue', 'ven_nope'])).stderr).toContain('no venue "ven_nope"');

    const db = await cli.db();
    const audit = await db.query<{ action: string; actor: string; channel: string }>(`SELECT action, actor, channel FROM console.audit_log WHERE action LIKE 'layout.%' ORDER BY id`);
    const actor = `cli:${userInfo().username}`;
    expect(audit).toEqual(['layout.import', 'layout.publish', 'layout.unseat', 'layout.import', 'layout.restore'].map((action) => ({ action, actor, channel: 'cli' })));
  });

  it('runs as the real seatpilot command too', async () => {
    await cli.close();
    const r = await cli.spawned(['layout', 'versions', '--venue', venue]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).versions.map((v: { version: number }) => v.version)).toEqual([1]);
  }, 130_000);
});
