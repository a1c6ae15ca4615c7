// Console API: the live view of an occasion. `GET /occasions/:id/live` is a server-sent event stream (a snapshot at
// once, then one every ctx.liveEverySec); `GET /occasions/:id/live.json` is one snapshot, for the first paint.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { LiveSnapshotSchema, type LiveSnapshot } from '../../../core/console/live';
import { notFound } from '../errors';
import type { ConsoleContext } from '../plugin';
import { scoped } from '../scope';
import { findSession, guard, sessionOf, sessionToken, type ConsoleSession } from '../session';
import { findOccasion, readSnapshot } from './live-snapshot';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: false });

/** A comment line this often keeps proxies from closing a stream whose snapshot is slow to come. */
export const KEEPALIVE_MS = 15_000;
/** No stream outlives this (a night); the browser opens a new one, which checks the session again. */
export const MAX_STREAM_MS = 12 * 3600_000;
const PROBLEM_MESSAGE = 'the live figures could not be read just now; the next update tries again';

let streamsOpen = 0;
/** Streams open in this process (each holds a timer and reads the database every ctx.liveEverySec). */
export const openLiveStreams = (): number => streamsOpen;

async function snapshotFor(ctx: ConsoleContext, session: Pick<ConsoleSession, 'tenantId' | 'accountId'>, occasionId: string): Promise<LiveSnapshot | null> {
  const now = ctx.now();
  return scoped(ctx.db, session, async (q) => {
    const occasion = await findOccasion(q, session.tenantId, occasionId);
    return occasion ? readSnapshot(q, session.tenantId, occasion, now) : null;
  });
}

export function registerLiveRoutes(api: FastifyInstance, ctx: ConsoleContext): void {
  const open = new Set<() => void>();
  // app.close() waits for open connections: end the streams first.
  api.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });

  api.get<{ Params: { id: string } }>('/occasions/:id/live.json', {
    onRequest: guard(ctx.db, 'read', ctx.now),
    schema: { params: IdParams, response: { 200: LiveSnapshotSchema } },
  }, async (request, reply) => {
    const snapshot = await snapshotFor(ctx, sessionOf(request), request.params.id);
    if (!snapshot) throw notFound('the occasion');
    reply.header('cache-control', 'no-store');
    return snapshot;
  });

  api.get<{ Params: { id: string } }>('/occasions/:id/live', {
    onRequest: guard(ctx.db, 'read', ctx.now),
    schema: { params: IdParams },
  }, async (request, reply) => {
    const session = sessionOf(request);
    // The first snapshot is read before the stream starts, so an unknown occasion is a plain 404.
    const first = await snapshotFor(ctx, session, request.params.id);
    if (!first) throw notFound('the occasion');
    // HEAD (which fastify answers from this GET route) gets the stream's headers, and no stream held open for it.
    if (request.method === 'HEAD') return reply.header('content-type', 'text/event-stream; charset=utf-8').header('cache-control', 'no-store').send();
    stream(ctx, request, reply, first, open);
  });
}

function stream(ctx: ConsoleContext, request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, first: LiveSnapshot, open: Set<() => void>): void {
  const token = sessionToken(request) as string;
  const occasionId = request.params.id;
  const raw = reply.raw;
  const started = Date.now();
  let tick: NodeJS.Timeout | null = null;
  let closed = false;
  let problems = 0;

  reply.hijack();
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    // nginx and its kin would otherwise hold the events back in their buffers.
    'x-accel-buffering': 'no',
  });
  const write = (text: string) => {
    if (!closed) raw.write(text);
  };
  const send = (event: string, data: unknown) => write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const end = () => {
    if (closed) return;
    closed = true;
    streamsOpen--;
    if (tick) clearTimeout(tick);
    clearInterval(keepalive);
    open.delete(end);
    raw.end();
  };
  const keepalive = setInterval(() => write(': keepalive\n\n'), KEEPALIVE_MS);
  keepalive.unref();
  open.add(end);
  streamsOpen++;
  // The client went away (tab closed, network gone): stop reading for it.
  raw.on('close', end);

  const next = () => {
    if (closed) return;
    tick = setTimeout(() => void update().finally(next), ctx.liveEverySec * 1000);
    tick.unref();
  };
  const update = async () => {
    if (Date.now() - started >= MAX_STREAM_MS) return end();
    try {
      // Signed out, expired, revoked or disabled since the stream began: say so and stop.
      const live = await findSession(ctx.db, token, ctx.now());
      if (!live) {
        send('signed_out', { message: 'your session has ended; sign in again to keep watching' });
        return end();
      }
      const snapshot = await snapshotFor(ctx, live, occasionId);
      if (!snapshot) {
        send('problem', { message: 'this occasion is no longer there', problems: ++problems });
        return end();
      }
      send('snapshot', snapshot);
    } catch (e) {
      problems++;
      request.log.error({ err: { message: (e as Error).message }, problems }, 'console live snapshot failed');
      send('problem', { message: PROBLEM_MESSAGE, problems });
    }
  };

  // retry: how long a browser's EventSource waits before it reconnects after a drop.
  write('retry: 5000\n: live view\n\n');
  send('snapshot', first);
  next();
}
