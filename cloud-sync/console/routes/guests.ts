// Console API: guests (to be built).
import type { FastifyInstance } from 'fastify';
import type { ConsoleContext } from '../plugin';

export function registerGuestRoutes(_api: FastifyInstance, _ctx: ConsoleContext): void {}
