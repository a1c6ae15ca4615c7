// `seatpilot agent` says where it really listens: a hub bound to every interface says so (venue IT must know it is
// reachable from the LAN), with the 127.0.0.1 URL for use on the box itself.
import { afterEach, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCli } from '../tests/cli-run';

describe('seatpilot agent start-up line', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill('SIGKILL');
    child = undefined;
  });

  const start = async (host: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-listen-'));
    writeFileSync(join(dir, 'agent.json'), JSON.stringify({ venue_id: 'ven_l', device_id: 'dev_l', listen: { host, port: 0 } }));
    const started = await startCli(['agent', '--config', join(dir, 'agent.json')], /listening on (.+) for venue ven_l/);
    child = started.child;
    return started.match[1] as string;
  };

  it('on 0.0.0.0: names the wildcard address it bound, and the local URL, both of which answer', async () => {
    const where = await start('0.0.0.0');
    const m = /^0\.0\.0\.0:(\d+) \(every interface; from this box (http:\/\/127\.0\.0\.1:(\d+))\)$/.exec(where);
    expect(m, where).not.toBeNull();
    const [, port, local, localPort] = m as RegExpExecArray;
    expect(localPort).toBe(port);
    expect((await fetch(`${local}/health`)).status).toBe(200);
    // Reachable on the box's other addresses too, as "every interface" says.
    const lan = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal);
    if (lan) expect((await fetch(`http://${lan.address}:${port}/health`)).status).toBe(200);
  });

  it('on 127.0.0.1: just the URL', async () => {
    const where = await start('127.0.0.1');
    expect(where).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${where}/health`)).status).toBe(200);
  });
});
