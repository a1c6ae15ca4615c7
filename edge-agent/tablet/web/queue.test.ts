import { describe, expect, it } from 'vitest';
import { TapQueue, parseSse } from './queue';

const memory = () => {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
};

describe('tablet tap queue', () => {
  it('keeps taps in order and drops an arrive and its undo together when the arrive never left', () => {
    const q = new TapQueue(memory());
    q.push({ kind: 'arrive', key: 'k1', guest_id: 'g1', table_id: 't', tapped_at: '2026-06-20T20:00:00.000Z' });
    q.push({ kind: 'arrive', key: 'k2', guest_id: 'g2', table_id: 't', tapped_at: '2026-06-20T20:00:01.000Z' });
    expect(q.cancelArrive('k1')).toBe(true);
    expect(q.cancelArrive('k1')).toBe(false);
    expect(q.all().map((a) => a.key)).toEqual(['k2']);
    q.remove({ kind: 'arrive', key: 'k2', guest_id: 'g2', table_id: 't', tapped_at: '' });
    expect(q.all()).toEqual([]);
  });

  it('survives garbage in storage', () => {
    const s = memory();
    s.setItem('seatpilot.tablet.queue', '{not json');
    expect(new TapQueue(s).all()).toEqual([]);
  });
});

describe('parseSse', () => {
  it('splits events, skips comments and keeps a partial event for the next chunk', () => {
    const a = parseSse(': keep-alive\n\nevent: board\ndata: {"a":1}\n\nevent: board\ndata: {"a"');
    expect(a.events).toEqual([{ event: 'board', data: '{"a":1}' }]);
    const b = parseSse(`${a.rest}:2}\n\n`);
    expect(b.events).toEqual([{ event: 'board', data: '{"a":2}' }]);
    expect(b.rest).toBe('');
  });
});
