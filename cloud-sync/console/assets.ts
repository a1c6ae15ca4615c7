// The console's web application at /console (to be built).
import type { FastifyInstance } from 'fastify';
import type { ConsoleContext } from './plugin';

export async function registerConsoleAssets(_app: FastifyInstance, _ctx: ConsoleContext): Promise<void> {}
