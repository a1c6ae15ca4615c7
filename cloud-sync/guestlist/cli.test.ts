// The guest-list commands as cloud ops run them, on PGlite (--data) and on Postgres (DATABASE_URL), then the real service
// serving what they wrote over signed GET /v1/sync. The service is a real child process on each backend, and so is the
// big `guests import` on realProcessBackend() (Postgres in CI); the other commands run in-process on the same database
// (tests/fixtures/cli-inprocess.ts), which keeps the file quick.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SyncChange, SyncResponse } from '../../core/contract/contract';
import { signRequest } from '../../core/signing/signing';
import { exited, startCli } from '../../tests/cli-run';
import { cliOnBackend, realProcessBackend } from '../../tests/fixtures/cli-inprocess';
import { backends } from '../../tests/pg-backends';

describe.each(backends())('seatpilot cloud guest-list commands on %s', (backend) => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-guestlist-cli-'));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  // 100,000 rows through the CLI on the real PostgreSQL; the file-backed PGlite takes 1,000 (see import.test.ts for why).
  const N = backend === 'postgres' ? 100_000 : 1_000;
  // One real `guests import` per run of the file: the bin, parsing and progress on the child's stderr end to end.
  const importSpawned = backend === realProcessBackend();
  let venue = '';
  let occasion = '';

  /** `run` in-process, `spawned` the real `seatpilot` child process, on this backend's fresh database. */
  const cli = cliOnBackend(backend, () => join(dir, 'data'), { spawnTimeoutMs: 240_000 });
  const { run, spawned } = cli;
  const json = async (cmd: string[], runner = run) => {
    const r = await runner(cmd);
    expect(r.code, r.stderr).toBe(0);
    return { out: JSON.parse(r.stdout) as Record<string, unknown>, stderr: r.stderr };
  };

  it(`sets up a venue, imports tables, a floor plan and ${N} guests with progress, revokes and deletes, and the service syncs it all`, { timeout: 600_000 }, async () => {
    const tenant = (await json(['tenant', 'add', '--name', 'Gala Co'])).out.id as string;
    venue = (await json(['venue', 'add', '--tenant', tenant, '--name', 'Grand Hall'])).out.id as string;
    const agent = (await json(['device', 'add', '--venue', venue, '--kind', 'agent'])).out as { key_id: string; secret: string };
    const occ = (await json(['occasion', 'add', '--venue', venue, '--name', 'New Year Gala', '--starts', '2026-12-31T19:00:00Z', '--ends', '2027-01-01T03:00:00Z', '--timezone', 'Europe/Lisbon', '--reentry', 'unlimited'])).out;
    expect(occ).toMatchObject({ venue_id: venue, name: 'New Year Gala', timezone: 'Europe/Lisbon', reentry_policy: 'unlimited' });
    occasion = occ.id as string;
    expect((await json(['tables', 'import', '--venue', venue, file('tables.csv', 'label,capacity,shape,x,y,w,h\r\nT1,10,round,1,1,1.5,1.5\r\nT2,8,rect,4,1,2,1\r\n')])).out).toMatchObject({ rows: 2, created: 2 });
    const plan = { width: 30, height: 20, walls: [], obstacles: [], doors: [{ id: 'd1', label: 'Main', x: 15, y: 20 }] };
    expect((await json(['floorplan', 'set', '--venue', venue, file('plan.json', JSON.stringify(plan))])).out).toMatchObject({ venue_id: venue });

    const lines = ['\uFEFFguest_id,name,party_size,table,barcode,nfc'];
    for (let i = 0; i < N; i++) lines.push(`big-${i},"Guest ${i}, ""VIP""",${(i % 4) + 1},${i % 2 ? 'T1' : 'T2'},BC${i},${i % 3 ? '' : `NFC${i}|NFC${i}b`}`);
    if (importSpawned) await cli.close(); // one process at a time on a PGlite folder: the child's now
    const imported = await json(['guests', 'import', '--venue', venue, '--occasion', occasion, file('guests.csv', lines.join('\r\n'))], importSpawned ? spawned : run);
    expect(imported.out).toEqual({ venue_id: venue, occasion_id: occasion, rows: N, created: N, updated: 0, unchanged: 0 });
    expect(imported.stderr).toMatch(/guests import: \d+\/\d+ rows \(\d+%\)/);
    expect(imported.stderr).toContain(`guests import: ${N}/${N} rows (100%)`);

    expect((await json(['guest', 'revoke', '--guest', 'big-7'])).out).toMatchObject({ guest_id: 'big-7', status: 'revoked' });
    expect((await json(['guest', 'delete', '--guest', 'big-8'])).out).toMatchObject({ guest_id: 'big-8', deleted: true });
    await cli.close(); // the service's now

    const svc = await startCli(['cloud', '--port', '0', ...cli.args], /listening on (http:\/\/127\.0\.0\.1:\d+)/, cli.env);
    try {
      const base = svc.match[1]!;
      const changes: SyncChange[] = [];
      let cursor = '';
      for (let page = 0; ; page++) {
        const path = `/v1/sync?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const headers = await signRequest({ keyId: agent.key_id, secret: agent.secret, method: 'GET', pathWithQuery: path, body: null });
        const res = await fetch(base + path, { headers: { ...headers } });
        expect(res.status).toBe(200);
        const body = (await res.json()) as SyncResponse;
        changes.push(...body.changes);
        cursor = body.cursor;
        if (!body.has_more) break;
        expect(page).toBeLessThan(N);
      }
      const guests = changes.filter((c) => c.kind === 'guest');
      expect(guests).toHaveLength(N - 1);
      expect(new Set(guests.map((c) => c.kind === 'guest' && c.guest.id)).size).toBe(N - 1);
      expect(guests.find((c) => c.kind === 'guest' && c.guest.id === 'big-7')).toMatchObject({ guest: { status: 'revoked' } });
      expect(guests.find((c) => c.kind === 'guest' && c.guest.id === 'big-1')).toMatchObject({ guest: { name: 'Guest 1, "VIP"', party_size: 2, credentials: [{ kind: 'barcode', value: 'BC1' }] } });
      expect(guests.find((c) => c.kind === 'guest' && c.guest.id === 'big-6')).toMatchObject({ guest: { credentials: [{ value: 'BC6' }, { value: 'NFC6' }, { value: 'NFC6b' }] } });
      expect(changes.filter((c) => c.kind === 'tombstone')).toEqual([expect.objectContaining({ entity: 'guest', id: 'big-8' })]);
      expect(changes.filter((c) => c.kind === 'table')).toHaveLength(2);
      expect(changes.filter((c) => c.kind === 'floor_plan')).toHaveLength(1);
      svc.child.kill('SIGTERM');
      expect(await exited(svc.child)).toBe(0);
    } finally {
      svc.child.kill('SIGKILL');
    }
  });

  it('exits non-zero with a clear message on bad input, and imports nothing from a file with a bad row', { timeout: 300_000 }, async () => {
    const bad = await run(['guests', 'import', '--venue', venue, '--occasion', occasion,
      file('bad.csv', 'guest_id,name,party_size,barcode\nnew-1,Fine,1,NEW-1\nnew-2,,1,NEW-2\nnew-3,Dup,1,BC5\n')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('nothing was imported; 2 bad rows');
    expect(bad.stderr).toContain('line 3: name is empty');
    expect(bad.stderr).toContain('line 4: barcode "BC5" already belongs to guest big-5, who is not in this file');
    expect(bad.stdout).toBe('');

    const missingOption = await run(['guests', 'import', '--venue', venue, file('ok.csv', 'name,barcode\nA,B\n')]);
    expect(missingOption.code).toBe(2);
    expect(missingOption.stderr).toContain('--occasion is required');
    const noFile = await run(['guests', 'import', '--venue', venue, '--occasion', occasion, join(dir, 'nope.csv')]);
    expect(noFile.code).toBe(1);
    expect(noFile.stderr).toContain('cannot read');
    expect(noFile.stderr).toContain('ENOENT');
    const empty = await run(['guests', 'import', '--venue', venue, '--occasion', occasion, file('empty.csv', '')]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('line 1: the file is empty');
    writeFileSync(join(dir, 'latin1.csv'), Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x0a, 0x4a, 0x6f, 0xe3, 0x6f, 0x0a]));
    const latin1 = await run(['guests', 'import', '--venue', venue, '--occasion', occasion, join(dir, 'latin1.csv')]);
    expect(latin1.code).toBe(1);
    expect(latin1.stderr).toContain('is not UTF-8 text');
    const badStart = await run(['occasion', 'add', '--venue', venue, '--name', 'X', '--starts', 'tomorrow', '--ends', '2027-01-01T03:00:00Z']);
    expect(badStart.code).toBe(1);
    expect(badStart.stderr).toContain('--starts "tomorrow" is not an RFC 3339 date-time');
    const badPlan = await run(['floorplan', 'set', '--venue', venue, file('bad-plan.json', '{"width": -1, "height": 2, "walls": [], "obstacles": [], "doors": []}')]);
    expect(badPlan.code).toBe(1);
    expect(badPlan.stderr).toContain('/width must be > 0');
    const noGuest = await run(['guest', 'revoke', '--guest', 'gst_nope']);
    expect(noGuest.code).toBe(1);
    expect(noGuest.stderr).toContain('no guest "gst_nope"');
    const noVenue = await run(['tables', 'import', '--venue', 'ven_nope', file('t.csv', 'label,capacity\nT9,4\n')]);
    expect(noVenue.code).toBe(1);
    expect(noVenue.stderr).toContain('no venue "ven_nope"');
  });
});
