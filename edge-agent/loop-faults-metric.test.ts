// The hub's loop faults on its /metrics: a real agent whose cloud is a closed port on 127.0.0.1 fails its push and
// pull, keeps serving, and its /metrics over HTTP counts those faults in seatpilot_loop_faults_total{kind} (with the
// process's own sink and with one given to startAgent, which still hears every fault).
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { requireTool } from '../tests/tools';
import { waitFor } from '../tests/wait';
import { parseAgentConfig } from './config';
import { startAgent, type AgentRunOptions, type RunningAgent } from './runtime';

const promtool = requireTool('promtool', 'prometheus');

/** A port on 127.0.0.1 that nothing listens on: bound once by the OS, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

const metricsText = async (agent: RunningAgent) => {
  const r = await fetch(`${agent.url}/metrics`);
  expect(r.status).toBe(200);
  return r.text();
};

/** The value of one series in an exposition, or undefined when it is not there. */
function seriesValue(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("the hub's loop faults on /metrics", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });

  async function agentWithUnreachableCloud(extra: Partial<AgentRunOptions> = {}): Promise<RunningAgent> {
    const dir = mkdtempSync(join(tmpdir(), 'sp-loop-faults-'));
    const agent = await startAgent({
      config: parseAgentConfig({
        venue_id: 'ven_loop_faults',
        device_id: 'dev_agent_loop_faults',
        listen: { host: '127.0.0.1', port: 0 },
        cloud: { url: `http://127.0.0.1:${await closedPort()}`, key_id: 'key_loop_faults', secret: 's'.repeat(32) },
        push_interval_ms: 50,
        pull_interval_ms: 50,
      }),
      databaseFile: join(dir, 'agent.sqlite'),
      ...extra,
    });
    cleanups.push(async () => {
      await agent.close();
      rmSync(dir, { recursive: true, force: true });
    });
    agent.heartbeat(); // an event in the outbox, so the push has something to fail to deliver
    return agent;
  }

  it('counts the failed pushes and pulls of the default sink, by kind, and the hub keeps serving', async () => {
    const agent = await agentWithUnreachableCloud();
    const text = await waitFor('push and pull faults on /metrics', async () => {
      const m = await metricsText(agent);
      const push = seriesValue(m, 'seatpilot_loop_faults_total{kind="push unreachable"}') ?? 0;
      const pull = seriesValue(m, 'seatpilot_loop_faults_total{kind="pull unreachable"}') ?? 0;
      return push >= 1 && pull >= 1 ? m : null;
    }, 10_000);
    expect(text).toContain('# HELP seatpilot_loop_faults_total Errors caught in a background loop');
    expect(text).toContain('# TYPE seatpilot_loop_faults_total counter');
    // One series per kind, never one per message.
    expect(text.split('\n').filter((l) => l.startsWith('seatpilot_loop_faults_total{')).every((l) => /^seatpilot_loop_faults_total\{kind="[a-z_ ]+"\} \d+$/.test(l))).toBe(true);
    // It goes on retrying, and counting, while it serves.
    const before = seriesValue(text, 'seatpilot_loop_faults_total{kind="push unreachable"}')!;
    await waitFor('more push faults counted', async () => (seriesValue(await metricsText(agent), 'seatpilot_loop_faults_total{kind="push unreachable"}') ?? 0) > before, 10_000);
    const health = await fetch(`${agent.url}/health`);
    expect(health.status).toBe(200);
    expect((await health.json()).checks.cloud).toMatchObject({ ok: false });
    if (promtool) {
      const lint = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect(lint.error).toBeUndefined();
      // prom-client's default nodejs_* gauges carry a _total suffix promtool dislikes; ours must pass clean.
      expect((lint.stdout + lint.stderr).split('\n').filter((l) => l.trim() && !l.startsWith('nodejs_'))).toEqual([]);
    }
  });

  it('counts the faults that reach a sink given to startAgent, which still hears each one', async () => {
    const heard: string[] = [];
    const agent = await agentWithUnreachableCloud({ faults: (kind) => heard.push(kind) });
    await waitFor('a push fault heard by the given sink', () => heard.includes('push unreachable'), 10_000);
    const heardBefore = heard.filter((k) => k === 'push unreachable').length;
    const m = await metricsText(agent);
    // Every fault the sink had heard before the scrape is counted in it (more may come in between).
    expect(seriesValue(m, 'seatpilot_loop_faults_total{kind="push unreachable"}') ?? 0).toBeGreaterThanOrEqual(heardBefore);
    expect((await fetch(`${agent.url}/health`)).status).toBe(200);
  });
});
