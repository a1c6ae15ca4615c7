// Every answer of the agent and the cloud carries the receiver's own clock to the millisecond, so a caller measures its
// clock's skew from any exchange (protocol/http-client.ts `skewFromAnswer`), not from the Date header's whole seconds.
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** Unix ms of the receiver's clock at the middle of its handling of the request (arrival to answer). */
export const SERVER_TIME_HEADER = 'x-server-time-ms';

/**
 * The middle of the handling, not the moment of answering: the caller compares it with the middle of its round trip,
 * so time spent on the request (a large sync page) does not count as skew.
 */
export function installServerTime(app: FastifyInstance, now: () => number = Date.now): void {
  const arrived = new WeakMap<FastifyRequest, number>();
  app.addHook('onRequest', async (request) => {
    arrived.set(request, now());
  });
  app.addHook('onSend', async (request, reply) => {
    const answered = now();
    reply.header(SERVER_TIME_HEADER, String(Math.round(((arrived.get(request) ?? answered) + answered) / 2)));
  });
}
