// Who may read /metrics, with the real `seatpilot cloud` and `seatpilot agent` processes on 127.0.0.1: the cloud's
// (every tenant's, venue's and device's ids) needs SEATPILOT_METRICS_TOKEN as a bearer token or a listen address of
// its own; the agent's (one venue's figures, on the LAN) is open unless a token is set. Bad values stop the start.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startCli } from './cli-run';
import { freePort } from './procs';
import { waitFor } from './wait';

const TOKEN = 'metrics-token-for-the-test-0123456789';
const root = mkdtempSync(join(tmpdir(), 'sp-metrics-access-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

const startCloud = async (env: Record<string, string | undefined>) => {
  const started = await startCli(['cloud', '--port', '0', '--data', join(root, `cloud-${n++}`)], /listening on (http:\/\/127\.0\.0\.1:\d+)/, { DATABASE_URL: undefined, SEATPILOT_METRICS_TOKEN: undefined, SEATPILOT_METRICS_LISTEN: undefined, ...env });
  children.push(started.child);
  return { url: started.match[1] as string, output: started.output };
};
const startAgent = async (env: Record<string, string | undefined>) => {
  const config = join(root, `agent-${n++}.json`);
  writeFileSync(config, JSON.stringify({ venue_id: 'ven_m', device_id: 'dev_m', listen: { host: '127.0.0.1', port: 0 }, database: join(root, `agent-${n}.sqlite`) }));
  const started = await startCli(['agent', '--config', config], /listening on (http:\/\/127\.0\.0\.1:\d+)/, { SEATPILOT_METRICS_TOKEN: undefined, SEATPILOT_METRICS_LISTEN: undefined, ...env });
  children.push(started.child);
  return started.match[1] as string;
};
const scrape = async (url: string, token?: string) => {
  const res = await fetch(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, text: await res.text(), auth: res.headers.get('www-authenticate') };
};

describe('the cloud', () => {
  it('with SEATPILOT_METRICS_TOKEN: 401 without the token or with a wrong one, the metrics with it', async () => {
    const { url } = await startCloud({ SEATPILOT_METRICS_TOKEN: TOKEN });
    const none = await scrape(`${url}/metrics`);
    expect(none.status).toBe(401);
    expect(JSON.parse(none.text)).toEqual({ error: 'missing_auth', message: 'send Authorization: Bearer <SEATPILOT_METRICS_TOKEN>' });
    expect(none.auth).toBe('Bearer realm="seatpilot-metrics"');
    expect(none.text).not.toContain('seatpilot_');
    const wrong = await scrape(`${url}/metrics`, `${TOKEN}x`);
    expect([wrong.status, JSON.parse(wrong.text).error]).toEqual([401, 'bad_token']);
    const right = await scrape(`${url}/metrics`, TOKEN);
    expect(right.status).toBe(200);
    expect(right.text).toMatch(/^# HELP seatpilot_ingest_accepted_total /m);
    // The rest of the service is untouched by the token.
    expect((await fetch(`${url}/health`)).status).toBe(200);
  });

  it('with neither setting: /metrics is not served, and says what to set', async () => {
    const { url } = await startCloud({});
    const r = await scrape(`${url}/metrics`, TOKEN);
    expect(r.status).toBe(404);
    expect(JSON.parse(r.text)).toEqual({ error: 'not_found', message: 'metrics are not served here: set SEATPILOT_METRICS_TOKEN (then scrape with Authorization: Bearer) or SEATPILOT_METRICS_LISTEN' });
  });

  it('with SEATPILOT_METRICS_LISTEN: served there (nothing else is), not on the public port', async () => {
    const port = await freePort();
    const { url, output } = await startCloud({ SEATPILOT_METRICS_LISTEN: `127.0.0.1:${port}` });
    await waitFor('the metrics address on stderr', () => output().includes(`seatpilot cloud: metrics on http://127.0.0.1:${port}/metrics`));
    expect((await scrape(`${url}/metrics`)).status).toBe(404);
    const there = await scrape(`http://127.0.0.1:${port}/metrics`);
    expect(there.status).toBe(200);
    expect(there.text).toMatch(/^# TYPE seatpilot_ingest_accepted_total counter/m);
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/v1/sync`)).status).toBe(404);
  });

  it('a short token or a bad listen address stops the start, naming the variable', async () => {
    const short = await runCli(['cloud', '--port', '0', '--data', join(root, 'bad')], { DATABASE_URL: undefined, SEATPILOT_METRICS_TOKEN: 'short' });
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('seatpilot cloud: SEATPILOT_METRICS_TOKEN must be at least 16 characters without spaces');
    expect(short.stderr).not.toContain('short\n');
    const listen = await runCli(['cloud', '--port', '0', '--data', join(root, 'bad')], { DATABASE_URL: undefined, SEATPILOT_METRICS_LISTEN: 'everywhere' });
    expect(listen.code).toBe(1);
    expect(listen.stderr).toContain('seatpilot cloud: SEATPILOT_METRICS_LISTEN must be HOST:PORT, such as 10.0.0.5:9464');
  });
});

describe('the agent', () => {
  it('serves /metrics openly on the LAN by default', async () => {
    const url = await startAgent({});
    const r = await scrape(`${url}/metrics`);
    expect(r.status).toBe(200);
    expect(r.text).toMatch(/^# TYPE seatpilot_outbox_depth gauge/m);
  });

  it('with SEATPILOT_METRICS_TOKEN, asks for it as the cloud does', async () => {
    const url = await startAgent({ SEATPILOT_METRICS_TOKEN: TOKEN });
    expect((await scrape(`${url}/metrics`)).status).toBe(401);
    expect((await scrape(`${url}/metrics`, TOKEN)).status).toBe(200);
  });
});
