import { describe, expect, it } from 'vitest';
import { FaultLog, guard } from './fault-log';

describe('fault log', () => {
  it('logs the first fault of each kind, then at most once a window, saying how many it left out', () => {
    let t = 0;
    const lines: string[] = [];
    const log = new FaultLog({ write: (l) => lines.push(l), everyMs: 60_000, now: () => t });
    for (let i = 0; i < 100; i++, t += 1_000) log.report('push unreachable', `try ${i}`);
    log.report('pull local_store', 'disk full');
    expect(lines).toEqual(['push unreachable: try 0', 'push unreachable: try 60 (59 more since the last line)', 'pull local_store: disk full']);
    expect(log.counts()).toEqual({ 'push unreachable': 100, 'pull local_store': 1 });
  });

  it('keeps counting when the log itself cannot be written', () => {
    const log = new FaultLog({ write: () => { throw new Error('EPIPE'); } });
    expect(() => log.report('heartbeat', 'x')).not.toThrow();
    expect(log.counts()).toEqual({ heartbeat: 1 });
  });

  it('guards a round: a throw or a rejection is reported under its kind and never escapes', async () => {
    const seen: string[] = [];
    expect(await guard((k, m) => seen.push(`${k}: ${m}`), 'sweep', () => { throw new Error('SQLITE_FULL'); })).toBe(false);
    expect(await guard((k, m) => seen.push(`${k}: ${m}`), 'push', () => Promise.reject(new Error('gone')))).toBe(false);
    expect(await guard((k, m) => seen.push(`${k}: ${m}`), 'ok', () => 1)).toBe(true);
    expect(seen).toEqual(['sweep: SQLITE_FULL', 'push: gone']);
  });
});
