// Console API: venues (to be built).
import type { FastifyInstance } from 'fastify';
import type { ConsoleContext } from '../plugin';

export function registerVenueRoutes(_api: FastifyInstance, _ctx: ConsoleContext): void {}
