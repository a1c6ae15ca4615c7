// The Seat Designer in real Chromium against a real cloud (buildApp on PGlite, HTTP on 127.0.0.1): a planner draws a
// room from nothing with the mouse and the keyboard — two walls, a door, tables, one turned with R and one moved with
// the arrows; Ctrl+Z and Ctrl+Shift+Z take what is drawn back and forth; a wall drawn around a table makes it
// unreachable (highlighted, with the reason in the problems list) and undoing the wall fixes it; the route from the door
// to a table is drawn with its length; the autosave reaches the server (its GET has the draft) and publishing makes
// version 1. A save refused because another person saved meanwhile says so and loads their version. A viewer sees
// the plan without the tools.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { asUser, type ConsoleTenant } from '../../../tests/fixtures/console';
import { consoleInChromium, type ConsoleCloud, type ConsoleInChromium } from '../../../tests/fixtures/console-browser';
import type { LayoutDraft } from '../../../core/console/layout';

const PASSWORD = 'a long evening at the finca';

describe('the Seat Designer in Chromium', () => {
  let A: ConsoleTenant;
  let cloud: ConsoleCloud;
  let page: Page;
  let up: ConsoleInChromium | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'sp-designer-ui-'));

  /** The screen point of a point of the room, in metres (whatever the zoom). */
  const screen = (x: number, y: number) => page.locator('svg.designer-canvas').evaluate((svg, [mx, my]) => {
    const p = new DOMPoint(mx, my).matrixTransform((svg as SVGSVGElement).getScreenCTM()!);
    return { x: p.x, y: p.y };
  }, [x, y] as const);
  const clickAt = async (x: number, y: number) => {
    const p = await screen(x, y);
    await page.mouse.click(p.x, p.y);
  };
  const tool = (name: string) => page.getByRole('toolbar', { name: 'Drawing tools' }).getByRole('button', { name, exact: true });
  const tables = () => page.locator('[data-kind="tables"]');
  const tableByLabel = (label: string, seats: number) => page.getByRole('group', { name: `Table ${label}, ${seats} seats` });
  const selection = () => page.getByTestId('selection-info').textContent();
  const serverDraft = () => page.evaluate(async (venue) => (await (await fetch(`/console/api/venues/${venue}/layout`)).json()) as LayoutDraft, A.venueId);

  const signIn = async (email: string) => {
    await page.goto(`${cloud.url}/console/#/designer`);
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };

  beforeAll(async () => {
    up = await consoleInChromium(dir, { tenant: 'Finca', password: PASSWORD, accounts: ['planner', 'viewer'] });
    ({ A, cloud, page } = up);
  }, 120_000);

  afterAll(async () => {
    await up?.close();
  });

  it('a planner draws a room with mouse and keyboard, undoes and redoes, sees an unreachable table, saves and publishes', async () => {
    await signIn(A.planner.account.email);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: 20_000 }).toBe('Seat Designer: Finca hall');
    await expect.poll(() => page.getByTestId('save-status').textContent()).toBe('Saved');
    expect(await page.getByRole('button', { name: 'Undo' }).isDisabled()).toBe(true);

    // A venue never drawn starts as a small empty room: make it 30 × 20 m and fit the view to it.
    await page.getByLabel('Room width (m)').fill('30');
    await page.getByLabel('Room depth (m)').fill('20');
    await page.getByRole('button', { name: 'Fit room' }).click();
    expect(await page.getByTestId('room').getAttribute('width')).toBe('30');

    // Two walls: one finished with a double-click, one with Enter.
    await tool('Wall').click();
    expect(await tool('Wall').getAttribute('aria-pressed')).toBe('true');
    await clickAt(3, 1);
    const end = await screen(25, 1);
    await page.mouse.dblclick(end.x, end.y);
    await clickAt(25, 3);
    await clickAt(25, 15);
    await page.keyboard.press('Enter');
    expect(await page.locator('[data-kind="walls"]').count()).toBe(2);
    expect(await page.locator('[data-kind="walls"] .wall-line').first().getAttribute('points')).toBe('3,1 25,1');

    // No door yet: the first table says so.
    await tool('Round table').click();
    await clickAt(6, 6);
    await expect.poll(() => page.getByTestId('problems').textContent()).toContain('Table 1: no door drawn yet');
    await clickAt(11, 6);
    await clickAt(16, 6);
    await tool('Rectangular table').click();
    await clickAt(8, 12);
    await tool('Door').click();
    await clickAt(1, 10);
    expect(await page.getByRole('img', { name: 'Door A' }).count()).toBe(1);
    expect(await tables().count()).toBe(4);
    expect(await tableByLabel('4', 6).count()).toBe(1);
    await expect.poll(() => page.getByTestId('no-problems').count()).toBe(1);

    // Select the rectangular table with the mouse and turn it with R.
    await tool('Select').click();
    await clickAt(8, 12);
    expect(await selection()).toContain('Table 4, 6 seats');
    await page.keyboard.press('r');
    expect(await tableByLabel('4', 6).locator('.table-top').getAttribute('transform')).toBe('rotate(15 8 12)');
    expect(await page.getByLabel('Rotation (degrees)').inputValue()).toBe('15');

    // Tab walks the elements kind by kind: the two walls, the door, then the tables.
    await page.keyboard.press('Escape');
    expect(await selection()).toBe('Nothing selected.');
    await page.keyboard.press('Tab'); // the first element: a wall
    expect(await selection()).toContain('wall');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab'); // the door
    expect(await selection()).toContain('door A');
    await page.keyboard.press('Tab'); // table 1
    expect(await selection()).toContain('Table 1, 10 seats');

    // Move table 1 with the arrows (0.5 m grid: two steps right, one with Shift down = 5 m), then undo and redo.
    const circle = () => tableByLabel('1', 10).locator('circle.table-top');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    expect(await circle().getAttribute('cx')).toBe('7');
    await page.keyboard.press('Shift+ArrowDown');
    expect(await circle().getAttribute('cy')).toBe('11');
    await page.keyboard.press('Control+z');
    expect(await circle().getAttribute('cy')).toBe('6');
    await page.keyboard.press('Control+z');
    expect(await circle().getAttribute('cx')).toBe('6.5');
    await page.keyboard.press('Control+Shift+z');
    await page.keyboard.press('Control+Shift+z');
    expect([await circle().getAttribute('cx'), await circle().getAttribute('cy')]).toEqual(['7', '11']);
    await page.keyboard.press('Control+z');
    expect(await circle().getAttribute('cy')).toBe('6');

    // Drag table 2 with the mouse: one step, snapped to the grid (11, 6) → (12.5, 8).
    const from = await screen(11, 6);
    const to = await screen(12.4, 7.9);
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 4 });
    await page.mouse.move(to.x, to.y, { steps: 4 });
    await page.mouse.up();
    const c2 = tableByLabel('2', 10).locator('circle.table-top');
    expect([await c2.getAttribute('cx'), await c2.getAttribute('cy')]).toEqual(['12.5', '8']);
    await page.getByRole('button', { name: 'Undo' }).click();
    expect([await c2.getAttribute('cx'), await c2.getAttribute('cy')]).toEqual(['11', '6']);
    await page.getByRole('button', { name: 'Redo' }).click();
    expect(await c2.getAttribute('cx')).toBe('12.5');

    // A wall drawn all round table 3 (at 16, 6): no route reaches it.
    const t3 = tableByLabel('3', 10);
    await tool('Wall').click();
    for (const [x, y] of [[14, 4], [18, 4], [18, 8], [14, 8], [14, 4]] as const) await clickAt(x, y);
    await page.keyboard.press('Enter');
    await expect.poll(() => t3.getAttribute('class')).toContain('unreachable');
    expect(await page.getByTestId('problems').textContent()).toContain('Table 3: no route from any door');
    expect(await tableByLabel('1', 10).getAttribute('class')).not.toContain('unreachable');
    // The problem selects its table.
    await page.getByRole('button', { name: 'Table 3: no route from any door' }).click();
    expect(await selection()).toContain('Table 3, 10 seats');
    await page.locator('svg.designer-canvas').focus();
    await page.keyboard.press('Control+z');
    await expect.poll(() => t3.getAttribute('class')).not.toContain('unreachable');
    expect(await page.getByTestId('no-problems').textContent()).toBe('Every table can be reached from every door.');
    expect(await page.locator('[data-kind="walls"]').count()).toBe(2);

    // The route from door A to table 3, drawn and measured.
    await page.getByLabel('From door').selectOption({ label: 'A' });
    await page.getByLabel('To table').selectOption({ label: '3' });
    await page.getByRole('button', { name: 'Show route' }).click();
    expect(await page.getByTestId('route').count()).toBe(1);
    expect(await page.getByTestId('route-length').textContent()).toMatch(/^From door A to table 3: \d+(\.\d)? m walking\.$/);

    if (process.env.DESIGNER_SCREENSHOT) await page.screenshot({ path: process.env.DESIGNER_SCREENSHOT });

    // The door takes the id its kiosk is configured with (door_id "main"): the kiosk's routes start there.
    await page.locator('svg.designer-canvas').focus();
    // Escape first leaves the wall tool, then clears the selection.
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    expect(await selection()).toBe('Nothing selected.');
    // Tab to the door (after the walls).
    for (let i = 0; i < 12 && !(await selection())?.includes('door A'); i++) await page.keyboard.press('Tab');
    expect(await selection()).toContain('door A');
    await page.getByLabel('Door id').fill('main door');
    await page.getByLabel('Door id').press('Enter');
    expect(await page.locator('#p-door-id-error').textContent()).toContain('letters, digits');
    await page.getByLabel('Door id').fill('main');
    await page.getByLabel('Door id').press('Enter');
    await expect.poll(() => page.locator('[data-testid="door-main"]').count()).toBe(1);

    // The autosave reaches the server.
    await expect.poll(() => page.getByTestId('save-status').textContent(), { timeout: 10_000 }).toBe('Saved');
    const saved = await serverDraft();
    expect(saved.revision).toBeGreaterThan(0);
    expect(saved.layout.walls.length).toBe(2);
    expect(saved.layout.doors.map((d) => [d.id, d.label])).toEqual([['main', 'A']]);
    expect(saved.layout.tables.map((x) => [x.label, x.x, x.y, x.rotation])).toEqual([
      ['1', 7, 6, 0], ['2', 12.5, 8, 0], ['3', 16, 6, 0], ['4', 8, 12, 15],
    ]);

    // Publish: the summary, then version 1.
    await page.getByRole('button', { name: 'Publish to the doors' }).click();
    const dialog = page.getByRole('dialog', { name: 'Publish this room to the doors' });
    await expect.poll(() => dialog.getByTestId('publish-summary').textContent()).toContain('Tables added: 4');
    await dialog.getByRole('button', { name: 'Publish', exact: true }).click();
    await expect.poll(() => page.getByTestId('published').textContent()).toContain('Published version 1');
    expect((await serverDraft()).published?.version).toBe(1);
  }, 90_000);

  it('a save refused because someone else saved meanwhile says so, and loads their version', async () => {
    const d = await serverDraft();
    const theirs = { ...d.layout, labels: [{ id: 'l-theirs', text: 'Their stage', x: 10, y: 18, size: 0.8, rotation: 0 }] };
    const put = await asUser(cloud.cloud.app, A.owner, { method: 'PUT', url: `/console/api/venues/${A.venueId}/layout`, payload: { revision: d.revision, layout: theirs } });
    expect(put.statusCode).toBe(200);
    await tool('Door').click();
    await clickAt(1, 15);
    expect(await page.locator('[data-kind="doors"]').count()).toBe(2);
    await expect.poll(() => page.getByTestId('save-status').textContent(), { timeout: 10_000 }).toBe('Not saved: another tab or person saved this room meanwhile.');
    await page.getByRole('button', { name: 'Load their version' }).click();
    await expect.poll(() => page.getByTestId('label-l-theirs').textContent()).toBe('Their stage');
    expect(await page.locator('[data-kind="doors"]').count()).toBe(1);
    expect(await page.getByTestId('save-status').textContent()).toBe('Saved');
    expect(await page.getByRole('button', { name: 'Undo' }).isDisabled()).toBe(true);
  }, 30_000);

  it("a stage's and a zone's properties: label, size and turn applied as typed; a size out of range is said and not applied", async () => {
    await tool('Stage').click();
    await clickAt(4, 16);
    await page.getByLabel('Label').fill('Band');
    await page.getByLabel('Width (m)').fill('5');
    await page.getByLabel('Depth (m)').fill('20000');
    expect(await page.getByText('Type a number from 0.1 to 10000.').count()).toBe(1);
    await page.getByLabel('Rotation (degrees)').fill('-90');
    await tool('Zone').click();
    await clickAt(14, 16);
    await page.getByLabel('Zone name').fill('Lounge');
    await page.getByLabel('Width (m)').fill('3');
    await expect.poll(() => page.getByTestId('save-status').textContent(), { timeout: 10_000 }).toBe('Saved');
    const { layout } = await serverDraft();
    expect(layout.obstacles.map((o) => [o.kind, o.label, o.w, o.rotation])).toEqual([['stage', 'Band', 5, 270]]);
    // The refused depth left the stage's own.
    expect(layout.obstacles[0]!.h).toBeLessThan(10_000);
    expect(layout.zones.map((z) => [z.label, z.w])).toEqual([['Lounge', 3]]);
  }, 30_000);

  it('a viewer sees the plan without tools', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(A.viewer.account.email);
    await expect.poll(() => tables().count(), { timeout: 20_000 }).toBe(4);
    expect(await page.getByRole('toolbar', { name: 'Drawing tools' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Publish to the doors' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Undo' }).count()).toBe(0);
    await page.locator('svg.designer-canvas').focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Delete');
    expect(await page.locator('[data-kind="walls"]').count()).toBe(2);
  }, 60_000);
});
