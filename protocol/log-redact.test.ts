import { Writable } from 'node:stream';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../cloud-sync/app';
import { buildAgentApp } from '../edge-agent/app';
import { AgentStore } from '../edge-agent/store';
import { openStore } from '../venue-store/open';
import { freshDatabase } from '../tests/pg-backends';
import { redactUrl } from './log-redact';

/** The log lines a service writes, as its operator's journal would get them. */
function capture() {
  let text = '';
  const stream = new Writable({ write: (chunk, _enc, done) => ((text += String(chunk)), done()) });
  return { logger: { level: 'info', stream }, text: () => text };
}

describe('request logs without tokens', () => {
  it('drops the values of token-like query parameters, keeping everything else as sent', () => {
    expect(redactUrl('/tablet/api/stream?tables=t1%2Ct2&token=abc123')).toBe('/tablet/api/stream?tables=t1%2Ct2&token=[redacted]');
    expect(redactUrl('/x?code=ABCD-2345&Session=s&api_key=k&x-sig=v1%3Dff&password=p&pin=1234&cursor=9&limit=50')).toBe(
      '/x?code=[redacted]&Session=[redacted]&api_key=[redacted]&x-sig=[redacted]&password=[redacted]&pin=[redacted]&cursor=9&limit=50',
    );
    expect(redactUrl('/x?%74oken=abc&keyboard=us&monkey=1')).toBe('/x?%74oken=[redacted]&keyboard=us&monkey=1');
    expect(redactUrl('/v1/sync?cursor=abc&limit=5')).toBe('/v1/sync?cursor=abc&limit=5');
    expect(redactUrl('/health')).toBe('/health');
    expect(redactUrl('/x?token')).toBe('/x?token');
    expect(redactUrl('/x?secret=%E0%A4%A')).toBe('/x?secret=[redacted]');
  });

  it("the hub's request log has no token value in it", async () => {
    const log = capture();
    const { db } = openStore(join(mkdtempSync(join(tmpdir(), 'sp-logs-')), 'agent.sqlite'));
    const { app } = await buildAgentApp({ store: new AgentStore(db, 'ven_logs'), logger: log.logger, tablet: { venueId: 'ven_logs', deviceId: 'dev_agent' } });
    await app.inject({ method: 'GET', url: '/health?token=abc-hub-token&check=db' });
    await app.inject({ method: 'GET', url: '/tablet/api/board?tables=t1&access_token=abc-tablet-token' });
    await app.inject({ method: 'GET', url: '/no/such/route?secret=abc-404-secret' });
    await app.close();
    const text = log.text();
    expect(text).toContain('"url":"/health?token=[redacted]&check=db"');
    expect(text).toContain('incoming request');
    expect(text).not.toMatch(/abc-(hub|tablet)-token|abc-404-secret/);
  });

  it("the cloud's request log has no token value in it", async () => {
    const log = capture();
    const t = await freshDatabase('pglite');
    try {
      const { app } = await buildApp({ db: t.db, logger: log.logger, doubleAdmissionEverySec: 0 });
      await app.inject({ method: 'GET', url: '/health?token=abc-cloud-token' });
      await app.inject({ method: 'GET', url: '/v1/sync?cursor=0&sig=abc-cloud-sig' });
      await app.close();
    } finally {
      await t.drop();
    }
    const text = log.text();
    expect(text).toContain('"url":"/health?token=[redacted]"');
    expect(text).toContain('"url":"/v1/sync?cursor=0&sig=[redacted]"');
    expect(text).not.toMatch(/abc-cloud-(token|sig)/);
  });
});
