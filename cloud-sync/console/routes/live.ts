// Console API: live (to be built).
import type { FastifyInstance } from 'fastify';
import type { ConsoleContext } from '../plugin';

export function registerLiveRoutes(_api: FastifyInstance, _ctx: ConsoleContext): void {}
