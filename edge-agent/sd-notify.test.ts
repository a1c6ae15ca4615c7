// sd_notify through systemd-notify, received on a real unix datagram socket (tests/notify-socket.ts: a python3 listener
// stands in for systemd, which Node cannot play: it has no unix datagram sockets). Also the agent CLI itself: READY=1, then WATCHDOG=1 pings.
import { afterEach, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SdNotify } from './sd-notify';
import { exited, startCli } from '../tests/cli-run';
import { notifySocket } from '../tests/notify-socket';
import { requireTool } from '../tests/tools';
import { waitFor } from '../tests/wait';

// Both are needed: under CI=true a missing one fails the file (tests/tools.ts), elsewhere the suite skips.
const haveTools = [requireTool('python3', 'python3'), requireTool('systemd-notify', 'systemd')].every(Boolean);

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

describe.skipIf(!haveTools)('sd_notify via systemd-notify', () => {
  it('sends READY=1 with a status, then WATCHDOG=1 at half the period while healthy, and stops when unhealthy', async () => {
    const sock = await notifySocket();
    children.push(sock.child);
    const env = { ...process.env, NOTIFY_SOCKET: sock.path, WATCHDOG_USEC: '1000000', WATCHDOG_PID: String(process.pid) };
    const sd = new SdNotify({ env });
    expect(sd.watchdogMs()).toBe(1000);
    expect(await sd.ready('listening on 127.0.0.1:8600')).toBe(true);
    await waitFor('READY=1', () => sock.lines.includes('READY=1') && sock.lines.includes('STATUS=listening on 127.0.0.1:8600'));
    let healthy = true;
    sd.startWatchdog(() => healthy);
    await waitFor('two watchdog pings', () => sock.lines.filter((l) => l === 'WATCHDOG=1').length >= 2);
    healthy = false;
    // Let any ping already in flight land, then nothing more arrives while unhealthy.
    await new Promise((r) => setTimeout(r, 700));
    const before = sock.lines.filter((l) => l === 'WATCHDOG=1').length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(sock.lines.filter((l) => l === 'WATCHDOG=1').length).toBe(before);
    await sd.stopping();
    await waitFor('STOPPING=1', () => sock.lines.includes('STOPPING=1'));
  });

  it('is a no-op outside systemd, and says once when the tool is missing', async () => {
    expect(await new SdNotify({ env: {} }).ready()).toBe(false);
    const warnings: string[] = [];
    const sd = new SdNotify({ env: { NOTIFY_SOCKET: '/nonexistent' }, tool: 'systemd-notify-not-here', warn: (m) => warnings.push(m) });
    expect(await sd.ready()).toBe(false);
    expect(await sd.send('WATCHDOG=1')).toBe(false);
    expect(warnings).toEqual([expect.stringContaining('systemd-notify-not-here was not found (install the systemd package)')]);
  });

  it('the agent command notifies READY=1 once listening and keeps the watchdog fed', async () => {
    const sock = await notifySocket();
    children.push(sock.child);
    const dir = mkdtempSync(join(tmpdir(), 'sp-notify-agent-'));
    writeFileSync(join(dir, 'agent.json'), JSON.stringify({ venue_id: 'ven_n', device_id: 'dev_n', listen: { host: '127.0.0.1', port: 0 } }));
    const agent = await startCli(['agent', '--config', join(dir, 'agent.json')], /listening on (http:\/\/127\.0\.0\.1:\d+)/, { NOTIFY_SOCKET: sock.path, WATCHDOG_USEC: '1000000' });
    children.push(agent.child);
    await waitFor('READY=1 from the agent', () => sock.lines.includes('READY=1'));
    await waitFor('watchdog pings from the agent', () => sock.lines.filter((l) => l === 'WATCHDOG=1').length >= 2);
    agent.child.kill('SIGTERM');
    expect(await exited(agent.child)).toBe(0);
    expect(sock.lines).toContain('STOPPING=1');
  });
});
