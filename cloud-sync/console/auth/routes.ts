// Console API: sign-in, sign-out, the session, set-password links, sessions and accounts (to be built).
import type { FastifyInstance } from 'fastify';
import type { ConsoleContext } from '../plugin';

export function registerAuthRoutes(_api: FastifyInstance, _ctx: ConsoleContext): void {}
