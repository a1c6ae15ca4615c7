// Console API: audit (to be built).
import type { FastifyInstance } from 'fastify';
import type { ConsoleContext } from '../plugin';

export function registerAuditRoutes(_api: FastifyInstance, _ctx: ConsoleContext): void {}
