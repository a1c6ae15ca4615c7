import { describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { installErrorHandling } from './errors';

describe('installErrorHandling', () => {
  it('answers 503 with Retry-After for a transient storage error, and hides internals of anything else', async () => {
    const app = Fastify();
    installErrorHandling(app);
    app.get('/deadlock', async () => {
      throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
    });
    app.get('/boom', async () => {
      throw new Error('secret internals: password=hunter2');
    });
    const d = await app.inject({ method: 'GET', url: '/deadlock' });
    expect(d.statusCode).toBe(503);
    expect(d.headers['retry-after']).toBe('1');
    expect(d.json()).toMatchObject({ error: 'unavailable' });
    const b = await app.inject({ method: 'GET', url: '/boom' });
    expect(b.statusCode).toBe(500);
    expect(b.body).not.toContain('hunter2');
    expect(b.json()).toEqual({ error: 'internal_error' });
  });
});
