// Console API: devices (to be built).
import type { FastifyInstance } from 'fastify';
import type { ConsoleContext } from '../plugin';

export function registerDeviceRoutes(_api: FastifyInstance, _ctx: ConsoleContext): void {}
