// The audit page's chain state in Chromium, as a viewer sees it: intact with the count verified, then, after the
// database's owner alters an entry behind the append-only trigger, the entry it names and why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { consoleInChromium, type ConsoleInChromium } from '../../../tests/fixtures/console-browser';
import { recordAudit } from '../audit';

const PASSWORD = 'an audit trail that holds';

describe('the audit chain on the audit page in Chromium', () => {
  let up: ConsoleInChromium;
  let page: Page;
  const dir = mkdtempSync(join(tmpdir(), 'sp-audit-chain-'));
  const chainText = () => page.getByTestId('audit-chain').textContent();

  beforeAll(async () => {
    up = await consoleInChromium(dir, { tenant: 'Ledger', password: PASSWORD, accounts: ['viewer'] });
    page = up.page;
    for (let i = 1; i <= 4; i++) {
      await recordAudit(up.t.db, { channel: 'cli', actorId: null, actor: 'cli:ops' }, { tenantId: up.A.tenantId, action: 'guest.update', entity: 'guest', entityId: `g${i}`, after: { n: i } });
    }
    await page.goto(`${up.cloud.url}/console/#/audit`);
    await page.getByLabel('E-mail').fill(up.A.viewer.account.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit' }).waitFor({ timeout: 20_000 });
  }, 120_000);
  afterAll(async () => {
    await up?.close();
  });

  it('says the chain is intact with the number of entries verified, then names the entry altered behind its back', async () => {
    const [{ n }] = (await up.t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM console.audit_log WHERE tenant_id = $1', [up.A.tenantId])) as [{ n: number }];
    await expect.poll(chainText, { timeout: 10_000 }).toBe(`Chain intact: ${n} entries verified.`);

    const [victim] = await up.t.db.query<{ id: number }>(`SELECT id FROM console.audit_log WHERE tenant_id = $1 AND entity_id = 'g2'`, [up.A.tenantId]);
    await up.t.db.tx(async (q) => {
      await q.exec('ALTER TABLE console.audit_log DISABLE TRIGGER audit_log_append_only');
      await q.query(`UPDATE console.audit_log SET after = '{"n": 20}'::jsonb WHERE id = $1`, [victim?.id]);
      await q.exec('ALTER TABLE console.audit_log ENABLE TRIGGER audit_log_append_only');
    });
    await page.reload();
    const banner = page.getByRole('alert').filter({ hasText: 'Chain broken' });
    await banner.waitFor({ timeout: 10_000 });
    expect(await banner.textContent()).toMatch(new RegExp(`^Chain broken at entry #${victim?.id} \\(guest\\.update, .+\\): altered, its content no longer matches its hash\\.$`));
  });
});
