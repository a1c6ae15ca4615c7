// The Seat Designer's tools in real Chromium against a real cloud (buildApp on PGlite, HTTP on 127.0.0.1), each driven
// as a planner drives it and checked both on the screen and in the draft the server holds: a background plan uploaded
// (served back as the PNG it was), scaled by two points and a known distance, faded and removed; a marquee round three
// tables, align and distribute, Shift+click out of the selection; copy, paste and duplicate (fresh ids, the next free
// labels), delete and undo; the resize and rotation handles (grid and 15° snapping, Shift free); renumbering in reading
// order; zoom and pan; publishing while an occasion is under way (the doors whose routes change, the explicit yes, the
// guests a removed table unseats) and restoring version 1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addOccasion } from '../../guestlist/manage';
import type { Page } from 'playwright-core';
import type { TestDatabase } from '../../../tests/pg-backends';
import { asUser, type ConsoleTenant } from '../../../tests/fixtures/console';
import { consoleInChromium, type ConsoleCloud, type ConsoleInChromium } from '../../../tests/fixtures/console-browser';
import type { LayoutDraft, LayoutVersion } from '../../../core/console/layout';
import type { LayoutTable } from '../../../core/designer/layout';

const PASSWORD = 'a long evening at the finca';

describe('the Seat Designer tools in Chromium', () => {
  let t: TestDatabase;
  let A: ConsoleTenant;
  let cloud: ConsoleCloud;
  let page: Page;
  let up: ConsoleInChromium | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'sp-designer-tools-'));

  const canvas = () => page.locator('svg.designer-canvas');
  /** The screen point of a point of the room, in metres (whatever the zoom). */
  const screen = (x: number, y: number) => canvas().evaluate((svg, [mx, my]) => {
    const p = new DOMPoint(mx, my).matrixTransform((svg as SVGSVGElement).getScreenCTM()!);
    return { x: p.x, y: p.y };
  }, [x, y] as const);
  const clickAt = async (x: number, y: number) => {
    const p = await screen(x, y);
    await page.mouse.click(p.x, p.y);
  };
  /** A mouse drag between two screen points, in a few steps (as a hand moves). */
  const dragScreen = async (from: { x: number; y: number }, to: { x: number; y: number }, button: 'left' | 'middle' = 'left') => {
    await page.mouse.move(from.x, from.y);
    await page.mouse.down({ button });
    await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 4 });
    await page.mouse.move(to.x, to.y, { steps: 4 });
    await page.mouse.up({ button });
  };
  const drag = async (from: [number, number], to: [number, number]) => dragScreen(await screen(...from), await screen(...to));
  const centreOf = async (testId: string) => {
    const b = (await page.getByTestId(testId).boundingBox())!;
    return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
  };
  const tool = (name: string) => page.getByRole('toolbar', { name: 'Drawing tools' }).getByRole('button', { name, exact: true });
  const button = (name: string) => page.getByRole('button', { name, exact: true });
  const tables = () => page.locator('[data-kind="tables"]');
  const tableByLabel = (label: string, seats: number) => page.getByRole('group', { name: `Table ${label}, ${seats} seats` });
  const selection = () => page.getByTestId('selection-info').textContent();
  const viewBox = async () => (await canvas().getAttribute('viewBox'))!.split(' ').map(Number);
  const api = <T>(path: string) => page.evaluate(async (p) => {
    const res = await fetch(`/console/api${p}`);
    return (await res.json()) as unknown;
  }, path) as Promise<T>;
  /** The draft as the server has it, once the page says everything is saved. */
  const savedDraft = async () => {
    await expect.poll(() => page.getByTestId('save-status').textContent(), { timeout: 10_000 }).toBe('Saved');
    return api<LayoutDraft>(`/venues/${A.venueId}/layout`);
  };
  const byLabel = (list: readonly LayoutTable[]) => new Map(list.map((x) => [x.label, x]));
  const left = (x: LayoutTable) => x.x - x.w / 2;
  const right = (x: LayoutTable) => x.x + x.w / 2;

  beforeAll(async () => {
    up = await consoleInChromium(dir, { tenant: 'Finca', password: PASSWORD, accounts: ['planner'] });
    ({ t, A, cloud, page } = up);
    // The room to work in: 30 × 20 m, a 0.5 m grid, door A on the west wall (its kiosk's door_id "main").
    const get = await asUser(cloud.cloud.app, A.planner, { method: 'GET', url: `/console/api/venues/${A.venueId}/layout` });
    const d = get.json() as LayoutDraft;
    const layout = { ...d.layout, width: 30, height: 20, grid: 0.5, doors: [{ id: 'main', label: 'A', x: 1, y: 10 }] };
    const put = await asUser(cloud.cloud.app, A.planner, { method: 'PUT', url: `/console/api/venues/${A.venueId}/layout`, payload: { revision: d.revision, layout } });
    expect(put.statusCode).toBe(200);
    await page.goto(`${cloud.url}/console/#/designer`);
    await page.getByLabel('E-mail').fill(A.planner.account.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // (expect.poll belongs to a test: here the page is waited for.)
    await page.getByRole('heading', { level: 1, name: 'Seat Designer: Finca hall' }).waitFor({ timeout: 20_000 });
    await page.locator('[data-testid="room"][width="30"]').waitFor({ timeout: 20_000 });
  }, 120_000);

  afterAll(async () => {
    await up?.close();
  });

  it('a background plan: uploaded and served, drawn under the plan, scaled by two points, faded, removed', async () => {
    // A 600 × 400 px plan, drawn and encoded by Chromium's canvas.
    const b64 = await page.evaluate(() => {
      const c = document.createElement('canvas');
      c.width = 600;
      c.height = 400;
      const g = c.getContext('2d')!;
      g.fillStyle = '#fff';
      g.fillRect(0, 0, 600, 400);
      g.strokeStyle = '#000';
      g.lineWidth = 6;
      g.strokeRect(20, 20, 560, 360);
      return c.toDataURL('image/png').split(',')[1]!;
    });
    const png = Buffer.from(b64, 'base64');
    await page.getByLabel('Upload the venue plan (PNG or JPEG)').setInputFiles({ name: 'finca.png', mimeType: 'image/png', buffer: png });
    const image = page.getByTestId('plan-background');
    await expect.poll(() => image.count()).toBe(1);
    let d = await savedDraft();
    const bg = d.layout.background!;
    // Fitted to the room's width at first: 30 m over 600 px.
    expect([bg.width_px, bg.height_px, bg.m_per_px, bg.opacity]).toEqual([600, 400, 0.05, 0.5]);
    const href = await image.getAttribute('href');
    expect(href).toBe(`/console/api/venues/${A.venueId}/layout/images/${bg.image_id}`);
    // Served as the PNG uploaded, and Chromium decodes it at its size.
    const served = await page.evaluate(async (url) => {
      const res = await fetch(url);
      const bytes = new Uint8Array(await res.arrayBuffer());
      const img = new Image();
      img.src = url;
      await img.decode();
      return { status: res.status, type: res.headers.get('content-type'), length: bytes.length, first: Array.from(bytes.slice(0, 8)), w: img.naturalWidth, h: img.naturalHeight };
    }, href!);
    expect(served).toEqual({ status: 200, type: 'image/png', length: png.length, first: [...png.subarray(0, 8)], w: 600, h: 400 });
    // Under the plan: the first thing the SVG draws, before the room's floor.
    expect(await canvas().evaluate((svg) => [svg.firstElementChild?.tagName, svg.firstElementChild?.nextElementSibling?.getAttribute('data-testid')])).toEqual(['image', 'room']);
    expect(await image.getAttribute('width')).toBe('30');

    // Scale by two points: two points 10 m apart at the first scale (200 px of the image) are really 5 m apart.
    await button('Scale by two points').click();
    await expect.poll(() => page.getByText('Click two points on the plan whose distance you know (0 of 2).').count()).toBe(1);
    await clickAt(4, 4);
    await clickAt(14, 4);
    expect(await page.locator('circle.scale-pick').count()).toBe(2);
    const picks = await page.locator('circle.scale-pick').evaluateAll((cs) => cs.map((c) => ({ x: Number(c.getAttribute('cx')), y: Number(c.getAttribute('cy')) })));
    const pickedPx = Math.hypot(picks[1]!.x - picks[0]!.x, picks[1]!.y - picks[0]!.y) / 0.05;
    expect(await button('Apply scale').isDisabled()).toBe(true);
    await page.getByLabel('Distance between the points (m)').fill('5');
    await button('Apply scale').click();
    expect(await page.locator('circle.scale-pick').count()).toBe(0);
    d = await savedDraft();
    const m = d.layout.background!.m_per_px;
    expect(Math.abs(m - 5 / pickedPx) / (5 / pickedPx)).toBeLessThan(0.01);
    expect(Math.abs(m - 0.025) / 0.025).toBeLessThan(0.01);
    expect(Number(await image.getAttribute('width'))).toBeCloseTo(600 * m, 6);

    // The opacity slider, from the keyboard: four steps of 0.05 down.
    const slider = page.getByLabel('Background opacity');
    await slider.focus();
    for (let i = 0; i < 4; i++) await slider.press('ArrowLeft');
    expect(await slider.inputValue()).toBe('0.3');
    expect(Number(await image.getAttribute('opacity'))).toBeCloseTo(0.3, 6);
    d = await savedDraft();
    expect(d.layout.background!.opacity).toBeCloseTo(0.3, 6);

    await button('Remove background').click();
    expect(await image.count()).toBe(0);
    expect((await savedDraft()).layout.background).toBeNull();
  }, 30_000);

  it('a marquee selects three tables; align left, distribute across; Shift+click takes one out', async () => {
    await tool('Rectangular table').click();
    for (const [x, y] of [[5, 4], [8, 6], [16, 3]] as const) await clickAt(x, y);
    await tool('Select').click();
    expect(await tables().count()).toBe(3);
    // A drag on the empty floor, round the three tables (and not door A).
    await drag([3, 1.5], [18.5, 7.5]);
    expect(await selection()).toBe('3 elements selected.');
    expect(await page.getByTestId('marquee').count()).toBe(0);
    expect(await page.locator('.selection .sel-outline').count()).toBe(3);

    await button('Align left').click();
    let d = await savedDraft();
    expect(d.layout.tables.map(left).map((v) => v.toFixed(6))).toEqual(['4.100000', '4.100000', '4.100000']);
    expect(d.layout.tables.map((x) => x.y)).toEqual([4, 6, 3]);
    expect(await tableByLabel('3', 6).locator('rect.table-top').getAttribute('x')).toBe('4.1');
    await button('Undo').click();
    expect(await tableByLabel('2', 6).locator('rect.table-top').getAttribute('x')).toBe(String(8 - 0.9));

    // Distribute across: the outer two stay, table 2 moves so both gaps are equal (they were 1.2 m and 6.2 m).
    await button('Distribute across').click();
    d = await savedDraft();
    const s = [...d.layout.tables].sort((a, b) => a.x - b.x);
    const gaps = [left(s[1]!) - right(s[0]!), left(s[2]!) - right(s[1]!)];
    expect(gaps[0]).toBeCloseTo(3.7, 6);
    expect(gaps[1]).toBeCloseTo(3.7, 6);
    expect(byLabel(d.layout.tables).get('2')!.x).toBeCloseTo(10.5, 6);
    expect([byLabel(d.layout.tables).get('1')!.x, byLabel(d.layout.tables).get('3')!.x]).toEqual([5, 16]);

    // Shift+click table 3 takes it out of the selection: aligning the top then moves tables 1 and 2 only.
    await page.keyboard.down('Shift');
    await clickAt(16, 3);
    await page.keyboard.up('Shift');
    expect(await selection()).toBe('2 elements selected.');
    await button('Align top').click();
    d = await savedDraft();
    expect(d.layout.tables.map((x) => [x.label, x.y])).toEqual([['1', 4], ['2', 4], ['3', 3]]);
    // And Shift+click puts it back.
    await page.keyboard.down('Shift');
    await clickAt(16, 3);
    await page.keyboard.up('Shift');
    expect(await selection()).toBe('3 elements selected.');
  }, 30_000);

  it('copy and paste, duplicate: new tables with fresh ids and the next free labels; delete and undo', async () => {
    await page.keyboard.press('Escape');
    await clickAt(5, 4);
    expect(await selection()).toBe('Selected: Table 1, 6 seats at 5.00, 4.00 m, turned 0°.');
    const before = await savedDraft();
    const original = byLabel(before.layout.tables).get('1')!;
    await page.keyboard.press('Control+c');
    await page.keyboard.press('Control+v');
    expect(await tables().count()).toBe(4);
    expect(await selection()).toBe('Selected: Table 4, 6 seats at 6.00, 5.00 m, turned 0°.');
    await page.keyboard.press('Control+d');
    expect(await tables().count()).toBe(5);
    expect(await selection()).toBe('Selected: Table 5, 6 seats at 7.00, 6.00 m, turned 0°.');
    let d = await savedDraft();
    const ids = d.layout.tables.map((x) => x.id);
    expect(new Set(ids).size).toBe(5);
    expect(d.layout.tables.map((x) => [x.label, x.x, x.y, x.w, x.h, x.capacity])).toEqual([
      ['1', 5, 4, 1.8, 0.9, 6], ['2', 10.5, 4, 1.8, 0.9, 6], ['3', 16, 3, 1.8, 0.9, 6], ['4', 6, 5, 1.8, 0.9, 6], ['5', 7, 6, 1.8, 0.9, 6],
    ]);
    expect(ids.slice(3).some((id) => before.layout.tables.some((x) => x.id === id))).toBe(false);
    expect(ids[3]).toMatch(/^t-[0-9a-f]{8}$/);
    expect(ids[3]).not.toBe(original.id);

    // Delete takes the duplicate away; undo brings it back (the same table, the same id).
    await page.keyboard.press('Delete');
    expect(await tables().count()).toBe(4);
    expect(await selection()).toBe('Nothing selected.');
    expect((await savedDraft()).layout.tables.map((x) => x.label)).toEqual(['1', '2', '3', '4']);
    await page.keyboard.press('Control+z');
    expect(await tableByLabel('5', 6).count()).toBe(1);
    d = await savedDraft();
    expect(d.layout.tables.map((x) => x.id)).toEqual(ids);
  }, 30_000);

  it('the resize handle snaps the size to the grid; the rotation handle snaps to 15°, and with Shift held does not', async () => {
    await page.keyboard.press('Escape');
    await clickAt(5, 4);
    expect(await selection()).toContain('Table 1, 6 seats');
    // The bottom-right corner (5.9, 4.45) dragged 1.1 m right and 0.6 m down: 2.9 × 1.5 m, snapped to 3 × 1.5.
    await dragScreen(await centreOf('resize-2'), await screen(5.9 + 1.1, 4.45 + 0.6));
    let d = await savedDraft();
    let t1 = byLabel(d.layout.tables).get('1')!;
    expect([t1.w, t1.h]).toEqual([3, 1.5]);
    // The opposite corner stays where it was.
    expect([left(t1), t1.y - t1.h / 2].map((v) => v.toFixed(6))).toEqual(['4.100000', '3.550000']);
    expect(await page.getByLabel('Width (m)').inputValue()).toBe('3');

    // The rotation handle turned 37° clockwise about the table's centre: 30°.
    const c = { x: t1.x, y: t1.y };
    const at = (deg: number, r = 3) => screen(c.x + r * Math.cos((deg * Math.PI) / 180), c.y + r * Math.sin((deg * Math.PI) / 180));
    await dragScreen(await centreOf('rotate-handle'), await at(-90 + 37));
    d = await savedDraft();
    t1 = byLabel(d.layout.tables).get('1')!;
    expect(t1.rotation).toBe(30);
    expect([t1.x, t1.y]).toEqual([c.x, c.y]);
    expect(await tableByLabel('1', 6).locator('.table-top').getAttribute('transform')).toBe(`rotate(30 ${c.x} ${c.y})`);
    // With Shift held, 22° more is 22° more (about 52°), not a multiple of 15.
    await page.keyboard.down('Shift');
    await dragScreen(await centreOf('rotate-handle'), await at(-90 + 30 + 22));
    await page.keyboard.up('Shift');
    d = await savedDraft();
    t1 = byLabel(d.layout.tables).get('1')!;
    expect(Math.abs(t1.rotation - 52)).toBeLessThan(2);
    expect(t1.rotation % 15).not.toBe(0);
    expect(Number(await page.getByLabel('Rotation (degrees)').inputValue())).toBeCloseTo(t1.rotation, 6);
  }, 30_000);

  it('renumber: tables placed out of order get 1…N in reading order', async () => {
    // Clear the floor: a marquee round every table (door A stays), Delete.
    await page.keyboard.press('Escape');
    await drag([2.5, 0.5], [28, 9.5]);
    expect(await selection()).toBe('5 elements selected.');
    await page.keyboard.press('Delete');
    expect(await tables().count()).toBe(0);
    // Five round tables in two rows, placed in no order (the one at 12.5 is a little low but in the first row).
    await tool('Round table').click();
    const placed = [[20, 16], [6, 12], [14, 16], [12, 12.5], [6, 16]] as const;
    for (const [x, y] of placed) await clickAt(x, y);
    await tool('Select').click();
    const before = await savedDraft();
    expect(before.layout.tables.map((x) => [x.label, x.x, x.y])).toEqual(placed.map(([x, y], i) => [String(i + 1), x, y]));
    await button('Renumber tables').click();
    const d = await savedDraft();
    const reading = [[6, 12], [12, 12.5], [6, 16], [14, 16], [20, 16]];
    expect(reading.map(([x, y]) => d.layout.tables.find((tb) => tb.x === x && tb.y === y)!.label)).toEqual(['1', '2', '3', '4', '5']);
    // Same tables (ids and order), new labels; the plan shows them.
    expect(d.layout.tables.map((x) => x.id)).toEqual(before.layout.tables.map((x) => x.id));
    for (const [i, [x, y]] of reading.entries()) {
      const top = tableByLabel(String(i + 1), 10).locator('circle.table-top');
      expect([await top.getAttribute('cx'), await top.getAttribute('cy')]).toEqual([String(x), String(y)]);
    }
  }, 30_000);

  it('zoom and pan: the keys and buttons change the view; Fit room shows the whole room', async () => {
    await canvas().focus();
    await page.keyboard.press('Escape');
    expect(await selection()).toBe('Nothing selected.');
    expect(await viewBox()).toEqual([-1, -1, 32, 22]);
    const close = (a: number[], b: number[]) => a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 6));
    await page.keyboard.press('+');
    close(await viewBox(), [15 - 12.8, 10 - 8.8, 25.6, 17.6]);
    await page.keyboard.press('-');
    close(await viewBox(), [-1, -1, 32, 22]);
    await button('Zoom in').click();
    await button('Zoom in').click();
    close(await viewBox(), [15 - 10.24, 10 - 7.04, 20.48, 14.08]);
    await button('Zoom out').click();
    close(await viewBox(), [15 - 12.8, 10 - 8.8, 25.6, 17.6]);
    // With nothing selected the arrows pan (one grid step); so does the middle button, and the wheel.
    await canvas().focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    close(await viewBox(), [15 - 12.8 + 0.5, 10 - 8.8 + 0.5, 25.6, 17.6]);
    const [x0, y0] = await viewBox();
    const p = await screen(15, 10);
    const q = await screen(14, 10);
    await dragScreen(p, { x: p.x + 100, y: p.y + 50 }, 'middle');
    const [x1, y1] = await viewBox();
    // The room follows the hand: 100 px to the right moves the view 100 px' worth of metres to the left.
    const mPerPx = 1 / (p.x - q.x);
    expect(x1! - x0!).toBeCloseTo(-100 * mPerPx, 1);
    expect(y1! - y0!).toBeCloseTo(-50 * mPerPx, 1);
    await page.mouse.move(p.x, p.y);
    await page.mouse.wheel(0, 120);
    await expect.poll(async () => (await viewBox())[1]).toBeGreaterThan(y1!);
    // Fit room: the whole room inside the canvas again, filling it along one side.
    await button('Fit room').click();
    expect(await viewBox()).toEqual([-1, -1, 32, 22]);
    const fitted = await canvas().evaluate((svg) => {
      const s = svg.getBoundingClientRect();
      const r = svg.querySelector('[data-testid="room"]')!.getBoundingClientRect();
      return { inside: r.left >= s.left && r.top >= s.top && r.right <= s.right && r.bottom <= s.bottom, fill: Math.max(r.width / s.width, r.height / s.height) };
    });
    expect(fitted.inside).toBe(true);
    expect(fitted.fill).toBeGreaterThan(0.85);
  }, 30_000);

  it('publishing while guests are arriving names the doors whose routes change and needs a yes; unseated guests need their own; version 1 restored', async () => {
    // A second door, east; version 1 published before any occasion is under way (no warning, no yes needed).
    await tool('Door').click();
    await clickAt(29, 10);
    await tool('Select').click();
    expect(await page.getByRole('img', { name: 'Door B' }).count()).toBe(1);
    const publishDialog = page.getByRole('dialog', { name: 'Publish this room to the doors' });
    const publishNow = publishDialog.getByRole('button', { name: 'Publish', exact: true });
    await button('Publish to the doors').click();
    await expect.poll(() => publishDialog.getByTestId('publish-summary').textContent()).toContain('Tables added: 5');
    expect(await publishDialog.getByText('Guests are arriving').count()).toBe(0);
    await publishNow.click();
    await expect.poll(() => page.getByTestId('published').textContent()).toContain('Published version 1');
    const v1 = await api<LayoutDraft>(`/venues/${A.venueId}/layout`);

    // An occasion of the venue under way now (started an hour ago, ends in five).
    const now = Date.now();
    await addOccasion(t.db, { venueId: A.venueId, name: 'Garden party', startsAt: new Date(now - 3600_000).toISOString(), endsAt: new Date(now + 5 * 3600_000).toISOString(), timezone: 'Europe/Madrid' });

    // Door B moved half a metre: its routes change, door A's do not.
    await clickAt(29, 10);
    expect(await selection()).toContain('door B');
    await page.keyboard.press('ArrowUp');
    await savedDraft();
    await button('Publish to the doors').click();
    await expect.poll(() => publishDialog.textContent()).toContain('Guests are arriving: 1 door will change its routes.');
    expect(await publishDialog.textContent()).toContain('Garden party');
    expect(await publishNow.isDisabled()).toBe(true);
    await publishDialog.getByLabel('I understand; publish while guests are arriving.').check();
    expect(await publishNow.isDisabled()).toBe(false);
    await publishNow.click();
    await expect.poll(() => page.getByTestId('published').textContent()).toContain('Published version 2');

    // Two guests of the occasion seated at table 5; the draft removes table 5.
    const [live] = await t.db.query<{ id: string }>("SELECT id FROM guestlist.occasions WHERE venue_id = $1 AND name = 'Garden party'", [A.venueId]);
    const table5 = byLabel((await savedDraft()).layout.tables).get('5')!;
    for (const id of ['g-ana', 'g-luis']) {
      await t.db.query(
        'INSERT INTO guestlist.guests (id, tenant_id, venue_id, occasion_id, name, party_size, table_id, version) VALUES ($1, $2, $3, $4, $5, 1, $6, 0)',
        [id, A.tenantId, A.venueId, live!.id, id === 'g-ana' ? 'Ana Ruiz' : 'Luis Prieto', table5.id],
      );
    }
    await clickAt(table5.x, table5.y);
    expect(await selection()).toContain('Table 5, 10 seats');
    await page.keyboard.press('Delete');
    expect(await tables().count()).toBe(4);
    await savedDraft();
    await button('Publish to the doors').click();
    await expect.poll(() => publishDialog.getByTestId('publish-summary').textContent()).toContain('Tables removed: 1');
    // Both doors had a route to table 5.
    expect(await publishDialog.textContent()).toContain('Guests are arriving: 2 doors will change their routes.');
    const unseat = publishDialog.getByLabel('2 guests will be unseated (tables 5). Unseat them and publish.');
    expect(await unseat.count()).toBe(1);
    await publishDialog.getByLabel('I understand; publish while guests are arriving.').check();
    expect(await publishNow.isDisabled()).toBe(true);
    await unseat.check();
    expect(await publishNow.isDisabled()).toBe(false);
    await publishNow.click();
    await expect.poll(() => page.getByTestId('published').textContent()).toContain('Published version 3');
    const seated = await t.db.query<{ id: string; table_id: string | null }>("SELECT id, table_id FROM guestlist.guests WHERE id IN ('g-ana', 'g-luis') ORDER BY id");
    expect(seated).toEqual([{ id: 'g-ana', table_id: null }, { id: 'g-luis', table_id: null }]);

    // Versions: restore version 1 as the draft; the undo history starts again there.
    expect(await button('Undo').isDisabled()).toBe(false);
    await button('Versions').click();
    const versions = page.getByRole('dialog', { name: 'Versions' });
    await expect.poll(() => versions.getByTestId('versions').locator('li').count()).toBe(3);
    await versions.getByRole('button', { name: 'Restore version 1' }).click();
    await expect.poll(() => versions.count()).toBe(0);
    await expect.poll(() => tables().count()).toBe(5);
    expect(await tableByLabel('5', 10).locator('circle.table-top').getAttribute('cx')).toBe(String(table5.x));
    expect(await page.getByTestId('door-' + v1.layout.doors[1]!.id).locator('circle.door-mark').getAttribute('cy')).toBe('10');
    expect(await button('Undo').isDisabled()).toBe(true);
    const restored = await savedDraft();
    const version1 = await api<LayoutVersion>(`/venues/${A.venueId}/layout/versions/1`);
    expect(restored.layout.tables).toEqual(version1.layout.tables);
    expect(restored.layout.tables).toEqual(v1.layout.tables);
    expect(restored.layout.doors).toEqual(v1.layout.doors);
  }, 45_000);
});
